#pragma once
// Compares what a ServiceAccount's RBAC grants with the API calls a program was seen making
// (its request counter, e.g. five_spot_kube_requests_total): a call the RBAC lacks fails on a cluster, a grant no call
// uses is privilege to remove. Pure functions, so that the comparison itself is unit-tested.
#include <compare>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace fivespot::testing {

// One (apiGroup, resource, verb) in RBAC's spelling: resource "pods" or "pods/eviction"; any of
// the three may be "*" in a grant (and "*/sub" for a subresource of every resource).
struct Permission {
  std::string group;
  std::string resource;
  std::string verb;
  auto operator<=>(const Permission&) const = default;
};

using Permissions = std::set<Permission>;

// Every (group, resource, verb) that the RBAC documents grant the ServiceAccount through a
// ClusterRoleBinding or RoleBinding naming it, ClusterRole aggregation resolved. Scope and
// resourceNames are not part of the triple: the API server enforces those while the test runs.
Permissions grantedTo(const std::vector<nlohmann::json>& rbacDocuments, const std::string& saNamespace,
                      const std::string& saName);

// The request counters, one per program: each counts its Kubernetes API calls by RBAC verb, group,
// resource and status code, with the same labels.
inline constexpr const char* kCoordinatorRequestMetric = "five_spot_kube_requests_total";
inline constexpr const char* kAgentRequestMetric = "five_spot_agent_kube_requests_total";

// One sample of a request counter.
struct RequestSample {
  std::string verb;
  std::string group;
  std::string resource;  // "res", "res/sub", or a URL path ("/apis") for a non-resource request
  std::string code;
  double count = 0;
};

// The samples of the request counter `metricName` in a Prometheus text exposition.
std::vector<RequestSample> kubeRequestSamples(const std::string& prometheusText,
                                              const std::string& metricName = kCoordinatorRequestMetric);

// The resource calls made at least once (non-resource requests such as discovery are left out:
// every authenticated user may make them, through the cluster's default system:discovery role).
Permissions usedPermissions(const std::vector<RequestSample>& samples);

// A grant that is known not to be called, and why.
struct UnusedGrantException {
  Permission permission;  // verb "*": every verb of that group/resource
  std::string reason;
};

struct CoverageReport {
  Permissions usedButNotGranted;             // the program needs RBAC it lacks
  Permissions grantedButNotUsed;             // RBAC wider than the program, and not explained
  std::vector<std::string> staleExceptions;  // exceptions whose grant is gone or is now used
  [[nodiscard]] bool ok() const {
    return usedButNotGranted.empty() && grantedButNotUsed.empty() && staleExceptions.empty();
  }
};

CoverageReport compareCoverage(const Permissions& granted, const Permissions& used,
                               const std::vector<UnusedGrantException>& exceptions);

// Whether a grant (with wildcards) covers a call.
bool covers(const Permission& grant, const Permission& call);

std::string describe(const Permissions& permissions);

}  // namespace fivespot::testing
