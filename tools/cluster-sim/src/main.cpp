// fivespot-cluster-sim: plays CAPI's Machine controller and the kubelets against a Kubernetes API
// (the test server, or a real cluster in integration tests). Test and demo tooling only.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "fivespot/common/cli.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/shutdown.hpp"
#include "fivespot/controller/informer.hpp"
#include "fivespot/controller/workqueue.hpp"
#include "fivespot/kube/client.hpp"
#include "simulation.hpp"

namespace fivespot::sim {
namespace {

constexpr const char* kPodsByNode = "byNode";
constexpr const char* kMachinesByName = "byName";

class Simulator {
 public:
  Simulator(kube::Client& client, std::string machineVersion, double graceScale)
      : client_(client),
        machineType_(kube::resources::capiMachines(machineVersion)),
        machineSource_(client, machineType_, ""),
        nodeSource_(client, kube::resources::nodes(), ""),
        podSource_(client, kube::resources::pods(), ""),
        machines_(machineSource_, {.name = "machines"}),
        nodes_(nodeSource_, {.name = "nodes"}),
        pods_(podSource_, {.name = "pods"}),
        queue_(SystemClock::instance()),
        graceScale_(graceScale) {
    pods_.addIndex(kPodsByNode, [](const Json& pod) {
      const std::string node = pod.value("spec", Json::object()).value("nodeName", "");
      return node.empty() ? std::vector<std::string>{} : std::vector<std::string>{node};
    });
    machines_.addIndex(kMachinesByName, [](const Json& m) { return std::vector<std::string>{m["metadata"]["name"]}; });
    const auto enqueueMachine = [this](const Json& m) { queue_.add("machine|" + controller::objectKey(m)); };
    machines_.onAdd(enqueueMachine);
    machines_.onUpdate([enqueueMachine](const Json&, const Json& m) { enqueueMachine(m); });
    const auto enqueuePod = [this](const Json& p) { queue_.add("pod|" + controller::objectKey(p)); };
    pods_.onAdd(enqueuePod);
    pods_.onUpdate([enqueuePod](const Json&, const Json& p) { enqueuePod(p); });
    const auto nodeChanged = [this](const Json& node) {
      const std::string name = node["metadata"]["name"];
      for (const auto& pod : pods_.byIndex(kPodsByNode, name)) queue_.add("pod|" + controller::objectKey(pod));
      for (const auto& m : machines_.byIndex(kMachinesByName, name)) queue_.add("machine|" + controller::objectKey(m));
    };
    nodes_.onAdd(nodeChanged);
    nodes_.onDelete(nodeChanged);
  }

  void run(std::stop_token stop) {
    machines_.start();
    nodes_.start();
    pods_.start();
    std::stop_callback onStop(stop, [this] { queue_.shutDown(); });
    spdlog::info("simulating CAPI Machines ({}) and kubelets", machineType_.apiVersion());
    while (auto key = queue_.get()) {
      try {
        process(*key);
        queue_.forget(*key);
      } catch (const std::exception& e) {
        spdlog::warn("{}: {} (retrying)", *key, e.what());
        queue_.addRateLimited(*key);
      }
      queue_.done(*key);
    }
    pods_.stop();
    nodes_.stop();
    machines_.stop();
  }

 private:
  void process(const std::string& key) {
    const auto bar = key.find('|');
    const std::string kind = key.substr(0, bar);
    const std::string objectKey = key.substr(bar + 1);
    if (kind == "machine") {
      if (auto machine = machines_.get(objectKey)) applyMachine(*machine);
    } else if (auto pod = pods_.get(objectKey)) {
      applyPod(key, *pod);
    }
  }

