#pragma once
// The resource types the server serves: built-ins plus whatever CustomResourceDefinitions exist.
// Discovery documents are derived from it, so kubectl sees exactly what is routable.
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::testserver {

struct VersionInfo {
  std::string name;  // "v1", "v1beta2"
  bool served = true;
  bool storage = false;
  bool statusSubresource = false;
  nlohmann::json schema;          // openAPIV3Schema, null when none
  nlohmann::json printerColumns;  // additionalPrinterColumns, null when none
};

struct ResourceInfo {
  std::string group;  // "" for the core group
  std::string resource;
  std::string singular;
  std::string kind;
  std::string listKind;
  bool namespaced = true;
  bool custom = false;  // defined by a CRD (no strategic merge patch, CRD generation rules)
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;
  std::vector<std::string> extraSubresources;  // beyond status: "eviction", "token"
  std::vector<VersionInfo> versions;

  [[nodiscard]] std::string id() const { return group + "/" + resource; }
  [[nodiscard]] const VersionInfo* version(const std::string& name) const;  // served versions only
  [[nodiscard]] const VersionInfo& storageVersion() const;
  [[nodiscard]] std::string apiVersion(const std::string& versionName) const {
    return group.empty() ? versionName : group + "/" + versionName;
  }
};

// Builds the ResourceInfo a CRD object declares; throws ApiError 422 when it is malformed.
ResourceInfo resourceFromCrd(const nlohmann::json& crd);

class ResourceRegistry {
 public:
  ResourceRegistry();  // with the built-ins

  void put(ResourceInfo info);  // adds or replaces (by id)
  void remove(const std::string& id);
  [[nodiscard]] std::optional<ResourceInfo> find(const std::string& group, const std::string& version,
                                                 const std::string& resource) const;
  [[nodiscard]] std::optional<ResourceInfo> findById(const std::string& id) const;
  [[nodiscard]] std::vector<ResourceInfo> all() const;
  [[nodiscard]] std::optional<ResourceInfo> findByKind(const std::string& group, const std::string& kind) const;

  // Discovery documents: /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>.
  [[nodiscard]] nlohmann::json coreVersions() const;
  [[nodiscard]] nlohmann::json groupList() const;
  [[nodiscard]] std::optional<nlohmann::json> group(const std::string& name) const;
  [[nodiscard]] std::optional<nlohmann::json> resourceList(const std::string& group, const std::string& version) const;

 private:
  [[nodiscard]] nlohmann::json groupDocument(const std::string& name) const;  // caller holds mutex_
  mutable std::mutex mutex_;
  std::vector<ResourceInfo> resources_;
};

}  // namespace fivespot::testserver
