#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "fivespot/kube/client.hpp"
#include "status.hpp"
#include "watch.hpp"

namespace fivespot::kube {
namespace {

using testing::FakeTransport;
using namespace std::chrono_literals;

std::string event(const std::string& type, const Json& object) {
  return Json{{"type", type}, {"object", object}}.dump();
}

Json named(const std::string& name, const std::string& resourceVersion) {
  return {{"metadata", {{"name", name}, {"resourceVersion", resourceVersion}}}};
}

ClientOptions unlimited() {
  ClientOptions options;
  options.qps = 0;
  return options;
}

WatchOptions watchOptions(const std::string& labelSelector, const std::string& resourceVersion,
                          std::chrono::seconds timeout = 300s) {
  WatchOptions options;
  options.labelSelector = labelSelector;
  options.resourceVersion = resourceVersion;
  options.timeout = timeout;
  return options;
}

class WatchTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> makeClient() {
    ClusterConfig config;
    config.server = "https://127.0.0.1:6443";
    return std::make_unique<Client>(config, unlimited(), transport_);
  }

  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
};

TEST_F(WatchTest, RequestCarriesWatchParametersAndAnIdleTimeoutBeyondTheServerTimeout) {
  auto client = makeClient();
  transport_->respondStream(200, {});

  client->watch(resources::scheduledMachines(), "default", watchOptions("a=b", "100", 60s));

  const auto& recorded = transport_->requests.at(0);
  EXPECT_EQ(recorded.request.method, "GET");
  EXPECT_EQ(recorded.request.target,
            "/apis/5spot.finos.org/v1alpha1/namespaces/default/scheduledmachines"
            "?watch=1&allowWatchBookmarks=true&resourceVersion=100&timeoutSeconds=60&labelSelector=a%3Db");
  EXPECT_EQ(recorded.timeout, 60s + 30s);
}

TEST_F(WatchTest, WithoutBookmarksTheParameterIsLeftOut) {
  auto client = makeClient();
  transport_->respondStream(200, {});
  client->watch(resources::nodes(), "", WatchOptions{"", "", "", false, 10s});
  EXPECT_EQ(transport_->requests.at(0).request.target, "/api/v1/nodes?watch=1&timeoutSeconds=10");
}

TEST_F(WatchTest, DecodesEveryEventTypeAndEndsWithTheStream) {
  auto client = makeClient();
  transport_->respondStream(200, {event("ADDED", named("a", "1")), "", event("MODIFIED", named("a", "2")),
                                  event("DELETED", named("a", "3")), event("BOOKMARK", named("", "4"))});

  auto watch = client->watch(resources::pods(), "default", {});
  std::vector<WatchEvent::Type> types;
  std::vector<std::string> versions;
  while (auto next = watch->next()) {
    types.push_back(next->type);
    versions.push_back(next->object["metadata"]["resourceVersion"]);
  }

  EXPECT_EQ(types, (std::vector<WatchEvent::Type>{WatchEvent::Type::Added, WatchEvent::Type::Modified,
                                                  WatchEvent::Type::Deleted, WatchEvent::Type::Bookmark}));
  EXPECT_EQ(versions, (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST_F(WatchTest, ExpiredResourceVersionArrivesAsAnErrorEventWithItsStatus) {
  auto client = makeClient();
  const Json gone = {{"kind", "Status"},    {"apiVersion", "v1"},
                     {"status", "Failure"}, {"message", "too old resource version: 1 (50)"},
                     {"reason", "Expired"}, {"code", 410}};
  transport_->respondStream(200, {event("ERROR", gone)});

  auto watch = client->watch(resources::pods(), "default", watchOptions("", "1"));
  const auto next = watch->next();

  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->type, WatchEvent::Type::Error);
  const ApiError error = detail::decodeStatusObject(500, next->object.dump(), "watch pods");
  EXPECT_TRUE(error.isGone());
  EXPECT_EQ(error.reason(), "Expired");
}

TEST_F(WatchTest, NonSuccessAnswerToTheWatchRequestIsAnApiError) {
  auto client = makeClient();
  transport_->respondStream(
      410, {R"({"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"})"});
  try {
    client->watch(resources::pods(), "default", watchOptions("", "1"));
    FAIL() << "expected ApiError";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isGone());
    EXPECT_EQ(e.serverMessage(), "too old resource version");
  }
}

TEST_F(WatchTest, TruncatedLineIsATransportErrorNotACrash) {
  auto client = makeClient();
  const std::string full = event("ADDED", named("a", "1"));
  transport_->respondStream(200, {full, full.substr(0, full.size() / 2)});

  auto watch = client->watch(resources::pods(), "default", {});
  ASSERT_TRUE(watch->next().has_value());
  EXPECT_THROW(watch->next(), TransportError);
}

TEST_F(WatchTest, EventsWithoutTypeOrObjectOrOfUnknownTypeAreRejected) {
  EXPECT_THROW(detail::parseWatchLine(R"({"object":{}})", "w"), TransportError);
  EXPECT_THROW(detail::parseWatchLine(R"({"type":"ADDED"})", "w"), TransportError);
  EXPECT_THROW(detail::parseWatchLine(R"({"type":"RENAMED","object":{}})", "w"), TransportError);
  EXPECT_THROW(detail::parseWatchLine(R"([1,2])", "w"), TransportError);
  EXPECT_EQ(detail::parseWatchLine(event("ADDED", named("x", "9")) + "\r", "w").type, WatchEvent::Type::Added);
}

TEST_F(WatchTest, CancelEndsTheWatch) {
  auto client = makeClient();
  transport_->respondStream(200, {event("ADDED", named("a", "1")), event("ADDED", named("b", "2"))});
  auto watch = client->watch(resources::pods(), "default", {});
  ASSERT_TRUE(watch->next().has_value());
  watch->cancel();
  EXPECT_FALSE(watch->next().has_value());
}

}  // namespace
}  // namespace fivespot::kube