  void applyMachine(const Json& machine) {
    const std::string ns = machine["metadata"]["namespace"];
    const std::string name = machine["metadata"]["name"];
    auto step = reconcileMachine(machine, nodes_.get(name));
    if (step.empty()) return;
    if (step.createNode) {
      try {
        client_.create(kube::resources::nodes(), "", *step.createNode);
        spdlog::info("machine {}/{}: node {} joined", ns, name, name);
      } catch (const kube::ApiError& e) {
        if (!e.isAlreadyExists()) throw;
      }
      client_.patchStatus(kube::resources::nodes(), "", name, kube::PatchType::Merge,
                          {{"status", readyNodeStatus(SystemClock::instance().now())}});
    }
    if (step.specPatch) client_.patch(machineType_, ns, name, kube::PatchType::Merge, *step.specPatch);
    if (step.statusPatch) client_.patchStatus(machineType_, ns, name, kube::PatchType::Merge, *step.statusPatch);
    if (step.deleteNode) {
      client_.remove(kube::resources::nodes(), "", *step.deleteNode);
      spdlog::info("machine {}/{}: node {} left", ns, name, *step.deleteNode);
    }
    for (const auto& child : step.deleteChildren) client_.remove(resolve(child), child.namespace_, child.name);
    // The finalizer goes last, once the machine's resources are released.
    if (step.finalizersPatch) client_.patch(machineType_, ns, name, kube::PatchType::Merge, *step.finalizersPatch);
  }

  void applyPod(const std::string& key, const Json& pod) {
    const std::string ns = pod["metadata"]["namespace"];
    const std::string name = pod["metadata"]["name"];
    const std::string nodeName = pod.value("spec", Json::object()).value("nodeName", "");
    const bool nodeExists = !nodeName.empty() && nodes_.get(nodeName).has_value();
    const auto step = reconcilePod(pod, nodeExists, SystemClock::instance().now(), graceScale_);
    if (step.statusPatch)
      client_.patchStatus(kube::resources::pods(), ns, name, kube::PatchType::Merge, *step.statusPatch);
    if (step.deleteNow) {
      kube::DeleteOptions now;
      now.gracePeriodSeconds = 0;
      now.preconditionUid = pod["metadata"].value("uid", "");
      try {
        client_.remove(kube::resources::pods(), ns, name, now);
      } catch (const kube::ApiError& e) {
        if (!e.isConflict()) throw;  // a new pod with the same name: not ours to delete
      }
    }
    if (step.recheckAt) queue_.addAfter(key, *step.recheckAt - SystemClock::instance().now());
  }

  // v1beta2 references name only the API group: the version comes from discovery.
  kube::ResourceType resolve(const ObjectKey& key) {
    std::string apiVersion = key.apiVersion;
    if (!apiVersion.empty() && apiVersion.back() == '/') {
      const std::string group = apiVersion.substr(0, apiVersion.size() - 1);
      const auto versions = client_.servedVersions(group);
      if (versions.empty()) throw Error(ErrorKind::NotFound, group, "API group not served");
      apiVersion = group + "/" + *versions.rbegin();
    }
    return kube::resources::fromApiVersionKind(apiVersion, key.kind);
  }

  kube::Client& client_;
  const kube::ResourceType machineType_;
  controller::KubeListWatcher machineSource_;
  controller::KubeListWatcher nodeSource_;
  controller::KubeListWatcher podSource_;
  controller::Informer machines_;
  controller::Informer nodes_;
  controller::Informer pods_;
  controller::WorkQueue queue_;
  const double graceScale_;
};

}  // namespace
}  // namespace fivespot::sim

int main(int argc, char** argv) {
  using namespace fivespot;
  CLI::App app{"Simulates CAPI's Machine controller and kubelets for tests and the demo", "fivespot-cluster-sim"};
  cli::addVersionFlag(app, "fivespot-cluster-sim");
  std::string kubeconfig;
  double graceScale = 0.05;
  cli::LoggingFlags loggingFlags;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig of the cluster to simulate in")->envname("KUBECONFIG");
  app.add_option("--grace-scale", graceScale, "Factor applied to pod termination grace periods (0: immediate)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli::addLoggingFlags(app, loggingFlags);
  CLI11_PARSE(app, argc, argv);
  try {
    logging::init(cli::toLoggingOptions(loggingFlags, "cluster-sim"));
    ShutdownSignal shutdown;
    kube::Client client(kube::loadDefaultConfig(kubeconfig));
    const auto version = client.preferredVersion("cluster.x-k8s.io", {"v1beta2", "v1beta1"});
    if (!version)
      throw ConfigError("cluster.x-k8s.io", "the API server serves no CAPI Machine API (install CAPI's CRDs)");
    sim::Simulator simulator(client, *version, graceScale);
    simulator.run(shutdown.token());
    return 0;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return e.kind() == ErrorKind::Configuration ? 2 : 1;
  }
}
