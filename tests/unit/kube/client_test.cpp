#include "fivespot/kube/client.hpp"

#include <gtest/gtest.h>

#include "fake_transport.hpp"

namespace fivespot::kube {
namespace {

using testing::FakeTransport;
using namespace std::chrono_literals;

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> makeClient(ClientOptions options = {}) {
    options.clock = &clock_;
    options.sleep = [this](Duration d) {
      sleeps_.push_back(d);
      clock_.advance(d);
    };
    ClusterConfig config;
    config.server = "https://127.0.0.1:6443";
    return std::make_unique<Client>(config, std::move(options), transport_);
  }

  static Json pod(const std::string& name, const std::string& ns = "default") {
    return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}, {"namespace", ns}}}};
  }

  static std::string status(int code, const std::string& reason, const std::string& message) {
    return Json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                {"code", code},     {"reason", reason},   {"message", message}}
        .dump();
  }

  const HttpRequest& sent(std::size_t index) { return transport_->requests.at(index).request; }

  ManualClock clock_{TimePoint{} + 1000h};
  std::vector<Duration> sleeps_;
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
};

ClientOptions withOptions(const std::function<void(ClientOptions&)>& set) {
  ClientOptions options;
  set(options);
  return options;
}

// Runs `call` and returns the ApiError it throws (fails the test if it throws none).
template <typename Call>
ApiError apiErrorFrom(Call call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an ApiError";
  return ApiError(0, "", "", "");
}

TEST_F(ClientTest, GetAddressesTheObjectAndParsesTheAnswer) {
  auto client = makeClient(withOptions([](ClientOptions& o) { o.userAgent = "fivespot-test"; }));
  transport_->respond(200, pod("web-0").dump());

  const Json object = client->get(resources::pods(), "default", "web-0");

  EXPECT_EQ(object["metadata"]["name"], "web-0");
  ASSERT_EQ(transport_->requests.size(), 1u);
  EXPECT_EQ(sent(0).method, "GET");
  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/default/pods/web-0");
  EXPECT_EQ(transport_->requests[0].header("Accept"), "application/json");
  EXPECT_EQ(transport_->requests[0].header("User-Agent"), "fivespot-test");
  EXPECT_EQ(transport_->requests[0].timeout, 30'000ms);
}

TEST_F(ClientTest, ClusterScopedResourcesIgnoreTheNamespace) {
  auto client = makeClient();
  transport_->respond(200, R"({"metadata":{"name":"node-1"}})");
  client->get(resources::nodes(), "ignored", "node-1");
  EXPECT_EQ(sent(0).target, "/api/v1/nodes/node-1");
}

TEST_F(ClientTest, NamespacedResourceWithoutNamespaceIsRejectedBeforeSending) {
  auto client = makeClient();
  EXPECT_THROW(client->get(resources::pods(), "", "web-0"), ValidationError);
  EXPECT_TRUE(transport_->requests.empty());
}

TEST_F(ClientTest, GetIfExistsMapsNotFoundToNullopt) {
  auto client = makeClient();
  transport_->respond(404, status(404, "NotFound", "pods \"web-0\" not found"));
  EXPECT_FALSE(client->getIfExists(resources::pods(), "default", "web-0").has_value());
  transport_->respond(403, status(403, "Forbidden", "no"));
  EXPECT_THROW(client->getIfExists(resources::pods(), "default", "web-0"), ApiError);
}

TEST_F(ClientTest, ListSendsEncodedSelectorsAndPaginationAndDecodesTheList) {
  auto client = makeClient();
  ListOptions options;
  options.labelSelector = "app=web,tier in (a,b)";
  options.fieldSelector = "spec.nodeName=node-1";
  options.limit = 500;
  options.continueToken = "abc+/=";
  transport_->respond(200, R"({"kind":"PodList","metadata":{"resourceVersion":"42","continue":"next-page"},
                               "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");

  const ListResult result = client->list(resources::pods(), "prod", options);

  EXPECT_EQ(sent(0).target,
            "/api/v1/namespaces/prod/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29"
            "&fieldSelector=spec.nodeName%3Dnode-1&limit=500&continue=abc%2B%2F%3D");
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1]["metadata"]["name"], "b");
  EXPECT_EQ(result.resourceVersion, "42");
  EXPECT_EQ(result.continueToken, "next-page");
}

