// Every verb of fivespot::kube::Client and the informer's recovery paths, against a real API
// server: the behaviour the coordinator and the agent depend on.
#include <gtest/gtest.h>

#include <atomic>

#include "environment.hpp"
#include "fivespot/controller/informer.hpp"
#include "fivespot/controller/list_watch.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::testing {
namespace {

using kube::Json;
using namespace std::chrono_literals;

Json configMap(const std::string& name, const std::string& ns, Json labels = Json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"data", {{"k", "v"}}}};
}

class KubeClientIntegration : public ::testing::Test {
 protected:
  KubeClientIntegration()
      : env_(::testing::UnitTest::GetInstance()->current_test_info()->name()), ns_(env_.createNamespace("kube")) {}

  void requireOwnedServer() {
    if (env_.external()) GTEST_SKIP() << "fault injection needs the built-in test server";
  }
  void fault(const std::string& path) {
    env_.client().request(kube::HttpRequest{"POST", path, {{"Content-Type", "application/json"}}, "{}"});
  }

  TestEnvironment env_;
  std::string ns_;
};

TEST_F(KubeClientIntegration, CreateGetUpdateWithOptimisticConcurrency) {
  auto& client = env_.client();
  const auto created = client.create(kube::resources::configMaps(), ns_, configMap("a", ns_));
  EXPECT_FALSE(created["metadata"]["uid"].get<std::string>().empty());
  try {
    client.create(kube::resources::configMaps(), ns_, configMap("a", ns_));
    FAIL() << "second create must fail";
  } catch (const kube::ApiError& e) {
    EXPECT_TRUE(e.isAlreadyExists()) << e.what();
  }

  auto stale = created;
  auto fresh = client.get(kube::resources::configMaps(), ns_, "a");
  fresh["data"]["k"] = "first";
  client.update(kube::resources::configMaps(), ns_, fresh);
  stale["data"]["k"] = "lost";
  try {
    client.update(kube::resources::configMaps(), ns_, stale);
    FAIL() << "an update from a stale resourceVersion must conflict";
  } catch (const kube::ApiError& e) {
    EXPECT_TRUE(e.isConflict()) << e.what();
  }

  int attempts = 0;
  const auto merged = kube::updateWithRetry(client, kube::resources::configMaps(), ns_, "a", [&](Json& object) {
    ++attempts;
    object["data"]["k"] = "retried";
    return true;
  });
  EXPECT_EQ(merged["data"]["k"], "retried");
  EXPECT_EQ(attempts, 1);
  EXPECT_FALSE(client.getIfExists(kube::resources::configMaps(), ns_, "missing"));
}

TEST_F(KubeClientIntegration, PatchesOfEveryKind) {
  auto& client = env_.client();
  client.create(kube::resources::configMaps(), ns_, configMap("p", ns_));
  client.patch(kube::resources::configMaps(), ns_, "p", kube::PatchType::Merge, {{"data", {{"merge", "1"}}}});
  client.patch(kube::resources::configMaps(), ns_, "p", kube::PatchType::JsonPatch,
               Json::array({{{"op", "add"}, {"path", "/data/json"}, {"value", "2"}}}));
  kube::PatchOptions apply;
  apply.fieldManager = "fivespot-test";
  apply.force = true;
  client.patch(kube::resources::configMaps(), ns_, "p", kube::PatchType::Apply,
               {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "p"}}}, {"data", {{"apply", "3"}}}},
               apply);
  const auto data = client.get(kube::resources::configMaps(), ns_, "p")["data"];
  EXPECT_EQ(data["merge"], "1");
  EXPECT_EQ(data["json"], "2");
  EXPECT_EQ(data["apply"], "3");

  EXPECT_TRUE(client.remove(kube::resources::configMaps(), ns_, "p"));
  EXPECT_FALSE(client.remove(kube::resources::configMaps(), ns_, "p"));
}

TEST_F(KubeClientIntegration, ListsWithSelectorsAndPages) {
  auto& client = env_.client();
  for (int i = 0; i < 7; ++i) {
    client.create(kube::resources::configMaps(), ns_,
                  configMap("item-" + std::to_string(i), ns_, {{"parity", i % 2 == 0 ? "even" : "odd"}}));
  }
  kube::ListOptions page;
  page.limit = 3;
  page.labelSelector = "parity";
  const auto first = client.list(kube::resources::configMaps(), ns_, page);
  EXPECT_EQ(first.items.size(), 3U);
  EXPECT_FALSE(first.continueToken.empty());
  EXPECT_EQ(client.listAll(kube::resources::configMaps(), ns_, page).items.size(), 7U);

  kube::ListOptions odd;
  odd.labelSelector = "parity=odd";
  EXPECT_EQ(client.listAll(kube::resources::configMaps(), ns_, odd).items.size(), 3U);
  kube::ListOptions byName;
  byName.fieldSelector = "metadata.name=item-4";
  const auto named = client.list(kube::resources::configMaps(), ns_, byName);
  ASSERT_EQ(named.items.size(), 1U);
  EXPECT_EQ(named.items[0]["metadata"]["labels"]["parity"], "even");
}

