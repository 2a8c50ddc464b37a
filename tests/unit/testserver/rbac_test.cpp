// The RBAC authorizer as a pure function, and --authorization-mode=RBAC through ApiServer::handle.
#include "fivespot/testserver/rbac.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace fivespot::testserver {
namespace {

using nlohmann::json;

json rule(std::vector<std::string> groups, std::vector<std::string> resources, std::vector<std::string> verbs) {
  return {{"apiGroups", groups}, {"resources", resources}, {"verbs", verbs}};
}

json clusterRole(const std::string& name, json rules, json labels = json::object()) {
  return {{"kind", "ClusterRole"}, {"metadata", {{"name", name}, {"labels", labels}}}, {"rules", rules}};
}

json role(const std::string& ns, const std::string& name, json rules) {
  return {{"kind", "Role"}, {"metadata", {{"name", name}, {"namespace", ns}}}, {"rules", rules}};
}

json binding(const std::string& ns, const std::string& roleKind, const std::string& roleName, json subjects) {
  json metadata = {{"name", roleName + "-binding"}};
  if (!ns.empty()) metadata["namespace"] = ns;
  return {{"metadata", metadata},
          {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", roleKind}, {"name", roleName}}},
          {"subjects", subjects}};
}

json serviceAccount(const std::string& ns, const std::string& name) {
  return {{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ns}};
}

const Identity kCoordinator{"system:serviceaccount:ops:coordinator", "uid", {"system:serviceaccounts"}};

Attributes request(std::string verb, std::string group, std::string resource, std::string ns = "",
                   std::string subresource = "", std::string name = "") {
  return {std::move(verb),        std::move(group), std::move(resource),
          std::move(subresource), std::move(name),  std::move(ns)};
}

TEST(RbacTest, ClusterRoleBindingGrantsItsRulesEverywhereAndNothingElse) {
  RbacPolicy policy;
  policy.clusterRoles = {clusterRole("nodes", {rule({""}, {"nodes"}, {"get", "patch"})})};
  policy.clusterRoleBindings = {binding("", "ClusterRole", "nodes", {serviceAccount("ops", "coordinator")})};

  EXPECT_TRUE(rbacAllows(policy, kCoordinator, request("patch", "", "nodes", "", "", "n1")));
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("delete", "", "nodes", "", "", "n1")));
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("get", "apps", "nodes")));
  EXPECT_FALSE(rbacAllows(policy, Identity{"system:serviceaccount:other:coordinator", "", {}},
                          request("get", "", "nodes", "", "", "n1")));
}

TEST(RbacTest, SubresourcesNeedTheirOwnRuleUnlessWildcarded) {
  RbacPolicy policy;
  policy.clusterRoles = {
      clusterRole("r", {rule({""}, {"pods"}, {"create"}), rule({"5spot.finos.org"}, {"*/status"}, {"update"})})};
  policy.clusterRoleBindings = {binding("", "ClusterRole", "r", {{{"kind", "User"}, {"name", "alice"}}})};
  const Identity alice{"alice", "", {}};

  EXPECT_TRUE(rbacAllows(policy, alice, request("create", "", "pods", "a")));
  EXPECT_FALSE(rbacAllows(policy, alice, request("create", "", "pods", "a", "eviction", "p")));
  EXPECT_TRUE(rbacAllows(policy, alice, request("update", "5spot.finos.org", "hostagents", "a", "status", "h")));
  EXPECT_FALSE(rbacAllows(policy, alice, request("update", "5spot.finos.org", "hostagents", "a", "", "h")));

  policy.clusterRoles = {clusterRole("r", {rule({"*"}, {"*"}, {"*"})})};
  EXPECT_TRUE(rbacAllows(policy, alice, request("create", "", "pods", "a", "eviction", "p")));
  EXPECT_TRUE(rbacAllows(policy, alice, request("deletecollection", "apps", "deployments", "a")));
}

TEST(RbacTest, ResourceNamesRestrictNamedRequestsAndNeverAllowUnnamedOnes) {
  RbacPolicy policy;
  json named = rule({""}, {"secrets"}, {"get", "list"});
  named["resourceNames"] = {"cluster-kubeconfig"};
  policy.clusterRoles = {clusterRole("r", {named})};
  policy.clusterRoleBindings = {binding("", "ClusterRole", "r", {{{"kind", "Group"}, {"name", "readers"}}})};
  const Identity reader{"bob", "", {"readers"}};

  EXPECT_TRUE(rbacAllows(policy, reader, request("get", "", "secrets", "a", "", "cluster-kubeconfig")));
  EXPECT_FALSE(rbacAllows(policy, reader, request("get", "", "secrets", "a", "", "other")));
  EXPECT_FALSE(rbacAllows(policy, reader, request("list", "", "secrets", "a")));
}

