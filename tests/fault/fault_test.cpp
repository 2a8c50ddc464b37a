// Fault suite: the real coordinator and cluster simulator against kube-test-server, under faults.
// Short form by default (CI); FIVESPOT_SOAK=1 for the long form (more runs, longer outages).
//
// Invariants checked after every fault: one Machine per ScheduledMachine (no duplicates), no
// bootstrap/infrastructure object without its ScheduledMachine's Machine (no orphans), no PDB
// ever taken below its budget (watched from outside), every machine in its expected phase.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "environment.hpp"
#include "fivespot/api/types.hpp"

namespace fivespot::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

bool soak() {
  const char* value = std::getenv("FIVESPOT_SOAK");
  return value != nullptr && std::string(value) == "1";
}

std::string rfc3339(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// All week, all day, except [2000-01-01, until): in window once `until` has passed.
Json scheduleOpeningAt(std::chrono::system_clock::time_point until) {
  return {{"daysOfWeek", {"mon-sun"}},
          {"hoursOfDay", {"0-23"}},
          {"timezone", "UTC"},
          {"exclusions", {"2000-01-01T00:00:00Z/" + rfc3339(until)}}};
}
Json inWindow() {
  return scheduleOpeningAt(std::chrono::system_clock::now() - 24h);
}
Json outOfWindow() {
  return scheduleOpeningAt(std::chrono::system_clock::now() + 24h * 3650);
}

Json scheduledMachine(const std::string& ns, const std::string& name, const Json& schedule) {
  return {{"apiVersion", "5spot.finos.org/v1alpha1"},
          {"kind", "ScheduledMachine"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"clusterName", "fault"},
            {"schedule", schedule},
            {"bootstrapSpec",
             {{"apiVersion", "bootstrap.cluster.x-k8s.io/v1beta1"},
              {"kind", "K0sWorkerConfig"},
              {"spec", {{"version", "v1.30.0+k0s.0"}}}}},
            {"infrastructureSpec",
             {{"apiVersion", "infrastructure.cluster.x-k8s.io/v1beta1"},
              {"kind", "RemoteMachine"},
              {"spec", {{"address", "192.0.2.10"}, {"port", 22}, {"user", "admin"}}}}},
            {"gracefulShutdownTimeout", "10s"},
            {"nodeDrainTimeout", "5m"}}}};
}

const kube::ResourceType kBootstraps{"bootstrap.cluster.x-k8s.io", "v1beta1", "k0sworkerconfigs", "K0sWorkerConfig",
                                     true};
const kube::ResourceType kInfrastructures{"infrastructure.cluster.x-k8s.io", "v1beta1", "remotemachines",
                                          "RemoteMachine", true};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<TestEnvironment>(::testing::UnitTest::GetInstance()->current_test_info()->name());
    env_->apply(sourcePath("tests/integration/crds"));
    const auto version = env_->client().preferredVersion("cluster.x-k8s.io", {"v1beta2", "v1beta1"});
    ASSERT_TRUE(version.has_value());
    machines_ = kube::resources::capiMachines(*version);
    ns_ = env_->createNamespace("fault");
  }

  ChildProcess& startCoordinator(const std::string& logName, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{binaryPath("fivespot-coordinator"),
                                  "--kubeconfig",
                                  env_->kubeconfig(),
                                  "--metrics-port",
                                  "0",
                                  "--health-port",
                                  "0",
                                  "--bind-address",
                                  "127.0.0.1",
                                  "--drain-poll-interval-secs",
                                  "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return env_->start(logName, argv);
  }
  ChildProcess& startSimulator() {
    return env_->start("cluster-sim", {binaryPath("fivespot-cluster-sim"), "--kubeconfig", env_->kubeconfig(),
                                       "--grace-scale", "0.02"});
  }

  kube::Client& client() { return env_->client(); }

  std::string phaseOf(const std::string& name) {
    const auto sm = client().get(kube::resources::scheduledMachines(), ns_, name);
    return sm.value("status", Json::object()).value("phase", "");
  }

  // Machines per ScheduledMachine name (by the 5-Spot label).
  std::map<std::string, int> machinesByOwner() {
    std::map<std::string, int> count;
    for (const auto& m : client().list(machines_, ns_).items) {
      const auto labels = m["metadata"].value("labels", Json::object());
      ++count[labels.value(api::kScheduledMachineLabel, std::string("<unlabelled>"))];
    }
    return count;
  }

  // Bootstrap/infrastructure objects not referenced by any existing Machine.
  std::vector<std::string> orphanedChildren() {
    std::set<std::string> referenced;
    for (const auto& m : client().list(machines_, ns_).items) {
      const auto& spec = m.value("spec", Json::object());
      if (spec.contains("infrastructureRef")) referenced.insert(spec["infrastructureRef"].value("name", ""));
      const auto bootstrap = spec.value("bootstrap", Json::object()).value("configRef", Json::object());
      if (bootstrap.contains("name")) referenced.insert(bootstrap.value("name", ""));
    }
    std::vector<std::string> orphans;
    for (const auto* type : {&kBootstraps, &kInfrastructures}) {
      for (const auto& child : client().list(*type, ns_).items) {
        const std::string name = child["metadata"].value("name", "");
        const bool deleting = child["metadata"].contains("deletionTimestamp");
        if (!referenced.count(name) && !deleting) orphans.push_back(type->resource + "/" + name);
      }
    }
    return orphans;
  }

  void expectSettled(const std::vector<std::string>& names, bool windowOpen, std::chrono::seconds timeout) {
    const std::string expected = windowOpen ? "Active" : "UnScheduled";
    for (const auto& name : names) {
      EXPECT_TRUE(eventually([&] { return phaseOf(name) == expected; }, timeout))
          << name << " ended in phase '" << phaseOf(name) << "', expected " << expected;
    }
    const auto owners = machinesByOwner();
    for (const auto& name : names) {
      const int count = owners.count(name) ? owners.at(name) : 0;
      EXPECT_EQ(count, windowOpen ? 1 : 0) << "Machines of " << name;
    }
    EXPECT_EQ(owners.count("<unlabelled>"), 0u);
    EXPECT_TRUE(eventually([&] { return orphanedChildren().empty(); }, 30s))
        << "orphaned children: " << ::testing::PrintToString(orphanedChildren());
  }

  std::unique_ptr<TestEnvironment> env_;
  kube::ResourceType machines_;
  std::string ns_;
};

