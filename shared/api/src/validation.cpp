// Semantic validation of a ScheduledMachine spec. The CRD rejects most of this at the API server;
// the coordinator re-checks because CRDs can be installed without CEL support, edited, or old.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace fivespot::api {
namespace {

bool isAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool isDnsLabel(std::string_view text) {
  if (text.empty() || text.size() > 63) return false;
  const auto lowerAlnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lowerAlnum(text.front()) || !lowerAlnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) { return lowerAlnum(c) || c == '-'; });
}

bool isDnsSubdomain(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    if (!isDnsLabel(text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// The name part of a qualified name: 1-63 characters [A-Za-z0-9._-], alphanumeric at both ends.
bool isQualifiedName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!isAlnum(name.front()) || !isAlnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// The DNS domain of a key ("node-role.kubernetes.io/worker" -> "node-role.kubernetes.io"); "" when none.
std::string_view keyDomain(std::string_view key) {
  const std::size_t slash = key.find('/');
  return slash == std::string_view::npos ? std::string_view{} : key.substr(0, slash);
}

// The Kubernetes project owns the kubernetes.io and k8s.io domains. Keys directly in them
// (kubernetes.io/hostname, kubernetes.io/os) are written by Kubernetes components. Some subdomains
// are explicitly meant for cluster operators (node-role.kubernetes.io/<role>,
// node-restriction.kubernetes.io/*, topology.kubernetes.io/zone), so they stay allowed; the
// subdomains Kubernetes components write themselves are reserved per use below.
bool inCoreKubernetesDomain(std::string_view domain) {
  return domain == "kubernetes.io" || domain == "k8s.io";
}

void add(std::vector<FieldProblem>& problems, std::string field, std::string message) {
  problems.push_back({std::move(field), std::move(message)});
}

std::string stripField(const ValidationError& error) {
  const std::string what = error.what();
  const std::string prefix = error.field() + ": ";
  return what.starts_with(prefix) ? what.substr(prefix.size()) : what;
}

void checkDuration(std::vector<FieldProblem>& problems, const std::string& text, const std::string& field) {
  try {
    (void)schedule::parseDuration(text, field);
  } catch (const ValidationError& error) {
    add(problems, error.field(), stripField(error));
  }
}

const std::regex& kindPattern() {
  static const std::regex pattern("^[A-Z][A-Za-z0-9]{0,62}$");
  return pattern;
}

void checkApiVersion(std::vector<FieldProblem>& problems, const std::string& apiVersion, const std::string& field,
                     bool (*allowed)(std::string_view), const char* allowedText) {
  if (apiVersion.find('/') == std::string::npos) {
    add(problems, field, "must be <group>/<version>; core API objects cannot be created from a ScheduledMachine");
  } else if (!allowed(apiGroupOf(apiVersion))) {
    add(problems, field, "API group \"" + apiGroupOf(apiVersion) + "\" is not allowed; allowed: " + allowedText);
  }
}

void checkPair(std::vector<FieldProblem>& problems, const std::optional<ObjectReference>& ref,
               const std::optional<EmbeddedResource>& inlineSpec, const std::string& refName,
               const std::string& specName, bool (*allowed)(std::string_view), const char* allowedText) {
  if (ref.has_value() == inlineSpec.has_value()) {
    add(problems, "spec." + refName, "exactly one of spec." + refName + " and spec." + specName + " must be set");
  }
  if (ref) {
    const std::string base = "spec." + refName;
    checkApiVersion(problems, ref->apiVersion, base + ".apiVersion", allowed, allowedText);
    if (!std::regex_match(ref->kind, kindPattern()))
      add(problems, base + ".kind", "must be a Kind, e.g. KubeadmConfigTemplate");
    else if (!ref->kind.ends_with("Template") || ref->kind == "Template") {
      add(problems, base + ".kind",
          "must name a template kind ending in \"Template\" (it is cloned like a MachineSet does)");
    }
    if (!isDnsSubdomain(ref->name)) add(problems, base + ".name", "must be a DNS subdomain name");
  }
  if (inlineSpec) {
    const std::string base = "spec." + specName;
    checkApiVersion(problems, inlineSpec->apiVersion, base + ".apiVersion", allowed, allowedText);
    if (!std::regex_match(inlineSpec->kind, kindPattern()))
      add(problems, base + ".kind", "must be a Kind, e.g. K0sWorkerConfig");
  }
}

void checkClusterName(std::vector<FieldProblem>& problems, const std::string& name) {
  // It becomes the value of the cluster.x-k8s.io/cluster-name label, so it must be a label value.
  if (name.empty())
    add(problems, "spec.clusterName", "is required");
  else if (!isLabelValue(name)) {
    add(problems, "spec.clusterName",
        "must be 1-63 characters [A-Za-z0-9._-] starting and ending with a letter or digit");
  }
}

void checkMetadataMap(std::vector<FieldProblem>& problems, const std::map<std::string, std::string>& entries,
                      const std::string& base, bool labels) {
  for (const auto& [key, value] : entries) {
    const std::string field = base + "[" + key + "]";
    if (!isQualifiedKey(key)) {
      add(problems, field, "key must be [prefix/]name with a DNS subdomain prefix and a 1-63 character name");
    } else if (labels ? isReservedLabelKey(key) : isReservedAnnotationKey(key)) {
      add(problems, field,
          "key uses a reserved prefix (kubernetes.io/, k8s.io/, cluster.x-k8s.io/" +
              std::string(labels ? ", 5spot.finos.org/" : ", machine.cluster.x-k8s.io/exclude-node-draining") + ")");
    }
    if (labels && !isLabelValue(value))
      add(problems, field, "value must be a label value (at most 63 characters [A-Za-z0-9._-])");
  }
}

void checkTaints(std::vector<FieldProblem>& problems, const std::vector<Taint>& taints) {
  static const std::set<std::string> effects = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < taints.size(); ++i) {
    const Taint& taint = taints[i];
    const std::string base = "spec.nodeTaints[" + std::to_string(i) + "]";
    if (!isQualifiedKey(taint.key))
      add(problems, base + ".key", "must be [prefix/]name (a qualified name)");
    else if (isReservedTaintKey(taint.key)) {
      add(problems, base + ".key",
          "uses a reserved prefix (kubernetes.io/, k8s.io/, node.kubernetes.io/, "
          "node.cloudprovider.kubernetes.io/, 5spot.finos.org/)");
    }
    if (!isLabelValue(taint.value)) add(problems, base + ".value", "must be at most 63 characters [A-Za-z0-9._-]");
    if (effects.count(taint.effect) == 0)
      add(problems, base + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute");
    if (!seen.emplace(taint.key, taint.effect).second) {
      add(problems, base, "duplicate taint " + taint.key + ":" + taint.effect + " (key and effect must be unique)");
    }
  }
}

void checkPort(std::vector<FieldProblem>& problems, int port, const std::string& field) {
  if (port < 1 || port > 65535) add(problems, field, "must be a port 1-65535");
}

void checkPower(std::vector<FieldProblem>& problems, const PowerSpec& power) {
  if (power.wakeOnLan) {
    static const std::regex mac("^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$");
    static const std::regex ipv4(
        R"(^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$)");
    if (!std::regex_match(power.wakeOnLan->mac, mac))
      add(problems, "spec.power.wakeOnLan.mac", "must be a MAC address like aa:bb:cc:dd:ee:ff");
    if (!std::regex_match(power.wakeOnLan->broadcast, ipv4))
      add(problems, "spec.power.wakeOnLan.broadcast", "must be an IPv4 address");
    checkPort(problems, power.wakeOnLan->port, "spec.power.wakeOnLan.port");
    // A label value too: the coordinator labels the HostAgent with it for the relay's selector.
    const std::string& relay = power.wakeOnLan->relayNode;
    if (!relay.empty() && (relay.size() > 63 || !isDnsSubdomain(relay))) {
      add(problems, "spec.power.wakeOnLan.relayNode", "must be a Node name of at most 63 characters");
    }
  }
  if (power.redfish) {
    static const std::regex https("^https://[^/\\s:]+(:[0-9]{1,5})?(/\\S*)?$");
    const Redfish& rf = *power.redfish;
    if (!std::regex_match(rf.endpoint, https))
      add(problems, "spec.power.redfish.endpoint", "must be an https:// URL of the BMC");
    if (rf.systemId.empty()) add(problems, "spec.power.redfish.systemId", "is required");
    if (!isDnsSubdomain(rf.credentialsSecretRef))
      add(problems, "spec.power.redfish.credentialsSecretRef", "must name a Secret");
    if (!rf.caSecretRef.empty() && !isDnsSubdomain(rf.caSecretRef))
      add(problems, "spec.power.redfish.caSecretRef", "must name a Secret");
    if (rf.powerOffFallbackTimeout)
      checkDuration(problems, *rf.powerOffFallbackTimeout, "spec.power.redfish.powerOffFallbackTimeout");
  }
  const auto checkWatts = [&](const std::optional<double>& watts, const char* field) {
    if (watts && (!std::isfinite(*watts) || *watts < 0)) add(problems, field, "must be a number >= 0");
  };
  checkWatts(power.idleWatts, "spec.power.idleWatts");
  checkWatts(power.standbyWatts, "spec.power.standbyWatts");
  if (power.powerOnTimeout) checkDuration(problems, *power.powerOnTimeout, "spec.power.powerOnTimeout");
}

void checkKillIfCommands(std::vector<FieldProblem>& problems, const std::vector<std::string>& commands) {
  if (commands.size() > 100) add(problems, "spec.killIfCommands", "must have at most 100 entries");
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].empty() || commands[i].size() > 256) {
      add(problems, "spec.killIfCommands[" + std::to_string(i) + "]", "must be 1-256 characters");
    }
  }
}

