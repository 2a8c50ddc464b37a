// The full power cycle with a real fivespot-agent in host mode: the coordinator creates the
// HostAgent, the window opens and a Wake-on-LAN packet reaches a loopback UDP listener (the test
// then "boots" the host), the agent reports ready, the machine goes Active; the window closes, the
// node drains, the agent confirms, the coordinator orders the power-off and the agent calls
// logind (a fake login1 service on a private dbus-daemon): Inhibit, then PowerOff(false). The
// coordinator then accounts the off period, and the real `kubectl 5spot report` shows it (table,
// JSON and SVG) with its source.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/datagram_listener.hpp"
#include "scenario.hpp"

namespace fivespot::testing {
namespace {

namespace fs = std::filesystem;

constexpr milliseconds kTimeout = seconds(60);
constexpr const char* kMac = "02:00:5e:10:00:01";

// True once a magic packet for `mac` reached the listener.
bool receivedMagicPacket(DatagramListener& listener, const std::array<unsigned char, 6>& mac) {
  const auto& received = listener.received();
  return std::find(received.begin(), received.end(), magicPacket(mac)) != received.end();
}

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

// Runs a program to completion (the CLI under test, a checker) and returns its output lines.
std::vector<std::string> runToCompletion(Scenario& s, const std::string& logName, std::vector<std::string> argv) {
  ChildProcess& process = s.env().start(logName, std::move(argv));
  const auto exitCode = process.wait(kTimeout);
  if (exitCode != 0) throw std::runtime_error(logName + " failed:\n" + process.tail());
  return process.lines();
}

// Whitespace-separated cells of the first line starting with `prefix`.
std::vector<std::string> rowStartingWith(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const auto& line : lines) {
    if (!line.starts_with(prefix)) continue;
    std::istringstream cells(line);
    std::vector<std::string> row;
    for (std::string cell; cells >> cell;) row.push_back(cell);
    return row;
  }
  return {};
}

// The JSON document in the output: from the line "{" on (warnings on stderr may precede it).
Json jsonDocument(const std::vector<std::string>& lines) {
  std::string text;
  bool inside = false;
  for (const auto& line : lines) {
    inside = inside || line == "{";
    if (inside) text += line + "\n";
  }
  return Json::parse(text);
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
  DatagramListener wakeOnLan;
  Host host = startHost(s);
  s.startSimulator();
  s.startCoordinator("solo");

  Json sm = s.scheduledMachine("gpu", seconds(4));
  // Declared figures: the test host has no readable RAPL counters and no BMC.
  sm["spec"]["power"] = {{"wakeOnLan", {{"mac", kMac}, {"broadcast", "127.0.0.1"}, {"port", wakeOnLan.port()}}},
                         {"idleWatts", 150},
                         {"standbyWatts", 6}};
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
  ASSERT_TRUE(eventually([&] { return receivedMagicPacket(wakeOnLan, mac); }, kTimeout)) << s.env().logs();
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
  // One order per step, none repeated (a reconcile on a cache behind the coordinator's own status
  // write used to ask for a second drain confirmation). The host was woken by WoL, not by an
  // order, so: drain confirmation 1, power-off 2.
  EXPECT_EQ(spec.value("drainConfirmationGeneration", 0), 1) << agent.dump(2);
  EXPECT_EQ(spec.value("commandGeneration", 0), 2) << agent.dump(2);
  EXPECT_GE(agent.value(Json::json_pointer("/status/drainConfirmedGeneration"), 0),
            spec.value("drainConfirmationGeneration", 1));
  EXPECT_EQ(agent.value(Json::json_pointer("/status/powerOffAcknowledgedGeneration"), 0),
            spec.value("powerOffGeneration", -1));
  const auto removed = s.get("gpu");
  EXPECT_TRUE(conditionIs(*removed, "Drained", "True")) << removed->dump(2);

  // The acknowledged power-off opens an off period in status.powerSavings.
  ASSERT_TRUE(eventually(
      [&] { return !s.get("gpu")->value(Json::json_pointer("/status/powerSavings/offSince"), std::string()).empty(); },
      kTimeout))
      << s.get("gpu")->dump(2) << s.env().logs();

  // `kubectl 5spot report` counts the running period: seconds off, at (150 - 6) W, declared.
  const fs::path svg = host.dir / "report.svg";
  const std::vector<std::string> kubeFlags{"--kubeconfig", s.env().kubeconfig(), "-n", s.ns()};
  std::vector<std::string> tableArgs{binaryPath("kubectl-5spot"), "report", "--svg", svg.string()};
  tableArgs.insert(tableArgs.end(), kubeFlags.begin(), kubeFlags.end());
  const auto table = runToCompletion(s, "report-table", tableArgs);
  std::string tableText;
  for (const auto& line : table) tableText += line + "\n";
  const auto row = rowStartingWith(table, s.ns() + "/gpu");
  ASSERT_EQ(row.size(), 5u) << tableText;  // NAME PHASE HOURS KWH SOURCE
  EXPECT_EQ(row[1], "UnScheduled") << tableText;
  EXPECT_GT(std::stod(row[2]), 0) << "hours off, printed with significant digits: " << tableText;
  EXPECT_GT(std::stod(row[3]), 0) << "kWh saved: " << tableText;
  EXPECT_EQ(row[4], "declared") << tableText;
  const auto total = rowStartingWith(table, "TOTAL (1 machines)");
  ASSERT_EQ(total.size(), 5u) << tableText;  // TOTAL (1 machines) HOURS KWH
  EXPECT_EQ(total[3], row[2]) << tableText;
  EXPECT_EQ(total[4], row[3]) << tableText;

  std::vector<std::string> jsonArgs{binaryPath("kubectl-5spot"), "report", "--output", "json"};
  jsonArgs.insert(jsonArgs.end(), kubeFlags.begin(), kubeFlags.end());
  const Json report = jsonDocument(runToCompletion(s, "report-json", jsonArgs));
  ASSERT_EQ(report["machines"].size(), 1u) << report.dump(2);
  const Json& machine = report["machines"][0];
  EXPECT_EQ(machine["name"], "gpu");
  EXPECT_GT(machine["hoursOff"].get<double>(), 0);
  EXPECT_GT(machine["energySavedWh"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(machine["energySavedWh"].get<double>(), machine["hoursOff"].get<double>() * 144);
  EXPECT_EQ(machine["source"], "declared");
  EXPECT_DOUBLE_EQ(machine["netWatts"].get<double>(), 144);
  EXPECT_FALSE(machine["offSince"].get<std::string>().empty());
  EXPECT_EQ(report["total"]["machines"], 1);
  EXPECT_EQ(report["total"]["withoutPowerFigure"], 0);
  EXPECT_GT(report["total"]["energySavedWh"].get<double>(), 0);

  // The SVG parses as XML and has one machine with one group of on/off bands.
  const auto counts = runToCompletion(
      s, "svg-check",
      {"/usr/bin/python3", "-c",
       "import sys, xml.etree.ElementTree as ET\n"
       "root = ET.parse(sys.argv[1]).getroot()\n"
       "ns = '{http://www.w3.org/2000/svg}'\n"
       "machines = [g for g in root.iter(ns + 'g') if g.get('class') == 'machine']\n"
       "print(len(machines), sum(1 for m in machines for g in m.iter(ns + 'g') if g.get('class') == 'bands'),\n"
       "      machines[0].get('data-machine') if machines else '')\n",
       svg.string()});
  ASSERT_FALSE(counts.empty());
  EXPECT_EQ(counts.back(), "1 1 " + s.ns() + "/gpu");
}

}  // namespace
}  // namespace fivespot::testing
