#include "fivespot/kube/resource.hpp"

#include <cctype>

namespace fivespot::kube {

std::string ResourceType::basePath() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceType::collectionPath(const std::string& ns) const {
  if (namespaced && !ns.empty()) return basePath() + "/namespaces/" + ns + "/" + resource;
  return basePath() + "/" + resource;
}

std::string ResourceType::objectPath(const std::string& ns, const std::string& name) const {
  return collectionPath(ns) + "/" + name;
}

namespace resources {
namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// The regular English plural rules kubectl/controller-gen apply to a lower-cased kind.
std::string pluralOf(const std::string& lowerKind) {
  if (lowerKind.empty()) return lowerKind;
  const char last = lowerKind.back();
  if (last == 'y' && lowerKind.size() > 1 && !isVowel(lowerKind[lowerKind.size() - 2])) {
    return lowerKind.substr(0, lowerKind.size() - 1) + "ies";
  }
  if (last == 's' || last == 'x' || last == 'z' || endsWith(lowerKind, "ch") || endsWith(lowerKind, "sh")) {
    return lowerKind + "es";
  }
  return lowerKind + "s";
}

std::string lowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

const ResourceType& namespaces() {
  static const ResourceType type{"", "v1", "namespaces", "Namespace", false};
  return type;
}
const ResourceType& nodes() {
  static const ResourceType type{"", "v1", "nodes", "Node", false};
  return type;
}
const ResourceType& pods() {
  static const ResourceType type{"", "v1", "pods", "Pod", true};
  return type;
}
const ResourceType& secrets() {
  static const ResourceType type{"", "v1", "secrets", "Secret", true};
  return type;
}
const ResourceType& configMaps() {
  static const ResourceType type{"", "v1", "configmaps", "ConfigMap", true};
  return type;
}
const ResourceType& events() {
  static const ResourceType type{"events.k8s.io", "v1", "events", "Event", true};
  return type;
}
const ResourceType& leases() {
  static const ResourceType type{"coordination.k8s.io", "v1", "leases", "Lease", true};
  return type;
}
const ResourceType& podDisruptionBudgets() {
  static const ResourceType type{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true};
  return type;
}
const ResourceType& scheduledMachines() {
  static const ResourceType type{"5spot.finos.org", "v1alpha1", "scheduledmachines", "ScheduledMachine", true};
  return type;
}
const ResourceType& hostAgents() {
  static const ResourceType type{"5spot.finos.org", "v1alpha1", "hostagents", "HostAgent", true};
  return type;
}

ResourceType capiMachines(const std::string& version) {
  return {"cluster.x-k8s.io", version, "machines", "Machine", true};
}

ResourceType fromApiVersionKind(const std::string& apiVersion, const std::string& kind, bool namespaced) {
  const auto slash = apiVersion.find('/');
  ResourceType type;
  if (slash == std::string::npos) {
    type.version = apiVersion;
  } else {
    type.group = apiVersion.substr(0, slash);
    type.version = apiVersion.substr(slash + 1);
  }
  type.kind = kind;
  type.resource = pluralOf(lowerCase(kind));
  type.namespaced = namespaced;
  return type;
}

}  // namespace resources
}  // namespace fivespot::kube