// Watches the pods of one PDB group from outside and records the worst moment: the number of
// pods that were unavailable (not Ready, or terminating) while the group still had pods.
class PdbWatcher {
 public:
  PdbWatcher(kube::Client& client, const std::string& ns, const std::string& selector) {
    kube::WatchOptions options;
    options.labelSelector = selector;
    options.timeout = 900s;
    watch_ = client.watch(kube::resources::pods(), ns, options);
    thread_ = std::thread([this] { run(); });
  }
  ~PdbWatcher() {
    watch_->cancel();
    thread_.join();
  }
  int worstUnavailable() {
    std::lock_guard lock(mutex_);
    return worst_;
  }

 private:
  static bool available(const Json& pod) {
    if (pod["metadata"].contains("deletionTimestamp")) return false;
    for (const auto& c : pod.value("status", Json::object()).value("conditions", Json::array())) {
      if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
    }
    return false;
  }
  void run() {
    while (auto event = watch_->next()) {
      if (event->type == kube::WatchEvent::Type::Bookmark || event->type == kube::WatchEvent::Type::Error) continue;
      const std::string name = event->object["metadata"].value("name", "");
      std::lock_guard lock(mutex_);
      if (event->type == kube::WatchEvent::Type::Deleted) {
        available_.erase(name);
      } else {
        available_[name] = available(event->object);
        if (available(event->object)) everReady_.insert(name);
      }
      int unavailable = 0;
      for (const auto& [pod, ok] : available_) {
        if (!ok && everReady_.count(pod)) ++unavailable;
      }
      worst_ = std::max(worst_, unavailable);
    }
  }
  std::unique_ptr<kube::Watch> watch_;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, bool> available_;
  std::set<std::string> everReady_;
  int worst_ = 0;
};

