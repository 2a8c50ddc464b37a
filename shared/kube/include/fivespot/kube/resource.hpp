#pragma once
// Which REST collection an object lives in (group/version/resource) plus its kind.
#include <string>

namespace fivespot::kube {

struct ResourceType {
  std::string group;     // "" for the core API
  std::string version;   // "v1", "v1beta2", ...
  std::string resource;  // plural, lower-case: "pods", "scheduledmachines"
  std::string kind;      // "Pod"
  bool namespaced = true;

  [[nodiscard]] std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "/api/v1" or "/apis/<group>/<version>"
  [[nodiscard]] std::string basePath() const;
  // Collection path, in a namespace when namespaced and ns is not empty (empty: all namespaces).
  [[nodiscard]] std::string collectionPath(const std::string& ns) const;
  [[nodiscard]] std::string objectPath(const std::string& ns, const std::string& name) const;
  bool operator==(const ResourceType&) const = default;
};

namespace resources {
const ResourceType& namespaces();
const ResourceType& nodes();
const ResourceType& pods();
const ResourceType& secrets();
const ResourceType& configMaps();
const ResourceType& events();                // events.k8s.io/v1
const ResourceType& leases();                // coordination.k8s.io/v1
const ResourceType& podDisruptionBudgets();  // policy/v1
const ResourceType& scheduledMachines();     // 5spot.finos.org/v1alpha1
const ResourceType& hostAgents();            // 5spot.finos.org/v1alpha1
// cluster.x-k8s.io Machines in the given version ("v1beta1" or "v1beta2").
ResourceType capiMachines(const std::string& version);
// A resource known only by apiVersion + kind (bootstrap/infrastructure providers): plural derived
// with the Kubernetes rules used by kubectl for regular English plurals (e.g. "...Config" -> "...configs",
// "...Policy" -> "...policies", "...Class" -> "...classes"). Use discovery when exactness matters.
ResourceType fromApiVersionKind(const std::string& apiVersion, const std::string& kind, bool namespaced = true);
}  // namespace resources

}  // namespace fivespot::kube
