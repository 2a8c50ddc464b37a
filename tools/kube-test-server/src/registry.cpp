#include "fivespot/testserver/registry.hpp"

#include <algorithm>
#include <regex>

#include "fivespot/testserver/api_error.hpp"

namespace fivespot::testserver {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

ResourceInfo builtin(std::string group, std::string version, std::string resource, std::string singular,
                     std::string kind, bool namespaced, std::vector<std::string> shortNames, bool status,
                     std::vector<std::string> extraSubresources = {}) {
  ResourceInfo info;
  info.group = std::move(group);
  info.resource = std::move(resource);
  info.singular = std::move(singular);
  info.listKind = kind + "List";
  info.kind = std::move(kind);
  info.namespaced = namespaced;
  info.shortNames = std::move(shortNames);
  info.verbs = kAllVerbs;
  info.extraSubresources = std::move(extraSubresources);
  info.versions.push_back(VersionInfo{std::move(version), true, true, status, nullptr, nullptr});
  return info;
}

// Kubernetes version priority: GA > beta > alpha, then by major and minor number, descending.
std::tuple<int, int, int> versionRank(const std::string& version) {
  static const std::regex pattern(R"(^v(\d+)(?:(alpha|beta)(\d+))?$)");
  std::smatch match;
  if (!std::regex_match(version, match, pattern)) return {0, 0, 0};
  const int stability = !match[2].matched ? 3 : (match[2] == "beta" ? 2 : 1);
  return {stability, std::stoi(match[1]), match[3].matched ? std::stoi(match[3]) : 0};
}

std::vector<std::string> sortedVersions(std::vector<std::string> versions) {
  std::sort(versions.begin(), versions.end(),
            [](const std::string& a, const std::string& b) { return versionRank(a) > versionRank(b); });
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  return versions;
}

std::vector<std::string> stringList(const nlohmann::json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& item : value)
      if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

ApiError invalidCrd(const std::string& name, const std::string& field, const std::string& detail) {
  return invalid("CustomResourceDefinition", "apiextensions.k8s.io", name, field, "FieldValueInvalid", detail);
}

nlohmann::json subresourceEntry(const ResourceInfo& info, const std::string& sub) {
  nlohmann::json entry = {{"name", info.resource + "/" + sub}, {"singularName", ""}, {"namespaced", info.namespaced}};
  if (sub == "status") {
    entry["kind"] = info.kind;
    entry["verbs"] = {"get", "patch", "update"};
  } else if (sub == "eviction") {
    entry["group"] = "policy";
    entry["version"] = "v1";
    entry["kind"] = "Eviction";
    entry["verbs"] = {"create"};
  } else if (sub == "token") {
    entry["group"] = "authentication.k8s.io";
    entry["version"] = "v1";
    entry["kind"] = "TokenRequest";
    entry["verbs"] = {"create"};
  }
  return entry;
}

}  // namespace

const VersionInfo* ResourceInfo::version(const std::string& name) const {
  for (const auto& v : versions)
    if (v.name == name && v.served) return &v;
  return nullptr;
}

const VersionInfo& ResourceInfo::storageVersion() const {
  for (const auto& v : versions)
    if (v.storage) return v;
  return versions.front();
}

ResourceInfo resourceFromCrd(const nlohmann::json& crd) {
  const std::string name = crd.value("/metadata/name"_json_pointer, std::string());
  const auto& spec = crd.value("spec", nlohmann::json::object());
  const auto& names = spec.value("names", nlohmann::json::object());
  ResourceInfo info;
  info.group = spec.value("group", "");
  info.resource = names.value("plural", "");
  info.kind = names.value("kind", "");
  if (info.group.empty()) throw invalidCrd(name, "spec.group", "Required value");
  if (info.resource.empty()) throw invalidCrd(name, "spec.names.plural", "Required value");
  if (info.kind.empty()) throw invalidCrd(name, "spec.names.kind", "Required value");
  if (name != info.resource + "." + info.group) {
    throw invalidCrd(name, "metadata.name",
                     "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group");
  }
  std::string singular = names.value("singular", "");
  info.singular = singular.empty() ? [&] {
    std::string lower = info.kind;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    return lower;
  }()
                                   : singular;
  info.listKind = names.value("listKind", info.kind + "List");
  info.shortNames = stringList(names.value("shortNames", nlohmann::json()));
  info.categories = stringList(names.value("categories", nlohmann::json()));
  const std::string scope = spec.value("scope", "");
  if (scope != "Namespaced" && scope != "Cluster") {
    throw invalidCrd(name, "spec.scope",
                     "Unsupported value: \"" + scope + "\": supported values: \"Cluster\", \"Namespaced\"");
  }
  info.namespaced = scope == "Namespaced";
  info.custom = true;
  info.verbs = kAllVerbs;
  int storageCount = 0;
  for (const auto& v : spec.value("versions", nlohmann::json::array())) {
    VersionInfo version;
    version.name = v.value("name", "");
    version.served = v.value("served", true);
    version.storage = v.value("storage", false);
    version.statusSubresource = v.contains("/subresources/status"_json_pointer);
    version.schema = v.value("/schema/openAPIV3Schema"_json_pointer, nlohmann::json());
    version.printerColumns = v.value("additionalPrinterColumns", nlohmann::json());
    storageCount += version.storage ? 1 : 0;
    info.versions.push_back(std::move(version));
  }
  if (info.versions.empty())
    throw invalidCrd(name, "spec.versions", "Invalid value: must have exactly one version marked as storage version");
  if (storageCount != 1)
    throw invalidCrd(name, "spec.versions", "Invalid value: must have exactly one version marked as storage version");
  return info;
}

