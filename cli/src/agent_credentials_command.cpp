#include "agent_credentials_command.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "fivespot/api/types.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/kube/base64.hpp"
#include "fivespot/kube/client.hpp"
#include "kube_flags.hpp"

namespace fivespot::cli {
namespace {

using nlohmann::json;

constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";

const kube::ResourceType& serviceAccounts() {
  static const kube::ResourceType type{"", "v1", "serviceaccounts", "ServiceAccount", true};
  return type;
}
const kube::ResourceType& roles() {
  static const kube::ResourceType type{kRbacGroup, "v1", "roles", "Role", true};
  return type;
}
const kube::ResourceType& roleBindings() {
  static const kube::ResourceType type{kRbacGroup, "v1", "rolebindings", "RoleBinding", true};
  return type;
}

json agentMetadata(const AgentOwner& owner) {
  return {
      {"name", agentAccountName(owner.machineName)},
      {"namespace", owner.namespace_},
      {"labels",
       {{"app.kubernetes.io/name", "5spot-agent"},
        {"app.kubernetes.io/component", "agent"},
        {"app.kubernetes.io/part-of", "5spot"},
        {api::kScheduledMachineLabel, owner.machineName}}},
      {"ownerReferences", json::array({{{"apiVersion", api::kApiVersion},
                                        {"kind", "ScheduledMachine"},
                                        {"name", owner.machineName},
                                        {"uid", owner.machineUid}}})},
  };
}

json rule(const std::string& resource, const std::string& name, std::initializer_list<const char*> verbs) {
  json verbList = json::array();
  for (const char* verb : verbs) verbList.push_back(verb);
  return {{"apiGroups", json::array({api::kGroup})},
          {"resources", json::array({resource})},
          {"resourceNames", json::array({name})},
          {"verbs", std::move(verbList)}};
}

// The value of `key` in `object`, or null.
const json& fieldOrNull(const json& object, const char* key) {
  static const json null;
  const auto found = object.find(key);
  return found == object.end() ? null : *found;
}

std::string describeObject(const json& object) {
  return object.value("kind", std::string("object")) + " " +
         fieldOrNull(object, "metadata").value("name", std::string("?"));
}

// Adds our owner reference unless one with the same uid is there.
bool mergeOwnerReferences(json& metadata, const json& desiredMetadata) {
  bool changed = false;
  json& references = metadata["ownerReferences"];
  if (!references.is_array()) references = json::array();
  for (const auto& wanted : desiredMetadata.at("ownerReferences")) {
    const bool present = std::any_of(references.begin(), references.end(), [&](const json& ref) {
      return ref.value("uid", std::string()) == wanted.value("uid", std::string());
    });
    if (!present) {
      references.push_back(wanted);
      changed = true;
    }
  }
  return changed;
}

enum class ApplyOutcome { Created, Updated, Unchanged };

const char* toString(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::Created:
      return "created";
    case ApplyOutcome::Updated:
      return "updated";
    case ApplyOutcome::Unchanged:
      return "unchanged";
  }
  return "?";
}

// Create, or bring the existing object to `desired` (409-safe read-modify-write).
ApplyOutcome createOrUpdate(kube::Client& client, const kube::ResourceType& type, const json& desired) {
  const std::string ns = desired.at("metadata").at("namespace");
  const std::string name = desired.at("metadata").at("name");
  try {
    client.create(type, ns, desired);
    return ApplyOutcome::Created;
  } catch (const kube::ApiError& e) {
    if (!e.isAlreadyExists()) throw;
  }
  bool changed = false;
  kube::updateWithRetry(client, type, ns, name, [&](json& current) {
    changed = mergeManagedObject(current, desired);
    return changed;
  });
  return changed ? ApplyOutcome::Updated : ApplyOutcome::Unchanged;
}

std::string lowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void applyAndLog(kube::Client& client, const kube::ResourceType& type, const json& desired, std::ostream& log) {
  const ApplyOutcome outcome = createOrUpdate(client, type, desired);
  log << lowerCase(type.kind) << "/" << desired.at("metadata").at("name").get<std::string>() << " " << toString(outcome)
      << "\n";
}

// JWT segments are unpadded base64url (RFC 7515); the kube decoder takes the standard alphabet.
std::optional<std::string> base64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  standard.append((4 - standard.size() % 4) % 4, '=');
  return kube::base64Decode(standard);
}

std::string errnoText() {
  return std::strerror(errno);
}

}  // namespace

std::string agentAccountName(const std::string& machineName) {
  if (machineName.empty() || machineName.size() > kMaxAgentMachineNameLength) {
    throw ValidationError("NAME", machineName,
                          "a ScheduledMachine name of 1 to " + std::to_string(kMaxAgentMachineNameLength) +
                              " characters (the ServiceAccount " + kAgentAccountPrefix + "<NAME> must fit in 253)");
  }
  return kAgentAccountPrefix + machineName;
}

