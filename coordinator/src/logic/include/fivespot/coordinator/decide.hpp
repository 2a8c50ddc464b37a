#pragma once
// The ScheduledMachine phase machine (docs/phases.md) as one pure function: what to do next, given
// what was observed and the time. The I/O layer executes the actions in order, stops at the first
// failure (then calls recordFailure), and only after all succeeded patches the status with
// statusPatch(). Every action is idempotent, so re-running a decision after a crash is safe.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fivespot/coordinator/children.hpp"
#include "fivespot/coordinator/drain.hpp"
#include "fivespot/coordinator/observed.hpp"
#include "fivespot/coordinator/priority.hpp"
#include "fivespot/coordinator/taints.hpp"

namespace fivespot::coordinator {

namespace action {
struct AddFinalizer {};
struct RemoveFinalizer {};
struct CreateBootstrap {
  nlohmann::json object;
};
struct CreateInfrastructure {
  nlohmann::json object;
};
struct CreateMachine {
  nlohmann::json object;
};
// Node spec.taints read-modify-write with applyTaintPlan (optimistic concurrency on resourceVersion).
struct ApplyTaints {
  std::string node;
  TaintPlan plan;
};
struct AddRemovalTaint {
  std::string node;
};
struct RemoveRemovalTaint {
  std::string node;
};
struct Cordon {
  std::string node;
};
struct Uncordon {
  std::string node;
};
// Eviction API, in parallel, with deleteOptions.preconditions.uid; 429 = blocked by a PDB: report
// it through Observed::blockingPdbs and retry on the next decision.
struct EvictPods {
  std::string node;
  std::vector<PodRef> pods;
};
struct DeletePods {
  std::string node;
  std::vector<PodRef> pods;
};  // kill switch with force-delete only
// Orders to the host agent (docs/phases.md, "HostAgent orders"): each one is a single merge patch
// of the HostAgent spec that sets commandGeneration to `generation` (observed + 1) and the order's
// own generation field to the same value, so the agent can tell the current order from a
// superseded one.
struct RequestDrainConfirmation {
  std::int64_t generation;  // commandGeneration and drainConfirmationGeneration
};
struct OrderAgentPowerOn {
  std::int64_t generation;  // commandGeneration; desiredPower On, killSwitch false
};
// Create-if-absent of the HostAgent (same namespace/name, controlled by the ScheduledMachine).
struct CreateHostAgent {
  nlohmann::json object;
};
// Keeps the HostAgent's projections (spec.nodeName, spec.killIfCommands) current. Not an order:
// commandGeneration is left alone.
struct ProjectToAgent {
  std::string nodeName;
  std::vector<std::string> killIfCommands;
};
struct DeleteMachine {
  std::string name;
  std::string capiVersion;
  bool excludeNodeDraining;
};
struct DeleteChildren {
  std::vector<ChildRef> children;
};
// Out of band: Wake-on-LAN and/or Redfish, as configured in spec.power. With a Wake-on-LAN relay
// (spec.power.wakeOnLan.relayNode) the packet is not sent by the coordinator: `wakeRelay` is
// written into the HostAgent's spec.wake as an order (its generation is the new commandGeneration)
// for the node-mode agent on the relay node (docs/power.md, "Wake-on-LAN relay").
struct OrderPowerOn {
  std::optional<api::WakeOrder> wakeRelay;
};
// generation > 0: the host agent's order (commandGeneration and powerOffGeneration, desiredPower
// Off, killSwitch = withoutDrainConfirmation). generation == 0: no agent reports for this
// machine, so a Redfish GracefulShutdown instead.
struct OrderPowerOff {
  std::int64_t generation;
  bool withoutDrainConfirmation;
};
struct EmitEvent {
  std::string type;
  std::string reason;
  std::string message;
};  // type: Normal | Warning
}  // namespace action

using Action =
    std::variant<action::AddFinalizer, action::RemoveFinalizer, action::CreateBootstrap, action::CreateInfrastructure,
                 action::CreateMachine, action::ApplyTaints, action::AddRemovalTaint, action::RemoveRemovalTaint,
                 action::Cordon, action::Uncordon, action::EvictPods, action::DeletePods,
                 action::RequestDrainConfirmation, action::DeleteMachine, action::DeleteChildren, action::OrderPowerOn,
                 action::OrderPowerOff, action::OrderAgentPowerOn, action::CreateHostAgent, action::ProjectToAgent,
                 action::EmitEvent>;

// Why a removal runs (status.removalReason).
namespace removal {
inline constexpr const char* kWindowClosed = "WindowClosed";
inline constexpr const char* kDisabled = "Disabled";
inline constexpr const char* kKillSwitch = "KillSwitch";
inline constexpr const char* kReclaim = "Reclaim";
inline constexpr const char* kDeleted = "Deleted";
}  // namespace removal

struct Decision {
  api::Phase phase = api::Phase::Pending;
  api::ScheduledMachineStatus status;  // the complete desired status
  std::vector<Action> actions;
  // When to decide again even if nothing changes: the next window edge, the end of a grace
  // period, a drain poll, a back-off. nullopt: only a watch event can change the outcome.
  // Milliseconds, rounded up: a window edge is acted on as it passes, not up to a second later.
  std::optional<std::chrono::milliseconds> requeueAfter;
  WorkKind work = WorkKind::None;  // an add or removal starts with this decision (concurrency limits)

  // JSON merge patch for the status subresource (empty object: nothing to write).
  [[nodiscard]] nlohmann::json statusPatch(const api::ScheduledMachineStatus& observed) const;
};

Decision decide(const Observed& observed);

// The decision after executing a previous one failed (API error, conflict, timeout): the status
// says why (Ready=False with `reason`), a Warning event is emitted, and the next attempt is backed
// off. After `kErrorThreshold` consecutive failures the phase becomes Error; decide() moves it back
// to Pending when the back-off has passed.
inline constexpr int kErrorThreshold = 3;
Decision recordFailure(const Observed& observed, const std::string& reason, const std::string& message);

// 5 s, 10 s, 20 s, ... capped at 5 min; `failures` counts from 1.
std::chrono::seconds backoff(int failures);

}  // namespace fivespot::coordinator