void checkHost(std::vector<FieldProblem>& problems, const MachineHost& host) {
  const bool spaced = std::any_of(host.address.begin(), host.address.end(),
                                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
  if (host.address.empty() || host.address.size() > 253 || spaced) {
    add(problems, "spec.machine.address", "must be a host name or IP address");
  }
  checkPort(problems, host.port, "spec.machine.port");
}

}  // namespace

std::string apiGroupOf(std::string_view apiVersion) {
  const std::size_t slash = apiVersion.rfind('/');
  return slash == std::string_view::npos ? std::string{} : std::string(apiVersion.substr(0, slash));
}

bool isAllowedBootstrapGroup(std::string_view group) {
  return group == "bootstrap.cluster.x-k8s.io" || group == "k0smotron.io";
}

bool isAllowedInfrastructureGroup(std::string_view group) {
  return group == "infrastructure.cluster.x-k8s.io" || group == "k0smotron.io";
}

bool isQualifiedKey(std::string_view key) {
  const std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return isQualifiedName(key);
  return isDnsSubdomain(key.substr(0, slash)) && isQualifiedName(key.substr(slash + 1));
}

bool isLabelValue(std::string_view value) {
  return value.empty() || isQualifiedName(value);
}

bool isReservedLabelKey(std::string_view key) {
  const std::string_view domain = keyDomain(key);
  // cluster.x-k8s.io/* labels steer CAPI (cluster-name, control-plane, deployment-name); the
  // node.cluster.x-k8s.io/ subdomain is CAPI's sanctioned way to label Nodes, so it stays allowed.
  return inCoreKubernetesDomain(domain) || domain == "cluster.x-k8s.io" || domain == "5spot.finos.org";
}

