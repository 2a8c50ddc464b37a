// Window-edge lag: N ScheduledMachines whose windows open at the same second. Measures, per
// machine, the delay from the edge to the Machine's ADDED watch event (client receive time; the
// Machine's creationTimestamp has 1 s resolution) and to the first status update that reports the
// machine in its window.
//
//   edge_lag_bench [--machines 200] [--max-concurrent-adds N] [--workers N] [--kube-api-qps Q --kube-api-burst B]
//                  [--kubeconfig FILE [--external-coordinator]] [--timeout 120]
//
// --workers and --kube-api-qps/--kube-api-burst are passed to the coordinator when given (its
// defaults otherwise): every add is about five API writes, so with N simultaneous edges the
// client-side rate limit, not the reaction to the edge, sets the tail once 5 N exceeds the burst.
//
// --max-concurrent-adds defaults to --machines: the limit is the operator's throttle on how many
// hosts boot at once (a slot is held until the node is Ready), so with the default of 10 the
// figure would measure the throttle and the simulated boot time, not the reaction to the edge.
//
// With --kubeconfig the cluster is used as it is (no test server, no simulator); the coordinator is
// started locally against it unless --external-coordinator says one already runs there.
#include <iostream>
#include <mutex>
#include <thread>

#include "bench_support.hpp"
#include "fivespot/api/types.hpp"

namespace fivespot::bench {
namespace {

using namespace std::chrono_literals;
using SystemTime = std::chrono::system_clock::time_point;

struct Arrivals {
  std::mutex mutex;
  std::map<std::string, SystemTime> machineAdded;    // by ScheduledMachine name
  std::map<std::string, SystemTime> statusInWindow;  // by ScheduledMachine name
  std::size_t size(const std::map<std::string, SystemTime>& m) {
    std::lock_guard lock(mutex);
    return m.size();
  }
};

std::string ownerName(const Json& machine) {
  const auto& labels = machine["metadata"].value("labels", Json::object());
  if (labels.contains(api::kScheduledMachineLabel)) return labels[api::kScheduledMachineLabel].get<std::string>();
  return machine["metadata"].value("name", "");
}

// Records the first receive time per key of events that satisfy `interesting`, until cancelled.
void recordArrivals(kube::Watch& watch, const std::function<std::optional<std::string>(const kube::WatchEvent&)>& key,
                    std::map<std::string, SystemTime>& into, std::mutex& mutex) {
  while (auto event = watch.next()) {
    const auto received = std::chrono::system_clock::now();
    if (auto name = key(*event)) {
      std::lock_guard lock(mutex);
      into.emplace(*name, received);
    }
  }
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(100ms);  // poll interval of a bounded wait
  }
  return false;
}

// Machines the coordinator has seen and put out of their window (phase UnScheduled).
std::size_t countUnScheduled(kube::Client& client, const std::string& ns) {
  std::size_t count = 0;
  for (const auto& sm : client.listAll(kube::resources::scheduledMachines(), ns).items) {
    if (sm.value("status", Json::object()).value("phase", "") == "UnScheduled") ++count;
  }
  return count;
}

void addLagFigures(Report& report, const std::string& what, const std::map<std::string, SystemTime>& arrivals,
                   SystemTime edge, std::size_t expected) {
  std::vector<double> lags;
  for (const auto& [name, at] : arrivals) lags.push_back(secondsSince(edge, at));
  report.add({what + ": arrived", static_cast<double>(lags.size()), "of " + std::to_string(expected), "all",
              lags.size() == expected});
  if (lags.empty()) return;
  const double p99 = percentile(lags, 99);
  report.add({what + ": p50", percentile(lags, 50), "s", "", std::nullopt});
  report.add({what + ": p99", p99, "s", "< 1 s", p99 < 1.0});
  report.add({what + ": max", percentile(lags, 100), "s", "", std::nullopt});
  report.add({what + ": p99 / goal", p99 / 1.0, "ratio", "< 1", p99 < 1.0});
}

int run(const Args& args) {
  const auto machines = static_cast<int>(args.getInt("machines", 200));
  const auto timeout = std::chrono::seconds(args.getInt("timeout", 120));
  const auto maxConcurrentAdds = args.getInt("max-concurrent-adds", machines);
  const std::string workDir = makeWorkDir("edge-lag");
  Report report("edge_lag (" + std::to_string(machines) + " machines)");

  std::unique_ptr<TestServer> server;
  std::unique_ptr<ChildProcess> sim;
  std::string kubeconfig = args.get("kubeconfig", "");
  if (kubeconfig.empty()) {
    server = std::make_unique<TestServer>(ServerOptions{workDir, false, false, {}});
    server->start();
    kubeconfig = server->kubeconfig();
    sim = startClusterSim(kubeconfig, workDir + "/cluster-sim.log", 0.05);
  }
  auto client = benchClient(kubeconfig);
  if (server) installTestCrds(*client);
  const std::string ns = "edge-lag-" + std::to_string(getpid());
  ensureNamespace(*client, ns);
  for (int i = 0; i < machines; ++i) {
    createScheduledMachine(*client, scheduledMachine(ns, "edge-" + std::to_string(i), "bench", scheduleOutOfWindow()));
  }

  std::optional<CoordinatorProcess> coordinator;
  if (!args.has("external-coordinator")) {
    std::vector<std::string> flags{"--max-concurrent-adds", std::to_string(maxConcurrentAdds)};
    report.add({"--max-concurrent-adds", static_cast<double>(maxConcurrentAdds), "", "", std::nullopt});
    for (const char* passed : {"workers", "kube-api-qps", "kube-api-burst"}) {
      if (!args.has(passed)) continue;
      flags.insert(flags.end(), {std::string("--") + passed, args.get(passed, "")});
      report.add({std::string("--") + passed, args.getDouble(passed, 0), "", "", std::nullopt});
    }
    coordinator = startCoordinator(kubeconfig, workDir + "/coordinator.log", flags);
    if (!waitReady(*coordinator, timeout)) throw std::runtime_error("coordinator not ready; see " + workDir);
  }
  if (!waitUntil([&] { return countUnScheduled(*client, ns) == static_cast<std::size_t>(machines); }, timeout)) {
    throw std::runtime_error("the coordinator did not put every machine in phase UnScheduled; see " + workDir);
  }

  // Watches first, from the current state, so no event after the edge can be missed.
  const auto capiVersion = client->preferredVersion("cluster.x-k8s.io", {"v1beta2", "v1beta1"});
  if (!capiVersion) throw std::runtime_error("the cluster serves no CAPI Machine API");
  const auto machineType = kube::resources::capiMachines(*capiVersion);
  Arrivals arrivals;
  kube::WatchOptions watchOptions;
  watchOptions.timeout = timeout + 60s;
  watchOptions.resourceVersion = client->list(machineType, ns).resourceVersion;
  auto machineWatch = client->watch(machineType, ns, watchOptions);
  watchOptions.resourceVersion = client->list(kube::resources::scheduledMachines(), ns).resourceVersion;
  auto statusWatch = client->watch(kube::resources::scheduledMachines(), ns, watchOptions);
  std::thread machineThread([&] {
    recordArrivals(
        *machineWatch,
        [](const kube::WatchEvent& e) -> std::optional<std::string> {
          if (e.type != kube::WatchEvent::Type::Added) return std::nullopt;
          return ownerName(e.object);
        },
        arrivals.machineAdded, arrivals.mutex);
  });
  std::thread statusThread([&] {
    recordArrivals(
        *statusWatch,
        [](const kube::WatchEvent& e) -> std::optional<std::string> {
          if (e.type != kube::WatchEvent::Type::Modified) return std::nullopt;
          const auto& status = e.object.value("status", Json::object());
          if (!status.value("inSchedule", false)) return std::nullopt;
          return e.object["metadata"].value("name", "");
        },
        arrivals.statusInWindow, arrivals.mutex);
  });

  // The edge: a whole second far enough ahead for every patch to be written and seen.
  const auto lead = 3s + std::chrono::milliseconds(15 * machines);
  const auto edge = std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now() + lead);
  const Json patch = {{"spec", {{"schedule", {{"exclusions", scheduleOpeningAt(edge)["exclusions"]}}}}}};
  for (int i = 0; i < machines; ++i) {
    client->patch(kube::resources::scheduledMachines(), ns, "edge-" + std::to_string(i), kube::PatchType::Merge, patch);
  }
  const double marginSeconds = secondsSince(std::chrono::system_clock::now(), edge);
  report.add({"set-up margin before the edge", marginSeconds, "s", "> 0", marginSeconds > 0});

