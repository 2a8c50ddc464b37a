#pragma once
// What the RBAC tests share (I/O side; the comparison itself is rbac_coverage.hpp): installing a
// deployed ServiceAccount's RBAC into the test namespace without touching the real install,
// a kubeconfig holding only that ServiceAccount's token, and reading the request counter a
// program exports.
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "harness/environment.hpp"
#include "rbac_coverage.hpp"

namespace fivespot::testing {

using Json = nlohmann::json;

// Every document of the given files under `directory` (relative to the source tree).
std::vector<Json> manifestDocuments(const std::string& directory, const std::vector<std::string>& files);

bool clusterScoped(const Json& object);
kube::ResourceType typeOf(const Json& object);

// The deployed object moved into the test namespace `ns`: namespaced objects and ServiceAccount
// subjects go there, cluster-scoped objects (and references to them, aggregation labels) get
// "-<ns>" appended. Safe on a shared cluster, where the real install (and other runs of the test)
// must stay untouched.
Json isolate(Json object, const std::string& ns);

// Deletes the cluster-scoped objects a test created (namespace deletion does not reach them).
class ClusterScopedObjects {
 public:
  explicit ClusterScopedObjects(kube::Client& client) : client_(client) {}
  ~ClusterScopedObjects();
  ClusterScopedObjects(const ClusterScopedObjects&) = delete;
  ClusterScopedObjects& operator=(const ClusterScopedObjects&) = delete;
  void add(kube::ResourceType type, std::string name) { created_.emplace_back(std::move(type), std::move(name)); }

 private:
  kube::Client& client_;
  std::vector<std::pair<kube::ResourceType, std::string>> created_;
};

// Creates isolate(document) for each document; cluster-scoped ones are deleted by `cleanup`.
void installIsolated(kube::Client& client, const std::vector<Json>& documents, const std::string& ns,
                     ClusterScopedObjects& cleanup);

// A kubeconfig for the same API server as `adminKubeconfig` with only `token` as credentials.
std::string writeTokenKubeconfig(const std::string& adminKubeconfig, const std::string& token, const std::string& user,
                                 const std::string& path);

// The port in the first log line of `process` matching `pattern` (its first capture group).
int loggedPort(ChildProcess& process, const std::regex& pattern);

// GET http://127.0.0.1:<port>/metrics.
std::string scrapeMetrics(int port);

// "  verb group resource" lines of the samples the API server answered 403.
std::string forbiddenCalls(const std::vector<RequestSample>& samples);

// The failure message of a coverage comparison: each difference, then both sets.
std::string describeCoverage(const CoverageReport& report, const Permissions& granted, const Permissions& used,
                             const std::string& rbacSource);

}  // namespace fivespot::testing
