#include "demo.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "describe.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/controller/informer.hpp"
#include "fivespot/controller/list_watch.hpp"
#include "fivespot/kube/client.hpp"
#include "harness/process.hpp"
#include "wake_on_lan_listener.hpp"

namespace fivespot::demo {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::ChildProcess;
using namespace std::chrono_literals;

constexpr const char* kNamespace = "5spot-demo";
constexpr const char* kSpareNode = "worker-0";  // where the workload's replacements run
constexpr const char* kWorkloadApp = "web";
constexpr const char* kLeaderLease = "5spot-leader";
constexpr std::chrono::milliseconds kTick = 200ms;
constexpr std::chrono::seconds kStartupTimeout = 30s;

// ---- output ----------------------------------------------------------------------------------

class Timeline {
 public:
  void say(const std::string& subject, const std::string& line) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char clock[16];
    std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
    const std::lock_guard lock(mutex_);
    std::cout << clock << "  " << subject << std::string(subject.size() < 12 ? 12 - subject.size() : 1, ' ') << line
              << std::endl;
  }
  void raw(const std::string& line) {
    const std::lock_guard lock(mutex_);
    std::cout << line << std::endl;
  }

 private:
  std::mutex mutex_;
};

// ---- processes -------------------------------------------------------------------------------

// Every started process, stopped in reverse order when the demo ends. Their process group ids are
// also appended to <workDir>/pgids, so tools/demo.sh can stop them even if this program is killed.
class Processes {
 public:
  explicit Processes(fs::path workDir) : workDir_(std::move(workDir)) { fs::create_directories(workDir_ / "logs"); }
  // Everything but the API server (started first) is asked to stop at once, so that they shut down
  // in parallel and can still reach the API while doing so; then each is waited for (SIGKILL after 5 s).
  ~Processes() {
    for (std::size_t i = 1; i < started_.size(); ++i) {
      if (started_[i]->running()) started_[i]->signal(SIGTERM);
    }
    while (!started_.empty()) started_.pop_back();
  }
  Processes(const Processes&) = delete;
  Processes& operator=(const Processes&) = delete;

  ChildProcess& start(const std::string& name, std::vector<std::string> argv,
                      const std::map<std::string, std::string>& env = {}) {
    const std::string log = (workDir_ / "logs" / (name + ".log")).string();
    started_.push_back(std::make_unique<ChildProcess>(std::move(argv), env, log));
    std::ofstream(workDir_ / "pgids", std::ios::app) << started_.back()->pid() << '\n';
    return *started_.back();
  }

  // Waits for a line that says the process is ready; throws with its last output otherwise.
  static std::string awaitLine(ChildProcess& process, const std::string& what,
                               const std::function<bool(const std::string&)>& match) {
    if (auto line = process.waitForLine(match, kStartupTimeout)) return *line;
    throw Error(ErrorKind::Configuration, what,
                "did not start; its log " + process.logPath() + " ends:\n" + process.tail(20));
  }

 private:
  fs::path workDir_;
  std::vector<std::unique_ptr<ChildProcess>> started_;
};

// ---- what the demo observes ------------------------------------------------------------------

struct Host {
  std::string name;
  std::string mac;
  fs::path dir;
  fs::path poweredOnMarker;  // the agent's "powered-on" readiness check looks for it
  fs::path logindRecord;
  std::size_t logindLinesSeen = 0;
};

struct Observations {
  std::mutex mutex;
  std::map<std::string, std::vector<api::Phase>> phases;
  std::map<std::string, TimePoint> firstScheduled;
  std::set<std::string> woken;               // machines whose magic packet arrived
  std::set<std::string> poweredOff;          // machines whose agent called logind PowerOff
  std::vector<std::string> evictedWorkload;  // web pods leaving demo-a that still need a replacement
  std::set<std::string> replaced;
  bool workloadReady = false;  // both replicas were Ready once
  bool pdbBlockSeen = false;
  bool pdbViolated = false;
  bool spareNodeJoined = false;
};

std::string nameOf(const Json& object) {
  return object.value(Json::json_pointer("/metadata/name"), std::string());
}

