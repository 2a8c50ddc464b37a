#pragma once
// Everything the coordinator saw about one ScheduledMachine at one instant: the input of decide().
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::coordinator {

struct ChildView {  // a bootstrap config or infrastructure machine we create
  bool exists = false;
  bool deleting = false;
};

struct MachineView {  // the CAPI Machine named after the ScheduledMachine
  bool deleting = false;
  std::string phase;       // status.phase (Provisioning, Running, Deleting, ...)
  std::string nodeName;    // status.nodeRef.name, empty until the Node joined
  std::string providerID;  // spec.providerID
};

struct NodeView {
  std::string name;
  std::string uid;
  bool ready = false;
  bool unschedulable = false;
  std::vector<api::Taint> taints;
  bool reclaimRequested = false;  // annotation 5spot.finos.org/reclaim-requested: "true" (upstream's trigger)
  std::string reclaimReason;      // annotation 5spot.finos.org/reclaim-reason
};

enum class DrainTimeoutPolicy {
  Proceed,  // like CAPI's nodeDrainTimeout: report, then delete the Machine anyway (default)
  Stay,     // keep the node cordoned and keep evicting; report until someone intervenes
};

struct DecideOptions {
  bool killSwitchForceDelete = false;  // --kill-switch-force-delete: delete pods instead of evicting
  DrainTimeoutPolicy drainTimeoutPolicy = DrainTimeoutPolicy::Proceed;
  std::chrono::seconds deletionTimeout{std::chrono::minutes(15)};  // bound on removal when the SM is deleted
  std::chrono::seconds agentConfirmationTimeout{std::chrono::minutes(2)};
  std::chrono::seconds drainPollInterval{5};  // re-list and retry evictions (429s) while draining
  std::chrono::seconds powerOnTimeoutDefault{std::chrono::minutes(10)};
  // A BMC answers in seconds, not milliseconds: read PowerConsumedWatts at most this often.
  std::chrono::seconds bmcPowerReadInterval{std::chrono::minutes(5)};
};

struct Observed {
  api::ScheduledMachine sm;
  std::string capiVersion = "v1beta2";  // served by the API server (discovery)
  ChildView bootstrap;
  ChildView infrastructure;
  std::optional<nlohmann::json> bootstrapTemplate;       // when spec.bootstrapRef is used and the template exists
  std::optional<nlohmann::json> infrastructureTemplate;  // when spec.infrastructureRef is used and it exists
  std::optional<MachineView> machine;
  std::optional<NodeView> node;         // the Node named by machine.nodeName, when found
  std::optional<api::HostAgent> agent;  // the HostAgent of the same name, when registered
  // The HostAgent through which the node-mode agent on spec.power.wakeOnLan.relayNode reports (its
  // status.relayedWakes acknowledges wake orders), when there is one.
  std::optional<api::HostAgent> wakeRelayAgent;
  std::optional<std::vector<nlohmann::json>> podsOnNode;  // listed only while draining
  std::optional<api::BmcPowerReading> bmcReading;         // read from the BMC by this reconcile (bmcReadingDue)
  std::vector<std::string> blockingPdbs;                  // "<ns>/<pdb>: <message>" from the last eviction round (429s)
  int consecutiveFailures = 0;                            // of executing previous decisions (kept by the I/O layer)
  DecideOptions options;
  TimePoint now;
};

MachineView machineViewFromJson(const nlohmann::json& machine);
NodeView nodeViewFromJson(const nlohmann::json& node);

}  // namespace fivespot::coordinator
