#include "fivespot/testserver/rbac.hpp"

#include <algorithm>
#include <set>

#include "fivespot/testserver/selectors.hpp"

namespace fivespot::testserver {
namespace {

using nlohmann::json;

std::string field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string metadataField(const json& object, const char* key) {
  const auto metadata = object.find("metadata");
  return metadata != object.end() && metadata->is_object() ? field(*metadata, key) : std::string();
}

// The strings of rule[key] (absent or malformed: none).
std::vector<std::string> stringsOf(const json& rule, const char* key) {
  std::vector<std::string> out;
  const auto it = rule.find(key);
  if (it == rule.end() || !it->is_array()) return out;
  for (const auto& value : *it)
    if (value.is_string()) out.push_back(value.get<std::string>());
  return out;
}

bool containsOrStar(const std::vector<std::string>& values, const std::string& wanted) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& v) { return v == "*" || v == wanted; });
}

bool resourceMatches(const std::vector<std::string>& resources, const Attributes& what) {
  const std::string combined = what.subresource.empty() ? what.resource : what.resource + "/" + what.subresource;
  return std::any_of(resources.begin(), resources.end(), [&](const std::string& r) {
    return r == "*" || r == combined || (!what.subresource.empty() && r == "*/" + what.subresource);
  });
}

bool ruleAllows(const json& rule, const Attributes& what) {
  if (!containsOrStar(stringsOf(rule, "verbs"), what.verb)) return false;
  if (!containsOrStar(stringsOf(rule, "apiGroups"), what.group)) return false;
  if (!resourceMatches(stringsOf(rule, "resources"), what)) return false;
  const auto names = stringsOf(rule, "resourceNames");
  return names.empty() || std::find(names.begin(), names.end(), what.name) != names.end();
}

bool subjectMatches(const json& subject, const Identity& who, const std::string& bindingNamespace) {
  const std::string kind = field(subject, "kind");
  const std::string name = field(subject, "name");
  if (kind == "User") return name == who.user;
  if (kind == "Group") return std::find(who.groups.begin(), who.groups.end(), name) != who.groups.end();
  if (kind == "ServiceAccount") {
    std::string ns = field(subject, "namespace");
    if (ns.empty()) ns = bindingNamespace;
    return !ns.empty() && who.user == "system:serviceaccount:" + ns + ":" + name;
  }
  return false;
}

bool bindsSubject(const json& binding, const Identity& who, const std::string& bindingNamespace) {
  const auto subjects = binding.find("subjects");
  if (subjects == binding.end() || !subjects->is_array()) return false;
  return std::any_of(subjects->begin(), subjects->end(),
                     [&](const json& s) { return s.is_object() && subjectMatches(s, who, bindingNamespace); });
}

const json* findNamed(const std::vector<json>& objects, const std::string& ns, const std::string& name) {
  for (const auto& object : objects) {
    if (metadataField(object, "name") == name && metadataField(object, "namespace") == ns) return &object;
  }
  return nullptr;
}

void collectClusterRoleRules(const RbacPolicy& policy, const std::string& name, std::set<std::string>& visited,
                             std::vector<json>& rules) {
  if (!visited.insert(name).second) return;
  const json* role = findNamed(policy.clusterRoles, "", name);
  if (role == nullptr) return;
  const auto aggregation = role->find("aggregationRule");
  if (aggregation == role->end() || !aggregation->is_object()) {
    const auto own = role->find("rules");
    if (own != role->end() && own->is_array()) rules.insert(rules.end(), own->begin(), own->end());
    return;
  }
  for (const auto& selector : aggregation->value("clusterRoleSelectors", json::array())) {
    const LabelSelector matches = LabelSelector::fromJson(selector);
    for (const auto& candidate : policy.clusterRoles) {
      const json labels = candidate.value("/metadata/labels"_json_pointer, json(nullptr));
      if (matches.matches(labels)) collectClusterRoleRules(policy, metadataField(candidate, "name"), visited, rules);
    }
  }
}

// The rules a binding's roleRef grants: a Role of the binding's namespace or a ClusterRole.
std::vector<json> rulesOf(const RbacPolicy& policy, const json& binding, const std::string& bindingNamespace) {
  const json roleRef = binding.value("roleRef", json::object());
  const std::string kind = field(roleRef, "kind");
  const std::string name = field(roleRef, "name");
  if (kind == "ClusterRole") return clusterRoleRules(policy, name);
  if (kind != "Role" || bindingNamespace.empty()) return {};
  const json* role = findNamed(policy.roles, bindingNamespace, name);
  if (role == nullptr) return {};
  const auto rules = role->find("rules");
  if (rules == role->end() || !rules->is_array()) return {};
  return {rules->begin(), rules->end()};
}

bool grants(const RbacPolicy& policy, const json& binding, const std::string& bindingNamespace, const Identity& who,
            const Attributes& what) {
  if (!bindsSubject(binding, who, bindingNamespace)) return false;
  const auto rules = rulesOf(policy, binding, bindingNamespace);
  return std::any_of(rules.begin(), rules.end(), [&](const json& rule) { return ruleAllows(rule, what); });
}

}  // namespace

std::vector<json> clusterRoleRules(const RbacPolicy& policy, const std::string& name) {
  std::set<std::string> visited;
  std::vector<json> rules;
  collectClusterRoleRules(policy, name, visited, rules);
  return rules;
}

bool rbacAllows(const RbacPolicy& policy, const Identity& who, const Attributes& what) {
  for (const auto& binding : policy.clusterRoleBindings) {
    if (grants(policy, binding, "", who, what)) return true;
  }
  if (what.ns.empty()) return false;
  for (const auto& binding : policy.roleBindings) {
    if (metadataField(binding, "namespace") == what.ns && grants(policy, binding, what.ns, who, what)) return true;
  }
  return false;
}

}  // namespace fivespot::testserver
