// The full power cycle with a real fivespot-agent in host mode: the coordinator creates the
// HostAgent, the window opens and a Wake-on-LAN packet reaches a loopback UDP listener (the test
// then "boots" the host), the agent reports ready, the machine goes Active; the window closes, the
// node drains, the agent confirms, the coordinator orders the power-off and the agent calls
// logind (a fake login1 service on a private dbus-daemon): Inhibit, then PowerOff(false).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "scenario.hpp"

namespace fivespot::testing {
namespace {

namespace fs = std::filesystem;

constexpr milliseconds kTimeout = seconds(60);
constexpr const char* kMac = "02:00:5e:10:00:01";

// A UDP socket on 127.0.0.1 that collects Wake-on-LAN magic packets.
class MagicPacketListener {
 public:
  MagicPacketListener() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket(AF_INET, SOCK_DGRAM) failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(fd_);
      throw std::runtime_error("binding a loopback UDP port failed");
    }
    port_ = ntohs(address.sin_port);
  }
  ~MagicPacketListener() { ::close(fd_); }
  MagicPacketListener(const MagicPacketListener&) = delete;
  MagicPacketListener& operator=(const MagicPacketListener&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }

  // True once a magic packet for `mac` (6 x 0xff, then the MAC 16 times) has arrived.
  bool received(const std::array<unsigned char, 6>& mac) {
    std::array<unsigned char, 512> packet{};
    for (;;) {
      const ssize_t size = ::recv(fd_, packet.data(), packet.size(), 0);
      if (size < 0) return false;  // EAGAIN: nothing (more) yet
      if (size >= 102 && isMagicPacket(packet.data(), mac)) return true;
    }
  }

 private:
  static bool isMagicPacket(const unsigned char* packet, const std::array<unsigned char, 6>& mac) {
    for (int i = 0; i < 6; ++i) {
      if (packet[i] != 0xff) return false;
    }
    for (int repeat = 0; repeat < 16; ++repeat) {
      if (!std::equal(mac.begin(), mac.end(), packet + 6 + repeat * 6)) return false;
    }
    return true;
  }

  int fd_;
  int port_ = 0;
};

bool conditionIs(const Json& object, const std::string& type, const std::string& status) {
  for (const auto& c : object.value(Json::json_pointer("/status/conditions"), Json::array())) {
    if (c.value("type", "") == type && c.value("status", "") == status) return true;
  }
  return false;
}

// A host: a private system bus with the fake logind on it, and the agent's configuration. Only
// the checks that hold here are configured; the "powered-on" command check models the power
// state (the host "boots" when the test creates the marker after the magic packet).
struct Host {
  fs::path dir;
  fs::path poweredOnMarker;
  std::string busAddress;
  ChildProcess* logind = nullptr;

  void writeAgentConfig(const fs::path& path, const std::string& ns, const std::string& name,
                        const std::string& kubeconfig) const {
    const Json config = {{"scheduledMachine", {{"namespace", ns}, {"name", name}}},
                         {"kubeconfig", kubeconfig},
                         {"mode", "host"},
                         {"heartbeatIntervalSeconds", 1},
                         {"maxBackoffSeconds", 2},
                         {"checks",
                          {{"clockSynchronized", false},
                           {"minFreeDiskBytes", 0},
                           {"containerRuntimeSockets", Json::array()},
                           {"commands",
                            {{{"name", "powered-on"},
                              {"command", {"/usr/bin/test", "-e", poweredOnMarker.string()}},
                              {"timeoutSeconds", 5}}}}}},
                         {"energy", {{"raplRoot", (dir / "powercap").string()}}},
                         {"cgroupRoot", (dir / "cgroup").string()},  // no kubepods cgroups: drained
                         {"healthAddress", "127.0.0.1:0"}};
    std::ofstream(path) << config.dump(2) << '\n';  // JSON is YAML
  }
};

Host startHost(Scenario& s) {
  Host host;
  host.dir = fs::path(s.env().workDir()) / "host";
  host.poweredOnMarker = host.dir / "powered-on";
  fs::create_directories(host.dir / "cgroup");
  fs::create_directories(host.dir / "powercap");
  const std::string socket = (host.dir / "system_bus_socket").string();
  ChildProcess& bus =
      s.env().start("dbus-daemon", {"/usr/bin/dbus-daemon", "--session", "--address=unix:path=" + socket, "--nofork",
                                    "--nopidfile", "--print-address=1"});
  host.busAddress =
      bus.waitForLine([](const std::string& line) { return line.starts_with("unix:"); }, kTimeout).value_or("");
  if (host.busAddress.empty()) throw std::runtime_error("dbus-daemon did not print its address");
  host.logind = &s.env().start("fake-logind", {"/usr/bin/python3", sourcePath("tests/dbus/fake_login1.py"), "--address",
                                               host.busAddress, "--record", (host.dir / "logind.jsonl").string()});
  if (!host.logind->waitForLine([](const std::string& line) { return line == "READY"; }, kTimeout)) {
    throw std::runtime_error("the fake logind did not start");
  }
  return host;
}

