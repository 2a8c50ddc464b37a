// Agent footprint: RSS and CPU of an idle host-mode fivespot-agent against the API test server.
// The agent talks to logind on the system bus, so a private dbus-daemon with the fake logind of
// tests/dbus/fake_login1.py stands in for the host's.
//
//   agent_footprint_bench [--idle-seconds 20]
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_support.hpp"

namespace fivespot::bench {
namespace {

using namespace std::chrono_literals;
constexpr double kMiB = 1024.0 * 1024.0;

std::unique_ptr<ChildProcess> startPrivateSystemBus(const std::string& workDir, std::string& address) {
  address = "unix:path=" + workDir + "/system_bus_socket";
  auto bus = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + address,
                               "--print-address=1"},
      std::map<std::string, std::string>{}, workDir + "/dbus-daemon.log");
  if (!bus->waitForLine([](const std::string& line) { return line.rfind("unix:", 0) == 0; }, 10s)) {
    throw std::runtime_error("dbus-daemon did not start:\n" + bus->tail());
  }
  return bus;
}

int run(const Args& args) {
  const auto idleSeconds = args.getInt("idle-seconds", 20);
  const std::string workDir = makeWorkDir("agent-footprint");
  Report report("agent_footprint (host mode, " + std::to_string(idleSeconds) + " s idle)");

  TestServer server({workDir, false, false, {}});
  server.start();
  auto client = benchClient(server.kubeconfig());
  ensureNamespace(*client, "fleet");
  client->create(kube::resources::hostAgents(), "fleet",
                 {{"apiVersion", "5spot.finos.org/v1alpha1"},
                  {"kind", "HostAgent"},
                  {"metadata", {{"name", "host-1"}, {"namespace", "fleet"}}},
                  {"spec", {{"desiredPower", "On"}}}});

  std::string busAddress;
  auto bus = startPrivateSystemBus(workDir, busAddress);
  ChildProcess logind({"/usr/bin/python3", sourcePath("tests/dbus/fake_login1.py"), "--address", busAddress, "--record",
                       workDir + "/login1.jsonl"},
                      {}, workDir + "/fake_login1.log");
  if (!logind.waitForLine([](const std::string& line) { return line == "READY"; }, 20s)) {
    throw std::runtime_error("fake logind did not start:\n" + logind.tail());
  }

  const std::string config = workDir + "/agent.conf";
  std::ofstream(config) << "scheduledMachine:\n  namespace: fleet\n  name: host-1\n"
                        << "kubeconfig: " << server.kubeconfig() << "\nmode: host\n"
                        << "checks:\n  diskPath: /tmp\n  minFreeDiskBytes: 0\n"
                        << "healthAddress: 127.0.0.1:0\n";
  ChildProcess agent({programPath("fivespot-agent"), "--config", config}, {{"DBUS_SYSTEM_BUS_ADDRESS", busAddress}},
                     workDir + "/agent.log");
  // Idle starts once the first heartbeat reached the API (status written).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    const auto ha = client->get(kube::resources::hostAgents(), "fleet", "host-1");
    if (ha.contains("status")) break;
    if (!agent.running()) throw std::runtime_error("the agent exited:\n" + agent.tail());
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no heartbeat in 60 s:\n" + agent.tail());
    std::this_thread::sleep_for(100ms);  // poll interval of a bounded wait
  }
  const auto before = readProcessUsage(agent.pid());
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(idleSeconds));  // the idle period being measured
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto after = readProcessUsage(agent.pid());

  const double rssMiB = static_cast<double>(after.rssBytes) / kMiB;
  const double cpuPercent = (after.cpuSeconds - before.cpuSeconds) / wall * 100.0;
  report.add({"agent RSS", rssMiB, "MiB", "<= 8 MiB", rssMiB <= 8.0});
  report.add({"  RSS / goal", rssMiB / 8.0, "ratio", "<= 1", rssMiB <= 8.0});
  // Where the RSS is: the agent's own memory vs shared-library pages it shares with the host.
  report.add(
      {"  of which anonymous (heap, stacks)", static_cast<double>(after.anonBytes) / kMiB, "MiB", "", std::nullopt});
  report.add({"  of which file-backed (libraries, binary)", static_cast<double>(after.fileBytes) / kMiB, "MiB", "",
              std::nullopt});
  report.add({"agent PSS (shared pages split)", static_cast<double>(after.pssBytes) / kMiB, "MiB", "", std::nullopt});
  report.add({"agent CPU while idle", cpuPercent, "% of a core", "< 0.1 %", cpuPercent < 0.1});
  report.add({"  CPU time over the period", (after.cpuSeconds - before.cpuSeconds) * 1000, "ms", "", std::nullopt});
  report.note("CPU resolution is one clock tick (" + std::to_string(1000 / sysconf(_SC_CLK_TCK)) + " ms); logs in " +
              workDir);
  agent.stop();
  report.print();
  return 0;
}

}  // namespace
}  // namespace fivespot::bench

int main(int argc, char** argv) {
  return fivespot::bench::benchmarkMain("agent_footprint_bench", argc, argv, fivespot::bench::run);
}