TEST_F(ClientTest, ListWithEmptyNamespaceListsAcrossNamespaces) {
  auto client = makeClient();
  transport_->respond(200, R"({"metadata":{},"items":[]})");
  EXPECT_TRUE(client->list(resources::scheduledMachines(), "").items.empty());
  EXPECT_EQ(sent(0).target, "/apis/5spot.finos.org/v1alpha1/scheduledmachines");
}

TEST_F(ClientTest, ListAllFollowsContinueAndKeepsTheFirstResourceVersion) {
  auto client = makeClient();
  transport_->respond(200, R"({"metadata":{"resourceVersion":"10","continue":"t1"},"items":[{"n":1}]})");
  transport_->respond(200, R"({"metadata":{"resourceVersion":"11","continue":"t2"},"items":[{"n":2}]})");
  transport_->respond(200, R"({"metadata":{"resourceVersion":"12"},"items":[{"n":3}]})");

  const ListResult all = client->listAll(resources::pods(), "default", ListOptions{"", "", 1, "", ""});

  ASSERT_EQ(all.items.size(), 3u);
  EXPECT_EQ(all.items[2]["n"], 3);
  EXPECT_EQ(all.resourceVersion, "10");
  EXPECT_TRUE(all.continueToken.empty());
  EXPECT_EQ(sent(1).target, "/api/v1/namespaces/default/pods?limit=1&continue=t1");
  EXPECT_EQ(sent(2).target, "/api/v1/namespaces/default/pods?limit=1&continue=t2");
}

TEST_F(ClientTest, CreatePostsToTheCollectionUsingTheObjectsNamespaceWhenNoneIsGiven) {
  auto client = makeClient();
  transport_->respond(201, pod("web-0", "team-a").dump());

  client->create(resources::pods(), "", pod("web-0", "team-a"));

  EXPECT_EQ(sent(0).method, "POST");
  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/team-a/pods");
  EXPECT_EQ(Json::parse(sent(0).body), pod("web-0", "team-a"));
  EXPECT_EQ(transport_->requests[0].header("Content-Type"), "application/json");
}

TEST_F(ClientTest, UpdatePutsTheObjectAndUpdateStatusPutsTheSubresource) {
  auto client = makeClient();
  transport_->respond(200, pod("web-0").dump());
  transport_->respond(200, pod("web-0").dump());

  client->update(resources::pods(), "default", pod("web-0"));
  client->updateStatus(resources::pods(), "default", pod("web-0"));

  EXPECT_EQ(sent(0).method, "PUT");
  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/default/pods/web-0");
  EXPECT_EQ(sent(1).method, "PUT");
  EXPECT_EQ(sent(1).target, "/api/v1/namespaces/default/pods/web-0/status");
}

TEST_F(ClientTest, UpdateWithoutNameIsRejected) {
  auto client = makeClient();
  EXPECT_THROW(client->update(resources::pods(), "default", Json{{"metadata", Json::object()}}), ValidationError);
}

TEST_F(ClientTest, PatchSendsTheContentTypeOfEachPatchType) {
  auto client = makeClient();
  const std::vector<std::pair<PatchType, std::string>> cases = {
      {PatchType::Merge, "application/merge-patch+json"},
      {PatchType::JsonPatch, "application/json-patch+json"},
      {PatchType::StrategicMerge, "application/strategic-merge-patch+json"},
      {PatchType::Apply, "application/apply-patch+yaml"},
  };
  for (const auto& [type, contentType] : cases) {
    transport_->respond(200, "{}");
    const Json body = type == PatchType::JsonPatch ? Json::parse(R"([{"op":"add","path":"/x","value":1}])")
                                                   : Json{{"metadata", {{"labels", {{"a", "b"}}}}}};
    client->patch(resources::pods(), "default", "web-0", type, body, PatchOptions{"5spot", false});
    const auto& recorded = transport_->requests.back();
    EXPECT_EQ(recorded.request.method, "PATCH");
    EXPECT_EQ(recorded.header("Content-Type"), contentType);
    EXPECT_EQ(Json::parse(recorded.request.body), body);
  }
  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/default/pods/web-0?fieldManager=5spot");
}