json buildAgentServiceAccount(const AgentOwner& owner) {
  return {{"apiVersion", "v1"},
          {"kind", "ServiceAccount"},
          {"metadata", agentMetadata(owner)},
          // The token is minted for a host, never mounted into a pod.
          {"automountServiceAccountToken", false}};
}

json buildAgentRole(const AgentOwner& owner) {
  // Exactly the agent's calls (tests/rbac/agent_rbac_test.cpp compares them), each limited to this
  // host's objects by resourceNames. The agent polls on its heartbeat (no watch) and never reads its
  // ScheduledMachine: the coordinator copies what the agent needs into the HostAgent.
  json rules = json::array({
      rule("hostagents", owner.machineName, {"get"}),           // its orders, read once per heartbeat
      rule("hostagents/status", owner.machineName, {"patch"}),  // its reports (merge patch)
  });
  return {{"apiVersion", std::string(kRbacGroup) + "/v1"},
          {"kind", "Role"},
          {"metadata", agentMetadata(owner)},
          {"rules", std::move(rules)}};
}

json buildAgentRoleBinding(const AgentOwner& owner) {
  const std::string account = agentAccountName(owner.machineName);
  return {
      {"apiVersion", std::string(kRbacGroup) + "/v1"},
      {"kind", "RoleBinding"},
      {"metadata", agentMetadata(owner)},
      {"roleRef", {{"apiGroup", kRbacGroup}, {"kind", "Role"}, {"name", account}}},
      {"subjects", json::array({{{"kind", "ServiceAccount"}, {"name", account}, {"namespace", owner.namespace_}}})}};
}

bool mergeManagedObject(json& current, const json& desired) {
  const json& desiredMetadata = desired.at("metadata");
  const std::string machineName = desiredMetadata.at("labels").at(api::kScheduledMachineLabel);
  json& metadata = current["metadata"];
  const json& labels = fieldOrNull(metadata, "labels");
  if (!labels.is_object() || labels.value(api::kScheduledMachineLabel, std::string()) != machineName) {
    throw ConfigError(describeObject(current), std::string("exists but is not managed by 5-Spot for ") + machineName +
                                                   " (label " + api::kScheduledMachineLabel + "=" + machineName +
                                                   " missing); refusing to take it over");
  }
  const json& immutableRoleRef = fieldOrNull(current, "roleRef");
  if (desired.contains("roleRef") && !immutableRoleRef.is_null() && immutableRoleRef != desired.at("roleRef")) {
    throw ConfigError(describeObject(current),
                      "has roleRef " + immutableRoleRef.dump() + ", which cannot change; delete it and run again");
  }
  bool changed = false;
  for (const auto& [key, value] : desiredMetadata.at("labels").items()) {
    if (fieldOrNull(metadata["labels"], key.c_str()) != value) {
      metadata["labels"][key] = value;
      changed = true;
    }
  }
  changed = mergeOwnerReferences(metadata, desiredMetadata) || changed;
  for (const auto& [key, value] : desired.items()) {
    if (key == "apiVersion" || key == "kind" || key == "metadata" || key == "status") continue;
    if (fieldOrNull(current, key.c_str()) != value) {
      current[key] = value;
      changed = true;
    }
  }
  return changed;
}

std::string buildAgentKubeconfig(const AgentKubeconfig& input) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Config";

  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << input.clusterName;
  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << input.server;
  if (!input.caPem.empty()) {
    out << YAML::Key << "certificate-authority-data" << YAML::Value << kube::base64Encode(input.caPem);
  }
  if (!input.tlsServerName.empty()) out << YAML::Key << "tls-server-name" << YAML::Value << input.tlsServerName;
  if (input.insecureSkipTlsVerify) out << YAML::Key << "insecure-skip-tls-verify" << YAML::Value << true;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << input.accountName;
  out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << input.clusterName;
  out << YAML::Key << "namespace" << YAML::Value << input.namespace_;
  out << YAML::Key << "user" << YAML::Value << input.accountName;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "current-context" << YAML::Value << input.accountName;

  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << input.accountName;
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "token" << YAML::Value << input.token;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::chrono::seconds parseTokenDuration(std::string_view text, std::string_view flag) {
  const auto invalid = [&] {
    return ValidationError(std::string(flag), std::string(text),
                           "a duration of hours, minutes and seconds such as 720h, 8760h or 1h30m, at least 10m");
  };
  if (text.empty()) throw invalid();
  std::chrono::seconds total{0};
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t digitsStart = i;
    long long value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      value = value * 10 + (text[i] - '0');
      if (value > 100'000'000) throw invalid();  // beyond any expiration an API server accepts
      ++i;
    }
    if (i == digitsStart || i == text.size()) throw invalid();
    switch (text[i++]) {
      case 'h':
        total += std::chrono::hours(value);
        break;
      case 'm':
        total += std::chrono::minutes(value);
        break;
      case 's':
        total += std::chrono::seconds(value);
        break;
      default:
        throw invalid();
    }
  }
  if (total < kMinTokenDuration) throw invalid();
  return total;
}

