// Wake-on-LAN relayed by a node-mode agent (docs/power.md, "Wake-on-LAN relay"), with the real
// coordinator, cluster simulator and fivespot-agent binaries. A 5-Spot machine "relay" is Active
// and a node-mode agent reports for its Node. A machine "sleeper" names that Node as its
// spec.power.wakeOnLan.relayNode and has a host-mode agent that reports not ready (the host is
// "off"). When the sleeper's window opens, the coordinator writes the wake order into the
// sleeper's HostAgent; the relay agent sends the magic packet to a loopback UDP listener and
// acknowledges in its own HostAgent status; the coordinator's PoweredOn condition names the relay;
// the test then "boots" the sleeper and it goes Active. Exactly one packet arrives in all: the
// coordinator sends none itself.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/datagram_listener.hpp"
#include "scenario.hpp"

namespace fivespot::testing {
namespace {

namespace fs = std::filesystem;

constexpr milliseconds kTimeout = seconds(60);
constexpr const char* kMac = "02:00:5e:10:00:2a";
constexpr std::array<unsigned char, 6> kMacBytes{0x02, 0x00, 0x5e, 0x10, 0x00, 0x2a};
constexpr const char* kRelayLabel = "5spot.finos.org/wake-relay-node";

std::optional<Json> conditionOf(const Json& object, const std::string& type) {
  for (const auto& c : object.value(Json::json_pointer("/status/conditions"), Json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return std::nullopt;
}

// An agent's configuration with only the readiness checks that hold on a test machine, plus
// `commands` (command checks). Neither agent is ever ordered off in this test; their system bus
// is a socket nobody listens on, so a wrong order could never reach the real host's logind.
Json agentConfig(const std::string& kubeconfig, const fs::path& dir, const Json& commands) {
  fs::create_directories(dir / "cgroup");  // no kubepods cgroups: nothing to drain
  fs::create_directories(dir / "powercap");
  return {{"kubeconfig", kubeconfig},
          {"heartbeatIntervalSeconds", 1},
          {"maxBackoffSeconds", 2},
          {"checks",
           {{"clockSynchronized", false},
            {"minFreeDiskBytes", 0},
            {"containerRuntimeSockets", Json::array()},
            {"commands", commands}}},
          {"energy", {{"raplRoot", (dir / "powercap").string()}}},
          {"cgroupRoot", (dir / "cgroup").string()},
          {"healthAddress", "127.0.0.1:0"}};
}

ChildProcess& startAgent(Scenario& s, const std::string& logName, const fs::path& dir, const Json& config,
                         std::map<std::string, std::string> env) {
  const fs::path path = dir / "agent.conf";
  std::ofstream(path) << config.dump(2) << '\n';  // JSON is YAML
  env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + (dir / "no-system-bus").string();
  return s.env().start(logName, {binaryPath("fivespot-agent"), "--config", path.string(), "--health-port", "0"}, env);
}

std::optional<Json> hostAgent(Scenario& s, const std::string& name) {
  return s.client().getIfExists(kube::resources::hostAgents(), s.ns(), name);
}

std::string heartbeatOf(Scenario& s, const std::string& name) {
  const auto agent = hostAgent(s, name);
  return agent ? agent->value(Json::json_pointer("/status/lastHeartbeat"), std::string()) : std::string();
}

// The relay's acknowledgement of `target` ("namespace/name"), if any.
std::optional<Json> relayedWake(const Json& relayAgent, const std::string& target) {
  for (const auto& wake : relayAgent.value(Json::json_pointer("/status/relayedWakes"), Json::array())) {
    if (wake.value("hostAgent", "") == target) return wake;
  }
  return std::nullopt;
}

// Waits until `name`'s agent has reported twice more after this call: the second of those
// heartbeats started after the call, so anything it would send has been sent.
bool twoMoreHeartbeats(Scenario& s, const std::string& name) {
  for (int beat = 0; beat < 2; ++beat) {
    const std::string before = heartbeatOf(s, name);
    if (!eventually([&] { return heartbeatOf(s, name) != before; }, kTimeout)) return false;
  }
  return true;
}

TEST(WakeRelay, NodeModeAgentSendsTheWakeOrderAndAcknowledgesIt) {
  Scenario s("wake-relay");
  DatagramListener wakeOnLan;
  s.startSimulator();
  s.startCoordinator("solo");
  const fs::path work = s.env().workDir();

  // The relay: a 5-Spot machine that is on, with a node-mode agent reporting for its Node.
  s.create(s.scheduledMachine("relay"));
  ASSERT_TRUE(s.waitForPhase("relay", "Active", kTimeout)) << s.phase("relay") << s.env().logs();
  const std::string relayNode = s.get("relay")->value(Json::json_pointer("/status/nodeRef/name"), std::string());
  ASSERT_FALSE(relayNode.empty()) << s.get("relay")->dump(2);
  // The node-mode agent finds its HostAgent by spec.nodeName, which the coordinator projects.
  ASSERT_TRUE(eventually(
      [&] {
        const auto agent = hostAgent(s, "relay");
        return agent && agent->value(Json::json_pointer("/spec/nodeName"), std::string()) == relayNode;
      },
      kTimeout));
  Json relayConfig = agentConfig(s.env().kubeconfig(), work / "relay", Json::array());
  relayConfig["mode"] = "node";
  startAgent(s, "agent-relay", work / "relay", relayConfig, {{"NODE_NAME", relayNode}});
  ASSERT_TRUE(eventually(
      [&] {
        const auto agent = hostAgent(s, "relay");
        return agent && agent->value(Json::json_pointer("/status/mode"), std::string()) == "node" &&
               !agent->value(Json::json_pointer("/status/lastHeartbeat"), std::string()).empty();
      },
      kTimeout))
      << s.env().logs();

  // The sleeper: woken through the relay, its host-mode agent reporting "off" (not ready). The
  // window stays shut until the agent has reported, so the coordinator waits for it.
  const fs::path sleeperDir = work / "sleeper";
  const fs::path poweredOn = sleeperDir / "powered-on";
  Json sm = s.scheduledMachine("sleeper", seconds(3600));
  sm["spec"]["power"] = {
      {"wakeOnLan", {{"mac", kMac}, {"broadcast", "127.0.0.1"}, {"port", wakeOnLan.port()}, {"relayNode", relayNode}}}};
  s.create(sm);
  ASSERT_TRUE(eventually([&] { return hostAgent(s, "sleeper").has_value(); }, kTimeout));
  Json sleeperConfig = agentConfig(
      s.env().kubeconfig(), sleeperDir,
      Json::array(
          {{{"name", "powered-on"}, {"command", {"/usr/bin/test", "-e", poweredOn.string()}}, {"timeoutSeconds", 5}}}));
  sleeperConfig["mode"] = "host";
  sleeperConfig["scheduledMachine"] = {{"namespace", s.ns()}, {"name", "sleeper"}};
  startAgent(s, "agent-sleeper", sleeperDir, sleeperConfig, {});
  ASSERT_TRUE(eventually([&] { return !heartbeatOf(s, "sleeper").empty(); }, kTimeout)) << s.env().logs();
  EXPECT_TRUE(wakeOnLan.received().empty()) << "no packet while the window is shut";

  // The window opens: the wake order goes into the sleeper's own HostAgent, labelled for the relay.
  s.patchSpec("sleeper", {{"schedule", {{"exclusions", Json::array()}}}});
  std::optional<Json> order;
  ASSERT_TRUE(eventually(
      [&] {
        const auto agent = hostAgent(s, "sleeper");
        if (!agent || !agent->value(Json::json_pointer("/spec/wake"), Json()).is_object()) return false;
        order = agent;
        return true;
      },
      kTimeout))
      << s.env().logs();
  const Json wake = (*order)["spec"]["wake"];
  EXPECT_EQ(order->at("metadata").value("labels", Json::object()).value(kRelayLabel, ""), relayNode) << order->dump(2);
  EXPECT_EQ(wake.value("relayNode", ""), relayNode);
  EXPECT_EQ(wake.value("mac", ""), kMac);
  EXPECT_EQ(wake.value("broadcast", ""), "127.0.0.1");
  EXPECT_EQ(wake.value("port", 0), wakeOnLan.port());
  EXPECT_FALSE(wake.value("expiresAt", "").empty());
  const int generation = wake.value("generation", 0);
  EXPECT_GT(generation, 0);
  EXPECT_EQ(generation, order->value(Json::json_pointer("/spec/commandGeneration"), -1)) << order->dump(2);

  // The relay sends the magic packet: 102 bytes, six 0xff and the sleeper's MAC sixteen times.
  ASSERT_TRUE(eventually([&] { return !wakeOnLan.received().empty(); }, kTimeout)) << s.env().logs();
  EXPECT_EQ(wakeOnLan.received().front().size(), 102u);
  EXPECT_EQ(wakeOnLan.received().front(), magicPacket(kMacBytes));

  // ... and acknowledges it in its own HostAgent, with the order's generation.
  const std::string target = s.ns() + "/sleeper";
  std::optional<Json> ack;
  ASSERT_TRUE(eventually(
      [&] {
        const auto relay = hostAgent(s, "relay");
        return relay && (ack = relayedWake(*relay, target)).has_value();
      },
      kTimeout))
      << hostAgent(s, "relay")->dump(2) << s.env().logs();
  EXPECT_EQ(ack->value("generation", 0), generation) << ack->dump();
  const std::string sentAt = ack->value("sentAt", "");
  EXPECT_FALSE(sentAt.empty());
  EXPECT_TRUE(hostAgent(s, "sleeper")->value(Json::json_pointer("/status/relayedWakes"), Json::array()).empty())
      << "the acknowledgement is in the relay's HostAgent, not the target's";

  // The coordinator follows the acknowledgement while it waits for the sleeper's agent.
  const std::string relayedBy = "wake relayed by " + relayNode + " at " + sentAt;
  std::optional<Json> poweredOnCondition;
  ASSERT_TRUE(eventually(
      [&] {
        poweredOnCondition = conditionOf(*s.get("sleeper"), "PoweredOn");
        return poweredOnCondition && poweredOnCondition->value("message", "").find(relayedBy) != std::string::npos;
      },
      kTimeout))
      << s.get("sleeper")->dump(2) << s.env().logs();
  EXPECT_EQ(poweredOnCondition->value("status", ""), "Unknown");
  EXPECT_EQ(s.phase("sleeper"), "Scheduled");
  EXPECT_TRUE(s.machines("sleeper").empty()) << "no Machine before the sleeper's agent reports ready";

  // The host boots: its agent reports ready and the machine goes Active.
  std::ofstream(poweredOn) << "on\n";
  ASSERT_TRUE(s.waitForPhase("sleeper", "Active", kTimeout)) << s.phase("sleeper") << s.env().logs();
  EXPECT_EQ(conditionOf(*s.get("sleeper"), "PoweredOn").value_or(Json::object()).value("status", ""), "True");

  // One packet in all: the coordinator sent none itself, and the relay does not send an
  // acknowledged order again on its later heartbeats.
  ASSERT_TRUE(twoMoreHeartbeats(s, "relay")) << s.env().logs();
  EXPECT_EQ(wakeOnLan.received().size(), 1u) << s.env().logs();
  EXPECT_EQ(relayedWake(*hostAgent(s, "relay"), target).value_or(Json::object()).value("sentAt", ""), sentAt);
}

}  // namespace
}  // namespace fivespot::testing
