// The pure helpers of the coordinator's I/O layer: PDB selector matching, Secret decoding, Event
// objects, Node taint edits, failure reasons.
#include <gtest/gtest.h>

#include "events.hpp"
#include "evictions.hpp"
#include "executor.hpp"
#include "fivespot/common/error.hpp"
#include "reconciler.hpp"
#include "secret_data.hpp"

namespace fivespot::coordinator {
namespace {

using kube::Json;

TEST(SelectorMatches, MatchLabelsAndExpressions) {
  const Json labels = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(selectorMatches(Json::parse(R"({"matchLabels": {"app": "web"}})"), labels));
  EXPECT_FALSE(selectorMatches(Json::parse(R"({"matchLabels": {"app": "db"}})"), labels));
  EXPECT_TRUE(selectorMatches(Json::object(), labels)) << "an empty selector selects everything";
  EXPECT_FALSE(selectorMatches(Json(), labels)) << "a null selector selects nothing";
  const Json in =
      Json::parse(R"({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]})");
  EXPECT_TRUE(selectorMatches(in, labels));
  const Json notIn =
      Json::parse(R"({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]})");
  EXPECT_FALSE(selectorMatches(notIn, labels));
  const Json absent = Json::parse(R"({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]})");
  EXPECT_TRUE(selectorMatches(absent, labels));
  const Json both =
      Json::parse(R"({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "zone", "operator": "Exists"}]})");
  EXPECT_FALSE(selectorMatches(both, labels));
  EXPECT_FALSE(selectorMatches(Json::parse(R"({"matchExpressions": {"key": "zone"}})"), labels)) << "malformed";
}

TEST(SecretData, DecodesBase64DataAndStringData) {
  EXPECT_EQ(decodeBase64("YWRtaW4=", "f"), "admin");
  EXPECT_EQ(decodeBase64("cGFzc3dvcmQ", "f"), "password");
  EXPECT_THROW(decodeBase64("not base64!", "f"), ValidationError);
  const Json secret = {{"data", {{"username", "YWRtaW4="}}}, {"stringData", {{"password", "s3cret"}}}};
  EXPECT_EQ(secretValue(secret, "username", "ns/bmc"), "admin");
  EXPECT_EQ(secretValue(secret, "password", "ns/bmc"), "s3cret");
  EXPECT_EQ(secretValue(secret, "missing", "ns/bmc"), std::nullopt);
}

TEST(Events, RegardingTheScheduledMachineAsTheCoordinator) {
  api::ScheduledMachine sm;
  sm.metadata.name = "worker";
  sm.metadata.namespace_ = "team";
  sm.metadata.uid = "uid-1";
  const TimePoint at = TimePoint(std::chrono::seconds(1'800'000'000)) + std::chrono::microseconds(42);
  const Json event = buildEvent(sm, "Warning", "DrainTimedOut", std::string(2000, 'x'), "pod-a", at, 255);
  EXPECT_EQ(event["metadata"]["name"], "worker.00000000000000ff");
  EXPECT_EQ(event["metadata"]["namespace"], "team");
  EXPECT_EQ(event["reportingController"], "5spot-coordinator");
  EXPECT_EQ(event["reportingInstance"], "pod-a");
  EXPECT_EQ(event["action"], "DrainTimedOut");
  EXPECT_EQ(event["regarding"]["uid"], "uid-1");
  EXPECT_EQ(event["eventTime"], "2027-01-15T08:00:00.000042Z");
  EXPECT_EQ(event["note"].get<std::string>().size(), 1024U);
}

TEST(NodeTaints, AddIsIdempotentAndRemoveKeepsOtherTaints) {
  const api::Taint ours{"5spot.finos.org/removing", "", "PreferNoSchedule"};
  Json node = {{"spec", {{"taints", {{{"key", "admin"}, {"value", "x"}, {"effect", "NoSchedule"}}}}}}};
  node = withTaintAdded(node, ours);
  node = withTaintAdded(node, ours);
  ASSERT_EQ(node["spec"]["taints"].size(), 2U);
  node = withTaintRemoved(node, ours);
  ASSERT_EQ(node["spec"]["taints"].size(), 1U);
  EXPECT_EQ(node["spec"]["taints"][0]["key"], "admin");
  EXPECT_EQ(withTaintAdded(Json{{"spec", Json::object()}}, ours)["spec"]["taints"].size(), 1U);
}

TEST(FailureReason, FromTheErrorType) {
  EXPECT_EQ(failureReason(kube::ApiError(500, "InternalError", "boom", "GET /x")), "APIError");
  EXPECT_EQ(failureReason(kube::ApiError(403, "Forbidden", "no", "GET /x")), "Forbidden");
  EXPECT_EQ(failureReason(kube::TransportError("GET /x", "refused")), "APIUnreachable");
  EXPECT_EQ(failureReason(ConfigError("secret", "bad kubeconfig")), "ConfigurationError");
  EXPECT_EQ(failureReason(std::runtime_error("other")), "ReconcileFailed");
}

}  // namespace
}  // namespace fivespot::coordinator