  const bool complete = waitUntil(
      [&] {
        return arrivals.size(arrivals.machineAdded) == static_cast<std::size_t>(machines) &&
               arrivals.size(arrivals.statusInWindow) == static_cast<std::size_t>(machines);
      },
      timeout);
  machineWatch->cancel();
  statusWatch->cancel();
  machineThread.join();
  statusThread.join();
  {
    std::lock_guard lock(arrivals.mutex);
    addLagFigures(report, "edge -> Machine ADDED", arrivals.machineAdded, edge, machines);
    addLagFigures(report, "edge -> status inSchedule", arrivals.statusInWindow, edge, machines);
  }
  if (!complete) report.note("not every machine arrived within " + std::to_string(timeout.count()) + " s");
  if (coordinator) {
    const auto usage = readProcessUsage(coordinator->process->pid());
    report.add({"coordinator RSS", static_cast<double>(usage.rssBytes) / (1024.0 * 1024.0), "MiB", "", std::nullopt});
    coordinator->process->stop();
  }
  if (!server) client->remove(kube::resources::namespaces(), "", ns);
  report.note("logs in " + workDir);
  report.print();
  return 0;
}

}  // namespace
}  // namespace fivespot::bench

int main(int argc, char** argv) {
  return fivespot::bench::benchmarkMain("edge_lag_bench", argc, argv, fivespot::bench::run);
}
