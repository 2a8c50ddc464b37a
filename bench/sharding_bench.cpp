// Sharding: how many machines change owner when coordinator instances are added (pure, on the
// hash ring the coordinator uses), and how long real instances take until ownership settles.
//
//   sharding_bench [--keys 10000] [--instances 3] [--machines 200] [--skip-live]
#include <iostream>
#include <regex>
#include <thread>

#include "bench_support.hpp"
#include "fivespot/controller/hash_ring.hpp"

namespace fivespot::bench {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> memberNames(int count) {
  std::vector<std::string> members;
  for (int i = 0; i < count; ++i) members.push_back("fivespot-coordinator-" + std::to_string(i));
  return members;
}

// Fraction of `keys` whose owner differs between a ring of `before` and of `before + 1` members.
double movedFraction(int before, long keys) {
  const controller::HashRing from(memberNames(before));
  const controller::HashRing to(memberNames(before + 1));
  long moved = 0;
  for (long i = 0; i < keys; ++i) {
    const std::string key = "fleet-" + std::to_string(i % 97) + "/machine-" + std::to_string(i);
    if (from.owner(key) != to.owner(key)) ++moved;
  }
  return static_cast<double>(moved) / static_cast<double>(keys);
}

void measureRing(Report& report, long keys) {
  for (const int before : {3, 10}) {
    const double moved = movedFraction(before, keys);
    const double goal = 1.0 / (before + 1) + 0.05;
    report.add({"keys moved " + std::to_string(before) + "->" + std::to_string(before + 1) + " (" +
                    std::to_string(keys) + " keys)",
                moved * 100, "%", "<= " + std::to_string(static_cast<int>(goal * 1000) / 10.0).substr(0, 4) + " %",
                moved <= goal});
    report.add({"  ratio to ideal 1/(N+1)", moved * (before + 1), "x", "", std::nullopt});
  }
}

// five_spot_owned_machines of one instance, nullopt while its metrics do not answer.
std::optional<double> ownedMachines(const CoordinatorProcess& coordinator) {
  const std::string body = httpGetBody(coordinator.metricsPort, "/metrics");
  static const std::regex gauge(R"((^|\n)five_spot_owned_machines(\{[^}]*\})? ([0-9.eE+-]+))");
  std::smatch match;
  if (!std::regex_search(body, match, gauge)) return std::nullopt;
  return std::stod(match[3]);
}

struct Ownership {
  double total = 0;
  double newest = 0;
  bool complete = true;  // every instance answered
};

Ownership observe(const std::vector<CoordinatorProcess>& instances) {
  Ownership o;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const auto owned = ownedMachines(instances[i]);
    if (!owned) {
      o.complete = false;
      continue;
    }
    o.total += *owned;
    if (i + 1 == instances.size()) o.newest = *owned;
  }
  return o;
}

std::optional<double> secondsUntil(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (condition()) return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::this_thread::sleep_for(100ms);  // metrics scrape interval: the resolution of the figure
  }
  return std::nullopt;
}

void measureLive(Report& report, int instanceCount, int machines) {
  const std::string workDir = makeWorkDir("sharding");
  TestServer server({workDir, false, false, {}});
  server.start();
  auto client = benchClient(server.kubeconfig());
  installTestCrds(*client);
  ensureNamespace(*client, "fleet");
  ensureNamespace(*client, "5spot-system");
  for (int i = 0; i < machines; ++i) {
    createScheduledMachine(*client,
                           scheduledMachine("fleet", "machine-" + std::to_string(i), "bench", scheduleOutOfWindow()));
  }
  std::vector<CoordinatorProcess> instances;
  auto startInstance = [&](int index) {
    const std::string id = "coordinator-" + std::to_string(index);
    instances.push_back(
        startCoordinator(server.kubeconfig(), workDir + "/" + id + ".log", {"--enable-sharding", "--instance-id", id}));
  };
  for (int i = 0; i < instanceCount; ++i) startInstance(i);
  const auto initial = secondsUntil(
      [&] {
        const auto o = observe(instances);
        return o.complete && o.total == machines;
      },
      120s);
  if (!initial) {
    report.note("live: " + std::to_string(instanceCount) +
                " sharded coordinators never reported five_spot_owned_machines summing to " + std::to_string(machines) +
                " within 120 s; see " + workDir);
    return;
  }
  report.add({"live: initial ownership settled (" + std::to_string(instanceCount) + " instances)", *initial, "s", "",
              std::nullopt});
  startInstance(instanceCount);
  const auto settled = secondsUntil(
      [&] {
        const auto o = observe(instances);
        return o.complete && o.total == machines && o.newest > 0;
      },
      120s);
  if (!settled) {
    report.note("live: after adding instance " + std::to_string(instanceCount + 1) +
                ", ownership did not settle within 120 s; see " + workDir);
    return;
  }
  report.add({"live: settle after " + std::to_string(instanceCount) + "->" + std::to_string(instanceCount + 1),
              *settled, "s", "<= lease + renew (17 s)", *settled <= 17.0});
  report.add({"  machines owned by the new instance", observe(instances).newest, "machines", "", std::nullopt});
  for (auto& instance : instances) instance.process->stop();
}

}  // namespace
}  // namespace fivespot::bench

int main(int argc, char** argv) {
  using namespace fivespot::bench;
  try {
    const Args args(argc, argv);
    Report report("sharding");
    measureRing(report, args.getInt("keys", 10000));
    if (!args.has("skip-live")) {
      measureLive(report, static_cast<int>(args.getInt("instances", 3)),
                  static_cast<int>(args.getInt("machines", 200)));
    }
    report.print();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sharding_bench: " << e.what() << "\n";
    return 1;
  }
}