TEST_F(ClientTest, ServerSideApplyCarriesFieldManagerAndForce) {
  auto client = makeClient();
  transport_->respond(200, "{}");
  client->patchStatus(resources::scheduledMachines(), "default", "m1", PatchType::Apply, Json{{"status", {}}},
                      PatchOptions{"5spot-controller", true});
  EXPECT_EQ(sent(0).target,
            "/apis/5spot.finos.org/v1alpha1/namespaces/default/scheduledmachines/m1/status"
            "?fieldManager=5spot-controller&force=true");
}

TEST_F(ClientTest, InvalidPatchesAreRejectedBeforeSending) {
  auto client = makeClient();
  EXPECT_THROW(client->patch(resources::pods(), "default", "p", PatchType::Apply, Json::object()), ValidationError);
  EXPECT_THROW(client->patch(resources::pods(), "default", "p", PatchType::JsonPatch, Json::object()), ValidationError);
  EXPECT_TRUE(transport_->requests.empty());
}

TEST_F(ClientTest, RemoveSendsDeleteOptionsAndReportsWhetherTheObjectExisted) {
  auto client = makeClient();
  transport_->respond(200, R"({"kind":"Status","status":"Success"})");
  transport_->respond(404, status(404, "NotFound", "gone"));

  const DeleteOptions options{0, "Foreground", "uid-1", "7"};
  EXPECT_TRUE(client->remove(resources::pods(), "default", "web-0", options));
  EXPECT_FALSE(client->remove(resources::pods(), "default", "web-0"));

  EXPECT_EQ(sent(0).method, "DELETE");
  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/default/pods/web-0");
  EXPECT_EQ(Json::parse(sent(0).body), Json::parse(R"({"apiVersion":"v1","kind":"DeleteOptions",
      "gracePeriodSeconds":0,"propagationPolicy":"Foreground",
      "preconditions":{"uid":"uid-1","resourceVersion":"7"}})"));
  EXPECT_EQ(Json::parse(sent(1).body), Json::parse(R"({"apiVersion":"v1","kind":"DeleteOptions"})"));
}

TEST_F(ClientTest, RemoveRethrowsConflictingPreconditions) {
  auto client = makeClient();
  transport_->respond(409, status(409, "Conflict", "Precondition failed: UID in precondition: uid-1"));
  const auto error = apiErrorFrom([&] {
    client->remove(resources::pods(), "default", "web-0", DeleteOptions{std::nullopt, "", "uid-1", ""});
  });
  EXPECT_TRUE(error.isConflict());
}

TEST_F(ClientTest, EvictPostsAPolicyV1Eviction) {
  auto client = makeClient();
  transport_->respond(201, R"({"kind":"Status","status":"Success"})");

  client->evict("default", "web-0", DeleteOptions{30, "", "", ""});

  EXPECT_EQ(sent(0).method, "POST");
  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/default/pods/web-0/eviction");
  const Json body = Json::parse(sent(0).body);
  EXPECT_EQ(body["apiVersion"], "policy/v1");
  EXPECT_EQ(body["kind"], "Eviction");
  EXPECT_EQ(body["metadata"], Json::parse(R"({"name":"web-0","namespace":"default"})"));
  EXPECT_EQ(body["deleteOptions"]["gracePeriodSeconds"], 30);
}

