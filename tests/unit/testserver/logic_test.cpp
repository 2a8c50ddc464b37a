// Pure building blocks: selectors, patches, schema defaults, PDB arithmetic, authn/authz.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/testserver/api_error.hpp"
#include "fivespot/testserver/auth.hpp"
#include "fivespot/testserver/disruption.hpp"
#include "fivespot/testserver/patch.hpp"
#include "fivespot/testserver/schema_defaults.hpp"
#include "fivespot/testserver/selectors.hpp"

namespace fivespot::testserver {
namespace {

using nlohmann::json;

TEST(LabelSelectorTest, SupportsEveryOperator) {
  const json labels = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(LabelSelector::parse("app=web").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("app==web,tier=front").matches(labels));
  EXPECT_FALSE(LabelSelector::parse("app!=web").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("missing!=x").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("app in (db, web)").matches(labels));
  EXPECT_FALSE(LabelSelector::parse("app notin (db,web)").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("tier").matches(labels));
  EXPECT_FALSE(LabelSelector::parse("!tier").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("!missing").matches(labels));
  EXPECT_TRUE(LabelSelector::parse("").matches(nullptr));
  EXPECT_THROW(LabelSelector::parse("app in web"), ApiError);
}

TEST(LabelSelectorTest, ObjectFormAndNullSelector) {
  const auto selector =
      LabelSelector::fromJson({{"matchLabels", {{"app", "web"}}},
                               {"matchExpressions", {{{"key", "tier"}, {"operator", "In"}, {"values", {"front"}}}}}});
  EXPECT_TRUE(selector.matches({{"app", "web"}, {"tier", "front"}}));
  EXPECT_FALSE(selector.matches({{"app", "web"}}));
  EXPECT_TRUE(LabelSelector::fromJson(json::object()).matches({{"any", "x"}}));
  EXPECT_FALSE(LabelSelector::fromJson(nullptr).matches({{"any", "x"}}));
}

TEST(FieldSelectorTest, MatchesSupportedFieldsAndRejectsOthers) {
  const json pod = {{"metadata", {{"name", "p"}, {"namespace", "ns"}}},
                    {"spec", {{"nodeName", "n1"}}},
                    {"status", {{"phase", "Running"}}}};
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=n1,metadata.namespace==ns").matches(pod));
  EXPECT_FALSE(FieldSelector::parse("status.phase!=Running").matches(pod));
  EXPECT_TRUE(FieldSelector::parse("metadata.name=p").matches(pod));
  EXPECT_THROW(FieldSelector::parse("spec.unknown=x"), ApiError);
}

TEST(PatchTest, MergePatchRemovesNullsAndMergesObjects) {
  const json current = {{"spec", {{"a", 1}, {"b", 2}}}};
  const auto result = applyPatch(PatchKind::Merge, current, R"({"spec":{"a":null,"c":3}})");
  EXPECT_EQ(result, json({{"spec", {{"b", 2}, {"c", 3}}}}));
}

TEST(PatchTest, JsonPatchAppliesAndFailedTestIs422) {
  const json current = {{"metadata", {{"finalizers", {"a", "b"}}}}};
  const auto result = applyPatch(PatchKind::Json, current, R"([{"op":"remove","path":"/metadata/finalizers/0"}])");
  EXPECT_EQ(result["metadata"]["finalizers"], json({"b"}));
  try {
    applyPatch(PatchKind::Json, current, R"([{"op":"test","path":"/metadata/finalizers/0","value":"z"}])");
    FAIL() << "expected 422";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), 422);
  }
  EXPECT_THROW(applyPatch(PatchKind::Merge, current, "{not json"), ApiError);
}

TEST(PatchTest, StrategicMergeMergesContainersByNameAndDropsDirectives) {
  const json current = {{"spec",
                         {{"containers", {{{"name", "a"}, {"image", "1"}}, {{"name", "b"}, {"image", "1"}}}},
                          {"taints", {{{"key", "x"}}}}}}};
  const auto result = applyPatch(
      PatchKind::StrategicMerge, current,
      R"({"$setElementOrder/containers":[{"name":"a"}],"spec":{"containers":[{"name":"b","image":"2"}],"taints":[{"key":"y"}]}})");
  EXPECT_EQ(result["spec"]["containers"].size(), 2u);
  EXPECT_EQ(result["spec"]["containers"][1]["image"], "2");
  EXPECT_EQ(result["spec"]["taints"], json({{{"key", "y"}}}));  // other lists replace (documented approximation)
  EXPECT_FALSE(result.contains("$setElementOrder/containers"));
}

