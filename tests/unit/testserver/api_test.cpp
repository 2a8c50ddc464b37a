// API semantics through ApiServer::handle, without sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fivespot::testserver::testing {
namespace {

using nlohmann::json;

const char* const kPods = "/api/v1/namespaces/default/pods";
const char* const kPdbs = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";

json pod(const std::string& name, const std::string& node = "", json labels = json::object()) {
  json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"labels", labels}}},
            {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

json nextEvent(ResponseStream& stream) {
  const Chunk chunk = stream.next();
  EXPECT_EQ(chunk.kind, Chunk::Kind::Data);
  return chunk.kind == Chunk::Kind::Data ? json::parse(chunk.data) : json();
}

class ResourceApiTest : public ApiTest {
 protected:
  // Makes a running pod Ready through the status subresource, as a kubelet would.
  void makeReady(const std::string& name) {
    auto reply = call("PATCH", std::string(kPods) + "/" + name + "/status",
                      {{"status", {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}},
                      "application/merge-patch+json");
    ASSERT_EQ(reply.status, 200) << reply.body.dump();
  }
  Reply evict(const std::string& name, json deleteOptions = nullptr) {
    json body = {
        {"apiVersion", "policy/v1"}, {"kind", "Eviction"}, {"metadata", {{"name", name}, {"namespace", "default"}}}};
    if (!deleteOptions.is_null()) body["deleteOptions"] = deleteOptions;
    return call("POST", std::string(kPods) + "/" + name + "/eviction", body);
  }
  void runningPods(int count, const json& labels) {
    for (int i = 0; i < count; ++i) {
      create(kPods, pod("web-" + std::to_string(i), "node-1", labels));
      makeReady("web-" + std::to_string(i));
    }
  }
};

TEST_F(ResourceApiTest, DefaultNamespacesExistAndNamespacedCreateNeedsNamespace) {
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/kube-system").status, 200);
  const auto reply = call("POST", "/api/v1/namespaces/missing/pods", pod("p"));
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.body["message"], "namespaces \"missing\" not found");
}

TEST_F(ResourceApiTest, CreateStampsMetadataAndRejectsDuplicatesAndMissingNames) {
  const auto created = create(kPods, pod("p1"));
  EXPECT_FALSE(created["metadata"]["uid"].get<std::string>().empty());
  EXPECT_EQ(created["metadata"]["creationTimestamp"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(created["metadata"]["generation"], 1);
  EXPECT_EQ(created["status"]["phase"], "Pending");
  const auto duplicate = call("POST", kPods, pod("p1"));
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.body["reason"], "AlreadyExists");
  EXPECT_EQ(duplicate.body["message"], "pods \"p1\" already exists");
  const auto nameless = call("POST", kPods, json{{"metadata", json::object()}});
  EXPECT_EQ(nameless.status, 422);
  EXPECT_EQ(nameless.body["reason"], "Invalid");
  EXPECT_EQ(nameless.body["details"]["causes"][0]["field"], "metadata.name");
  const auto generated = create(kPods, json{{"metadata", {{"generateName", "gen-"}}}});
  EXPECT_EQ(generated["metadata"]["name"].get<std::string>().rfind("gen-", 0), 0u);
  const auto missing = call("GET", std::string(kPods) + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["message"], "pods \"nope\" not found");
  EXPECT_EQ(missing.body["details"], json({{"name", "nope"}, {"group", ""}, {"kind", "pods"}}));
}

TEST_F(ResourceApiTest, ResourceVersionsIncreaseAndStaleUpdatesConflict) {
  auto first =
      create("/api/v1/namespaces/default/configmaps", {{"metadata", {{"name", "cm"}}}, {"data", {{"a", "1"}}}});
  auto stale = first;
  first["data"]["a"] = "2";
  const auto updated = call("PUT", "/api/v1/namespaces/default/configmaps/cm", first);
  ASSERT_EQ(updated.status, 200);
  EXPECT_GT(std::stoull(updated.body["metadata"]["resourceVersion"].get<std::string>()),
            std::stoull(first["metadata"]["resourceVersion"].get<std::string>()));
  stale["data"]["a"] = "3";
  const auto conflict = call("PUT", "/api/v1/namespaces/default/configmaps/cm", stale);
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body["reason"], "Conflict");
  EXPECT_EQ(conflict.body["message"],
            "Operation cannot be fulfilled on configmaps \"cm\": the object has been modified; please apply your "
            "changes to the latest version and try again");
  // A patch that names a stale resourceVersion conflicts too.
  const auto patch =
      call("PATCH", "/api/v1/namespaces/default/configmaps/cm",
           {{"metadata", {{"resourceVersion", stale["metadata"]["resourceVersion"]}}}}, "application/merge-patch+json");
  EXPECT_EQ(patch.status, 409);
}

TEST_F(ResourceApiTest, StatusSplitAndGenerationOnlyOnSpecChanges) {
  create(kPods, pod("p"));
  auto current = call("GET", std::string(kPods) + "/p").body;
  current["status"]["phase"] = "Running";
  current["metadata"]["labels"]["x"] = "y";
  auto reply = call("PUT", std::string(kPods) + "/p", current);
  EXPECT_EQ(reply.body["status"]["phase"], "Pending");  // main resource ignores status
  EXPECT_EQ(reply.body["metadata"]["labels"]["x"], "y");
  EXPECT_EQ(reply.body["metadata"]["generation"], 1);  // metadata-only change
  reply = call("PATCH", std::string(kPods) + "/p/status",
               {{"status", {{"phase", "Running"}}}, {"spec", {{"nodeName", "n9"}}}}, "application/merge-patch+json");
  EXPECT_EQ(reply.body["status"]["phase"], "Running");
  EXPECT_FALSE(reply.body["spec"].contains("nodeName"));  // status subresource ignores the rest
  EXPECT_EQ(reply.body["metadata"]["generation"], 1);
  reply = call("PATCH", std::string(kPods) + "/p", {{"spec", {{"activeDeadlineSeconds", 5}}}},
               "application/merge-patch+json");
  EXPECT_EQ(reply.body["metadata"]["generation"], 2);
  // A no-op write does not bump the resourceVersion.
  const auto before = reply.body["metadata"]["resourceVersion"];
  reply = call("PATCH", std::string(kPods) + "/p", {{"spec", {{"activeDeadlineSeconds", 5}}}},
               "application/merge-patch+json");
  EXPECT_EQ(reply.body["metadata"]["resourceVersion"], before);
}

TEST_F(ResourceApiTest, PatchFlavours) {
  create(kPods, pod("p"));
  auto reply = call("PATCH", std::string(kPods) + "/p",
                    json::array({{{"op", "add"}, {"path", "/metadata/labels/a"}, {"value", "b"}}}),
                    "application/json-patch+json");
  EXPECT_EQ(reply.body["metadata"]["labels"]["a"], "b");
  reply = call("PATCH", std::string(kPods) + "/p", {{"spec", {{"containers", {{{"name", "c"}, {"image", "nginx"}}}}}}},
               "application/strategic-merge-patch+json");
  EXPECT_EQ(reply.body["spec"]["containers"][0]["image"], "nginx");
  reply = send(makeRequest("PATCH", "/api/v1/namespaces/default/configmaps/applied", "data:\n  k: v\n",
                           "application/apply-patch+yaml"));
  EXPECT_EQ(reply.status, 422);  // fieldManager is required
  reply = send(makeRequest("PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=test",
                           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n",
                           "application/apply-patch+yaml"));
  EXPECT_EQ(reply.status, 201);  // apply creates
  reply = send(makeRequest("PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=test",
                           "data:\n  k: w\n", "application/apply-patch+yaml"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["data"]["k"], "w");
  EXPECT_EQ(call("PATCH", std::string(kPods) + "/missing", json::object(), "application/merge-patch+json").status, 404);
}

TEST_F(ResourceApiTest, SelectorsAndPagination) {
  for (int i = 0; i < 5; ++i)
    create(kPods, pod("p" + std::to_string(i), i % 2 ? "n1" : "n2", {{"i", std::to_string(i)}}));
  auto reply = call("GET", std::string(kPods) + "?fieldSelector=spec.nodeName%3Dn1");
  EXPECT_EQ(call("GET", std::string(kPods) + "?fieldSelector=spec.nodeName=n1").body["items"].size(), 2u);
  EXPECT_EQ(call("GET", std::string(kPods) + "?labelSelector=i in (1,2,3)").body["items"].size(), 3u);
  EXPECT_EQ(call("GET", "/api/v1/pods?labelSelector=i!=0").body["items"].size(), 4u);
  EXPECT_EQ(call("GET", std::string(kPods) + "?fieldSelector=bad.field=x").status, 400);
  std::vector<std::string> names;
  std::string token;
  std::string listVersion;
  do {
    reply = call("GET", std::string(kPods) + "?limit=2" + (token.empty() ? "" : "&continue=" + token));
    ASSERT_EQ(reply.status, 200);
    for (const auto& item : reply.body["items"]) names.push_back(item["metadata"]["name"]);
    if (listVersion.empty()) listVersion = reply.body["metadata"]["resourceVersion"];
    EXPECT_EQ(reply.body["metadata"]["resourceVersion"], listVersion);
    token = reply.body["metadata"].value("continue", "");
  } while (!token.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
  EXPECT_EQ(reply.body["kind"], "PodList");
  EXPECT_EQ(reply.body["items"][0]["kind"], "Pod");
}

TEST_F(ResourceApiTest, WatchFromVersionDeliversChangesWithSelectorTransitions) {
  const auto created = create(kPods, pod("p", "", {{"app", "a"}}));
  const std::string from = created["metadata"]["resourceVersion"];
  auto response = api_.handle(
      makeRequest("GET", std::string(kPods) + "?watch=1&labelSelector=app=a&resourceVersion=" + from, "", ""));
  ASSERT_TRUE(response.stream);
  create(kPods, pod("other", "", {{"app", "b"}}));
  call("PATCH", std::string(kPods) + "/p", {{"metadata", {{"annotations", {{"x", "1"}}}}}},
       "application/merge-patch+json");
  call("PATCH", std::string(kPods) + "/p", {{"metadata", {{"labels", {{"app", "b"}}}}}},
       "application/merge-patch+json");
  call("PATCH", std::string(kPods) + "/other", {{"metadata", {{"labels", {{"app", "a"}}}}}},
       "application/merge-patch+json");
  call("DELETE", std::string(kPods) + "/other");
  auto event = nextEvent(*response.stream);
  EXPECT_EQ(event["type"], "MODIFIED");
  EXPECT_EQ(event["object"]["metadata"]["annotations"]["x"], "1");
  event = nextEvent(*response.stream);
  EXPECT_EQ(event["type"], "DELETED");  // left the selection
  EXPECT_EQ(event["object"]["metadata"]["name"], "p");
  event = nextEvent(*response.stream);
  EXPECT_EQ(event["type"], "ADDED");  // entered the selection
  EXPECT_EQ(event["object"]["metadata"]["name"], "other");
  event = nextEvent(*response.stream);
  EXPECT_EQ(event["type"], "DELETED");
  EXPECT_EQ(event["object"]["kind"], "Pod");
}

TEST_F(ResourceApiTest, WatchWithoutVersionStartsWithCurrentStateAndSendsBookmarks) {
  create(kPods, pod("p"));
  auto response = api_.handle(makeRequest("GET", std::string(kPods) + "?watch=true&allowWatchBookmarks=true", "", ""));
  ASSERT_TRUE(response.stream);
  EXPECT_EQ(nextEvent(*response.stream)["type"], "ADDED");
  const auto bookmark = nextEvent(*response.stream);  // the 20 ms bookmark interval elapses
  EXPECT_EQ(bookmark["type"], "BOOKMARK");
  EXPECT_FALSE(bookmark["object"]["metadata"]["resourceVersion"].get<std::string>().empty());
}

TEST_F(ResourceApiTest, WatchEndsAtTimeoutAndOnDroppedStreams) {
  auto timed = api_.handle(makeRequest("GET", std::string(kPods) + "?watch=1&timeoutSeconds=0", "", ""));
  EXPECT_EQ(timed.stream->next().kind, Chunk::Kind::End);
  auto dropped = api_.handle(makeRequest("GET", std::string(kPods) + "?watch=1", "", ""));
  EXPECT_EQ(call("POST", "/fault/drop-watches", json::object()).status, 200);
  EXPECT_EQ(dropped.stream->next().kind, Chunk::Kind::Drop);
}

class SmallWatchCacheTest : public ApiTest {
 protected:
  SmallWatchCacheTest() : ApiTest(3) {}
};

TEST_F(SmallWatchCacheTest, TooOldVersionsGet410InWatchAndContinue) {
  const auto first = create(kPods, pod("p0"));
  for (int i = 1; i < 6; ++i) create(kPods, pod("p" + std::to_string(i)));
  auto response = api_.handle(makeRequest(
      "GET", std::string(kPods) + "?watch=1&resourceVersion=" + first["metadata"]["resourceVersion"].get<std::string>(),
      "", ""));
  const auto event = nextEvent(*response.stream);
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"]["code"], 410);
  EXPECT_EQ(event["object"]["reason"], "Expired");
  EXPECT_EQ(response.stream->next().kind, Chunk::Kind::End);

  const auto page = call("GET", std::string(kPods) + "?limit=2");
  const std::string token = page.body["metadata"]["continue"];
  create(kPods, pod("p9"));  // the store moves past the list's revision, then history is compacted
  EXPECT_EQ(call("POST", "/fault/compact", json::object()).status, 200);
  const auto stale = call("GET", std::string(kPods) + "?limit=2&continue=" + token);
  EXPECT_EQ(stale.status, 410);
  EXPECT_EQ(stale.body["reason"], "Expired");
}

TEST_F(ResourceApiTest, FinalizersHoldDeletionUntilRemoved) {
  auto cm = create("/api/v1/namespaces/default/configmaps", {{"metadata", {{"name", "cm"}, {"finalizers", {"keep"}}}}});
  auto reply = call("DELETE", "/api/v1/namespaces/default/configmaps/cm");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["metadata"]["deletionTimestamp"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(reply.body["metadata"]["deletionGracePeriodSeconds"], 0);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/configmaps/cm").status, 200);
  reply = call("PATCH", "/api/v1/namespaces/default/configmaps/cm", {{"metadata", {{"finalizers", {"keep", "new"}}}}},
               "application/merge-patch+json");
  EXPECT_EQ(reply.status, 422);  // no new finalizers once deletion started
  reply = call("PATCH", "/api/v1/namespaces/default/configmaps/cm",
               json::array({{{"op", "remove"}, {"path", "/metadata/finalizers"}}}), "application/json-patch+json");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/configmaps/cm").status, 404);
}

TEST_F(ResourceApiTest, PodDeletionIsGracefulOnlyForBoundPods) {
  create(kPods, pod("unbound"));
  EXPECT_EQ(call("DELETE", std::string(kPods) + "/unbound").status, 200);
  EXPECT_EQ(call("GET", std::string(kPods) + "/unbound").status, 404);
  const auto bound = create(kPods, pod("bound", "node-1"));
  auto reply = call("DELETE", std::string(kPods) + "/bound", {{"preconditions", {{"uid", "wrong"}}}});
  EXPECT_EQ(reply.status, 409);
  reply = call("DELETE", std::string(kPods) + "/bound?gracePeriodSeconds=30");
  EXPECT_EQ(reply.body["metadata"]["deletionTimestamp"], "2026-03-01T10:00:30Z");
  EXPECT_EQ(reply.body["metadata"]["deletionGracePeriodSeconds"], 30);
  EXPECT_EQ(call("GET", std::string(kPods) + "/bound").status, 200);
  EXPECT_EQ(call("DELETE", std::string(kPods) + "/bound", {{"gracePeriodSeconds", 0}}).status,
            200);  // the kubelet's confirmation
  EXPECT_EQ(call("GET", std::string(kPods) + "/bound").status, 404);
}

TEST_F(ResourceApiTest, EvictionWithoutBudgetDeletesPod) {
  runningPods(1, {{"app", "web"}});
  const auto reply = evict("web-0", {{"gracePeriodSeconds", 0}});
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.body["status"], "Success");
  EXPECT_EQ(call("GET", std::string(kPods) + "/web-0").status, 404);
  EXPECT_EQ(evict("web-0").status, 404);
}

TEST_F(ResourceApiTest, EvictionHonoursMinAvailable) {
  runningPods(3, {{"app", "web"}});
  create(kPdbs, {{"metadata", {{"name", "web-pdb"}}},
                 {"spec", {{"minAvailable", 2}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  EXPECT_EQ(evict("web-0").status, 201);  // 3 healthy, needs 2
  auto terminating = call("GET", std::string(kPods) + "/web-0").body;
  EXPECT_TRUE(terminating["metadata"].contains("deletionTimestamp"));  // bound pod: left for the kubelet
  EXPECT_EQ(evict("web-0").status, 201);                               // already terminating: no-op
  const auto blocked = evict("web-1");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.body["reason"], "TooManyRequests");
  EXPECT_EQ(blocked.body["message"], "Cannot evict pod as it would violate the pod's disruption budget.");
  EXPECT_EQ(blocked.body["details"]["causes"][0]["reason"], "DisruptionBudget");
  EXPECT_EQ(blocked.body["details"]["causes"][0]["message"],
            "The disruption budget web-pdb needs 2 healthy pods and has 2 currently");
  const auto pdb = call("GET", std::string(kPdbs) + "/web-pdb").body;
  EXPECT_EQ(pdb["status"]["disruptionsAllowed"], 0);
  EXPECT_EQ(pdb["status"]["expectedPods"], 3);
}

TEST_F(ResourceApiTest, EvictionHonoursPercentMaxUnavailable) {
  runningPods(4, {{"app", "web"}});
  create(kPdbs, {{"metadata", {{"name", "pct"}}},
                 {"spec", {{"maxUnavailable", "25%"}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  EXPECT_EQ(evict("web-0").status, 201);  // ceil(25% of 4) = 1 may be unavailable
  EXPECT_EQ(evict("web-1").status, 429);
}

TEST_F(ResourceApiTest, EvictionWithTwoBudgetsIs500AndNotReadyPodsMayGoWhenBudgetHealthy) {
  runningPods(3, {{"app", "web"}});
  create(kPdbs, {{"metadata", {{"name", "a"}}},
                 {"spec", {{"minAvailable", 1}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}}});
  create(kPdbs, {{"metadata", {{"name", "b"}}}, {"spec", {{"minAvailable", 1}, {"selector", json::object()}}}});
  const auto reply = evict("web-0");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body["message"],
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
  EXPECT_EQ(call("DELETE", std::string(kPdbs) + "/b").status, 200);
  call("PATCH", std::string(kPods) + "/web-2/status",
       {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "False"}}}}}}}, "application/merge-patch+json");
  EXPECT_EQ(evict("web-2").status, 201);  // unhealthy, budget still satisfied (2 >= 1)
}

TEST_F(ResourceApiTest, CrdMakesResourcesServedWithDefaultsAndStatusSplit) {
  const json crd = json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
      "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
        "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{
           "size":{"type":"integer","default":3},"opts":{"type":"object","default":{},"properties":{"on":{"type":"boolean","default":true}}}}}}}}}]}})");
  EXPECT_EQ(call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status, 201);
  const auto discovery = call("GET", "/apis/example.com/v1").body;
  EXPECT_EQ(discovery["resources"][0]["name"], "widgets");
  EXPECT_EQ(discovery["resources"][1]["name"], "widgets/status");
  const auto w = create("/apis/example.com/v1/namespaces/default/widgets", {{"apiVersion", "example.com/v1"},
                                                                            {"kind", "Widget"},
                                                                            {"metadata", {{"name", "w"}}},
                                                                            {"spec", json::object()},
                                                                            {"status", {{"x", 1}}}});
  EXPECT_EQ(w["spec"]["size"], 3);
  EXPECT_EQ(w["spec"]["opts"]["on"], true);
  EXPECT_FALSE(w.contains("status"));  // dropped on create with a status subresource
  EXPECT_EQ(call("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", json::object(),
                 "application/strategic-merge-patch+json")
                .status,
            415);
  const auto bad = call(
      "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      json::parse(
          R"({"metadata":{"name":"wrong"},"spec":{"group":"g.io","scope":"Cluster","names":{"plural":"xs","kind":"X"},"versions":[{"name":"v1","served":true,"storage":true}]}})"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").status, 200);
  EXPECT_EQ(call("GET", "/apis/example.com/v1/namespaces/default/widgets").status, 404);
}

