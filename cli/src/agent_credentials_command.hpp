#pragma once
// `kubectl-5spot agent-credentials NAME [-n NS] [--server URL] [--duration 720h] [-o FILE]`: the
// credentials of a host-mode agent (docs/security.md, "Host mode: per-host credentials").
//
// Creates or updates ServiceAccount, Role and RoleBinding `5spot-agent-<NAME>` (owned by the
// ScheduledMachine, so they go with it), mints a token through the TokenRequest API with the
// user's own credentials and prints a kubeconfig that grants nothing but the agent's own objects.
// The objects and the kubeconfig text come from pure builders; runAgentCredentials() does the I/O.
#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "fivespot/common/clock.hpp"

namespace fivespot::kube {
class Client;
struct ClusterConfig;
}  // namespace fivespot::kube

namespace fivespot::cli {

inline constexpr const char* kAgentAccountPrefix = "5spot-agent-";
// ServiceAccount names are at most 253 characters, and the prefix takes 12 of them.
inline constexpr std::size_t kMaxAgentMachineNameLength = 241;
// The TokenRequest API refuses expirations under ten minutes.
inline constexpr std::chrono::seconds kMinTokenDuration{600};
inline constexpr const char* kDefaultTokenDuration = "720h";

// "5spot-agent-<machineName>"; throws ValidationError when the result would be too long.
std::string agentAccountName(const std::string& machineName);

// The ScheduledMachine the agent objects belong to (and are garbage-collected with).
struct AgentOwner {
  std::string namespace_;
  std::string machineName;
  std::string machineUid;
};

// ---- pure builders -----------------------------------------------------------------------------

nlohmann::json buildAgentServiceAccount(const AgentOwner& owner);
// get+watch on its ScheduledMachine and HostAgent, patch on its HostAgent's status, all with
// resourceNames. The API server authorises a list or watch against resourceNames only when the
// request selects that one object (fieldSelector=metadata.name=<name>); a watch started from a
// get's resourceVersion needs no list, so list is not granted.
nlohmann::json buildAgentRole(const AgentOwner& owner);
nlohmann::json buildAgentRoleBinding(const AgentOwner& owner);

// Brings an existing object (`current`, as read from the server) to `desired` for the fields this
// command owns: our labels and owner reference are added (others are kept), every top-level field
// other than apiVersion/kind/metadata/status is replaced. Returns whether `current` changed.
// Throws ConfigError when the object is not one of ours (the scheduled-machine label differs) or
// when an immutable field (a RoleBinding's roleRef) differs.
bool mergeManagedObject(nlohmann::json& current, const nlohmann::json& desired);

struct AgentKubeconfig {
  std::string clusterName;  // the cluster entry's name in the user's kubeconfig
  std::string server;
  std::string caPem;  // empty: the system trust store
  std::string tlsServerName;
  bool insecureSkipTlsVerify = false;
  std::string namespace_;
  std::string accountName;  // used as context and user name
  std::string token;
};

// The kubeconfig of docs/security.md as YAML text.
std::string buildAgentKubeconfig(const AgentKubeconfig& input);

// Go-style duration of hours, minutes and seconds ("720h", "8760h", "1h30m"), at least ten
// minutes. Throws ValidationError naming `flag`.
std::chrono::seconds parseTokenDuration(std::string_view text, std::string_view flag = "--duration");

// The "exp" claim of a JWT (the API server's tokens are JWTs); nullopt when it cannot be read. Only
// used to tell the user when to rotate: the server may shorten the requested duration.
std::optional<TimePoint> jwtExpiry(std::string_view token);

// Writes `content` to `path` with mode 0600, atomically (temporary file in the same directory, then
// rename), so that a reader never sees half a kubeconfig. Throws ConfigError naming the path.
void writePrivateFile(const std::string& path, const std::string& content);

// ---- command -----------------------------------------------------------------------------------

struct AgentCredentialsRequest {
  std::string namespace_;
  std::string machineName;
  std::string server;       // empty: the user's current server
  std::string clusterName;  // the user's kubeconfig cluster entry
  std::chrono::seconds duration{std::chrono::hours(720)};
};

// Creates or updates the three objects, requests the token and returns the kubeconfig text.
// Progress ("serviceaccount/5spot-agent-x created") goes to `log`. Throws kube::ApiError (404 when
// the ScheduledMachine does not exist, 403 when the user may not create the objects or tokens).
std::string runAgentCredentials(kube::Client& client, const AgentCredentialsRequest& request, std::ostream& log);

void addAgentCredentialsCommand(CLI::App& app);

}  // namespace fivespot::cli