TEST_F(ClientTest, EvictBlockedByDisruptionBudgetIsNotRetriedHere) {
  auto client = makeClient();
  transport_->respond(
      429, status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget."),
      {{"retry-after", "10"}});

  const auto error = apiErrorFrom([&] { client->evict("default", "web-0"); });

  EXPECT_TRUE(error.isTooManyRequests());
  EXPECT_EQ(error.retryAfter(), 10s);
  EXPECT_EQ(transport_->requests.size(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(ClientTest, RequestServiceAccountTokenReturnsTheIssuedToken) {
  auto client = makeClient();
  transport_->respond(201, R"({"kind":"TokenRequest","status":{"token":"eyJ.issued","expirationTimestamp":"x"}})");

  EXPECT_EQ(client->requestServiceAccountToken("kube-system", "agent", 3600s, {"https://kubernetes.default.svc"}),
            "eyJ.issued");

  EXPECT_EQ(sent(0).target, "/api/v1/namespaces/kube-system/serviceaccounts/agent/token");
  const Json body = Json::parse(sent(0).body);
  EXPECT_EQ(body["kind"], "TokenRequest");
  EXPECT_EQ(body["spec"]["expirationSeconds"], 3600);
  EXPECT_EQ(body["spec"]["audiences"][0], "https://kubernetes.default.svc");
}

struct StatusCase {
  int code;
  std::string reason;
  bool (ApiError::*predicate)() const noexcept;
  ErrorKind kind;
};

TEST_F(ClientTest, StatusAnswersDecodeIntoDistinguishableErrors) {
  const std::vector<StatusCase> cases = {
      {404, "NotFound", &ApiError::isNotFound, ErrorKind::NotFound},
      {409, "AlreadyExists", &ApiError::isAlreadyExists, ErrorKind::Conflict},
      {409, "Conflict", &ApiError::isConflict, ErrorKind::Conflict},
      {410, "Expired", &ApiError::isGone, ErrorKind::Transient},
      {422, "Invalid", &ApiError::isInvalid, ErrorKind::InvalidInput},
      {429, "TooManyRequests", &ApiError::isTooManyRequests, ErrorKind::Transient},
      {403, "Forbidden", &ApiError::isForbidden, ErrorKind::Configuration},
  };
  for (const auto& c : cases) {
    auto client = makeClient();
    transport_->respond(c.code, status(c.code, c.reason, "the server says " + c.reason));
    const auto error = apiErrorFrom([&] { client->get(resources::pods(), "default", "web-0"); });
    EXPECT_EQ(error.code(), c.code);
    EXPECT_EQ(error.reason(), c.reason);
    EXPECT_EQ(error.serverMessage(), "the server says " + c.reason);
    EXPECT_TRUE((error.*c.predicate)()) << c.reason;
    EXPECT_EQ(error.kind(), c.kind) << c.reason;
    EXPECT_EQ(error.context(), "GET /api/v1/namespaces/default/pods/web-0");
  }
  auto client = makeClient();
  transport_->respond(409, status(409, "AlreadyExists", "exists"));
  const auto exists = apiErrorFrom([&] { client->create(resources::pods(), "default", pod("web-0")); });
  EXPECT_FALSE(exists.isConflict());
}

TEST_F(ClientTest, NonStatusErrorBodyFallsBackToTheHttpReason) {
  auto client = makeClient();
  transport_->respond(502, "<html>bad gateway</html>");
  const auto error = apiErrorFrom([&] { client->get(resources::pods(), "default", "web-0"); });
  EXPECT_EQ(error.code(), 502);
  EXPECT_EQ(error.reason(), "InternalError");
  EXPECT_EQ(error.serverMessage(), "<html>bad gateway</html>");
  EXPECT_TRUE(error.isRetryable());
}

TEST_F(ClientTest, ThrottledRequestIsRetriedAfterRetryAfter) {
  auto client = makeClient();
  transport_->respond(429, status(429, "TooManyRequests", "slow down"), {{"retry-after", "2"}});
  transport_->respond(503, status(503, "ServiceUnavailable", "starting"), {{"retry-after", "1"}});
  transport_->respond(200, pod("web-0").dump());

  EXPECT_EQ(client->get(resources::pods(), "default", "web-0")["metadata"]["name"], "web-0");

  EXPECT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(sleeps_, (std::vector<Duration>{2s, 1s}));
}

TEST_F(ClientTest, RetryAfterFromStatusDetailsIsHonouredAndCapped) {
  auto client = makeClient(withOptions([](ClientOptions& o) { o.maxRetryAfter = 5s; }));
  transport_->respond(429,
                      R"({"kind":"Status","code":429,"reason":"TooManyRequests","details":{"retryAfterSeconds":3}})");
  transport_->respond(429, status(429, "TooManyRequests", "later"), {{"retry-after", "3600"}});
  transport_->respond(200, "{}");

  client->get(resources::pods(), "default", "web-0");

  EXPECT_EQ(sleeps_, (std::vector<Duration>{3s, 5s}));
}

TEST_F(ClientTest, ThrottlingGivesUpAfterMaxRetries) {
  auto client = makeClient(withOptions([](ClientOptions& o) { o.maxRetriesOnThrottle = 2; }));
  for (int i = 0; i < 3; ++i) transport_->respond(429, status(429, "TooManyRequests", "no"), {{"retry-after", "1"}});

  const auto error = apiErrorFrom([&] { client->get(resources::pods(), "default", "web-0"); });

  EXPECT_TRUE(error.isTooManyRequests());
  EXPECT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(ClientTest, ServerErrorWithoutRetryAfterIsNotRetried) {
  auto client = makeClient();
  transport_->respond(500, status(500, "InternalError", "boom"));
  EXPECT_THROW(client->get(resources::pods(), "default", "web-0"), ApiError);
  EXPECT_EQ(transport_->requests.size(), 1u);
}

TEST_F(ClientTest, RateLimiterSpacesRequestsBeyondTheBurst) {
  auto client = makeClient(withOptions([](ClientOptions& o) {
    o.qps = 2;
    o.burst = 2;
  }));
  for (int i = 0; i < 4; ++i) transport_->respond(200, "{}");
  for (int i = 0; i < 4; ++i) client->get(resources::pods(), "default", "p");
  // Two go at once, then one every 500 ms (the sleeper advances the manual clock).
  EXPECT_EQ(sleeps_, (std::vector<Duration>{500ms, 500ms}));
}

TEST_F(ClientTest, NonJsonSuccessAnswerIsATransportError) {
  auto client = makeClient();
  transport_->respond(200, "not json");
  EXPECT_THROW(client->get(resources::pods(), "default", "p"), TransportError);
}

TEST_F(ClientTest, RawRequestThrowsOnNonSuccess) {
  auto client = makeClient();
  transport_->respond(200, "ok");
  transport_->respond(401, status(401, "Unauthorized", "Unauthorized"));
  EXPECT_EQ(client->request({"GET", "/healthz", {}, {}}).body, "ok");
  EXPECT_THROW(client->request({"GET", "/healthz", {}, {}}), ApiError);
}

TEST_F(ClientTest, UpdateWithRetryReReadsAndReappliesOnConflict) {
  auto client = makeClient();
  Json v1 = pod("web-0");
  v1["metadata"]["resourceVersion"] = "1";
  Json v2 = pod("web-0");
  v2["metadata"]["resourceVersion"] = "2";
  transport_->respond(200, v1.dump());
  transport_->respond(409, status(409, "Conflict", "the object has been modified"));
  transport_->respond(200, v2.dump());
  transport_->respond(200, v2.dump());

  int calls = 0;
  updateWithRetry(*client, resources::pods(), "default", "web-0", [&](Json& object) {
    ++calls;
    object["metadata"]["labels"]["touched"] = "yes";
    return true;
  });

  EXPECT_EQ(calls, 2);
  ASSERT_EQ(transport_->requests.size(), 4u);
  const Json finalWrite = Json::parse(sent(3).body);
  EXPECT_EQ(finalWrite["metadata"]["resourceVersion"], "2");
  EXPECT_EQ(finalWrite["metadata"]["labels"]["touched"], "yes");
}

TEST_F(ClientTest, UpdateWithRetryGivesUpAfterTheAllowedAttempts) {
  auto client = makeClient();
  for (int i = 0; i < 2; ++i) {
    transport_->respond(200, pod("web-0").dump());
    transport_->respond(409, status(409, "Conflict", "modified"));
  }
  const auto error = apiErrorFrom([&] {
    updateWithRetry(
        *client, resources::pods(), "default", "web-0", [](Json&) { return true; }, true, 2);
  });
  EXPECT_TRUE(error.isConflict());
  EXPECT_EQ(sent(1).target, "/api/v1/namespaces/default/pods/web-0/status");
  EXPECT_EQ(transport_->requests.size(), 4u);
}

TEST_F(ClientTest, UpdateWithRetrySkipsTheWriteWhenMutateDeclines) {
  auto client = makeClient();
  transport_->respond(200, pod("web-0").dump());
  const Json result = updateWithRetry(*client, resources::pods(), "default", "web-0", [](Json&) { return false; });
  EXPECT_EQ(result["metadata"]["name"], "web-0");
  EXPECT_EQ(transport_->requests.size(), 1u);
}

constexpr const char* kApiGroups = R"({"kind":"APIGroupList","groups":[
  {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}]},
  {"name":"cluster.x-k8s.io","versions":[{"groupVersion":"cluster.x-k8s.io/v1beta2","version":"v1beta2"},
                                          {"groupVersion":"cluster.x-k8s.io/v1beta1","version":"v1beta1"}],
   "preferredVersion":{"groupVersion":"cluster.x-k8s.io/v1beta2","version":"v1beta2"}}]})";