ResourceRegistry::ResourceRegistry() {
  resources_ = {
      builtin("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, true),
      builtin("", "v1", "nodes", "node", "Node", false, {"no"}, true),
      builtin("", "v1", "pods", "pod", "Pod", true, {"po"}, true, {"eviction"}),
      builtin("", "v1", "secrets", "secret", "Secret", true, {}, false),
      builtin("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, false),
      builtin("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}, false, {"token"}),
      builtin("", "v1", "services", "service", "Service", true, {"svc"}, true),
      builtin("", "v1", "events", "event", "Event", true, {"ev"}, false),
      builtin("apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}, true),
      builtin("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, true),
      builtin("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, {"pdb"},
              true),
      builtin("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, {}, false),
      builtin("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, {}, false),
      builtin("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, {}, false),
      builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding",
              false, {}, false),
      builtin("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "validatingadmissionpolicy",
              "ValidatingAdmissionPolicy", false, {}, true),
      builtin("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings",
              "validatingadmissionpolicybinding", "ValidatingAdmissionPolicyBinding", false, {}, false),
      builtin("events.k8s.io", "v1", "events", "event", "Event", true, {"ev"}, false),
      builtin("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, false),
      builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
              "CustomResourceDefinition", false, {"crd", "crds"}, true),
  };
  // `kubectl get all` expands the "all" category through discovery, as kube-apiserver declares it.
  for (auto& info : resources_) {
    if (info.id() == "/pods" || info.id() == "/services" || info.group == "apps") info.categories = {"all"};
  }
}

void ResourceRegistry::put(ResourceInfo info) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(resources_.begin(), resources_.end(), [&](const auto& r) { return r.id() == info.id(); });
  if (it != resources_.end()) {
    *it = std::move(info);
  } else {
    resources_.push_back(std::move(info));
  }
}

void ResourceRegistry::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::erase_if(resources_, [&](const auto& r) { return r.id() == id && r.custom; });
}

std::optional<ResourceInfo> ResourceRegistry::find(const std::string& group, const std::string& version,
                                                   const std::string& resource) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : resources_)
    if (r.group == group && r.resource == resource && r.version(version) != nullptr) return r;
  return std::nullopt;
}

std::optional<ResourceInfo> ResourceRegistry::findById(const std::string& id) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : resources_)
    if (r.id() == id) return r;
  return std::nullopt;
}

std::vector<ResourceInfo> ResourceRegistry::all() const {
  std::lock_guard lock(mutex_);
  return resources_;
}

std::optional<ResourceInfo> ResourceRegistry::findByKind(const std::string& group, const std::string& kind) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : resources_)
    if (r.group == group && r.kind == kind) return r;
  return std::nullopt;
}

nlohmann::json ResourceRegistry::coreVersions() const {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
}

nlohmann::json ResourceRegistry::groupDocument(const std::string& name) const {
  std::vector<std::string> versions;
  for (const auto& r : resources_) {
    if (r.group != name) continue;
    for (const auto& v : r.versions)
      if (v.served) versions.push_back(v.name);
  }
  versions = sortedVersions(std::move(versions));
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& v : versions) entries.push_back({{"groupVersion", name + "/" + v}, {"version", v}});
  return {{"kind", "APIGroup"},
          {"apiVersion", "v1"},
          {"name", name},
          {"versions", entries},
          {"preferredVersion", entries.empty() ? nlohmann::json::object() : entries.front()}};
}

nlohmann::json ResourceRegistry::groupList() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& r : resources_)
    if (!r.group.empty() && std::find(names.begin(), names.end(), r.group) == names.end()) names.push_back(r.group);
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& name : names) {
    auto doc = groupDocument(name);
    if (doc["versions"].empty()) continue;
    doc.erase("kind");
    doc.erase("apiVersion");
    groups.push_back(std::move(doc));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<nlohmann::json> ResourceRegistry::group(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto doc = groupDocument(name);
  if (doc["versions"].empty()) return std::nullopt;
  return doc;
}

std::optional<nlohmann::json> ResourceRegistry::resourceList(const std::string& group,
                                                             const std::string& version) const {
  std::lock_guard lock(mutex_);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : resources_) {
    const VersionInfo* v = r.group == group ? r.version(version) : nullptr;
    if (v == nullptr) continue;
    nlohmann::json entry = {{"name", r.resource},
                            {"singularName", r.singular},
                            {"namespaced", r.namespaced},
                            {"kind", r.kind},
                            {"verbs", r.verbs}};
    if (!r.shortNames.empty()) entry["shortNames"] = r.shortNames;
    if (!r.categories.empty()) entry["categories"] = r.categories;
    list.push_back(std::move(entry));
    if (v->statusSubresource) list.push_back(subresourceEntry(r, "status"));
    for (const auto& sub : r.extraSubresources) list.push_back(subresourceEntry(r, sub));
  }
  if (list.empty()) return std::nullopt;
  return nlohmann::json{{"kind", "APIResourceList"},
                        {"apiVersion", "v1"},
                        {"groupVersion", group.empty() ? version : group + "/" + version},
                        {"resources", list}};
}

}  // namespace fivespot::testserver
