// Drain: a node with 100 pods (20 behind PodDisruptionBudgets that allow one disruption at a
// time), drained by the coordinator when its ScheduledMachine leaves its window, against
// `kubectl drain --ignore-daemonsets --delete-emptydir-data` of an identical fresh pod set on
// another node of the same server. The cluster simulator plays the kubelets for both.
//
//   drain_bench [--pods 100] [--pdbs 4] [--pods-per-pdb 5] [--kubectl /usr/bin/kubectl]
#include <unistd.h>

#include <iostream>
#include <thread>

#include "bench_support.hpp"

namespace fivespot::bench {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

struct PodSet {
  int pods = 100;
  int pdbs = 4;
  int podsPerPdb = 5;
};

bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = Steady::now() + timeout;
  while (Steady::now() < deadline) {
    try {
      if (condition()) return true;
    } catch (const kube::ApiError&) {
      // not there yet
    }
    std::this_thread::sleep_for(100ms);  // poll interval: the resolution of the figures
  }
  return false;
}

std::vector<Json> podsOn(kube::Client& client, const std::string& ns, const std::string& node) {
  kube::ListOptions options;
  options.fieldSelector = "spec.nodeName=" + node;
  return client.list(kube::resources::pods(), ns, options).items;
}

bool ready(const Json& pod) {
  for (const auto& c : pod.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// The workload: pods owned by a (notional) ReplicaSet, the first pdbs*podsPerPdb split into
// groups each guarded by a PDB with maxUnavailable 1.
void createPodSet(kube::Client& client, const std::string& ns, const std::string& node, const PodSet& set) {
  ensureNamespace(client, ns);
  for (int g = 0; g < set.pdbs; ++g) {
    client.create(
        kube::resources::podDisruptionBudgets(), ns,
        {{"apiVersion", "policy/v1"},
         {"kind", "PodDisruptionBudget"},
         {"metadata", {{"name", "guarded-" + std::to_string(g)}, {"namespace", ns}}},
         {"spec",
          {{"maxUnavailable", 1}, {"selector", {{"matchLabels", {{"app", "guarded-" + std::to_string(g)}}}}}}}});
  }
  for (int i = 0; i < set.pods; ++i) {
    const int group = i / set.podsPerPdb;
    const std::string app = group < set.pdbs ? "guarded-" + std::to_string(group) : "free";
    client.create(kube::resources::pods(), ns,
                  {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata",
                    {{"name", "pod-" + std::to_string(i)},
                     {"namespace", ns},
                     {"labels", {{"app", app}}},
                     {"ownerReferences",
                      {{{"apiVersion", "apps/v1"},
                        {"kind", "ReplicaSet"},
                        {"name", app},
                        {"uid", "00000000-0000-0000-0000-" + std::to_string(100000000000 + group)},
                        {"controller", true}}}}}},
                   {"spec",
                    {{"nodeName", node},
                     {"terminationGracePeriodSeconds", 30},
                     {"containers", {{{"name", "app"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}});
  }
}

bool allReady(kube::Client& client, const std::string& ns, const std::string& node, int expected) {
  const auto pods = podsOn(client, ns, node);
  return static_cast<int>(pods.size()) == expected && std::all_of(pods.begin(), pods.end(), ready);
}

std::optional<double> coordinatorDrain(TestServer& server, kube::Client& client, const std::string& workDir,
                                       const PodSet& set, Report& report) {
  const std::string ns = "drain-coordinator";
  ensureNamespace(client, ns);
  Json worker = scheduledMachine(ns, "worker", "bench", scheduleOpeningAt(std::chrono::system_clock::now() - 24h));
  // No grace period: it is a deliberate wait before the drain (workloads finish on their own),
  // which kubectl drain has no equivalent of; the figure compares the drains themselves.
  worker["spec"]["gracefulShutdownTimeout"] = "0s";
  createScheduledMachine(client, worker);
  auto coordinator = startCoordinator(server.kubeconfig(), workDir + "/coordinator.log");
  std::string node;
  const bool joined = waitUntil(
      [&] {
        const auto sm = client.get(kube::resources::scheduledMachines(), ns, "worker");
        node = sm.value("status", Json::object()).value("nodeRef", Json::object()).value("name", "");
        return !node.empty() && client.getIfExists(kube::resources::nodes(), "", node).has_value();
      },
      120s);
  if (!joined) {
    report.note("coordinator: the machine never got a Node (status.nodeRef); see " + workDir);
    return std::nullopt;
  }
  createPodSet(client, ns, node, set);
  if (!waitUntil([&] { return allReady(client, ns, node, set.pods); }, 120s)) {
    report.note("coordinator: pods never all Ready on " + node);
    return std::nullopt;
  }
  const auto start = Steady::now();
  client.patch(kube::resources::scheduledMachines(), ns, "worker", kube::PatchType::Merge,
               {{"spec", {{"schedule", scheduleOutOfWindow()}}}});
  if (!waitUntil([&] { return podsOn(client, ns, node).empty(); }, 600s)) {
    report.note("coordinator: pods still on " + node + " after 600 s; see " + workDir);
    return std::nullopt;
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  coordinator.process->stop();
  return seconds;
}

std::optional<double> kubectlDrain(kube::Client& client, const std::string& kubeconfig, const std::string& kubectl,
                                   const std::string& workDir, const PodSet& set, Report& report) {
  const std::string ns = "drain-kubectl";
  const std::string node = "kubectl-worker";
  client.create(kube::resources::nodes(), "",
                {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", node}}}, {"spec", Json::object()}});
  client.patchStatus(
      kube::resources::nodes(), "", node, kube::PatchType::Merge,
      {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}, {"reason", "KubeletReady"}}}}}}});
  createPodSet(client, ns, node, set);
  if (!waitUntil([&] { return allReady(client, ns, node, set.pods); }, 120s)) {
    report.note("kubectl: pods never all Ready on " + node);
    return std::nullopt;
  }
  const auto start = Steady::now();
  ChildProcess drain({kubectl, "--kubeconfig", kubeconfig, "drain", node, "--ignore-daemonsets",
                      "--delete-emptydir-data", "--timeout=600s"},
                     {}, workDir + "/kubectl-drain.log");
  const auto code = drain.wait(620s);
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  if (code != 0) {
    report.note("kubectl drain failed (exit " + (code ? std::to_string(*code) : std::string("timeout")) + "):\n" +
                drain.tail(10));
    return std::nullopt;
  }
  return seconds;
}

int run(const Args& args) {
  PodSet set;
  set.pods = static_cast<int>(args.getInt("pods", 100));
  set.pdbs = static_cast<int>(args.getInt("pdbs", 4));
  set.podsPerPdb = static_cast<int>(args.getInt("pods-per-pdb", 5));
  const std::string kubectl = args.get("kubectl", "/usr/bin/kubectl");
  const std::string workDir = makeWorkDir("drain");
  Report report("drain (" + std::to_string(set.pods) + " pods, " + std::to_string(set.pdbs * set.podsPerPdb) +
                " behind " + std::to_string(set.pdbs) + " PDBs maxUnavailable=1)");

  TestServer server({workDir, false, false, {}});
  server.start();
  auto client = benchClient(server.kubeconfig());
  installTestCrds(*client);
  auto sim = startClusterSim(server.kubeconfig(), workDir + "/cluster-sim.log", 0.02);

  const auto coordinatorSeconds = coordinatorDrain(server, *client, workDir, set, report);
  if (coordinatorSeconds)
    report.add({"coordinator drain (window end -> node empty)", *coordinatorSeconds, "s", "", std::nullopt});
  std::optional<double> kubectlSeconds;
  if (access(kubectl.c_str(), X_OK) == 0) {
    kubectlSeconds = kubectlDrain(*client, server.kubeconfig(), kubectl, workDir, set, report);
    if (kubectlSeconds) report.add({"kubectl drain", *kubectlSeconds, "s", "", std::nullopt});
  } else {
    report.note("no kubectl at " + kubectl + ": comparison skipped");
  }
  if (coordinatorSeconds && kubectlSeconds) {
    const double ratio = *coordinatorSeconds / *kubectlSeconds;
    report.add({"coordinator / kubectl", ratio, "ratio", "<= 1.0", ratio <= 1.0});
  }
  report.note("logs in " + workDir);
  report.print();
  return 0;
}

}  // namespace
}  // namespace fivespot::bench

int main(int argc, char** argv) {
  return fivespot::bench::benchmarkMain("drain_bench", argc, argv, fivespot::bench::run);
}