TEST_F(ClientTest, DiscoveryReportsServedVersionsOfAGroup) {
  auto client = makeClient();
  transport_->respond(200, kApiGroups);
  transport_->respond(200, kApiGroups);
  transport_->respond(200, kApiGroups);

  EXPECT_EQ(client->servedVersions("cluster.x-k8s.io"), (std::set<std::string>{"v1beta1", "v1beta2"}));
  EXPECT_EQ(client->preferredVersion("cluster.x-k8s.io", {"v1beta2", "v1beta1"}), "v1beta2");
  EXPECT_EQ(client->preferredVersion("5spot.finos.org", {"v1alpha1"}), std::nullopt);
  EXPECT_EQ(sent(0).target, "/apis");
}

TEST_F(ClientTest, DiscoveryPrefersTheFirstServedCandidate) {
  auto client = makeClient();
  transport_->respond(200, R"({"groups":[{"name":"cluster.x-k8s.io","versions":[{"version":"v1beta1"}]}]})");
  EXPECT_EQ(client->preferredVersion("cluster.x-k8s.io", {"v1beta2", "v1beta1"}), "v1beta1");
}

TEST_F(ClientTest, DiscoveryOfTheCoreGroupReadsApi) {
  auto client = makeClient();
  transport_->respond(200, R"({"kind":"APIVersions","versions":["v1"]})");
  EXPECT_EQ(client->servedVersions(""), (std::set<std::string>{"v1"}));
  EXPECT_EQ(sent(0).target, "/api");
}

