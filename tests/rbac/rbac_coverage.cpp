#include "rbac_coverage.hpp"

#include <algorithm>
#include <regex>

#include "fivespot/testserver/rbac.hpp"

namespace fivespot::testing {
namespace {

using nlohmann::json;

std::vector<std::string> stringsOf(const json& object, const char* key) {
  std::vector<std::string> out;
  for (const auto& value : object.value(key, json::array()))
    if (value.is_string()) out.push_back(value.get<std::string>());
  return out;
}

bool namesServiceAccount(const json& binding, const std::string& ns, const std::string& name) {
  const std::string bindingNamespace = binding.value(json::json_pointer("/metadata/namespace"), std::string());
  for (const auto& subject : binding.value("subjects", json::array())) {
    if (subject.value("kind", "") != "ServiceAccount" || subject.value("name", "") != name) continue;
    if (subject.value("namespace", bindingNamespace) == ns) return true;
  }
  return false;
}

std::vector<json> roleRules(const testserver::RbacPolicy& policy, const json& binding) {
  const json roleRef = binding.value("roleRef", json::object());
  const std::string roleName = roleRef.value("name", "");
  if (roleRef.value("kind", "") == "ClusterRole") return testserver::clusterRoleRules(policy, roleName);
  const std::string ns = binding.value(json::json_pointer("/metadata/namespace"), std::string());
  for (const auto& role : policy.roles) {
    if (role.value(json::json_pointer("/metadata/name"), std::string()) == roleName &&
        role.value(json::json_pointer("/metadata/namespace"), std::string()) == ns) {
      return role.value("rules", json::array()).get<std::vector<json>>();
    }
  }
  return {};
}

testserver::RbacPolicy policyOf(const std::vector<json>& documents) {
  testserver::RbacPolicy policy;
  for (const auto& document : documents) {
    const std::string kind = document.value("kind", "");
    if (kind == "Role") policy.roles.push_back(document);
    if (kind == "RoleBinding") policy.roleBindings.push_back(document);
    if (kind == "ClusterRole") policy.clusterRoles.push_back(document);
    if (kind == "ClusterRoleBinding") policy.clusterRoleBindings.push_back(document);
  }
  return policy;
}

// The value of label `name` in a Prometheus label set text `a="1",b="2"` (escapes undone).
std::string labelValue(const std::string& labels, const std::string& name) {
  const std::string key = name + "=\"";
  std::size_t at = 0;
  while ((at = labels.find(key, at)) != std::string::npos) {
    if (at == 0 || labels[at - 1] == ',' || labels[at - 1] == '{') break;
    at += key.size();
  }
  if (at == std::string::npos) return "";
  std::string value;
  for (std::size_t i = at + key.size(); i < labels.size() && labels[i] != '"'; ++i) {
    if (labels[i] == '\\' && i + 1 < labels.size()) ++i;
    value += labels[i];
  }
  return value;
}

bool matchesOne(const std::string& pattern, const std::string& value) {
  return pattern == "*" || pattern == value;
}

bool resourceCovers(const std::string& pattern, const std::string& resource) {
  if (pattern == "*" || pattern == resource) return true;
  const auto slash = resource.find('/');
  return pattern.starts_with("*/") && slash != std::string::npos && pattern.substr(1) == resource.substr(slash);
}

bool exceptionNames(const UnusedGrantException& exception, const Permission& grant) {
  const Permission& p = exception.permission;
  return p.group == grant.group && p.resource == grant.resource && (p.verb == "*" || p.verb == grant.verb);
}

}  // namespace

Permissions grantedTo(const std::vector<json>& rbacDocuments, const std::string& saNamespace,
                      const std::string& saName) {
  const testserver::RbacPolicy policy = policyOf(rbacDocuments);
  std::vector<json> bindings = policy.clusterRoleBindings;
  bindings.insert(bindings.end(), policy.roleBindings.begin(), policy.roleBindings.end());
  Permissions granted;
  for (const auto& binding : bindings) {
    if (!namesServiceAccount(binding, saNamespace, saName)) continue;
    for (const auto& rule : roleRules(policy, binding)) {
      for (const auto& group : stringsOf(rule, "apiGroups"))
        for (const auto& resource : stringsOf(rule, "resources"))
          for (const auto& verb : stringsOf(rule, "verbs")) granted.insert({group, resource, verb});
    }
  }
  return granted;
}

std::vector<RequestSample> kubeRequestSamples(const std::string& prometheusText, const std::string& metricName) {
  const std::regex sampleOfMetric("^" + metricName + R"(\{([^}]*)\}\s+(\S+))");
  std::vector<RequestSample> samples;
  std::size_t start = 0;
  while (start < prometheusText.size()) {
    const std::size_t end = std::min(prometheusText.find('\n', start), prometheusText.size());
    const std::string line = prometheusText.substr(start, end - start);
    start = end + 1;
    std::smatch match;
    if (!std::regex_search(line, match, sampleOfMetric)) continue;
    const std::string labels = match[1];
    samples.push_back({labelValue(labels, "verb"), labelValue(labels, "group"), labelValue(labels, "resource"),
                       labelValue(labels, "code"), std::stod(match[2])});
  }
  return samples;
}

Permissions usedPermissions(const std::vector<RequestSample>& samples) {
  Permissions used;
  for (const auto& sample : samples) {
    if (sample.count > 0 && !sample.resource.starts_with("/"))
      used.insert({sample.group, sample.resource, sample.verb});
  }
  return used;
}

bool covers(const Permission& grant, const Permission& call) {
  return matchesOne(grant.group, call.group) && matchesOne(grant.verb, call.verb) &&
         resourceCovers(grant.resource, call.resource);
}

CoverageReport compareCoverage(const Permissions& granted, const Permissions& used,
                               const std::vector<UnusedGrantException>& exceptions) {
  CoverageReport report;
  for (const auto& call : used) {
    if (std::none_of(granted.begin(), granted.end(), [&](const Permission& g) { return covers(g, call); }))
      report.usedButNotGranted.insert(call);
  }
  for (const auto& grant : granted) {
    if (std::any_of(used.begin(), used.end(), [&](const Permission& c) { return covers(grant, c); })) continue;
    const bool excused =
        std::any_of(exceptions.begin(), exceptions.end(), [&](const auto& e) { return exceptionNames(e, grant); });
    if (!excused) report.grantedButNotUsed.insert(grant);
  }
  // An exception must still describe an unused grant, or it hides the next real gap.
  for (const auto& exception : exceptions) {
    const bool namesUnusedGrant = std::any_of(granted.begin(), granted.end(), [&](const Permission& grant) {
      return exceptionNames(exception, grant) &&
             std::none_of(used.begin(), used.end(), [&](const Permission& c) { return covers(grant, c); });
    });
    if (!namesUnusedGrant) {
      const Permission& p = exception.permission;
      report.staleExceptions.push_back(p.group + " " + p.resource + " " + p.verb + " (" + exception.reason + ")");
    }
  }
  return report;
}

std::string describe(const Permissions& permissions) {
  std::string out;
  for (const auto& p : permissions) {
    out += "  " + (p.group.empty() ? std::string("\"\"") : p.group) + " " + p.resource + " " + p.verb + "\n";
  }
  return out.empty() ? "  (none)\n" : out;
}

}  // namespace fivespot::testing