TEST_F(KubeClientIntegration, EvictionRespectsPodDisruptionBudgets) {
  requireOwnedServer();  // a real cluster needs a running kubelet to make the pod Ready
  auto& client = env_.client();
  const Json labels = {{"app", "web"}};
  client.create(kube::resources::pods(), ns_,
                {{"apiVersion", "v1"},
                 {"kind", "Pod"},
                 {"metadata", {{"name", "web-0"}, {"labels", labels}}},
                 {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "busybox"}}})}}}});
  client.patchStatus(
      kube::resources::pods(), ns_, "web-0", kube::PatchType::Merge,
      {{"status", {{"phase", "Running"}, {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}}})}}}});
  client.create(kube::resources::podDisruptionBudgets(), ns_,
                {{"apiVersion", "policy/v1"},
                 {"kind", "PodDisruptionBudget"},
                 {"metadata", {{"name", "web"}}},
                 {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", labels}}}}}});
  try {
    client.evict(ns_, "web-0");
    FAIL() << "the PDB must block the eviction";
  } catch (const kube::ApiError& e) {
    EXPECT_TRUE(e.isTooManyRequests()) << e.what();
    EXPECT_NE(e.serverMessage().find("disruption budget"), std::string::npos) << e.serverMessage();
  }
  client.patch(kube::resources::podDisruptionBudgets(), ns_, "web", kube::PatchType::Merge,
               {{"spec", {{"minAvailable", 0}}}});
  kube::DeleteOptions now;
  now.gracePeriodSeconds = 0;
  client.evict(ns_, "web-0", now);
  EXPECT_TRUE(eventually([&] { return !client.getIfExists(kube::resources::pods(), ns_, "web-0"); }, 10s));
}

TEST_F(KubeClientIntegration, DiscoveryAndServiceAccountTokens) {
  auto& client = env_.client();
  EXPECT_FALSE(client.servedVersions("5spot.finos.org").empty());
  EXPECT_TRUE(client.servedVersions("no.such.group.example").empty());
  EXPECT_EQ(client.preferredVersion("coordination.k8s.io", {"v1"}), "v1");

  client.create(kube::resources::fromApiVersionKind("v1", "ServiceAccount"), ns_,
                {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "agent"}}}});
  const auto token = client.requestServiceAccountToken(ns_, "agent", 1h);
  ASSERT_FALSE(token.empty());
  auto config = client.config();
  config.clientCertPem.clear();
  config.clientKeyPem.clear();
  config.token = token;
  kube::Client asAgent(config);
  EXPECT_EQ(asAgent.request(kube::HttpRequest{"GET", "/version", {}, ""}).status, 200);
}

TEST_F(KubeClientIntegration, WatchReportsGoneAfterCompactionAndInformerRelists) {
  requireOwnedServer();
  auto& client = env_.client();
  controller::KubeListWatcher source(client, kube::resources::configMaps(), ns_);
  controller::Informer informer(source);
  std::atomic<int> added{0};
  informer.onAdd([&](const Json&) { ++added; });
  informer.start();
  ASSERT_TRUE(informer.waitForSync({}, 10s));
  const std::string oldVersion = informer.lastResourceVersion();

  client.create(kube::resources::configMaps(), ns_, configMap("before", ns_));
  ASSERT_TRUE(eventually([&] { return informer.get(ns_ + "/before").has_value(); }, 10s));
  fault("/fault/compact");
  fault("/fault/drop-watches");
  client.create(kube::resources::configMaps(), ns_, configMap("after", ns_));
  EXPECT_TRUE(eventually([&] { return informer.get(ns_ + "/after").has_value(); }, 20s));

  kube::WatchOptions fromOld;
  fromOld.resourceVersion = oldVersion;
  try {
    auto watch = client.watch(kube::resources::configMaps(), ns_, fromOld);
    const auto event = watch->next();
    ASSERT_TRUE(event);
    EXPECT_EQ(event->type, kube::WatchEvent::Type::Error);
    EXPECT_EQ(event->object.value("code", 0), 410);
  } catch (const kube::ApiError& e) {
    EXPECT_TRUE(e.isGone()) << e.what();
  }
  informer.stop();
  EXPECT_EQ(added.load(), 2);
}

TEST_F(KubeClientIntegration, InformerReconnectsAfterServerRestart) {
  requireOwnedServer();
  auto& client = env_.client();
  controller::KubeListWatcher source(client, kube::resources::configMaps(), ns_);
  controller::InformerOptions options;
  options.reconnectBackoff = controller::BackoffPolicy{100ms, 1s, 0.0};
  controller::Informer informer(source, options);
  informer.start();
  ASSERT_TRUE(informer.waitForSync({}, 10s));
  env_.stopApiServer();
  env_.startApiServer();
  // The first request after a restart may fail on a pooled connection the old server closed
  // (cpprestsdk does not retry it); callers treat that like any transient error.
  ASSERT_TRUE(
      eventually([&] { return !client.list(kube::resources::configMaps(), ns_).resourceVersion.empty(); }, 10s));
  client.create(kube::resources::configMaps(), ns_, configMap("after-restart", ns_));
  EXPECT_TRUE(eventually([&] { return informer.get(ns_ + "/after-restart").has_value(); }, 30s));
  informer.stop();
}

TEST_F(KubeClientIntegration, ServerErrorsAreTypedAndTransient) {
  requireOwnedServer();
  auto& client = env_.client();
  client.request(kube::HttpRequest{"POST",
                                   "/fault/fail",
                                   {{"Content-Type", "application/json"}},
                                   R"({"verb":"list","resource":"configmaps","count":1,"code":500})"});
  try {
    client.list(kube::resources::configMaps(), ns_);
    FAIL() << "the injected failure must surface";
  } catch (const kube::ApiError& e) {
    EXPECT_EQ(e.code(), 500);
    EXPECT_TRUE(e.isRetryable());
  }
  EXPECT_NO_THROW(client.list(kube::resources::configMaps(), ns_));
}

}  // namespace
}  // namespace fivespot::testing
