#pragma once
// The agent's configuration: /etc/5spot/agent.conf (YAML), then flags and environment on top.
// Every bad field is reported as a ConfigError naming the file and the field.
#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::agent {

enum class Mode { Host, Node };
const char* toString(Mode mode);

struct CommandCheckConfig {
  std::string name;
  std::vector<std::string> argv;  // executed directly, no shell
  std::chrono::seconds timeout{10};
};

struct ChecksConfig {
  bool clockSynchronized = true;
  std::string diskPath = "/var/lib";
  std::uint64_t minFreeDiskBytes = 0;  // 0: no disk check
  std::vector<std::string> containerRuntimeSockets{"/run/containerd/containerd.sock", "/run/crio/crio.sock"};
  std::vector<CommandCheckConfig> commands;
};

struct AgentConfig {
  std::string scheduledMachineNamespace;
  std::string scheduledMachineName;
  std::string kubeconfig;  // empty: $KUBECONFIG, then in-cluster (node mode)
  Mode mode = Mode::Host;
  std::string nodeName;  // node mode: the Node this pod runs on (downward API)
  std::chrono::seconds heartbeatInterval{30};
  std::chrono::seconds reclaimScanInterval{2};
  std::chrono::seconds maxBackoff{120};
  ChecksConfig checks;
  std::string raplRoot = "/sys/class/powercap";
  std::string procRoot = "/proc";
  std::string cgroupRoot = "/sys/fs/cgroup";
  int maxProcessesPerScan = 65536;
  std::string healthAddress = "127.0.0.1:8082";
  std::string metricsAddress;  // empty: no metrics endpoint
  bool once = false;           // one heartbeat, then exit
};

// Values from flags and environment; set ones replace the file's.
struct ConfigOverrides {
  std::optional<Mode> mode;
  std::optional<std::string> nodeName;
  std::optional<std::string> procRoot;
  std::optional<std::string> kubeconfig;
  std::optional<int> healthPort;
  std::optional<std::string> healthAddress;  // host:port; applied before healthPort
  bool once = false;
};

Mode parseMode(const std::string& text, const std::string& context);
// Pure: the YAML document (as JSON) to a config. `origin` names the file in errors.
AgentConfig parseAgentConfig(const nlohmann::json& document, const std::string& origin);
void applyOverrides(AgentConfig& config, const ConfigOverrides& overrides);
// Cross-field rules that hold only after overrides (host mode needs the ScheduledMachine, node
// mode the node name).
void validateAgentConfig(const AgentConfig& config, const std::string& origin);
// Reads the file (a missing file is an error only when `required`), applies overrides, validates.
AgentConfig loadAgentConfig(const std::string& path, const ConfigOverrides& overrides, bool required);

}  // namespace fivespot::agent
