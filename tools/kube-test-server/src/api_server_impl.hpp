#pragma once
// Internal: the state behind ApiServer, shared by api_server.cpp (routing, auth, discovery, faults),
// resources.cpp (object semantics and subresources) and watch.cpp (list/watch and tables).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fivespot/testserver/api_error.hpp"
#include "fivespot/testserver/api_server.hpp"
#include "fivespot/testserver/registry.hpp"
#include "fivespot/testserver/store.hpp"

namespace fivespot::testserver {

// A request for a resource, resolved like kube-apiserver's RequestInfo.
struct ResourceRequest {
  std::string verb;  // get list watch create update patch delete deletecollection
  std::string ns;
  std::string name;
  std::string subresource;
  std::string version;
  ResourceInfo info;

  [[nodiscard]] GroupResource groupResource() const { return {info.group, info.resource}; }
  [[nodiscard]] bool statusSplit() const;  // the served version has a status subresource
};

struct DeleteOptionsView {
  std::optional<long long> gracePeriodSeconds;
  std::string preconditionUid;
  std::string preconditionResourceVersion;
};

class ApiServer::Impl {
 public:
  explicit Impl(ApiServerOptions options);

  ApiResponse handle(const ApiRequest& request);
  void installCrd(const nlohmann::json& crd);
  void start();

  ApiServerOptions options;
  Store store;
  ResourceRegistry registry;
  TokenAuthenticator tokenAuthenticator;
  Authorizer authorizer;      // the --authz-file allow list (default: every authenticated user)
  bool allowListSet = false;  // an allow list replaced the default
  bool rbacEnabled = false;   // --authorization-mode=RBAC: the stored RBAC objects decide
  FaultInjector faultInjector;

 private:
  // api_server.cpp
  ApiResponse route(const ApiRequest& request, const Identity& who);
  std::optional<ApiResponse> nonResource(const ApiRequest& request, const Identity& who);
  ApiResponse fault(const ApiRequest& request, const Identity& who);
  std::optional<ApiResponse> openApi(const std::vector<std::string>& parts) const;
  Identity authenticate(const ApiRequest& request) const;
  ResourceRequest resolve(const ApiRequest& request) const;
  void authorize(const Identity& who, const ResourceRequest& rr);
  bool allowed(const Identity& who, const Attributes& what);

  // resources.cpp
  ApiResponse dispatch(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse get(const ResourceRequest& rr);
  ApiResponse create(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse update(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse patch(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse remove(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse removeCollection(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse evict(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse requestToken(const ApiRequest& request, const ResourceRequest& rr);
  nlohmann::json createObject(Store::Transaction& tx, const ResourceRequest& rr, nlohmann::json object);
  // Applies the update rules (status split, immutable metadata, generation, finalizers) and
  // writes; returns the stored object (or the last state if the update completed a deletion).
  nlohmann::json updateObject(Store::Transaction& tx, const ResourceRequest& rr, const nlohmann::json& existing,
                              nlohmann::json incoming);
  nlohmann::json deleteObject(Store::Transaction& tx, const ResourceInfo& info, const nlohmann::json& existing,
                              const DeleteOptionsView& options);
  void afterWrite(Store::Transaction& tx, const ResourceInfo& info, const nlohmann::json& object, bool deleted);
  void requireNamespace(Store::Transaction& tx, const ResourceRequest& rr) const;

  // watch.cpp
  ApiResponse list(const ApiRequest& request, const ResourceRequest& rr);
  ApiResponse watch(const ApiRequest& request, const ResourceRequest& rr);
};

// Shared helpers.
nlohmann::json parseBody(const std::string& body);  // throws ApiError 400
ApiResponse jsonResponse(int status, const nlohmann::json& body);
nlohmann::json withTypeMeta(nlohmann::json object, const ResourceInfo& info, const std::string& version);
bool wantsTable(const std::string& accept);
nlohmann::json toTable(const ResourceInfo& info, const std::string& version, const std::vector<nlohmann::json>& objects,
                       const std::string& includeObject, TimePoint now);
std::string metadataString(const nlohmann::json& object, const char* field);

}  // namespace fivespot::testserver