struct ObservedCall {
  std::string verb, group, resource, subresource, ns;
  int status;
  bool operator==(const ObservedCall&) const = default;
};

std::ostream& operator<<(std::ostream& out, const ObservedCall& c) {
  return out << c.verb << " " << c.group << "/" << c.resource << "/" << c.subresource << " ns=" << c.ns << " -> "
             << c.status;
}

ClientOptions observingInto(std::vector<ObservedCall>& calls) {
  ClientOptions options;
  options.requestObserver = [&calls](const RequestInfo& r, int status) {
    calls.push_back({r.verb, r.group, r.resource, r.subresource, r.ns, status});
  };
  return options;
}

TEST(RequestInfoTest, ResolvesVerbsLikeKubeApiserver) {
  struct Case {
    std::string method, target, verb, group, resource, subresource, ns, name;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/namespaces/a/pods/web-0", "get", "", "pods", "", "a", "web-0"},
      {"GET", "/api/v1/namespaces/a/pods?limit=500", "list", "", "pods", "", "a", ""},
      {"GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1", "list", "", "pods", "", "", ""},
      {"GET", "/api/v1/nodes?watch=1&resourceVersion=5", "watch", "", "nodes", "", "", ""},
      {"GET", "/apis/coordination.k8s.io/v1/namespaces/x/leases?allowWatchBookmarks=true&watch=true", "watch",
       "coordination.k8s.io", "leases", "", "x", ""},
      {"GET", "/api/v1/nodes?watchers=1", "list", "", "nodes", "", "", ""},
      {"POST", "/api/v1/namespaces/a/pods/web-0/eviction", "create", "", "pods", "eviction", "a", "web-0"},
      {"PUT", "/apis/5spot.finos.org/v1alpha1/namespaces/a/scheduledmachines/w/status", "update", "5spot.finos.org",
       "scheduledmachines", "status", "a", "w"},
      {"PATCH", "/api/v1/nodes/n1", "patch", "", "nodes", "", "", "n1"},
      {"DELETE", "/apis/cluster.x-k8s.io/v1beta1/namespaces/a/machines/m", "delete", "cluster.x-k8s.io", "machines", "",
       "a", "m"},
      {"DELETE", "/api/v1/namespaces/a/pods", "deletecollection", "", "pods", "", "a", ""},
      {"GET", "/api/v1/namespaces/a", "get", "", "namespaces", "", "a", "a"},
      {"PUT", "/api/v1/namespaces/a/finalize", "update", "", "namespaces", "finalize", "a", "a"},
      {"POST", "/api/v1/namespaces", "create", "", "namespaces", "", "", ""},
  };
  for (const auto& c : cases) {
    const RequestInfo info = requestInfoFor(c.method, c.target);
    SCOPED_TRACE(c.method + " " + c.target);
    EXPECT_TRUE(info.resourceRequest);
    EXPECT_EQ(info.verb, c.verb);
    EXPECT_EQ(info.group, c.group);
    EXPECT_EQ(info.resource, c.resource);
    EXPECT_EQ(info.subresource, c.subresource);
    EXPECT_EQ(info.ns, c.ns);
    EXPECT_EQ(info.name, c.name);
  }
}