Json guardedPod(const std::string& ns, const std::string& name, const std::string& node) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"labels", {{"app", "guarded"}}},
            {"ownerReferences",
             {{{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"name", "guarded"},
               {"uid", "00000000-0000-0000-0000-000000000001"},
               {"controller", true}}}}}},
          {"spec",
           {{"nodeName", node},
            {"terminationGracePeriodSeconds", 30},
            {"containers", {{{"name", "app"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}};
}

// SIGKILL at a random moment of the adds, then of the removals; restart; check the invariants.
TEST_F(FaultTest, CoordinatorKilledDuringAddsAndRemovals) {
  const int runs = soak() ? 50 : 5;
  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> killAfterMs(0, 1500);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  startSimulator();
  client().create(kube::resources::podDisruptionBudgets(), ns_,
                  {{"apiVersion", "policy/v1"},
                   {"kind", "PodDisruptionBudget"},
                   {"metadata", {{"name", "guarded"}, {"namespace", ns_}}},
                   {"spec", {{"maxUnavailable", 1}, {"selector", {{"matchLabels", {{"app", "guarded"}}}}}}}});
  const std::vector<std::string> names{"m-0", "m-1", "m-2"};
  for (int run = 0; run < runs; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    // Adds: every machine enters its window; kill while the coordinator works on them.
    for (const auto& name : names) {
      if (client().getIfExists(kube::resources::scheduledMachines(), ns_, name)) {
        client().patch(kube::resources::scheduledMachines(), ns_, name, kube::PatchType::Merge,
                       {{"spec", {{"schedule", inWindow()}}}});
      } else {
        client().create(kube::resources::scheduledMachines(), ns_, scheduledMachine(ns_, name, inWindow()));
      }
    }
    auto* coordinator = &startCoordinator("coordinator-add-" + std::to_string(run));
    std::this_thread::sleep_for(std::chrono::milliseconds(killAfterMs(random)));  // the random kill point
    coordinator->signal(SIGKILL);
    coordinator->wait(5s);
    coordinator = &startCoordinator("coordinator-add-" + std::to_string(run) + "-restarted");
    expectSettled(names, true, 60s);

    // Pods behind a PDB on the first machine's node, so removals must evict through the budget.
    std::string node;
    ASSERT_TRUE(eventually(
        [&] {
          node =
              client().get(kube::resources::scheduledMachines(), ns_, names[0])["status"]["nodeRef"].value("name", "");
          return !node.empty();
        },
        30s));
    for (int p = 0; p < 3; ++p)
      client().create(kube::resources::pods(), ns_,
                      guardedPod(ns_, "guarded-" + std::to_string(run) + "-" + std::to_string(p), node));
    PdbWatcher pdb(client(), ns_, "app=guarded");
    ASSERT_TRUE(eventually(
        [&] {
          kube::ListOptions o;
          o.labelSelector = "app=guarded";
          const auto pods = client().list(kube::resources::pods(), ns_, o).items;
          return pods.size() == 3 && std::all_of(pods.begin(), pods.end(), [](const Json& pod) {
                   for (const auto& c : pod.value("status", Json::object()).value("conditions", Json::array()))
                     if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
                   return false;
                 });
        },
        30s));

    // Removals: every window closes; kill while machines are drained and deleted.
    for (const auto& name : names) {
      client().patch(kube::resources::scheduledMachines(), ns_, name, kube::PatchType::Merge,
                     {{"spec", {{"schedule", outOfWindow()}}}});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(killAfterMs(random)));  // the random kill point
    coordinator->signal(SIGKILL);
    coordinator->wait(5s);
    coordinator = &startCoordinator("coordinator-remove-" + std::to_string(run) + "-restarted");
    expectSettled(names, false, 120s);
    EXPECT_LE(pdb.worstUnavailable(), 1) << "an eviction took the PDB (maxUnavailable 1) below its budget";
    coordinator->stop();
    if (HasFailure()) break;
  }
}

// The API server goes away and comes back with the same data: the coordinator keeps running
// (no crash loop), its watches resume, and it acts once on what changed meanwhile.
TEST_F(FaultTest, ApiServerOutage) {
  if (env_->external()) GTEST_SKIP() << "needs the built-in API server";
  startSimulator();
  client().create(kube::resources::scheduledMachines(), ns_, scheduledMachine(ns_, "before", inWindow()));
  auto& coordinator = startCoordinator("coordinator");
  expectSettled({"before"}, true, 60s);

  env_->stopApiServer();
  std::this_thread::sleep_for(soak() ? 60s : 5s);  // the outage being simulated
  env_->startApiServer();
  ASSERT_TRUE(coordinator.running()) << "the coordinator exited during the outage";
  // This test's own client first loses its pooled connections to the old server process.
  ASSERT_TRUE(eventually(
      [&] {
        client().list(kube::resources::namespaces(), "");
        return true;
      },
      30s));

  // A change after the outage is only seen if the watches resumed.
  client().create(kube::resources::scheduledMachines(), ns_, scheduledMachine(ns_, "after", inWindow()));
  expectSettled({"before", "after"}, true, 90s);
  EXPECT_TRUE(coordinator.running());
}

// Two candidates; the leader is SIGKILLed; the other takes over within lease duration + retry.
TEST_F(FaultTest, LeaderKilled) {
  const int leaseSeconds = 4;
  const int retrySeconds = 1;
  const std::vector<std::string> lease{"--enable-leader-election",
                                       "--lease-duration-secs",
                                       std::to_string(leaseSeconds),
                                       "--lease-renew-deadline-secs",
                                       "3",
                                       "--lease-retry-period-secs",
                                       std::to_string(retrySeconds)};
  try {
    client().create(kube::resources::namespaces(), "",
                    {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "5spot-system"}}}});
  } catch (const kube::ApiError& e) {
    ASSERT_EQ(e.code(), 409) << e.what();
  }
  std::map<std::string, ChildProcess*> candidates;
  for (const std::string id : {"candidate-a", "candidate-b"}) {
    auto args = lease;
    args.insert(args.end(), {"--instance-id", id});
    candidates[id] = &startCoordinator(id, args);
  }
  auto holder = [&] {
    const auto l = client().get(kube::resources::leases(), "5spot-system", "5spot-leader");
    return l["spec"].value("holderIdentity", "");
  };
  std::string leader;
  ASSERT_TRUE(eventually([&] { return candidates.count(leader = holder()) == 1; }, 30s));
  const auto killedAt = std::chrono::steady_clock::now();
  candidates[leader]->signal(SIGKILL);
  std::string successor;
  ASSERT_TRUE(eventually(
      [&] {
        successor = holder();
        return !successor.empty() && successor != leader;
      },
      30s));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killedAt).count();
  // The successor may take over once the lease expired, at its next retry (plus the poll interval).
  EXPECT_LE(seconds, leaseSeconds + retrySeconds + 0.5) << successor << " took over after " << seconds << " s";
  RecordProperty("takeover_seconds", std::to_string(seconds));
}