bool isReservedAnnotationKey(std::string_view key) {
  const std::string_view domain = keyDomain(key);
  // 5spot.finos.org/ annotations on the Machine are informational (the coordinator never reads
  // them), so upstream's examples with 5spot.finos.org/scheduled-by keep working.
  return inCoreKubernetesDomain(domain) || domain == "cluster.x-k8s.io" ||
         key == "machine.cluster.x-k8s.io/exclude-node-draining";
}

bool isReservedTaintKey(std::string_view key) {
  const std::string_view domain = keyDomain(key);
  // node.kubernetes.io/* (not-ready, unschedulable, ...) and node.cloudprovider.kubernetes.io/*
  // are written by Kubernetes' node lifecycle and cloud controllers; 5spot.finos.org/* are ours.
  return inCoreKubernetesDomain(domain) || domain == "node.kubernetes.io" ||
         domain == "node.cloudprovider.kubernetes.io" || domain == "5spot.finos.org";
}

std::vector<FieldProblem> validateSpec(const ScheduledMachineSpec& spec) {
  std::vector<FieldProblem> problems;
  try {
    (void)schedule::Schedule::compile(spec.schedule, "spec.schedule");
  } catch (const ValidationError& error) {
    add(problems, error.field(), stripField(error));
  }
  checkClusterName(problems, spec.clusterName);
  if (spec.machine) checkHost(problems, *spec.machine);
  checkPair(problems, spec.bootstrapRef, spec.bootstrapSpec, "bootstrapRef", "bootstrapSpec", isAllowedBootstrapGroup,
            "bootstrap.cluster.x-k8s.io, k0smotron.io");
  checkPair(problems, spec.infrastructureRef, spec.infrastructureSpec, "infrastructureRef", "infrastructureSpec",
            isAllowedInfrastructureGroup, "infrastructure.cluster.x-k8s.io, k0smotron.io");
  checkMetadataMap(problems, spec.machineTemplate.labels, "spec.machineTemplate.labels", true);
  checkMetadataMap(problems, spec.machineTemplate.annotations, "spec.machineTemplate.annotations", false);
  checkTaints(problems, spec.nodeTaints);
  if (spec.priority < 0 || spec.priority > 100) add(problems, "spec.priority", "must be 0-100");
  checkDuration(problems, spec.gracefulShutdownTimeout, "spec.gracefulShutdownTimeout");
  checkDuration(problems, spec.nodeDrainTimeout, "spec.nodeDrainTimeout");
  checkKillIfCommands(problems, spec.killIfCommands);
  if (spec.power) checkPower(problems, *spec.power);
  return problems;
}

std::vector<FieldProblem> validateScheduledMachine(const ScheduledMachine& machine) {
  std::vector<FieldProblem> problems = validateSpec(machine.spec);
  // Templates are cloned into the ScheduledMachine's namespace; a reference elsewhere would let a
  // user read templates from namespaces they cannot see (MachineSet has the same rule).
  const auto checkNamespace = [&](const std::optional<ObjectReference>& ref, const std::string& field) {
    if (ref && !ref->namespace_.empty() && ref->namespace_ != machine.metadata.namespace_) {
      add(problems, field, "must be in the ScheduledMachine's namespace \"" + machine.metadata.namespace_ + "\"");
    }
  };
  checkNamespace(machine.spec.bootstrapRef, "spec.bootstrapRef.namespace");
  checkNamespace(machine.spec.infrastructureRef, "spec.infrastructureRef.namespace");
  return problems;
}

std::string describeProblems(const std::vector<FieldProblem>& problems) {
  std::string out;
  for (const FieldProblem& problem : problems) {
    if (!out.empty()) out += "; ";
    out += problem.field + ": " + problem.message;
  }
  return out;
}

}  // namespace fivespot::api
