#include "scenario.hpp"

#include <algorithm>

#include "fivespot/common/time_format.hpp"

namespace fivespot::testing {
namespace {

const kube::ResourceType& machinesType() {
  static const kube::ResourceType type = kube::resources::capiMachines("v1beta1");
  return type;
}

}  // namespace

std::string instantIn(seconds offset) {
  const auto now = std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
  return formatRfc3339(now + offset);
}

Scenario::Scenario(const std::string& testName) : env_(testName) {
  env_.apply(sourcePath("tests/integration/crds"));
  ns_ = env_.createNamespace("sm");
}

ChildProcess& Scenario::startCoordinator(const std::string& instanceId, const std::vector<std::string>& extraArgs) {
  std::vector<std::string> argv{binaryPath("fivespot-coordinator"),
                                "--kubeconfig",
                                env_.kubeconfig(),
                                "--instance-id",
                                instanceId,
                                "--watch-namespace",
                                ns_,
                                "--bind-address",
                                "127.0.0.1",
                                "--metrics-port",
                                "0",
                                "--health-port",
                                "0",
                                "--drain-poll-interval-secs",
                                "1",
                                "--lease-namespace",
                                ns_,
                                "--lease-duration-secs",
                                "4",
                                "--lease-renew-deadline-secs",
                                "3",
                                "--lease-retry-period-secs",
                                "1"};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  return env_.start("coordinator-" + instanceId, argv);
}

ChildProcess& Scenario::startSimulator() {
  return env_.start("cluster-sim",
                    {binaryPath("fivespot-cluster-sim"), "--kubeconfig", env_.kubeconfig(), "--grace-scale", "0"});
}

Json Scenario::scheduledMachine(const std::string& name, seconds opensIn) const {
  Json exclusions = Json::array();
  if (opensIn.count() > 0) exclusions.push_back("2000-01-01T00:00:00Z/" + instantIn(opensIn));
  return {{"apiVersion", "5spot.finos.org/v1alpha1"},
          {"kind", "ScheduledMachine"},
          {"metadata", {{"name", name}, {"namespace", ns_}}},
          {"spec",
           {{"clusterName", "test-cluster"},
            {"schedule",
             {{"daysOfWeek", {"mon-sun"}},
              {"hoursOfDay", {"0-23"}},
              {"timezone", "UTC"},
              {"enabled", true},
              {"exclusions", exclusions}}},
            {"bootstrapSpec",
             {{"apiVersion", "bootstrap.cluster.x-k8s.io/v1beta1"},
              {"kind", "K0sWorkerConfig"},
              {"spec", {{"version", "v1.30.0+k0s.0"}}}}},
            {"infrastructureSpec",
             {{"apiVersion", "infrastructure.cluster.x-k8s.io/v1beta1"},
              {"kind", "RemoteMachine"},
              {"spec", {{"address", "192.0.2.10"}, {"port", 22}, {"user", "admin"}}}}},
            {"gracefulShutdownTimeout", "0s"},
            {"nodeDrainTimeout", "10m"}}}};
}

void Scenario::create(const Json& scheduledMachine) {
  client().create(kube::resources::scheduledMachines(), ns_, scheduledMachine);
}

void Scenario::patchSpec(const std::string& name, const Json& specPatch) {
  client().patch(kube::resources::scheduledMachines(), ns_, name, kube::PatchType::Merge, {{"spec", specPatch}});
}

void Scenario::closeWindowIn(const std::string& name, seconds in) {
  kube::updateWithRetry(client(), kube::resources::scheduledMachines(), ns_, name, [&](Json& sm) {
    Json& exclusions = sm["spec"]["schedule"]["exclusions"];
    if (!exclusions.is_array()) exclusions = Json::array();
    exclusions.push_back(instantIn(in) + "/2100-01-01T00:00:00Z");
    return true;
  });
}

std::optional<Json> Scenario::get(const std::string& name) {
  return client().getIfExists(kube::resources::scheduledMachines(), ns_, name);
}

std::string Scenario::phase(const std::string& name) {
  const auto sm = get(name);
  if (!sm) return "<deleted>";
  return sm->value(Json::json_pointer("/status/phase"), std::string());
}

bool Scenario::waitForPhase(const std::string& name, const std::string& wanted, milliseconds timeout) {
  return eventually([&] { return phase(name) == wanted; }, timeout);
}

std::vector<Json> Scenario::machines(const std::string& name) {
  kube::ListOptions options;
  options.labelSelector = "5spot.finos.org/scheduled-machine=" + name;
  return client().list(machinesType(), ns_, options).items;
}

std::optional<Json> Scenario::node(const std::string& nodeName) {
  return client().getIfExists(kube::resources::nodes(), "", nodeName);
}

std::vector<Json> Scenario::events(const std::string& name) {
  std::vector<Json> out;
  for (auto& event : client().list(kube::resources::events(), ns_).items) {
    if (event.value(Json::json_pointer("/regarding/name"), std::string()) == name) out.push_back(std::move(event));
  }
  return out;
}

std::vector<std::string> Scenario::reporters(const std::string& name) {
  std::vector<std::string> out;
  for (const auto& event : events(name)) {
    const std::string reporter = event.value("reportingInstance", "");
    if (std::find(out.begin(), out.end(), reporter) == out.end()) out.push_back(reporter);
  }
  return out;
}

void Scenario::createPod(const std::string& name, const std::string& nodeName, const std::string& app) {
  client().create(kube::resources::pods(), ns_,
                  {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", {{"name", name}, {"namespace", ns_}, {"labels", {{"app", app}}}}},
                   {"spec",
                    {{"nodeName", nodeName},
                     {"terminationGracePeriodSeconds", 1},
                     {"containers", {{{"name", "main"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}});
}

bool Scenario::waitForPodsRunning(const std::vector<std::string>& names, milliseconds timeout) {
  return eventually(
      [&] {
        return std::all_of(names.begin(), names.end(), [&](const std::string& pod) {
          const auto object = client().getIfExists(kube::resources::pods(), ns_, pod);
          return object && object->value(Json::json_pointer("/status/phase"), std::string()) == "Running";
        });
      },
      timeout);
}

void Scenario::createPdb(const std::string& name, const std::string& app, int minAvailable) {
  client().create(kube::resources::podDisruptionBudgets(), ns_,
                  {{"apiVersion", "policy/v1"},
                   {"kind", "PodDisruptionBudget"},
                   {"metadata", {{"name", name}, {"namespace", ns_}}},
                   {"spec", {{"minAvailable", minAvailable}, {"selector", {{"matchLabels", {{"app", app}}}}}}}});
}

void Scenario::setPdbMinAvailable(const std::string& name, int minAvailable) {
  client().patch(kube::resources::podDisruptionBudgets(), ns_, name, kube::PatchType::Merge,
                 {{"spec", {{"minAvailable", minAvailable}}}});
}

}  // namespace fivespot::testing