// Something a user can read about `name`: its status, or an Event regarding it, naming `field`.
bool explained(kube::Client& client, const std::string& ns, const std::string& name, const std::string& field) {
  const auto sm = client.get(kube::resources::scheduledMachines(), ns, name);
  if (sm.value("status", Json::object()).dump().find(field) != std::string::npos) return true;
  for (const auto& event : client.list(kube::resources::events(), ns).items) {
    if (event.value("regarding", Json::object()).value("name", "") == name &&
        event.value("note", "").find(field) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Malformed ScheduledMachines next to a valid one: a clear condition or event naming the field,
// no Machine for them, no crash, and the valid machine is still handled.
TEST_F(FaultTest, MalformedScheduledMachines) {
  startSimulator();
  auto& coordinator = startCoordinator("coordinator");
  auto wrongType = scheduledMachine(ns_, "wrong-type", inWindow());
  wrongType["spec"]["priority"] = "very high";
  auto huge = scheduledMachine(ns_, "huge-string", inWindow());
  huge["spec"]["clusterName"] = std::string(512 * 1024, 'x');
  auto badSchedule = scheduledMachine(ns_, "bad-schedule", inWindow());
  badSchedule["spec"]["schedule"]["hoursOfDay"] = {"25-99"};
  for (const auto& sm : {wrongType, huge, badSchedule}) {
    client().create(kube::resources::scheduledMachines(), ns_, sm);
  }
  client().create(kube::resources::scheduledMachines(), ns_, scheduledMachine(ns_, "valid", inWindow()));
  EXPECT_TRUE(eventually([&] { return explained(client(), ns_, "huge-string", "spec.clusterName"); }, 30s));
  EXPECT_TRUE(eventually([&] { return explained(client(), ns_, "bad-schedule", "hoursOfDay"); }, 30s));
  expectSettled({"valid"}, true, 60s);
  const auto owners = machinesByOwner();
  for (const std::string name : {"wrong-type", "huge-string", "bad-schedule"}) {
    EXPECT_EQ(owners.count(name), 0u) << name;
  }
  EXPECT_TRUE(coordinator.running());
}

// A field of the wrong JSON type (which the CRD schema should have refused) is reported on the
// object itself, naming the field; unknown fields in spec are ignored, as documented in
// shared/api/include/fivespot/api/scheduled_machine.hpp.
TEST_F(FaultTest, TypeErrorsReportedAndUnknownFieldsIgnored) {
  startSimulator();
  auto& coordinator = startCoordinator("coordinator");
  auto wrongType = scheduledMachine(ns_, "wrong-type", inWindow());
  wrongType["spec"]["priority"] = "very high";
  auto unknown = scheduledMachine(ns_, "unknown-fields", inWindow());
  unknown["spec"]["noSuchField"] = {{"nested", {1, 2, 3}}};
  // (Unknown keys inside spec.schedule are rejected on purpose, e.g. upstream's `cron`: docs/schedules.md.)
  client().create(kube::resources::scheduledMachines(), ns_, wrongType);
  client().create(kube::resources::scheduledMachines(), ns_, unknown);
  EXPECT_TRUE(eventually([&] { return explained(client(), ns_, "wrong-type", "spec.priority"); }, 30s));
  // Unknown fields are ignored (a real API server prunes them): the machine is handled.
  expectSettled({"unknown-fields"}, true, 60s);
  EXPECT_TRUE(coordinator.running());
}

}  // namespace
}  // namespace fivespot::testing
