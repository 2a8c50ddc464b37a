#include "config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "temp_dir.hpp"

namespace fivespot::agent {
namespace {

using ::testing::HasSubstr;

AgentConfig parse(const std::string& yaml) {
  return parseAgentConfig(yamlToJson(yaml, "agent.conf"), "agent.conf");
}

std::string errorOf(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const ConfigError& e) {
    return e.context() + " | " + e.what();
  }
  return "no error";
}

TEST(AgentConfig, ParsesEveryField) {
  const auto config = parse(R"(
scheduledMachine: {namespace: fleet, name: gpu-7}
kubeconfig: /etc/5spot/kubeconfig
mode: host
heartbeatIntervalSeconds: 15
reclaimScanIntervalSeconds: 3
maxBackoffSeconds: 60
procRoot: /host/proc
cgroupRoot: /host/sys/fs/cgroup
maxProcessesPerScan: 1000
healthAddress: 127.0.0.1:9000
energy: {raplRoot: /host/sys/class/powercap}
checks:
  clockSynchronized: false
  diskPath: /var/lib/containerd
  minFreeDiskBytes: 1073741824
  containerRuntimeSockets: [/run/containerd/containerd.sock]
  commands:
    - name: gpu
      command: [/usr/bin/nvidia-smi, -L]
      timeoutSeconds: 5
)");
  EXPECT_EQ(config.scheduledMachineNamespace, "fleet");
  EXPECT_EQ(config.scheduledMachineName, "gpu-7");
  EXPECT_EQ(config.kubeconfig, "/etc/5spot/kubeconfig");
  EXPECT_EQ(config.mode, Mode::Host);
  EXPECT_EQ(config.heartbeatInterval, std::chrono::seconds(15));
  EXPECT_EQ(config.reclaimScanInterval, std::chrono::seconds(3));
  EXPECT_EQ(config.maxBackoff, std::chrono::seconds(60));
  EXPECT_EQ(config.procRoot, "/host/proc");
  EXPECT_EQ(config.cgroupRoot, "/host/sys/fs/cgroup");
  EXPECT_EQ(config.maxProcessesPerScan, 1000);
  EXPECT_EQ(config.healthAddress, "127.0.0.1:9000");
  EXPECT_EQ(config.raplRoot, "/host/sys/class/powercap");
  EXPECT_FALSE(config.checks.clockSynchronized);
  EXPECT_EQ(config.checks.minFreeDiskBytes, 1073741824U);
  EXPECT_EQ(config.checks.diskPath, "/var/lib/containerd");
  ASSERT_EQ(config.checks.commands.size(), 1U);
  EXPECT_EQ(config.checks.commands[0].name, "gpu");
  EXPECT_THAT(config.checks.commands[0].argv, ::testing::ElementsAre("/usr/bin/nvidia-smi", "-L"));
  EXPECT_EQ(config.checks.commands[0].timeout, std::chrono::seconds(5));
}

TEST(AgentConfig, DefaultsAreLoopbackAndStandardPaths) {
  const auto config = parse("scheduledMachine: {namespace: a, name: b}\n");
  EXPECT_EQ(config.healthAddress, "127.0.0.1:8082");
  EXPECT_EQ(config.procRoot, "/proc");
  EXPECT_EQ(config.raplRoot, "/sys/class/powercap");
  EXPECT_EQ(config.heartbeatInterval, std::chrono::seconds(30));
  EXPECT_TRUE(config.checks.clockSynchronized);
}

TEST(AgentConfig, EveryBadFieldIsNamed) {
  EXPECT_THAT(errorOf("mode: laptop\n"), HasSubstr("mode must be host or node"));
  EXPECT_THAT(errorOf("heartbeatIntervalSeconds: 0\n"), HasSubstr("agent.conf: heartbeatIntervalSeconds"));
  EXPECT_THAT(errorOf("heartbeatIntervalSeconds: 30s\n"), HasSubstr("must be an integer"));
  EXPECT_THAT(errorOf("procRoot: proc\n"), HasSubstr("procRoot must be an absolute path"));
  EXPECT_THAT(errorOf("scheduledMachine: {namespace: a, nmae: b}\n"),
              HasSubstr("scheduledMachine.nmae is not a known field"));
  EXPECT_THAT(errorOf("hearbeatIntervalSeconds: 5\n"), HasSubstr("hearbeatIntervalSeconds is not a known field"));
  EXPECT_THAT(errorOf("checks: {minFreeDiskBytes: -1}\n"), HasSubstr("checks.minFreeDiskBytes must be between"));
  EXPECT_THAT(errorOf("checks: {containerRuntimeSockets: [\"\"]}\n"),
              HasSubstr("checks.containerRuntimeSockets[0] must be a non-empty string"));
  EXPECT_THAT(errorOf("checks: {commands: [{name: x}]}\n"), HasSubstr("checks.commands[0].command is required"));
  EXPECT_THAT(errorOf("checks: {commands: [{name: x, command: [sh]}]}\n"),
              HasSubstr("checks.commands[0].command[0] must be an absolute path"));
  EXPECT_THAT(errorOf("checks: {commands: [{name: x, command: [/bin/true]}, {name: x, command: [/bin/true]}]}\n"),
              HasSubstr("checks.commands[1].name is a duplicate"));
  EXPECT_THAT(errorOf("checks: {commands: [{name: x, command: [/bin/true], timeoutSeconds: 0}]}\n"),
              HasSubstr("checks.commands[0].timeoutSeconds must be between 1 and 3600"));
  EXPECT_THAT(errorOf("energy: {raplRoot: 3}\n"), HasSubstr("energy.raplRoot must be a string"));
  EXPECT_THAT(errorOf("- a list\n"), HasSubstr("must be a mapping"));
}

TEST(AgentConfig, ModeRulesApplyAfterOverrides) {
  AgentConfig host = parse("mode: host\n");
  EXPECT_THROW(validateAgentConfig(host, "agent.conf"), ConfigError);  // no ScheduledMachine

  AgentConfig node = parse("mode: host\n");
  ConfigOverrides overrides;
  overrides.mode = Mode::Node;
  applyOverrides(node, overrides);
  EXPECT_THROW(validateAgentConfig(node, "agent.conf"), ConfigError);  // no node name
  overrides.nodeName = "worker-3";
  overrides.procRoot = "/host/proc";
  overrides.healthPort = 9100;
  overrides.once = true;
  applyOverrides(node, overrides);
  EXPECT_NO_THROW(validateAgentConfig(node, "agent.conf"));
  EXPECT_EQ(node.nodeName, "worker-3");
  EXPECT_EQ(node.procRoot, "/host/proc");
  EXPECT_EQ(node.healthAddress, "127.0.0.1:9100");
  overrides.healthAddress = "0.0.0.0:8082";
  overrides.healthPort.reset();
  applyOverrides(node, overrides);
  EXPECT_EQ(node.healthAddress, "0.0.0.0:8082");
  EXPECT_TRUE(node.once);
}

TEST(AgentConfig, LoadReadsTheFileAndReportsMissingOrMalformedFiles) {
  const testing::TempDir dir;
  const auto file = dir.write("agent.conf", "scheduledMachine: {namespace: fleet, name: gpu-7}\n");
  EXPECT_EQ(loadAgentConfig(file.string(), {}, true).scheduledMachineName, "gpu-7");
  EXPECT_THROW(loadAgentConfig((dir.path() / "missing.conf").string(), {}, true), ConfigError);
  ConfigOverrides node;
  node.mode = Mode::Node;
  node.nodeName = "worker-1";
  EXPECT_EQ(loadAgentConfig((dir.path() / "missing.conf").string(), node, false).nodeName, "worker-1");
  const auto broken = dir.write("broken.conf", "checks: [unclosed\n");
  EXPECT_THROW(loadAgentConfig(broken.string(), {}, true), ConfigError);
}

}  // namespace
}  // namespace fivespot::agent