std::optional<Json> logindCall(Host& host, const std::string& call) {
  const auto line = host.logind->waitForLine(
      [&](const std::string& text) {
        return text.starts_with("{") && Json::parse(text, nullptr, false).value("call", "") == call;
      },
      kTimeout);
  if (!line) return std::nullopt;
  return Json::parse(*line);
}

TEST(AgentCycle, WakeOnLanAgentReadyActiveDrainConfirmPowerOff) {
  if (!fs::exists("/usr/bin/dbus-daemon")) GTEST_SKIP() << "dbus-daemon is not installed";
  Scenario s("agent-cycle");
  MagicPacketListener wakeOnLan;
  Host host = startHost(s);
  s.startSimulator();
  s.startCoordinator("solo");

  Json sm = s.scheduledMachine("gpu", seconds(4));
  sm["spec"]["power"] = {{"wakeOnLan", {{"mac", kMac}, {"broadcast", "127.0.0.1"}, {"port", wakeOnLan.port()}}}};
  s.create(sm);

  // The coordinator creates the HostAgent, controlled by the ScheduledMachine.
  std::optional<Json> hostAgent;
  ASSERT_TRUE(eventually(
      [&] { return (hostAgent = s.client().getIfExists(kube::resources::hostAgents(), s.ns(), "gpu")).has_value(); },
      kTimeout));
  const Json owner = hostAgent->value(Json::json_pointer("/metadata/ownerReferences/0"), Json::object());
  EXPECT_EQ(owner.value("kind", ""), "ScheduledMachine");
  EXPECT_EQ(owner.value("uid", ""), s.get("gpu")->value(Json::json_pointer("/metadata/uid"), std::string()));
  EXPECT_TRUE(owner.value("controller", false));

  // The agent runs on the (still powered-off) host and reports not ready.
  const fs::path config = host.dir / "agent.conf";
  host.writeAgentConfig(config, s.ns(), "gpu", s.env().kubeconfig());
  s.env().start("agent", {binaryPath("fivespot-agent"), "--config", config.string(), "--health-port", "0"},
                {{"DBUS_SYSTEM_BUS_ADDRESS", host.busAddress}});
  ASSERT_TRUE(eventually(
      [&] {
        const auto agent = s.client().getIfExists(kube::resources::hostAgents(), s.ns(), "gpu");
        return agent && !agent->value(Json::json_pointer("/status/lastHeartbeat"), std::string()).empty();
      },
      kTimeout));

  // Window opens: the magic packet arrives; the host boots; the agent reports ready; Active.
  const std::array<unsigned char, 6> mac{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
  ASSERT_TRUE(eventually([&] { return wakeOnLan.received(mac); }, kTimeout)) << s.env().logs();
  EXPECT_TRUE(s.machines("gpu").empty()) << "no Machine before the agent reports ready";
  std::ofstream(host.poweredOnMarker) << "on\n";
  ASSERT_TRUE(s.waitForPhase("gpu", "Active", kTimeout)) << s.phase("gpu") << s.env().logs();
  EXPECT_TRUE(conditionIs(*s.get("gpu"), "AgentReady", "True"));

  // Window closes: drain, the agent's confirmation, the Machine's deletion, the power-off order.
  s.closeWindowIn("gpu", seconds(1));
  const auto inhibit = logindCall(host, "Inhibit");
  ASSERT_TRUE(inhibit) << s.env().logs();
  EXPECT_EQ(inhibit->value("mode", ""), "delay");
  const auto powerOff = logindCall(host, "PowerOff");
  ASSERT_TRUE(powerOff) << s.env().logs();
  EXPECT_FALSE(powerOff->value("interactive", true));
  ASSERT_TRUE(s.waitForPhase("gpu", "UnScheduled", kTimeout)) << s.phase("gpu") << s.env().logs();
  EXPECT_TRUE(s.machines("gpu").empty());

  const auto agent = s.client().get(kube::resources::hostAgents(), s.ns(), "gpu");
  const auto spec = agent.value("spec", Json::object());
  EXPECT_EQ(spec.value("desiredPower", ""), "Off");
  EXPECT_EQ(spec.value("powerOffGeneration", 0), spec.value("commandGeneration", -1));
  EXPECT_GE(agent.value(Json::json_pointer("/status/drainConfirmedGeneration"), 0),
            spec.value("drainConfirmationGeneration", 1));
  EXPECT_EQ(agent.value(Json::json_pointer("/status/powerOffAcknowledgedGeneration"), 0),
            spec.value("powerOffGeneration", -1));
  const auto removed = s.get("gpu");
  EXPECT_TRUE(conditionIs(*removed, "Drained", "True")) << removed->dump(2);
}

}  // namespace
}  // namespace fivespot::testing