TEST_F(ResourceApiTest, CapiMachinesServeBothVersions) {
  api_.installCrd(nlohmann::json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"machines.cluster.x-k8s.io"},"spec":{"group":"cluster.x-k8s.io","scope":"Namespaced",
    "names":{"plural":"machines","kind":"Machine"},"versions":[{"name":"v1beta1","served":true,"storage":false},
    {"name":"v1beta2","served":true,"storage":true}]}})"));
  create("/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machines",
         {{"metadata", {{"name", "m"}}}, {"spec", {{"clusterName", "c"}}}});
  EXPECT_EQ(call("GET", "/apis/cluster.x-k8s.io/v1beta2/namespaces/default/machines/m").body["apiVersion"],
            "cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(call("GET", "/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machines/m").body["apiVersion"],
            "cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(call("GET", "/apis/cluster.x-k8s.io").body["preferredVersion"]["version"], "v1beta2");
}

TEST_F(ResourceApiTest, DiscoveryDocuments) {
  EXPECT_EQ(call("GET", "/api").body["versions"], json({"v1"}));
  const auto core = call("GET", "/api/v1").body;
  bool eviction = false;
  for (const auto& r : core["resources"]) {
    if (r["name"] == "pods/eviction") {
      eviction = r["group"] == "policy" && r["version"] == "v1" && r["kind"] == "Eviction";
    }
  }
  EXPECT_TRUE(eviction);
  const auto groups = call("GET", "/apis").body;
  EXPECT_EQ(groups["kind"], "APIGroupList");
  EXPECT_EQ(call("GET", "/apis/policy").body["preferredVersion"]["groupVersion"], "policy/v1");
  EXPECT_EQ(call("GET", "/apis/nope/v1").status, 404);
  EXPECT_EQ(call("GET", "/version").body["major"], "1");
  // kubectl's client-side validation needs these to exist (see docs/test-server.md).
  EXPECT_EQ(call("GET", "/openapi/v3").body["paths"]["apis/policy/v1"]["serverRelativeURL"],
            "/openapi/v3/apis/policy/v1");
  const auto policy = call("GET", "/openapi/v3/apis/policy/v1").body;
  EXPECT_EQ(
      policy["components"]["schemas"]["policy.v1.PodDisruptionBudget"]["x-kubernetes-group-version-kind"][0]["kind"],
      "PodDisruptionBudget");
  EXPECT_EQ(api_.handle(makeRequest("GET", "/openapi/v2", "", "")).body, std::string("\x0a\x03"
                                                                                     "2.0",
                                                                                     5));
}