TEST(PatchTest, ApplyAcceptsYamlAndContentTypesMapToKinds) {
  const auto result = applyPatch(PatchKind::Apply, nullptr, "metadata:\n  name: x\nspec:\n  replicas: 2\n");
  EXPECT_EQ(result["spec"]["replicas"], 2);
  EXPECT_EQ(patchKindFromContentType("application/merge-patch+json"), PatchKind::Merge);
  EXPECT_EQ(patchKindFromContentType("application/json-patch+json; charset=utf-8"), PatchKind::Json);
  EXPECT_EQ(patchKindFromContentType("application/apply-patch+yaml"), PatchKind::Apply);
  EXPECT_THROW(patchKindFromContentType("text/plain"), ApiError);
}

TEST(SchemaDefaultsTest, AppliesNestedDefaultsIncludingInsideDefaultedObjects) {
  const json schema = json::parse(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "priority":{"type":"integer","default":50},
      "schedule":{"type":"object","default":{},"properties":{"timezone":{"type":"string","default":"UTC"},
                                                              "enabled":{"type":"boolean","default":true}}},
      "taints":{"type":"array","items":{"type":"object","properties":{"effect":{"type":"string","default":"NoSchedule"}}}},
      "labels":{"type":"object","additionalProperties":{"type":"object","properties":{"v":{"type":"integer","default":1}}}}}}}})");
  json object = {{"spec",
                  {{"priority", 10},
                   {"taints", {{{"key", "a"}}, {{"key", "b"}, {"effect", "NoExecute"}}}},
                   {"labels", {{"x", json::object()}}}}}};
  applySchemaDefaults(object, schema);
  EXPECT_EQ(object["spec"]["priority"], 10);
  EXPECT_EQ(object["spec"]["schedule"], json({{"timezone", "UTC"}, {"enabled", true}}));
  EXPECT_EQ(object["spec"]["taints"][0]["effect"], "NoSchedule");
  EXPECT_EQ(object["spec"]["taints"][1]["effect"], "NoExecute");
  EXPECT_EQ(object["spec"]["labels"]["x"]["v"], 1);
}