TEST(RequestInfoTest, DiscoveryAndHealthAreNonResourceRequests) {
  for (const std::string target : {"/api", "/apis", "/apis/cluster.x-k8s.io", "/version", "/healthz?verbose=1"}) {
    const RequestInfo info = requestInfoFor("GET", target);
    EXPECT_FALSE(info.resourceRequest) << target;
    EXPECT_EQ(info.verb, "get") << target;
    EXPECT_EQ(info.path, target.substr(0, target.find('?'))) << target;
    EXPECT_TRUE(info.resource.empty()) << target;
  }
}

TEST_F(ClientTest, ObserverSeesEveryExchangeIncludingRetriesAndFailures) {
  std::vector<ObservedCall> calls;
  auto client = makeClient(observingInto(calls));
  transport_->respond(429, status(429, "TooManyRequests", "slow down"), {{"retry-after", "1"}});
  transport_->respond(200, pod("web-0").dump());
  transport_->respond(403, status(403, "Forbidden", "no"));
  transport_->respond(201, R"({"kind":"Status","status":"Success"})");

  client->get(resources::pods(), "default", "web-0");
  EXPECT_THROW(client->patch(resources::nodes(), "", "n1", PatchType::Merge, Json::object()), ApiError);
  client->evict("default", "web-0");

  EXPECT_EQ(calls, (std::vector<ObservedCall>{{"get", "", "pods", "", "default", 429},
                                              {"get", "", "pods", "", "default", 200},
                                              {"patch", "", "nodes", "", "", 403},
                                              {"create", "", "pods", "eviction", "default", 201}}));
}

TEST_F(ClientTest, ObserverSeesWatchOpenings) {
  std::vector<ObservedCall> calls;
  auto client = makeClient(observingInto(calls));
  transport_->respondStream(200, {});
  transport_->respondStream(403, {status(403, "Forbidden", "no")});

  client->watch(resources::leases(), "ns", WatchOptions{});
  EXPECT_THROW(client->watch(resources::nodes(), "", WatchOptions{}), ApiError);

  EXPECT_EQ(calls, (std::vector<ObservedCall>{{"watch", "coordination.k8s.io", "leases", "", "ns", 200},
                                              {"watch", "", "nodes", "", "", 403}}));
}

// A transport that never answers.
class UnreachableTransport final : public HttpTransport {
 public:
  HttpResponse send(const HttpRequest& request, std::chrono::milliseconds) override {
    throw TransportError(request.target, "connection refused");
  }
  std::unique_ptr<HttpStream> openStream(const HttpRequest& request, std::chrono::milliseconds) override {
    throw TransportError(request.target, "connection refused");
  }
};

TEST(ClientObserverTest, RequestWithoutAnswerIsObservedWithStatusZero) {
  std::vector<ObservedCall> calls;
  ClusterConfig config;
  config.server = "https://127.0.0.1:6443";
  Client client(config, observingInto(calls), std::make_shared<UnreachableTransport>());

  EXPECT_THROW(client.list(resources::secrets(), "a"), TransportError);
  EXPECT_THROW(client.watch(resources::secrets(), "a", WatchOptions{}), TransportError);

  EXPECT_EQ(calls,
            (std::vector<ObservedCall>{{"list", "", "secrets", "", "a", 0}, {"watch", "", "secrets", "", "a", 0}}));
}

}  // namespace
}  // namespace fivespot::kube
