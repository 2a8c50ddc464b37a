#pragma once
// The Kubernetes API semantics: routing, authentication, authorization, storage semantics,
// subresources, discovery and fault injection, over transport-neutral requests.
#include <chrono>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "fivespot/common/clock.hpp"
#include "fivespot/testserver/auth.hpp"
#include "fivespot/testserver/faults.hpp"
#include "fivespot/testserver/types.hpp"

namespace fivespot::testserver {

struct ApiServerOptions {
  std::size_t watchCacheSize = 1000;  // events kept for watch resume; older versions get 410
  std::chrono::milliseconds bookmarkInterval{60'000};
  std::string dataFile;  // "" = in memory only
  const Clock* clock = &SystemClock::instance();
};

class ApiServer {
 public:
  explicit ApiServer(ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Reloads --data-file (when set) and ensures `default` and `kube-system` exist.
  void start();
  // Creates or replaces a CRD as `kubectl apply` would (used for --crd-dir); throws ApiError.
  void installCrd(const nlohmann::json& crd);
  // The --authz-file allow list (replaces "every authenticated user"; with RBAC, an extra allow).
  void setAuthorizer(Authorizer authorizer);
  // --authorization-mode=RBAC: the Roles, ClusterRoles and bindings stored in this server decide
  // (rbac.hpp); members of system:masters may do anything, as on a real cluster.
  void enableRbac();
  TokenAuthenticator& tokens();
  FaultInjector& faults();

  // Never throws: failures become Status responses.
  ApiResponse handle(const ApiRequest& request);
  // Ends every watch (shutdown).
  void shutdown();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fivespot::testserver