json readyPod(bool ready, bool terminating = false) {
  json pod = {{"metadata", {{"name", "p"}}},
              {"status", {{"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
  if (terminating) pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  return pod;
}

TEST(DisruptionTest, ScaledValuesRoundUpLikeKubernetes) {
  EXPECT_EQ(scaledValue(3, 10, true), 3);
  EXPECT_EQ(scaledValue("50%", 3, true), 2);
  EXPECT_EQ(scaledValue("50%", 3, false), 1);
  EXPECT_EQ(scaledValue("0%", 3, true), 0);
  EXPECT_THROW(scaledValue("fifty", 3, true), ApiError);
}

TEST(DisruptionTest, MinAvailableAndMaxUnavailable) {
  const std::vector<json> pods = {readyPod(true), readyPod(true), readyPod(true), readyPod(false),
                                  readyPod(true, true)};
  auto status = computeDisruption({{"spec", {{"minAvailable", 2}}}}, pods);
  EXPECT_EQ(status.expectedPods, 5);
  EXPECT_EQ(status.currentHealthy, 3);
  EXPECT_EQ(status.desiredHealthy, 2);
  EXPECT_EQ(status.disruptionsAllowed, 1);
  status = computeDisruption({{"spec", {{"maxUnavailable", 1}}}}, pods);
  EXPECT_EQ(status.desiredHealthy, 4);
  EXPECT_EQ(status.disruptionsAllowed, 0);
  status = computeDisruption({{"spec", {{"minAvailable", "50%"}}}}, pods);  // ceil(2.5) = 3
  EXPECT_EQ(status.desiredHealthy, 3);
  EXPECT_EQ(status.disruptionsAllowed, 0);
  status = computeDisruption({{"spec", {{"maxUnavailable", "40%"}}}}, pods);  // 5 - ceil(2.0) = 3
  EXPECT_EQ(status.desiredHealthy, 3);
}

TEST(AuthTest, StaticTokensFromCsvAndExpiry) {
  TokenAuthenticator tokens;
  tokens.loadCsv("# comment\nsecret1,alice,uid-1,\"dev,ops\"\nsecret2,bob,uid-2\n", "tokens.csv");
  const auto now = Clock_t::now();
  const auto alice = tokens.authenticate("secret1", now);
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->user, "alice");
  EXPECT_EQ(alice->groups, (std::vector<std::string>{"dev", "ops"}));
  EXPECT_FALSE(tokens.authenticate("nope", now));
  tokens.add("short", Identity{"carol", "", {}}, now + std::chrono::seconds(1));
  EXPECT_TRUE(tokens.authenticate("short", now));
  EXPECT_FALSE(tokens.authenticate("short", now + std::chrono::seconds(2)));
  EXPECT_THROW(tokens.loadCsv("onlytoken\n", "bad.csv"), ConfigError);
}

TEST(AuthTest, AllowListMatchesSubresourcesNamesAndNamespaces) {
  const auto authorizer = Authorizer::fromJson(json::parse(R"({"rules":[
      {"user":"agent","verbs":["get","patch"],"groups":["5spot.finos.org"],"resources":["hostagents/status"],
       "resourceNames":["host-1"],"namespaces":["default"]},
      {"group":"readers","verbs":["get","list","watch"],"groups":["*"],"resources":["*"]},
      {"user":"evictor","verbs":["create"],"groups":[""],"resources":["pods"],"subresources":["eviction"]}]})"),
                                               "authz");
  const Identity agent{"agent", "", {}};
  EXPECT_TRUE(authorizer.allowed(agent, {"patch", "5spot.finos.org", "hostagents", "status", "host-1", "default"}));
  EXPECT_FALSE(authorizer.allowed(agent, {"patch", "5spot.finos.org", "hostagents", "status", "host-2", "default"}));
  EXPECT_FALSE(authorizer.allowed(agent, {"patch", "5spot.finos.org", "hostagents", "", "host-1", "default"}));
  EXPECT_FALSE(authorizer.allowed(agent, {"patch", "5spot.finos.org", "hostagents", "status", "host-1", "other"}));
  EXPECT_TRUE(authorizer.allowed(Identity{"x", "", {"readers"}}, {"list", "", "pods", "", "", ""}));
  EXPECT_FALSE(authorizer.allowed(Identity{"x", "", {"readers"}}, {"delete", "", "pods", "", "p", "default"}));
  EXPECT_TRUE(authorizer.allowed(Identity{"evictor", "", {}}, {"create", "", "pods", "eviction", "p", "default"}));
  EXPECT_FALSE(authorizer.allowed(Identity{"evictor", "", {}}, {"create", "", "pods", "", "p", "default"}));
  EXPECT_TRUE(authorizer.allowed(Identity{"root", "", {"system:masters"}}, {"delete", "", "nodes", "", "n", ""}));
  EXPECT_TRUE(Authorizer().allowed(agent, {"delete", "", "nodes", "", "n", ""}));
  EXPECT_THROW(Authorizer::fromJson(json::parse(R"({"rules":[{"verbs":["get"]}]})"), "authz"), ConfigError);
}

TEST(ApiErrorTest, StatusShape) {
  const auto status = staleResourceVersion({"", "pods"}, "x").toStatus();
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["apiVersion"], "v1");
  EXPECT_EQ(status["status"], "Failure");
  EXPECT_EQ(status["reason"], "Conflict");
  EXPECT_EQ(status["code"], 409);
  EXPECT_EQ(status["message"],
            "Operation cannot be fulfilled on pods \"x\": the object has been modified; please apply your changes to "
            "the latest version and try again");
  EXPECT_EQ(status["details"], json({{"name", "x"}, {"group", ""}, {"kind", "pods"}}));
  EXPECT_EQ(notFound({"cluster.x-k8s.io", "machines"}, "m").toStatus()["message"],
            "machines.cluster.x-k8s.io \"m\" not found");
}

}  // namespace
}  // namespace fivespot::testserver