std::optional<TimePoint> jwtExpiry(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto payload = base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  const json claims = json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number_integer()) return std::nullopt;
  return TimePoint(std::chrono::seconds(claims["exp"].get<std::int64_t>()));
}

void writePrivateFile(const std::string& path, const std::string& content) {
  const std::filesystem::path target(path);
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  std::string temporary = (directory / ("." + target.filename().string() + ".XXXXXX")).string();
  // mkstemp creates the file with mode 0600, so the token is never readable by others, even briefly.
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0)
    throw ConfigError("output file " + path, "cannot create a file in " + directory.string() + ": " + errnoText());
  const auto fail = [&](const std::string& what) {
    const std::string reason = errnoText();
    ::close(fd);
    ::unlink(temporary.c_str());
    throw ConfigError("output file " + path, what + ": " + reason);
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot flush");
  if (::close(fd) != 0) {
    const std::string reason = errnoText();
    ::unlink(temporary.c_str());
    throw ConfigError("output file " + path, "cannot close: " + reason);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = errnoText();
    ::unlink(temporary.c_str());
    throw ConfigError("output file " + path, "cannot replace: " + reason);
  }
}

std::string runAgentCredentials(kube::Client& client, const AgentCredentialsRequest& request, std::ostream& log) {
  const std::string account = agentAccountName(request.machineName);
  const json machine = client.get(kube::resources::scheduledMachines(), request.namespace_, request.machineName);
  const AgentOwner owner{request.namespace_, request.machineName,
                         fieldOrNull(machine, "metadata").value("uid", std::string())};
  if (owner.machineUid.empty()) {
    throw kube::TransportError("get scheduledmachine " + request.machineName, "the answer carries no metadata.uid");
  }

  applyAndLog(client, serviceAccounts(), buildAgentServiceAccount(owner), log);
  applyAndLog(client, roles(), buildAgentRole(owner), log);
  applyAndLog(client, roleBindings(), buildAgentRoleBinding(owner), log);

  const std::string token = client.requestServiceAccountToken(request.namespace_, account, request.duration);
  if (const auto expiry = jwtExpiry(token)) {
    log << "token for serviceaccount/" << account << " expires at " << formatRfc3339(*expiry)
        << "; run this command again before then\n";
  }

  const kube::ClusterConfig& cluster = client.config();
  AgentKubeconfig kubeconfig;
  kubeconfig.clusterName = request.clusterName;
  kubeconfig.server = request.server.empty() ? cluster.server : request.server;
  kubeconfig.caPem = cluster.caPem;
  kubeconfig.tlsServerName = cluster.tlsServerName;
  kubeconfig.insecureSkipTlsVerify = cluster.insecureSkipTlsVerify;
  kubeconfig.namespace_ = request.namespace_;
  kubeconfig.accountName = account;
  kubeconfig.token = token;
  if (kubeconfig.insecureSkipTlsVerify) {
    log << "warning: your kubeconfig skips TLS verification, so the agent's will too; the agent cannot tell its "
           "API server from an impostor\n";
  }
  return buildAgentKubeconfig(kubeconfig);
}

void addAgentCredentialsCommand(CLI::App& app) {
  struct Flags {
    KubeFlags kube;
    std::string name;
    std::string server;
    std::string duration = kDefaultTokenDuration;
    std::string output;
  };
  auto flags = std::make_shared<Flags>();
  auto* command = app.add_subcommand(
      "agent-credentials",
      "Create the ServiceAccount and RBAC of a host-mode agent and print its kubeconfig (a secret: mode 0600)");
  command->add_option("NAME", flags->name, "the ScheduledMachine whose host runs the agent")->required();
  addKubeFlags(*command, flags->kube, NamespaceFlags::Single);
  command->add_option("--server", flags->server,
                      "API server URL as the host reaches it (default: the server of your kubeconfig)");
  command->add_option("--duration", flags->duration, "token lifetime, e.g. 720h or 8760h (at least 10m)")
      ->capture_default_str();
  command->add_option("-o,--output", flags->output, "write the kubeconfig to this file (mode 0600) instead of stdout");
  command->callback([flags] {
    runClusterCommand([&] {
      AgentCredentialsRequest request;
      request.machineName = flags->name;
      request.server = flags->server;
      request.duration = parseTokenDuration(flags->duration);
      agentAccountName(flags->name);  // refuse a bad name before any request is made
      const KubeTarget target = resolveKubeTarget(flags->kube);
      request.namespace_ = target.namespace_;
      request.clusterName = target.clusterName;
      const auto client = makeClient(target);
      const std::string kubeconfig = runAgentCredentials(*client, request, std::cerr);
      if (flags->output.empty()) {
        std::cout << kubeconfig;
      } else {
        writePrivateFile(flags->output, kubeconfig);
        std::cerr << "kubeconfig written to " << flags->output << " (mode 0600)\n";
      }
      return kExitOk;
    });
  });
}

}  // namespace fivespot::cli
