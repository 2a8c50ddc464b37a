#pragma once
// What the coordinator integration tests share: a namespace on the test cluster, the programs under
// test (coordinator replicas, the CAPI/kubelet simulator), ScheduledMachines whose window opens or
// closes at an exact second (an RFC 3339 instant exclusion on an all-day schedule: no test-only
// product code), and reads of what the coordinator did.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/environment.hpp"

namespace fivespot::testing {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// RFC 3339 (UTC, whole seconds) of now + offset.
std::string instantIn(seconds offset);

class Scenario {
 public:
  explicit Scenario(const std::string& testName);

  TestEnvironment& env() { return env_; }
  kube::Client& client() { return env_.client(); }
  [[nodiscard]] const std::string& ns() const { return ns_; }

  // A coordinator replica watching this namespace; leases live in the namespace too, with short
  // durations (4 s lease, 3 s renew deadline, 1 s retry) so that take-overs are quick.
  ChildProcess& startCoordinator(const std::string& instanceId, const std::vector<std::string>& extraArgs = {});
  ChildProcess& startSimulator();

  // A ScheduledMachine on an all-day schedule whose window opens `opensIn` from now (0: open).
  [[nodiscard]] Json scheduledMachine(const std::string& name, seconds opensIn = seconds(0)) const;
  void create(const Json& scheduledMachine);
  void patchSpec(const std::string& name, const Json& specPatch);
  // Adds an exclusion from now + `in` onwards: the window closes at that exact second.
  void closeWindowIn(const std::string& name, seconds in);

  [[nodiscard]] std::optional<Json> get(const std::string& name);
  [[nodiscard]] std::string phase(const std::string& name);
  bool waitForPhase(const std::string& name, const std::string& phase, milliseconds timeout);
  // CAPI Machines labelled for the ScheduledMachine.
  [[nodiscard]] std::vector<Json> machines(const std::string& name);
  [[nodiscard]] std::optional<Json> node(const std::string& nodeName);
  // events.k8s.io/v1 Events regarding the ScheduledMachine.
  [[nodiscard]] std::vector<Json> events(const std::string& name);
  // The reportingInstance values of those Events.
  [[nodiscard]] std::vector<std::string> reporters(const std::string& name);

  // A Running-to-be Pod on `nodeName` with labels {app: <app>} (the simulator's kubelet starts it).
  void createPod(const std::string& name, const std::string& nodeName, const std::string& app);
  bool waitForPodsRunning(const std::vector<std::string>& names, milliseconds timeout);
  void createPdb(const std::string& name, const std::string& app, int minAvailable);
  void setPdbMinAvailable(const std::string& name, int minAvailable);

 private:
  TestEnvironment env_;
  std::string ns_;
};

}  // namespace fivespot::testing
