#pragma once
// kube-apiserver's RBAC authorizer as a pure function over the RBAC objects a server stores
// (--authorization-mode=RBAC): Roles, ClusterRoles (aggregationRule included), RoleBindings and
// ClusterRoleBindings, evaluated for one request the way k8s.io/kubernetes/plugin/pkg/auth/
// authorizer/rbac does.
#include <nlohmann/json.hpp>
#include <vector>

#include "fivespot/testserver/auth.hpp"
#include "fivespot/testserver/types.hpp"

namespace fivespot::testserver {

// The stored rbac.authorization.k8s.io/v1 objects, as JSON.
struct RbacPolicy {
  std::vector<nlohmann::json> roles;
  std::vector<nlohmann::json> roleBindings;
  std::vector<nlohmann::json> clusterRoles;
  std::vector<nlohmann::json> clusterRoleBindings;
};

// Whether a binding grants `who` the request `what`:
// - a ClusterRoleBinding applies everywhere; a RoleBinding only to requests in its namespace, and
//   refers to a Role of that namespace or to a ClusterRole;
// - subjects: User (name), Group (name), ServiceAccount (system:serviceaccount:<ns>:<name>, ns
//   defaulting to the RoleBinding's);
// - a ClusterRole with an aggregationRule has the rules of every ClusterRole that one of its
//   clusterRoleSelectors matches (what the aggregation controller writes on a real cluster);
// - a rule matches when verbs, apiGroups and resources contain the request's (or "*"),
//   "res/sub" names a subresource and "*/sub" that subresource of any resource, and
//   resourceNames, when present, contain the request's name (so never an unnamed list/create).
// Group membership in system:masters is the caller's concern (it bypasses RBAC on a real server).
[[nodiscard]] bool rbacAllows(const RbacPolicy& policy, const Identity& who, const Attributes& what);

// The rules a ClusterRole grants, aggregation resolved (cycles cut); empty when there is none.
[[nodiscard]] std::vector<nlohmann::json> clusterRoleRules(const RbacPolicy& policy, const std::string& name);

}  // namespace fivespot::testserver