TEST(RbacTest, RoleBindingsApplyOnlyInTheirNamespace) {
  RbacPolicy policy;
  policy.roles = {role("ops", "leases", {rule({"coordination.k8s.io"}, {"leases"}, {"get", "update"})}),
                  role("other", "leases", {rule({"*"}, {"*"}, {"*"})})};
  policy.clusterRoles = {clusterRole("pod-reader", {rule({""}, {"pods"}, {"list"})})};
  // The ServiceAccount subject's namespace defaults to the RoleBinding's.
  policy.roleBindings = {binding("ops", "Role", "leases", {{{"kind", "ServiceAccount"}, {"name", "coordinator"}}}),
                         binding("ops", "ClusterRole", "pod-reader", {serviceAccount("ops", "coordinator")})};

  EXPECT_TRUE(rbacAllows(policy, kCoordinator, request("update", "coordination.k8s.io", "leases", "ops", "", "l")));
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("update", "coordination.k8s.io", "leases", "other", "", "l")));
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("list", "coordination.k8s.io", "leases")));
  EXPECT_TRUE(rbacAllows(policy, kCoordinator, request("list", "", "pods", "ops")));
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("list", "", "pods", "elsewhere")));
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("list", "", "pods")));
}

TEST(RbacTest, AggregatedClusterRoleHasTheRulesOfTheRolesItsSelectorsMatch) {
  RbacPolicy policy;
  policy.clusterRoles = {
      {{"metadata", {{"name", "providers"}}},
       {"aggregationRule",
        {{"clusterRoleSelectors", {{{"matchLabels", {{"5spot.finos.org/aggregate-to-coordinator", "true"}}}}}}}},
       {"rules", json::array()}},
      clusterRole("k0s", {rule({"bootstrap.cluster.x-k8s.io"}, {"k0sworkerconfigs"}, {"create"})},
                  {{"5spot.finos.org/aggregate-to-coordinator", "true"}}),
      clusterRole("unlabelled", {rule({"infrastructure.cluster.x-k8s.io"}, {"metal3machines"}, {"create"})})};
  policy.clusterRoleBindings = {binding("", "ClusterRole", "providers", {serviceAccount("ops", "coordinator")})};

  EXPECT_TRUE(
      rbacAllows(policy, kCoordinator, request("create", "bootstrap.cluster.x-k8s.io", "k0sworkerconfigs", "a")));
  EXPECT_FALSE(
      rbacAllows(policy, kCoordinator, request("create", "infrastructure.cluster.x-k8s.io", "metal3machines", "a")));
  EXPECT_EQ(clusterRoleRules(policy, "providers").size(), 1U);
  EXPECT_TRUE(clusterRoleRules(policy, "missing").empty());
}

TEST(RbacTest, AggregationCyclesEndAndBindingsToMissingRolesGrantNothing) {
  RbacPolicy policy;
  const json selectAll = {{"clusterRoleSelectors", {{{"matchLabels", {{"loop", "yes"}}}}}}};
  policy.clusterRoles = {
      {{"metadata", {{"name", "a"}, {"labels", {{"loop", "yes"}}}}}, {"aggregationRule", selectAll}},
      {{"metadata", {{"name", "b"}, {"labels", {{"loop", "yes"}}}}}, {"aggregationRule", selectAll}}};
  policy.clusterRoleBindings = {binding("", "ClusterRole", "a", {serviceAccount("ops", "coordinator")}),
                                binding("", "ClusterRole", "gone", {serviceAccount("ops", "coordinator")})};
  EXPECT_TRUE(clusterRoleRules(policy, "a").empty());
  EXPECT_FALSE(rbacAllows(policy, kCoordinator, request("get", "", "pods", "a", "", "p")));
}

class RbacModeApiTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    api_.enableRbac();
    create("/api/v1/namespaces/default/serviceaccounts", {{"metadata", {{"name", "coordinator"}}}});
    const auto reply = call("POST", "/api/v1/namespaces/default/serviceaccounts/coordinator/token",
                            {{"apiVersion", "authentication.k8s.io/v1"},
                             {"kind", "TokenRequest"},
                             {"spec", {{"expirationSeconds", 3600}}}});
    ASSERT_EQ(reply.status, 201);
    token_ = reply.body["status"]["token"].get<std::string>();
  }
  testing::Reply asCoordinator(const std::string& method, const std::string& path) {
    auto request = testing::makeRequest(method, path, "", "");
    request.clientCertificate.reset();
    request.authorization = "Bearer " + token_;
    return send(request);
  }
  std::string token_;
};

TEST_F(RbacModeApiTest, StoredBindingsDecideAndTheAdminIsAMaster) {
  const auto denied = asCoordinator("GET", "/api/v1/namespaces/default/pods");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body["message"],
            "pods is forbidden: User \"system:serviceaccount:default:coordinator\" cannot list resource \"pods\" in "
            "API group \"\" in the namespace \"default\"");

  create("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
         role("default", "pods", {rule({""}, {"pods"}, {"list"})}));
  create("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
         binding("default", "Role", "pods", {serviceAccount("default", "coordinator")}));

  EXPECT_EQ(asCoordinator("GET", "/api/v1/namespaces/default/pods").status, 200);
  EXPECT_EQ(asCoordinator("GET", "/api/v1/pods").status, 403) << "a RoleBinding does not reach across namespaces";
  EXPECT_EQ(asCoordinator("GET", "/apis").status, 200) << "discovery stays open to authenticated users";
  EXPECT_EQ(call("DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/pods-binding").status,
            200)
      << "the admin (system:masters) needs no binding";
  EXPECT_EQ(asCoordinator("GET", "/api/v1/namespaces/default/pods").status, 403) << "a removed binding stops at once";
}

}  // namespace
}  // namespace fivespot::testserver