// Everything `kubectl apply -k deploy/` sends must be discoverable with its real scope, kind and short
// names, or kubectl refuses the manifest before sending it.
TEST_F(ResourceApiTest, DiscoveryServesTheBuiltInsTheDeployManifestsUse) {
  struct Expected {
    std::string groupVersion, resource, kind;
    bool namespaced;
    std::vector<std::string> shortNames;
    bool status;
  };
  const std::vector<Expected> expected = {
      {"v1", "services", "Service", true, {"svc"}, true},
      {"v1", "serviceaccounts", "ServiceAccount", true, {"sa"}, false},
      {"apps/v1", "deployments", "Deployment", true, {"deploy"}, true},
      {"apps/v1", "daemonsets", "DaemonSet", true, {"ds"}, true},
      {"policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true, {"pdb"}, true},
      {"rbac.authorization.k8s.io/v1", "roles", "Role", true, {}, false},
      {"rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true, {}, false},
      {"rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false, {}, false},
      {"rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false, {}, false},
      {"admissionregistration.k8s.io/v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false, {}, true},
      {"admissionregistration.k8s.io/v1",
       "validatingadmissionpolicybindings",
       "ValidatingAdmissionPolicyBinding",
       false,
       {},
       false},
  };
  for (const auto& e : expected) {
    SCOPED_TRACE(e.groupVersion + " " + e.resource);
    const auto reply = call("GET", (e.groupVersion == "v1" ? "/api/" : "/apis/") + e.groupVersion);
    ASSERT_EQ(reply.status, 200);
    json entry, status;
    for (const auto& r : reply.body["resources"]) {
      if (r["name"] == e.resource) entry = r;
      if (r["name"] == e.resource + "/status") status = r;
    }
    ASSERT_TRUE(entry.is_object());
    EXPECT_EQ(entry["kind"], e.kind);
    EXPECT_EQ(entry["namespaced"], e.namespaced);
    EXPECT_EQ(entry.value("shortNames", std::vector<std::string>()), e.shortNames);
    for (const char* verb : {"create", "get", "list", "watch", "patch", "update", "delete"})
      EXPECT_NE(std::find(entry["verbs"].begin(), entry["verbs"].end(), verb), entry["verbs"].end()) << verb;
    EXPECT_EQ(status.is_object(), e.status);
  }
  const auto groups = call("GET", "/apis").body["groups"];
  for (const char* name : {"apps", "rbac.authorization.k8s.io", "admissionregistration.k8s.io"}) {
    EXPECT_NE(std::find_if(groups.begin(), groups.end(), [&](const json& g) { return g["name"] == name; }),
              groups.end())
        << name;
  }
  EXPECT_EQ(call("GET", "/openapi/v3").body["paths"]["apis/apps/v1"]["serverRelativeURL"], "/openapi/v3/apis/apps/v1");
}

TEST_F(ResourceApiTest, WorkloadsAndRbacAreStoredWithTheirScope) {
  const char* const kDeployments = "/apis/apps/v1/namespaces/default/deployments";
  const auto deployment = create(kDeployments, {{"apiVersion", "apps/v1"},
                                                {"kind", "Deployment"},
                                                {"metadata", {{"name", "web"}}},
                                                {"spec", {{"replicas", 1}}},
                                                {"status", {{"replicas", 1}}}});
  EXPECT_EQ(deployment["metadata"]["namespace"], "default");
  // Status is a subresource: a main-resource patch keeps it and bumps generation on spec changes.
  const auto patched =
      call("PATCH", std::string(kDeployments) + "/web", {{"spec", {{"replicas", 2}}}, {"status", {{"replicas", 9}}}},
           "application/strategic-merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body.dump();
  EXPECT_EQ(patched.body["metadata"]["generation"], 2);
  EXPECT_EQ(patched.body["status"]["replicas"], 1);

  const auto role = create("/apis/rbac.authorization.k8s.io/v1/clusterroles",
                           {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                            {"kind", "ClusterRole"},
                            {"metadata", {{"name", "reader"}, {"namespace", "ignored"}}},
                            {"rules", {{{"apiGroups", {""}}, {"resources", {"pods"}}, {"verbs", {"get"}}}}}});
  EXPECT_FALSE(role["metadata"].contains("namespace"));
  EXPECT_EQ(call("GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/clusterroles/reader").status, 404);
  EXPECT_EQ(call("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/reader").body["rules"][0]["verbs"][0], "get");
}

TEST_F(ResourceApiTest, AllowListAppliesToRbacAndWorkloadResources) {
  api_.tokens().add("t0k3n", Identity{"deployer", "", {}});
  api_.setAuthorizer(Authorizer::fromJson(json::parse(R"({"rules":[
      {"user":"deployer","verbs":["get","list"],"groups":["rbac.authorization.k8s.io"],"resources":["clusterroles"]},
      {"user":"deployer","verbs":["*"],"groups":["apps"],"resources":["daemonsets"],"namespaces":["default"]}]})"),
                                          "test"));
  auto asDeployer = [&](const std::string& method, const std::string& path, const json& body = nullptr) {
    auto request = makeRequest(method, path, body.is_null() ? "" : body.dump(), "application/json");
    request.clientCertificate.reset();
    request.authorization = "Bearer t0k3n";
    return send(request);
  };
  EXPECT_EQ(asDeployer("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles").status, 200);
  const auto denied =
      asDeployer("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {{"metadata", {{"name", "escalate"}}}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body["message"],
            "clusterroles.rbac.authorization.k8s.io is forbidden: User \"deployer\" cannot create resource "
            "\"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope");
  EXPECT_EQ(
      asDeployer("POST", "/apis/apps/v1/namespaces/default/daemonsets", {{"metadata", {{"name", "agent"}}}}).status,
      201);
  EXPECT_EQ(asDeployer("GET", "/apis/apps/v1/namespaces/kube-system/daemonsets").status, 403);
}

TEST_F(ResourceApiTest, TableOutputForKubectl) {
  create("/api/v1/nodes",
         {{"metadata", {{"name", "n1"}}}, {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  auto request = makeRequest("GET", "/api/v1/nodes", "", "");
  request.accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  const auto table = send(request).body;
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(table["rows"][0]["cells"][0], "n1");
  EXPECT_EQ(table["rows"][0]["cells"][1], "Ready");
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
}

TEST_F(ResourceApiTest, AuthenticationAndAuthorization) {
  auto anonymous = makeRequest("GET", kPods, "", "");
  anonymous.clientCertificate.reset();
  EXPECT_EQ(send(anonymous).status, 401);
  api_.tokens().add("t0k3n", Identity{"agent", "", {}});
  api_.setAuthorizer(Authorizer::fromJson(
      json::parse(
          R"({"rules":[{"user":"agent","verbs":["get"],"groups":[""],"resources":["pods"],"namespaces":["default"]}]})"),
      "test"));
  auto asAgent = [&](const std::string& method, const std::string& path) {
    auto request = makeRequest(method, path, "", "");
    request.clientCertificate.reset();
    request.authorization = "Bearer t0k3n";
    return send(request);
  };
  create(kPods, pod("p"));
  EXPECT_EQ(asAgent("GET", std::string(kPods) + "/p").status, 200);
  const auto denied = asAgent("DELETE", std::string(kPods) + "/p");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body["reason"], "Forbidden");
  EXPECT_EQ(denied.body["message"],
            "pods \"p\" is forbidden: User \"agent\" cannot delete resource \"pods\" in API group \"\" in the "
            "namespace \"default\"");
  EXPECT_EQ(asAgent("GET", "/fault/compact").status, 403);
}

TEST_F(ResourceApiTest, ServiceAccountTokensAuthenticate) {
  create("/api/v1/namespaces/default/serviceaccounts", {{"metadata", {{"name", "agent"}}}});
  const auto reply = call(
      "POST", "/api/v1/namespaces/default/serviceaccounts/agent/token",
      {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", {{"expirationSeconds", 3600}}}});
  ASSERT_EQ(reply.status, 201);
  auto request = makeRequest("GET", "/api/v1/namespaces/default/serviceaccounts/agent", "", "");
  request.clientCertificate.reset();
  request.authorization = "Bearer " + reply.body["status"]["token"].get<std::string>();
  EXPECT_EQ(send(request).status, 200);
  clock_.advance(std::chrono::hours(2));
  EXPECT_EQ(send(request).status, 401);
}

TEST_F(ResourceApiTest, InjectedFailuresHitMatchingRequestsOnly) {
  EXPECT_EQ(call("POST", "/fault/fail", {{"verb", "list"}, {"resource", "pods"}, {"count", 2}, {"code", 503}}).status,
            200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/configmaps").status, 200);
  EXPECT_EQ(call("GET", kPods).status, 503);
  EXPECT_EQ(call("GET", kPods).body["reason"], "ServiceUnavailable");
  EXPECT_EQ(call("GET", kPods).status, 200);
}

}  // namespace
}  // namespace fivespot::testserver::testing