bool healthyWorkloadPod(const Json& pod) {
  if (!pod.value(Json::json_pointer("/metadata/deletionTimestamp"), std::string()).empty()) return false;
  for (const Json& c : pod.value(Json::json_pointer("/status/conditions"), Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

Json readyNodeStatus() {
  const std::string now = formatRfc3339(SystemClock::instance().now());
  return {{"conditions",
           {{{"type", "Ready"},
             {"status", "True"},
             {"reason", "KubeletReady"},
             {"message", "kubelet is posting ready status"},
             {"lastHeartbeatTime", now},
             {"lastTransitionTime", now}}}}};
}

// ---- the run ---------------------------------------------------------------------------------

class DemoRun {
 public:
  DemoRun(const DemoOptions& options, const std::atomic<bool>& interrupted)
      : options_(options),
        interrupted_(interrupted),
        bin_(options.binDir),
        source_(options.sourceDir),
        work_(options.workDir),
        processes_(work_) {}

  int run() {
    loadManifests();
    startApiServer();
    prepareCluster();
    wakeOnLan_ = std::make_unique<WakeOnLanListener>([this](const std::string& mac) { onMagicPacket(mac); });
    timeline_.say("demo", "Wake-on-LAN listener on udp://127.0.0.1:" + std::to_string(wakeOnLan_->port()));
    for (Host& host : hosts_) startHost(host);
    startControlPlane();
    startInformers();
    plan_ = makePlan(SystemClock::instance().now(), localTimezoneName(), options_.mode, 12s);
    createScheduledMachines();
    const bool finished = runScript();
    stopInformers();
    if (interrupted_) return 130;
    printReport();
    return verdict(finished) ? 0 : 1;
  }

 private:
  // -- setup --

  void loadManifests() {
    const fs::path examples = source_ / "examples" / "demo";
    for (const char* file :
         {"scheduledmachine-drain.yaml", "scheduledmachine-kill-switch.yaml", "scheduledmachine-exclusion.yaml"}) {
      const std::string path = (examples / file).string();
      Json manifest = yamlToJson(readFile(path), path);
      Host host;
      host.name = nameOf(manifest);
      host.mac = manifest.value(Json::json_pointer("/spec/power/wakeOnLan/mac"), std::string());
      host.dir = work_ / "hosts" / host.name;
      host.poweredOnMarker = host.dir / "powered-on";
      host.logindRecord = host.dir / "logind-calls.jsonl";
      hosts_.push_back(host);
      manifests_[host.name] = std::move(manifest);
    }
    workload_ = yamlDocumentsToJson(readFile((examples / "workload.yaml").string()), "workload.yaml");
    hostAgents_ = yamlDocumentsToJson(readFile((examples / "hostagents.yaml").string()), "hostagents.yaml");
  }

  void startApiServer() {
    auto& server =
        processes_.start("kube-test-server", {(bin_ / "kube-test-server").string(), "--port", "0", "--state-dir",
                                              (work_ / "apiserver").string(), "--crd-dir", (source_ / "crds").string(),
                                              "--crd-dir", (source_ / "examples" / "demo" / "crds").string()});
    const Json ready = Json::parse(Processes::awaitLine(server, "kube-test-server",
                                                        [](const std::string& line) { return line.starts_with("{"); }));
    kubeconfig_ = ready.at("kubeconfig").get<std::string>();
    client_ = std::make_unique<kube::Client>(kube::loadKubeconfigFile(kubeconfig_));
    timeline_.say("demo",
                  "Kubernetes API test server at " + ready.value("url", "") + " (KUBECONFIG=" + kubeconfig_ + ")");
  }

  void prepareCluster() {
    client_->create(kube::resources::namespaces(), "",
                    {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNamespace}}}});
    client_->create(kube::resources::nodes(), "",
                    {{"apiVersion", "v1"},
                     {"kind", "Node"},
                     {"metadata", {{"name", kSpareNode}, {"labels", {{"kubernetes.io/hostname", kSpareNode}}}}}});
    client_->patchStatus(kube::resources::nodes(), "", kSpareNode, kube::PatchType::Merge,
                         {{"status", readyNodeStatus()}});
    // Registering the hosts is the operator's part (the coordinator only writes orders into them).
    for (const Json& hostAgent : hostAgents_) client_->create(kube::resources::hostAgents(), kNamespace, hostAgent);
  }

  void startHost(Host& host) {
    fs::create_directories(host.dir / "cgroup");    // no kubepods cgroups: the host-mode drain check passes
    fs::create_directories(host.dir / "powercap");  // no RAPL zones: energy "unavailable", declared watts used
    const std::string busSocket = (host.dir / "system_bus_socket").string();
    auto& bus =
        processes_.start(host.name + "-dbus", {"/usr/bin/dbus-daemon", "--session", "--address=unix:path=" + busSocket,
                                               "--nofork", "--nopidfile", "--print-address=1"});
    const std::string address =
        Processes::awaitLine(bus, "dbus-daemon", [](const std::string& line) { return line.starts_with("unix:"); });
    auto& login1 = processes_.start(host.name + "-logind",
                                    {"/usr/bin/python3", (source_ / "tests" / "dbus" / "fake_login1.py").string(),
                                     "--address", address, "--record", host.logindRecord.string()});
    Processes::awaitLine(login1, "fake logind", [](const std::string& line) { return line == "READY"; });
    const fs::path config = host.dir / "agent.conf";
    writeAgentConfig(host, config);
    processes_.start(host.name + "-agent",
                     {(bin_ / "fivespot-agent").string(), "--config", config.string(), "--health-port", "0"},
                     {{"DBUS_SYSTEM_BUS_ADDRESS", address}});
    timeline_.say(host.name, "host agent started (host mode, private D-Bus " + address + ", fake logind)");
  }

  void writeAgentConfig(const Host& host, const fs::path& path) const {
    // Only the check that models the power state: the host "boots" when its magic packet arrives.
    const Json config = {{"scheduledMachine", {{"namespace", kNamespace}, {"name", host.name}}},
                         {"kubeconfig", kubeconfig_},
                         {"mode", "host"},
                         {"heartbeatIntervalSeconds", 1},
                         {"maxBackoffSeconds", 2},
                         {"checks",
                          {{"clockSynchronized", false},
                           {"minFreeDiskBytes", 0},
                           {"containerRuntimeSockets", Json::array()},
                           {"commands",
                            {{{"name", "powered-on"},
                              {"command", {"/usr/bin/test", "-e", host.poweredOnMarker.string()}},
                              {"timeoutSeconds", 5}}}}}},
                         {"energy", {{"raplRoot", (host.dir / "powercap").string()}}},
                         {"cgroupRoot", (host.dir / "cgroup").string()},
                         {"healthAddress", "127.0.0.1:0"}};
    std::ofstream(path) << config.dump(2) << '\n';  // JSON is YAML
  }

  void startControlPlane() {
    processes_.start("cluster-sim",
                     {(bin_ / "fivespot-cluster-sim").string(), "--kubeconfig", kubeconfig_, "--grace-scale", "0.05"});
    timeline_.say("demo", "CAPI Machine controller and kubelet simulator started");
    for (const char* id : {"coordinator-1", "coordinator-2"}) {
      processes_.start(id, {(bin_ / "fivespot-coordinator").string(),
                            "--kubeconfig",
                            kubeconfig_,
                            "--instance-id",
                            id,
                            "--watch-namespace",
                            kNamespace,
                            "--enable-leader-election",
                            "--lease-namespace",
                            kNamespace,
                            "--lease-duration-secs",
                            "4",
                            "--lease-renew-deadline-secs",
                            "3",
                            "--lease-retry-period-secs",
                            "1",
                            "--bind-address",
                            "127.0.0.1",
                            "--metrics-port",
                            "0",
                            "--health-port",
                            "0",
                            "--drain-poll-interval-secs",
                            "1"});
      timeline_.say("demo", std::string(id) + " started (leader election on)");
    }
  }

  void createScheduledMachines() {
    timeline_.say("demo", "windows in " + plan_.timezone + " (minute form); first edge at " +
                              localMinute(plan_.opensAt, plan_.timezone));
    for (const MachinePlan& machine : plan_.machines) {
      Json manifest = manifests_.at(machine.name);
      applyPlan(machine, plan_.timezone, wakeOnLan_->port(), manifest);
      client_->create(kube::resources::scheduledMachines(), kNamespace, manifest);
      std::string story = "window " + machine.hoursOfDay;
      if (machine.story == Story::Drain) story += "; runs 2 web pods behind PDB web (minAvailable 1)";
      if (machine.story == Story::KillSwitch)
        story += "; kill switch flipped at " + localMinute(plan_.killSwitchAt, plan_.timezone) + ":" +
                 formatRfc3339(plan_.killSwitchAt).substr(17, 2);
      if (machine.story == Story::Exclusion) story += "; excluded " + machine.exclusions.front();
      timeline_.say(machine.name, "created: " + story);
    }
  }

  // -- watching --

  void startInformers() {
    auto watch = [this](const kube::ResourceType& type, const std::string& ns, const std::string& name) {
      sources_.push_back(std::make_unique<controller::KubeListWatcher>(*client_, type, ns));
      informers_.push_back(
          std::make_unique<controller::Informer>(*sources_.back(), controller::InformerOptions{.name = name}));
      return informers_.back().get();
    };
    auto* machines = watch(kube::resources::scheduledMachines(), kNamespace, "scheduledmachines");
    machines->onAdd([this](const Json& sm) { onScheduledMachine(nullptr, sm); });
    machines->onUpdate([this](const Json& before, const Json& sm) { onScheduledMachine(&before, sm); });

    auto* agents = watch(kube::resources::hostAgents(), kNamespace, "hostagents");
    agents->onAdd([this](const Json& ha) { say(nameOf(ha), describeHostAgent(nullptr, ha)); });
    agents->onUpdate([this](const Json& before, const Json& ha) { say(nameOf(ha), describeHostAgent(&before, ha)); });

    auto* nodes = watch(kube::resources::nodes(), "", "nodes");
    nodes->onAdd([this](const Json& node) { say("node/" + nameOf(node), describeNode(nullptr, node)); });
    nodes->onUpdate(
        [this](const Json& before, const Json& node) { say("node/" + nameOf(node), describeNode(&before, node)); });
    nodes->onDelete([this](const Json& node) { timeline_.say("node/" + nameOf(node), "left the cluster (deleted)"); });

    pods_ = watch(kube::resources::pods(), kNamespace, "pods");
    pods_->onAdd([this](const Json& pod) { onPod(nullptr, &pod); });
    pods_->onUpdate([this](const Json& before, const Json& pod) { onPod(&before, &pod); });
    pods_->onDelete([this](const Json& pod) { onPod(&pod, nullptr); });

    auto* leases = watch(kube::resources::leases(), kNamespace, "leases");
    const auto onLease = [this](const Json* before, const Json& lease) {
      if (nameOf(lease) != kLeaderLease) return;
      const auto holder = [](const Json* l) {
        return l == nullptr ? std::string() : l->value(Json::json_pointer("/spec/holderIdentity"), std::string());
      };
      if (holder(&lease) != holder(before) && !holder(&lease).empty())
        timeline_.say("leader", holder(&lease) + " holds the leader lease");
    };
    leases->onAdd([onLease](const Json& lease) { onLease(nullptr, lease); });
    leases->onUpdate([onLease](const Json& before, const Json& lease) { onLease(&before, lease); });

    for (auto& informer : informers_) informer->start();
  }

  void stopInformers() {
    for (auto& informer : informers_) informer->stop();
  }

  void say(const std::string& subject, const std::vector<std::string>& lines) {
    for (const auto& line : lines) timeline_.say(subject, line);
  }

  void onScheduledMachine(const Json* before, const Json& sm) {
    const std::string name = nameOf(sm);
    say(name, describeScheduledMachine(before, sm));
    const auto phase = api::parsePhase(sm.value(Json::json_pointer("/status/phase"), std::string()));
    const std::lock_guard lock(seen_.mutex);
    if (phase) {
      seen_.phases[name].push_back(*phase);
      if (*phase == api::Phase::Scheduled && !seen_.firstScheduled.contains(name))
        seen_.firstScheduled[name] = SystemClock::instance().now();
    }
    if (!sm.value(Json::json_pointer("/status/drain/blockingPdbs"), Json::array()).empty()) seen_.pdbBlockSeen = true;
  }

  void onPod(const Json* before, const Json* after) {
    const Json& pod = after != nullptr ? *after : *before;
    const std::string name = nameOf(pod);
    if (after != nullptr) say("pod/" + name, describePod(before, *after));
    if (after == nullptr) timeline_.say("pod/" + name, "deleted");
    if (pod.value(Json::json_pointer("/metadata/labels/app"), std::string()) != kWorkloadApp) return;
    int healthy = 0;
    for (const Json& p : pods_->list()) healthy += healthyWorkloadPod(p) ? 1 : 0;
    const bool leftMachine =
        pod.value(Json::json_pointer("/spec/nodeName"), std::string()) == "demo-a" &&
        (after == nullptr || (before != nullptr && healthyWorkloadPod(*before) && !healthyWorkloadPod(*after)));
    const std::lock_guard lock(seen_.mutex);
    if (healthy >= 2) seen_.workloadReady = true;
    if (seen_.workloadReady && healthy == 0) {
      seen_.pdbViolated = true;
      timeline_.say("pdb/web", "VIOLATED: no healthy web pod left");
    }
    if (leftMachine && seen_.replaced.insert(name).second) seen_.evictedWorkload.push_back(name);
  }

  void onMagicPacket(const std::string& mac) {
    for (const Host& host : hosts_) {
      if (host.mac != mac) continue;
      // Senders repeat the packet (UDP may drop one): a host that is already on just ignores it.
      if (fs::exists(host.poweredOnMarker)) return;
      std::ofstream(host.poweredOnMarker) << "on\n";
      {
        const std::lock_guard lock(seen_.mutex);
        seen_.woken.insert(host.name);
      }
      timeline_.say(host.name, "power-on: Wake-on-LAN magic packet for " + mac + " received: the host boots");
      return;
    }
    timeline_.say("demo", "Wake-on-LAN magic packet for unknown MAC " + mac);
  }

  void readLogindRecords(Host& host) {
    std::ifstream in(host.logindRecord);
    std::string line;
    for (std::size_t i = 0; i < host.logindLinesSeen && std::getline(in, line); ++i) {
    }
    while (std::getline(in, line)) {
      ++host.logindLinesSeen;
      const Json record = Json::parse(line, nullptr, false);
      if (record.is_discarded()) continue;
      timeline_.say(host.name, describeLogindRecord(record));
      if (record.value("call", "") == "PowerOff") {
        fs::remove(host.poweredOnMarker);  // the host is off: its readiness check fails from now on
        const std::lock_guard lock(seen_.mutex);
        seen_.poweredOff.insert(host.name);
      }
    }
  }

  // -- the script --

  // Plays the scheduler, the ReplicaSet and the operator until every machine is through its story,
  // the deadline passes, or the user interrupts. Returns whether every machine finished.
  bool runScript() {
    const TimePoint deadline = plan_.lastEdge + (options_.mode == Mode::Short ? 75s : 120s);
    bool workloadCreated = false;
    bool killSwitchFlipped = false;
    int replacements = 0;
    while (!interrupted_) {
      const TimePoint now = SystemClock::instance().now();
      for (Host& host : hosts_) readLogindRecords(host);
      if (!workloadCreated && nodeReady("demo-a")) {
        createWorkload();
        workloadCreated = true;
      }
      for (const std::string& evicted : takeEvicted()) createReplacement(evicted, ++replacements);
      if (!killSwitchFlipped && now >= plan_.killSwitchAt && currentPhase("demo-b") == api::Phase::Active) {
        flipKillSwitch();
        killSwitchFlipped = true;
      }
      if (allFinished()) return true;
      if (now > deadline) {
        timeline_.say("demo", "deadline passed before every machine finished");
        return false;
      }
      std::this_thread::sleep_for(kTick);  // the UI loop's pace; every wait for state is a check above
    }
    return false;
  }

  bool nodeReady(const std::string& name) {
    const auto node = client_->getIfExists(kube::resources::nodes(), "", name);
    if (!node) return false;
    for (const Json& c : node->value(Json::json_pointer("/status/conditions"), Json::array())) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "True") return true;
    }
    return false;
  }

  std::optional<api::Phase> currentPhase(const std::string& name) {
    const std::lock_guard lock(seen_.mutex);
    const auto& phases = seen_.phases[name];
    if (phases.empty()) return std::nullopt;
    return phases.back();
  }

  std::vector<std::string> takeEvicted() {
    const std::lock_guard lock(seen_.mutex);
    return std::exchange(seen_.evictedWorkload, {});
  }

  void createWorkload() {
    for (const Json& object : workload_) {
      const std::string kind = object.value("kind", "");
      const auto& type =
          kind == "PodDisruptionBudget" ? kube::resources::podDisruptionBudgets() : kube::resources::pods();
      client_->create(type, kNamespace, object);
    }
    timeline_.say("demo", "scheduled workload web (2 pods, PDB minAvailable 1) on demo-a");
  }

  // The ReplicaSet's part: a replica that leaves demo-a is started again on the spare node.
  void createReplacement(const std::string& evicted, int number) {
    Json pod;
    for (const Json& object : workload_) {
      if (object.value("kind", "") == "Pod") pod = object;
    }
    const std::string name = "web-r" + std::to_string(number);
    pod["metadata"]["name"] = name;
    pod["spec"]["nodeName"] = kSpareNode;
    client_->create(kube::resources::pods(), kNamespace, pod);
    timeline_.say("demo", "ReplicaSet: " + evicted + " is leaving demo-a, started " + name + " on " + kSpareNode);
  }

  // Runs a kubectl-5spot command to completion; returns its exit code (nullopt on timeout) and
  // its whole output.
  std::pair<std::optional<int>, std::vector<std::string>> runCli(const std::string& logName,
                                                                 std::vector<std::string> args) {
    args.insert(args.begin(), (bin_ / "kubectl-5spot").string());
    args.insert(args.end(), {"-n", kNamespace, "--kubeconfig", kubeconfig_});
    ChildProcess command(std::move(args), {}, (work_ / "logs" / (logName + ".log")).string());
    const auto code = command.wait(60s);
    // The exit can be seen before the last output is read: wait for the end of the output.
    command.waitForLine([](const std::string&) { return false; }, 5s);
    return {code, command.lines()};
  }

  void flipKillSwitch() {
    timeline_.say("operator", "$ kubectl 5spot kill-switch demo-b on");
    const auto [code, output] = runCli("kill-switch", {"kill-switch", "demo-b", "on"});
    for (const auto& line : output) timeline_.say("operator", line);
    if (code != 0) throw Error(ErrorKind::Transient, "kubectl-5spot kill-switch", "failed (see its log)");
  }

  bool allFinished() {
    const std::lock_guard lock(seen_.mutex);
    for (const MachinePlan& machine : plan_.machines) {
      if (!comparePhases(seen_.phases[machine.name], machine.expectedPhases).empty()) return false;
      if (!seen_.poweredOff.contains(machine.name)) return false;
    }
    return true;
  }

  // -- the end --

  void printReport() {
    const std::string svg = (work_ / "report.svg").string();
    timeline_.raw("");
    timeline_.raw("$ kubectl 5spot report -n " + std::string(kNamespace) + " --svg " + svg);
    const auto [code, output] = runCli("report", {"report", "--svg", svg});
    for (const auto& line : output) timeline_.raw(line);
    if (code == 0) timeline_.raw("report picture: " + svg);
  }

  bool verdict(bool finished) {
    const std::lock_guard lock(seen_.mutex);
    timeline_.raw("");
    bool ok = finished;
    for (const MachinePlan& machine : plan_.machines) {
      std::vector<std::string> problems;
      const std::string phases = comparePhases(seen_.phases[machine.name], machine.expectedPhases);
      if (!phases.empty()) problems.push_back(phases);
      if (!seen_.woken.contains(machine.name)) problems.push_back("no Wake-on-LAN packet arrived");
      if (!seen_.poweredOff.contains(machine.name)) problems.push_back("logind PowerOff was not called");
      const auto scheduled = seen_.firstScheduled.find(machine.name);
      if (scheduled != seen_.firstScheduled.end() && scheduled->second + 1s < machine.entersAt)
        problems.push_back("entered its window at " + formatRfc3339(scheduled->second) + ", before " +
                           formatRfc3339(machine.entersAt));
      if (machine.story == Story::Drain) {
        if (!seen_.workloadReady) problems.push_back("the workload never became ready");
        if (seen_.pdbViolated) problems.push_back("the drain violated PodDisruptionBudget web");
      }
      ok = ok && problems.empty();
      std::string line = (problems.empty() ? "PASS " : "FAIL ") + machine.name + ": " +
                         formatPhases(normalisePhases(seen_.phases[machine.name]));
      for (const auto& problem : problems) line += "\n       " + problem;
      timeline_.raw(line);
    }
    timeline_.raw(std::string("PodDisruptionBudget web: ") + (seen_.pdbBlockSeen ? "blocked an eviction, " : "") +
                  (seen_.pdbViolated ? "VIOLATED" : "never violated"));
    timeline_.raw("logs: " + (work_ / "logs").string());
    return ok;
  }

  const DemoOptions& options_;
  const std::atomic<bool>& interrupted_;
  const fs::path bin_;
  const fs::path source_;
  const fs::path work_;
  Timeline timeline_;
  std::vector<Host> hosts_;
  std::map<std::string, Json> manifests_;
  std::vector<Json> workload_;
  std::vector<Json> hostAgents_;
  Plan plan_;
  std::string kubeconfig_;
  Observations seen_;
  // Destroyed in reverse: the informers stop before the client goes, and the processes are
  // stopped after everything that talks to them.
  Processes processes_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<WakeOnLanListener> wakeOnLan_;
  std::vector<std::unique_ptr<controller::KubeListWatcher>> sources_;
  std::vector<std::unique_ptr<controller::Informer>> informers_;
  controller::Informer* pods_ = nullptr;
};

}  // namespace

int runDemo(const DemoOptions& options, const std::atomic<bool>& interrupted) {
  DemoRun run(options, interrupted);
  return run.run();
}

}  // namespace fivespot::demo
