#include "rbac_coverage.hpp"

#include <gtest/gtest.h>

namespace fivespot::testing {
namespace {

using nlohmann::json;

const std::vector<json> kDocuments = {
    {{"kind", "ClusterRole"},
     {"metadata", {{"name", "main"}}},
     {"rules",
      {{{"apiGroups", {""}}, {"resources", {"nodes"}}, {"verbs", {"get", "patch"}}},
       {{"apiGroups", {""}}, {"resources", {"pods/eviction"}}, {"verbs", {"create"}}}}}},
    {{"kind", "ClusterRole"},
     {"metadata", {{"name", "providers"}}},
     {"aggregationRule", {{"clusterRoleSelectors", {{{"matchLabels", {{"agg", "true"}}}}}}}}},
    {{"kind", "ClusterRole"},
     {"metadata", {{"name", "k0s"}, {"labels", {{"agg", "true"}}}}},
     {"rules",
      {{{"apiGroups", {"bootstrap.cluster.x-k8s.io"}}, {"resources", {"k0sworkerconfigs"}}, {"verbs", {"get"}}}}}},
    {{"kind", "ClusterRole"},
     {"metadata", {{"name", "unbound"}}},
     {"rules", {{{"apiGroups", {""}}, {"resources", {"secrets"}}, {"verbs", {"list"}}}}}},
    {{"kind", "Role"},
     {"metadata", {{"name", "leases"}, {"namespace", "ops"}}},
     {"rules", {{{"apiGroups", {"coordination.k8s.io"}}, {"resources", {"leases"}}, {"verbs", {"update"}}}}}},
    {{"kind", "ClusterRoleBinding"},
     {"metadata", {{"name", "main"}}},
     {"roleRef", {{"kind", "ClusterRole"}, {"name", "main"}}},
     {"subjects", {{{"kind", "ServiceAccount"}, {"name", "coordinator"}, {"namespace", "ops"}}}}},
    {{"kind", "ClusterRoleBinding"},
     {"metadata", {{"name", "providers"}}},
     {"roleRef", {{"kind", "ClusterRole"}, {"name", "providers"}}},
     {"subjects", {{{"kind", "ServiceAccount"}, {"name", "coordinator"}, {"namespace", "ops"}}}}},
    {{"kind", "ClusterRoleBinding"},
     {"metadata", {{"name", "someone-else"}}},
     {"roleRef", {{"kind", "ClusterRole"}, {"name", "unbound"}}},
     {"subjects", {{{"kind", "ServiceAccount"}, {"name", "coordinator"}, {"namespace", "elsewhere"}}}}},
    {{"kind", "RoleBinding"},
     {"metadata", {{"name", "leases"}, {"namespace", "ops"}}},
     {"roleRef", {{"kind", "Role"}, {"name", "leases"}}},
     {"subjects", {{{"kind", "ServiceAccount"}, {"name", "coordinator"}}}}},
};

TEST(RbacCoverageTest, GrantsFollowBindingsOfTheServiceAccountWithAggregation) {
  EXPECT_EQ(grantedTo(kDocuments, "ops", "coordinator"),
            (Permissions{{"", "nodes", "get"},
                         {"", "nodes", "patch"},
                         {"", "pods/eviction", "create"},
                         {"bootstrap.cluster.x-k8s.io", "k0sworkerconfigs", "get"},
                         {"coordination.k8s.io", "leases", "update"}}));
  EXPECT_TRUE(grantedTo(kDocuments, "ops", "nobody").empty());
}

TEST(RbacCoverageTest, ParsesTheRequestCounterAndLeavesNonResourceCallsOut) {
  const std::string text =
      "# HELP five_spot_kube_requests_total Requests\n"
      "# TYPE five_spot_kube_requests_total counter\n"
      "five_spot_kube_requests_total{code=\"200\",group=\"\",resource=\"nodes\",verb=\"get\"} 3\n"
      "five_spot_kube_requests_total{code=\"429\",group=\"\",resource=\"pods/eviction\",verb=\"create\"} 2\n"
      "five_spot_kube_requests_total{code=\"200\",group=\"\",resource=\"/apis\",verb=\"get\"} 1\n"
      "five_spot_kube_requests_total{code=\"<error>\",group=\"x.io\",resource=\"things\",verb=\"list\"} 0\n"
      "five_spot_reconciles_total{result=\"success\"} 9\n";
  const auto samples = kubeRequestSamples(text);
  ASSERT_EQ(samples.size(), 4U);
  EXPECT_EQ(samples[1].code, "429");
  EXPECT_EQ(samples[1].resource, "pods/eviction");
  EXPECT_EQ(samples[1].count, 2);
  EXPECT_EQ(samples[3].code, "<error>");
  EXPECT_EQ(usedPermissions(samples), (Permissions{{"", "nodes", "get"}, {"", "pods/eviction", "create"}}));
}

TEST(RbacCoverageTest, ReadsOnlyTheNamedRequestCounter) {
  const std::string text =
      "five_spot_kube_requests_total{code=\"200\",group=\"\",resource=\"nodes\",verb=\"get\"} 3\n"
      "five_spot_agent_kube_requests_total{code=\"200\",group=\"5spot.finos.org\",resource=\"hostagents/status\","
      "verb=\"patch\"} 2\n";
  const auto agent = kubeRequestSamples(text, kAgentRequestMetric);
  ASSERT_EQ(agent.size(), 1U);
  EXPECT_EQ(usedPermissions(agent), (Permissions{{"5spot.finos.org", "hostagents/status", "patch"}}));
  const auto coordinator = kubeRequestSamples(text, kCoordinatorRequestMetric);
  ASSERT_EQ(coordinator.size(), 1U);
  EXPECT_EQ(coordinator[0].resource, "nodes");
}

TEST(RbacCoverageTest, GrantsOfARoleAloneWithResourceNames) {
  const std::vector<json> documents = {
      {{"kind", "Role"},
       {"metadata", {{"name", "5spot-agent-gpu"}, {"namespace", "lab"}}},
       {"rules",
        {{{"apiGroups", {"5spot.finos.org"}},
          {"resources", {"hostagents"}},
          {"resourceNames", {"gpu"}},
          {"verbs", {"get"}}}}}},
      {{"kind", "RoleBinding"},
       {"metadata", {{"name", "5spot-agent-gpu"}, {"namespace", "lab"}}},
       {"roleRef", {{"kind", "Role"}, {"name", "5spot-agent-gpu"}}},
       {"subjects", {{{"kind", "ServiceAccount"}, {"name", "5spot-agent-gpu"}, {"namespace", "lab"}}}}},
  };
  EXPECT_EQ(grantedTo(documents, "lab", "5spot-agent-gpu"), (Permissions{{"5spot.finos.org", "hostagents", "get"}}));
  EXPECT_TRUE(grantedTo(documents, "other", "5spot-agent-gpu").empty());
}

TEST(RbacCoverageTest, ReportsMissingAndUnusedGrantsAndHonoursExceptions) {
  const Permissions granted{{"", "nodes", "get"}, {"", "nodes", "patch"}, {"", "secrets", "get"}};
  const Permissions used{{"", "nodes", "get"}, {"", "pods", "list"}};

  const auto strict = compareCoverage(granted, used, {});
  EXPECT_EQ(strict.usedButNotGranted, (Permissions{{"", "pods", "list"}}));
  EXPECT_EQ(strict.grantedButNotUsed, (Permissions{{"", "nodes", "patch"}, {"", "secrets", "get"}}));
  EXPECT_FALSE(strict.ok());

  const auto excused =
      compareCoverage(granted, {{"", "nodes", "get"}}, {{{"", "nodes", "*"}, "why"}, {{"", "secrets", "get"}, "why"}});
  EXPECT_TRUE(excused.ok()) << describe(excused.grantedButNotUsed);
}

TEST(RbacCoverageTest, AnExceptionForAUsedOrVanishedGrantIsStale) {
  const Permissions granted{{"", "nodes", "get"}};
  const auto report = compareCoverage(granted, {{"", "nodes", "get"}},
                                      {{{"", "nodes", "get"}, "used now"}, {{"", "secrets", "get"}, "grant removed"}});
  EXPECT_EQ(report.staleExceptions.size(), 2U);
  EXPECT_FALSE(report.ok());
}

TEST(RbacCoverageTest, WildcardGrantsCoverCallsAndCountAsUsedThroughThem) {
  EXPECT_TRUE(covers({"*", "*", "*"}, {"apps", "deployments/scale", "update"}));
  EXPECT_TRUE(covers({"5spot.finos.org", "*/status", "patch"}, {"5spot.finos.org", "hostagents/status", "patch"}));
  EXPECT_FALSE(covers({"5spot.finos.org", "*/status", "patch"}, {"5spot.finos.org", "hostagents", "patch"}));
  EXPECT_FALSE(covers({"", "pods", "create"}, {"", "pods/eviction", "create"}));
  const auto report = compareCoverage({{"", "*", "get"}}, {{"", "pods", "get"}}, {});
  EXPECT_TRUE(report.ok());
}

}  // namespace
}  // namespace fivespot::testing
