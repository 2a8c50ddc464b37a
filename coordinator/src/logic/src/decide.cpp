#include "fivespot/coordinator/decide.hpp"

#include <algorithm>

#include "fivespot/api/conditions.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/coordinator/savings_status.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace fivespot::coordinator {
namespace {

using api::Phase;
using std::chrono::seconds;
namespace cond = api::condition;

constexpr seconds kDefaultDuration{std::chrono::minutes(5)};  // CRD default of both timeouts
constexpr seconds kAgentHeartbeatTimeout{90};
constexpr seconds kTemplateRetry{30};
constexpr const char* kAgentPowerStateOff = "Off";  // HostAgent status.powerState

// Reasons (CamelCase, stable: alerts and docs refer to them).
namespace reason {
constexpr const char* kInvalidSpec = "InvalidSpec";
constexpr const char* kPowerOnRequested = "PowerOnRequested";
constexpr const char* kPowerOnTimedOut = "PowerOnTimedOut";
constexpr const char* kPowerOffOrdered = "PowerOffOrdered";
constexpr const char* kPoweredOff = "PoweredOff";
constexpr const char* kAwaitingAgentConfirmation = "AwaitingAgentConfirmation";
constexpr const char* kAgentConfirmationTimedOut = "AgentConfirmationTimedOut";
constexpr const char* kDrainTimedOut = "DrainTimedOut";
constexpr const char* kDeletionTimedOut = "DeletionTimedOut";
constexpr const char* kTemplateNotFound = "TemplateNotFound";
}  // namespace reason

int removalRank(const std::string& why) {
  if (why == removal::kDeleted) return 4;
  if (why == removal::kKillSwitch) return 3;
  if (why == removal::kReclaim) return 2;
  if (why == removal::kDisabled) return 1;
  return 0;
}

bool isEmergency(const std::string& why) {
  return removalRank(why) >= 2;
}

seconds durationOr(const std::string& text, seconds fallback) {
  try {
    return schedule::parseDuration(text, "duration");
  } catch (const ValidationError&) {
    return fallback;  // already reported by validation; a removal in progress must still finish
  }
}

std::string describePdbs(const std::vector<std::string>& pdbs) {
  std::string out;
  for (const std::string& pdb : pdbs) out += (out.empty() ? "" : "; ") + pdb;
  return out;
}

class Planner {
 public:
  explicit Planner(const Observed& observed)
      : o_(observed), spec_(observed.sm.spec), from_(observed.sm.status.phase.value_or(Phase::Pending)) {
    d_.status = o_.sm.status;
    d_.phase = from_;
    readyReason_ = readyReasonNow();
  }

  Decision run() {
    d_.status.observedGeneration = o_.sm.metadata.generation;
    evaluateSchedule();
    refreshObservedRefs();
    refreshAgent();
    if (!o_.sm.metadata.deletionTimestamp.empty()) {
      handleDeletion();
    } else {
      ensureFinalizer();
      ensureHostAgent();
      dispatch();
    }
    finish();
    return std::move(d_);
  }

 private:
  // ---- bookkeeping --------------------------------------------------------------------------

  void act(Action a) { d_.actions.push_back(std::move(a)); }
  void wakeAt(TimePoint t) { wakeups_.push_back(t); }
  void event(const std::string& type, const std::string& why, const std::string& message) {
    act(action::EmitEvent{type, why, message});
  }

  void condition(const char* type, const char* status, const std::string& why, const std::string& message) {
    api::setCondition(d_.status.conditions, api::Condition{type, status, why, message, "", o_.sm.metadata.generation},
                      o_.now);
  }

  // Reason of a condition as observed before this decision changed anything.
  std::string observedReason(const char* type) const {
    const api::Condition* c = api::findCondition(o_.sm.status.conditions, type);
    return c ? c->reason : std::string{};
  }
  std::string currentReason(const char* type) const {
    const api::Condition* c = api::findCondition(d_.status.conditions, type);
    return c ? c->reason : std::string{};
  }
  std::optional<TimePoint> conditionSince(const char* type) const {
    const api::Condition* c = api::findCondition(d_.status.conditions, type);
    return c ? tryParseRfc3339(c->lastTransitionTime) : std::nullopt;
  }

  std::string readyReasonNow() const {
    const api::Condition* c = api::findCondition(o_.sm.status.conditions, cond::kReady);
    return c ? c->reason : "Pending";
  }

  void setPhase(Phase phase, std::string why, std::string message) {
    d_.phase = phase;
    readyReason_ = std::move(why);
    d_.status.message = std::move(message);
  }

  // A Warning event only when the condition's reason changes, so a state that persists across
  // many reconciles is reported once, not on every pass (upstream's event loop).
  void warnOnce(const char* type, const std::string& why, const std::string& message) {
    if (observedReason(type) != why) event("Warning", why, message);
  }

  // ---- observation --------------------------------------------------------------------------

  void evaluateSchedule() {
    problems_ = api::validateScheduledMachine(o_.sm);
    try {
      schedule_ = schedule::Schedule::compile(spec_.schedule, "spec.schedule");
    } catch (const ValidationError& error) {
      condition(cond::kInWindow, api::kConditionUnknown, "InvalidSchedule", error.what());
      d_.status.inSchedule = false;
      return;
    }
    inWindow_ = schedule_->inWindow(o_.now);
    nextEdge_ = schedule_->nextTransition(o_.now);
    d_.status.inSchedule = inWindow_;
    if (!spec_.schedule.enabled) {
      condition(cond::kInWindow, api::kConditionFalse, "ScheduleDisabled", "spec.schedule.enabled is false");
    } else if (inWindow_) {
      condition(cond::kInWindow, api::kConditionTrue, "InsideWindow", "the schedule wants the machine in the cluster");
    } else {
      condition(cond::kInWindow, api::kConditionFalse, "OutsideWindow", "the schedule wants the machine out");
    }
  }

  bool pairValid() const {
    return spec_.bootstrapRef.has_value() != spec_.bootstrapSpec.has_value() &&
           spec_.infrastructureRef.has_value() != spec_.infrastructureSpec.has_value();
  }

  static api::ObjectReference toRef(const ChildRef& ref, const std::string& ns) {
    return api::ObjectReference{ref.apiVersion, ref.kind, ref.name, ns, ""};
  }

  // Status refs always describe what exists now, so they can never go stale (upstream B11).
  void refreshObservedRefs() {
    const std::string& ns = o_.sm.metadata.namespace_;
    api::ScheduledMachineStatus& s = d_.status;
    s.machineRef.reset();
    s.nodeRef.reset();
    s.providerID.clear();
    if (o_.machine) {
      s.machineRef =
          api::ObjectReference{std::string(kCapiGroup) + "/" + o_.capiVersion, "Machine", childName(o_.sm), ns, ""};
      s.providerID = o_.machine->providerID;
      if (!o_.machine->nodeName.empty()) {
        const bool found = o_.node && o_.node->name == o_.machine->nodeName;
        s.nodeRef = api::ObjectReference{"v1", "Node", o_.machine->nodeName, "", found ? o_.node->uid : ""};
      }
    } else {
      s.appliedNodeTaints.clear();  // the node is gone with its taints
    }
    s.bootstrapRef.reset();
    s.infrastructureRef.reset();
    if (pairValid()) {
      if (o_.bootstrap.exists) s.bootstrapRef = toRef(bootstrapChildRef(o_.sm), ns);
      if (o_.infrastructure.exists) s.infrastructureRef = toRef(infrastructureChildRef(o_.sm), ns);
    }
  }

  // An agent is expected once its HostAgent has ever reported: the coordinator creates the object
  // for every machine, and a host without an agent process must still join (docs/phases.md).
  bool agentReports() const { return o_.agent && !o_.agent->status.lastHeartbeat.empty(); }

  bool agentUp() const {
    if (!agentReports() || !o_.agent->status.ready) return false;
    const auto beat = tryParseRfc3339(o_.agent->status.lastHeartbeat);
    return beat && o_.now - *beat < kAgentHeartbeatTimeout;
  }

  void refreshAgent() {
    if (!agentReports()) {
      condition(cond::kAgentReady, api::kConditionUnknown, "NoAgent", "no host agent reports for this machine");
      return;
    }
    if (agentUp()) {
      condition(cond::kAgentReady, api::kConditionTrue, "AgentReady", "the host agent reports ready");
      condition(cond::kPoweredOn, api::kConditionTrue, "PoweredOn", "the host agent reports the host running");
    } else {
      const std::string& why = o_.agent->status.lastError;
      condition(cond::kAgentReady, api::kConditionFalse, "AgentNotReady",
                why.empty() ? "the host agent is not ready or its heartbeat is stale" : why);
      if (o_.agent->status.powerState == kAgentPowerStateOff) {
        condition(cond::kPoweredOn, api::kConditionFalse, reason::kPoweredOff, "the host agent reported power-off");
      }
    }
  }

  bool hostInCluster() const { return o_.machine.has_value() || o_.bootstrap.exists || o_.infrastructure.exists; }

  bool reclaimRequested() const {
    return (o_.node && o_.node->reclaimRequested) || (o_.agent && !o_.agent->status.reclaimRequested.empty());
  }

  std::string reclaimMessage() const {
    if (o_.agent && !o_.agent->status.reclaimRequested.empty()) {
      return "the host agent saw \"" + o_.agent->status.reclaimRequested + "\" start";
    }
    if (o_.node && !o_.node->reclaimReason.empty()) return "reclaim requested on the Node: " + o_.node->reclaimReason;
    return "reclaim requested on the Node";
  }

  std::optional<TimePoint> reclaimHoldUntil() const {
    if (from_ != Phase::Inactive || o_.sm.status.removalReason != removal::kReclaim) return std::nullopt;
    return tryParseRfc3339(o_.sm.status.nextTransition);
  }

  // Why the machine must be out regardless of its window ("" when nothing holds it out).
  std::string holdReason() const {
    if (spec_.killSwitch) return removal::kKillSwitch;
    if (reclaimRequested()) return removal::kReclaim;
    if (from_ == Phase::Removing && isEmergency(o_.sm.status.removalReason)) return o_.sm.status.removalReason;
    if (const auto until = reclaimHoldUntil(); until && o_.now < *until) return removal::kReclaim;
    if (!spec_.schedule.enabled) return removal::kDisabled;
    return {};
  }

  // ---- top level ----------------------------------------------------------------------------

  void ensureFinalizer() {
    const auto& finalizers = o_.sm.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), api::kFinalizer) == finalizers.end()) {
      act(action::AddFinalizer{});
    }
  }

  void ensureHostAgent() {
    const std::string nodeName = o_.machine ? o_.machine->nodeName : std::string{};
    if (!o_.agent) return act(action::CreateHostAgent{buildHostAgent(o_.sm, nodeName)});
    const api::HostAgentSpec& agent = o_.agent->spec;
    const bool nodeNameStale = !nodeName.empty() && agent.nodeName != nodeName;
    if (nodeNameStale || agent.killIfCommands != spec_.killIfCommands) {
      act(action::ProjectToAgent{nodeNameStale ? nodeName : agent.nodeName, spec_.killIfCommands});
    }
  }

  // The generation of a new order (docs/phases.md, "HostAgent orders"): one past the observed
  // commandGeneration, and past the orders this decision already issued.
  std::int64_t issueCommandGeneration() {
    const std::int64_t observed = o_.agent ? o_.agent->spec.commandGeneration : 0;
    return observed + ++ordersIssued_;
  }

  void dispatch() {
    if (const std::string hold = holdReason(); !hold.empty()) return goOut(hold);
    if (from_ == Phase::Error) return handleError();
    if (from_ == Phase::Inactive) {
      setPhase(Phase::Pending, "Released", "no longer held out; re-evaluating");
      wakeAt(o_.now);
      return;
    }
    if (!problems_.empty()) {
      if (from_ == Phase::Removing) return goOut(o_.sm.status.removalReason);  // finish what was started
      const std::string text = api::describeProblems(problems_);
      setPhase(Phase::Error, reason::kInvalidSpec, text);
      return;  // only a spec change can fix it: the watch wakes us
    }
    if (inWindow_) return goIn();
    goOut(removal::kWindowClosed);
  }

  void handleError() {
    if (observedReason(cond::kReady) == reason::kInvalidSpec) {
      if (problems_.empty()) {
        setPhase(Phase::Pending, "SpecFixed", "the spec is valid again; re-evaluating");
        wakeAt(o_.now);
      }
      return;
    }
    const auto since = conditionSince(cond::kReady).value_or(o_.now);
    const TimePoint retryAt = since + backoff(std::max(1, o_.consecutiveFailures));
    if (o_.now >= retryAt) {
      setPhase(Phase::Pending, "Retrying", "retrying after: " + o_.sm.status.message);
      wakeAt(o_.now);
    } else {
      wakeAt(retryAt);
    }
  }

  void handleDeletion() {
    const auto& finalizers = o_.sm.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), api::kFinalizer) == finalizers.end()) return;
    const TimePoint deletedAt = tryParseRfc3339(o_.sm.metadata.deletionTimestamp).value_or(o_.now);
    const TimePoint deadline = deletedAt + o_.options.deletionTimeout;
    if (o_.now >= deadline && hostInCluster()) return abandonRemovalOnDeletion();
    goOut(removal::kDeleted);
    if (d_.phase == Phase::Removing) wakeAt(deadline);
  }

  // The graceful removal did not finish in time: hand the Machine to CAPI (which drains by its own
  // rules) and to garbage collection, and let the ScheduledMachine go, saying so loudly.
  void abandonRemovalOnDeletion() {
    const std::string message =
        "removal did not finish within " + schedule::formatDuration(o_.options.deletionTimeout) +
        " of deletion; the Machine is deleted without 5-Spot's drain and the finalizer released";
    warnOnce(cond::kReady, reason::kDeletionTimedOut, message);
    if (o_.machine && !o_.machine->deleting) act(action::DeleteMachine{childName(o_.sm), o_.capiVersion, false});
    deleteRemainingChildren();
    act(action::RemoveFinalizer{});
    setPhase(Phase::Removing, reason::kDeletionTimedOut, message);
  }

  // ---- into the cluster ---------------------------------------------------------------------

  void goIn() {
    if (from_ == Phase::Removing) {
      const bool machineStays = o_.machine && !o_.machine->deleting;
      if (!machineStays) return goOut(o_.sm.status.removalReason);  // too late to cancel: finish, then re-add
      event("Normal", "RemovalCancelled", "the window is open again; keeping the machine");
    }
    if (from_ != Phase::Scheduled && from_ != Phase::Active && from_ != Phase::Removing) d_.work = WorkKind::Add;
    d_.status.removalReason.clear();
    // A power-off order of an earlier removal is withdrawn once, so the next one is a new order.
    if (o_.agent && o_.agent->spec.desiredPower == api::PowerState::Off) {
      act(action::OrderAgentPowerOn{issueCommandGeneration()});
    }
    convergeIn();
  }

  void convergeIn() {
    if (!o_.machine && !powerOnAndWaitForAgent()) return;
    if (!createMissingChildren()) return;
    const MachineView& machine = *o_.machine;
    const Phase waiting = from_ == Phase::Active ? Phase::Active : Phase::Scheduled;  // no flapping on a blip
    if (machine.nodeName.empty()) {
      condition(cond::kMachineReady, api::kConditionFalse, "WaitingForNode", "the Machine has no nodeRef yet");
      return setPhase(waiting, "WaitingForNode", "waiting for the Machine's Node to join");
    }
    if (!o_.node) {
      condition(cond::kMachineReady, api::kConditionFalse, "NodeNotFound", "Node " + machine.nodeName + " not found");
      wakeAt(o_.now + o_.options.drainPollInterval);
      return setPhase(waiting, "NodeNotFound", "Node " + machine.nodeName + " not found");
    }
    if (!o_.node->ready) {
      condition(cond::kMachineReady, api::kConditionFalse, "NodeNotReady", "Node " + o_.node->name + " is not Ready");
      return setPhase(waiting, "NodeNotReady", "waiting for Node " + o_.node->name + " to be Ready");
    }
    condition(cond::kMachineReady, api::kConditionTrue, "NodeReady", "Node " + o_.node->name + " is Ready");
    condition(cond::kDrained, api::kConditionFalse, "NotDraining", "the node is in service");
    undoCancelledRemoval();
    const std::string conflicts = reconcileTaints();
    setPhase(Phase::Active, "NodeReady",
             conflicts.empty() ? "Node " + o_.node->name + " is Ready in the cluster"
                               : "Node " + o_.node->name + " is Ready; taints left to an administrator: " + conflicts);
  }

  // Returns true when children may be created.
  bool powerOnAndWaitForAgent() {
    const bool managesPower = spec_.power && (spec_.power->wakeOnLan || spec_.power->redfish);
    if (managesPower && !agentUp()) {
      const seconds timeout = spec_.power->powerOnTimeout
                                  ? durationOr(*spec_.power->powerOnTimeout, o_.options.powerOnTimeoutDefault)
                                  : o_.options.powerOnTimeoutDefault;
      if (currentReason(cond::kPoweredOn) != reason::kPowerOnRequested) {
        act(action::OrderPowerOn{wakeRelayOrder(timeout)});
        // Unknown (not False): the order is out, the outcome not known yet. It also moves
        // lastTransitionTime, which the power-on timeout counts from.
        condition(cond::kPoweredOn, api::kConditionUnknown, reason::kPowerOnRequested, "power-on ordered");
      }
      const TimePoint deadline = conditionSince(cond::kPoweredOn).value_or(o_.now) + timeout;
      std::string relayed;  // "wake relayed by <node> at <time>" once the relay acknowledged
      if (const std::string relay = wakeRelayNode(); !relay.empty()) {
        const std::optional<api::RelayedWake> ack = wakeRelayAcknowledgement(deadline);
        if (!ack && o_.now >= deadline) {
          return powerOnTimedOut("no agent on node " + relay + " acknowledged the wake order within " +
                                 schedule::formatDuration(timeout));
        }
        if (ack) {
          relayed = "wake relayed by " + relay + " at " + ack->sentAt;
          condition(cond::kPoweredOn, api::kConditionUnknown, reason::kPowerOnRequested,
                    "power-on ordered: " + relayed);
        }
        wakeAt(deadline);
      }
      // Without an agent nothing reports the host up: the infrastructure provider retries instead.
      if (agentReports()) {
        if (o_.now >= deadline) {
          return powerOnTimedOut("the host agent did not report ready within " + schedule::formatDuration(timeout) +
                                 " of the power-on order" + (relayed.empty() ? "" : " (" + relayed + ")"));
        }
        wakeAt(deadline);
      }
    }
    if (agentReports() && !agentUp()) {
      setPhase(Phase::Scheduled, "WaitingForAgent", "waiting for the host agent to report ready");
      return false;
    }
    return true;
  }

  bool powerOnTimedOut(const std::string& message) {
    condition(cond::kPoweredOn, api::kConditionFalse, reason::kPowerOnTimedOut, message);
    setPhase(Phase::Error, reason::kPowerOnTimedOut, message);
    return false;
  }

  std::string wakeRelayNode() const {
    if (!spec_.power || !spec_.power->wakeOnLan) return {};
    return spec_.power->wakeOnLan->relayNode;
  }

  // The wake order for the relay, written into this machine's own HostAgent spec (the coordinator
  // owns it); it expires with the power-on timeout so a relay that comes back late never wakes the
  // host outside the window. nullopt: the coordinator sends Wake-on-LAN itself (or there is none).
  std::optional<api::WakeOrder> wakeRelayOrder(seconds timeout) {
    const std::string relay = wakeRelayNode();
    if (relay.empty()) return std::nullopt;
    const api::WakeOnLan& wol = *spec_.power->wakeOnLan;
    return api::WakeOrder{
        relay, wol.mac, wol.broadcast, wol.port, issueCommandGeneration(), formatRfc3339(o_.now + timeout)};
  }

  // The relay's acknowledgement of this power-on's wake order. The order in the observed spec is
  // this power-on's only if it expires at `deadline` (both are the order time plus the timeout): an
  // earlier power-on's order, acknowledged long ago, expires before. The acknowledgement counts only
  // from the node-mode HostAgent of the relay node: node-identity admission lets only the agent on
  // that node write its status.
  std::optional<api::RelayedWake> wakeRelayAcknowledgement(TimePoint deadline) const {
    if (!o_.agent || !o_.agent->spec.wake || !o_.wakeRelayAgent) return std::nullopt;
    const api::WakeOrder& order = *o_.agent->spec.wake;
    const auto expires = tryParseRfc3339(order.expiresAt);
    if (!expires || *expires < deadline) return std::nullopt;
    const api::HostAgent& relay = *o_.wakeRelayAgent;
    if (relay.status.mode != "node" || relay.spec.nodeName != order.relayNode) return std::nullopt;
    const std::string target = o_.sm.metadata.namespace_ + "/" + o_.sm.metadata.name;
    for (const api::RelayedWake& wake : relay.status.relayedWakes) {
      if (wake.hostAgent == target && wake.generation >= order.generation) return wake;
    }
    return std::nullopt;
  }

  // Create-if-absent, in dependency order. Returns true when the Machine exists and is usable.
  bool createMissingChildren() {
    bool created = false;
    bool waitingForOld = false;
    try {
      if (!o_.bootstrap.exists) {
        act(action::CreateBootstrap{buildBootstrap(o_.sm, o_.bootstrapTemplate)});
        created = true;
      } else {
        waitingForOld = waitingForOld || o_.bootstrap.deleting;
      }
      if (!o_.infrastructure.exists) {
        act(action::CreateInfrastructure{buildInfrastructure(o_.sm, o_.infrastructureTemplate)});
        created = true;
      } else {
        waitingForOld = waitingForOld || o_.infrastructure.deleting;
      }
    } catch (const ValidationError& error) {
      d_.actions.erase(std::remove_if(d_.actions.begin(), d_.actions.end(),
                                      [](const Action& a) {
                                        return std::holds_alternative<action::CreateBootstrap>(a) ||
                                               std::holds_alternative<action::CreateInfrastructure>(a);
                                      }),
                       d_.actions.end());
      warnOnce(cond::kReady, reason::kTemplateNotFound, error.what());
      wakeAt(o_.now + kTemplateRetry);  // templates are not watched
      setPhase(Phase::Scheduled, reason::kTemplateNotFound, error.what());
      return false;
    }
    if (waitingForOld || (o_.machine && o_.machine->deleting)) {
      wakeAt(o_.now + o_.options.drainPollInterval);
      setPhase(Phase::Scheduled, "WaitingForPreviousRemoval",
               "objects of the previous removal are still being deleted");
      return false;
    }
    if (!o_.machine) {
      act(action::CreateMachine{
          buildMachine(o_.sm, o_.capiVersion, bootstrapChildRef(o_.sm), infrastructureChildRef(o_.sm))});
      created = true;
    }
    if (created) {
      condition(cond::kMachineReady, api::kConditionFalse, "Provisioning", "CAPI objects created");
      setPhase(Phase::Scheduled, "Provisioning", "bootstrap, infrastructure and Machine created; waiting for the Node");
      return false;
    }
    return true;
  }

  void undoCancelledRemoval() {
    const NodeView& node = *o_.node;
    if (!hasTaint(node.taints, removalTaint())) return;
    // Our taint marks a removal we started; the cordon is ours too, so undo both.
    act(action::RemoveRemovalTaint{node.name});
    if (node.unschedulable) act(action::Uncordon{node.name});
  }

  // Returns the conflicting taints (admin-owned), described, or "".
  std::string reconcileTaints() {
    const TaintPlan plan = diffTaints(spec_.nodeTaints, o_.node->taints, o_.sm.status.appliedNodeTaints);
    if (plan.changesNode()) act(action::ApplyTaints{o_.node->name, plan});
    d_.status.appliedNodeTaints = plan.applied;
    std::string conflicts;
    for (const api::Taint& t : plan.conflicts) conflicts += (conflicts.empty() ? "" : ", ") + t.key + ":" + t.effect;
    return conflicts;
  }

  // ---- out of the cluster -------------------------------------------------------------------

  void goOut(std::string why) {
    if (why.empty()) why = removal::kWindowClosed;
    if (from_ == Phase::Removing && removalRank(o_.sm.status.removalReason) > removalRank(why)) {
      why = o_.sm.status.removalReason;  // a stronger removal in progress is not weakened
    }
    if (hostInCluster()) return remove(why);
    finishOut(why);
  }

  void remove(const std::string& why) {
    if (from_ != Phase::Removing) {
      d_.work = isEmergency(why) ? WorkKind::EmergencyRemoval : WorkKind::Removal;
      d_.status.drain = api::DrainProgress{0, {}, formatRfc3339(o_.now)};
      condition(cond::kDrained, api::kConditionFalse, "RemovalStarted", "removal started: " + why);
    } else if (!d_.status.drain) {
      d_.status.drain = api::DrainProgress{0, {}, formatRfc3339(o_.now)};
    }
    d_.status.removalReason = why;
    setPhase(Phase::Removing, why, "removing the machine from the cluster (" + why + ")");
    removalSteps(why);
  }

  void removalSteps(const std::string& why) {
    const TimePoint start = tryParseRfc3339(d_.status.drain->startedAt).value_or(o_.now);
    const bool graceful = why == removal::kWindowClosed || why == removal::kDisabled;
    const seconds grace = graceful ? durationOr(spec_.gracefulShutdownTimeout, kDefaultDuration) : seconds(0);
    const seconds drainTimeout = durationOr(spec_.nodeDrainTimeout, kDefaultDuration);
    if (o_.machine && !o_.machine->deleting) {
      const bool nodeJoined = o_.node && !o_.machine->nodeName.empty() && o_.machine->nodeName == o_.node->name;
      if (nodeJoined && !drainNode(why, start + grace, drainTimeout)) return;
      // CAPI would drain again with its own rules; we already did it (or there is no node).
      act(action::DeleteMachine{childName(o_.sm), o_.capiVersion, true});
      condition(cond::kMachineReady, api::kConditionFalse, "Deleting", "Machine deletion requested");
      d_.status.message = "deleting the Machine (" + why + ")";
      return;
    }
    if (o_.machine) {
      condition(cond::kMachineReady, api::kConditionFalse, "Deleting", "waiting for the Machine to be deleted");
      d_.status.message = "waiting for the Machine to be deleted (" + why + ")";
      return;
    }
    // The Machine is gone; CAPI usually deletes the bootstrap and infrastructure objects with it.
    deleteRemainingChildren();
    d_.status.message = "waiting for the bootstrap and infrastructure objects to be deleted (" + why + ")";
  }

  void deleteRemainingChildren() {
    if (!pairValid()) return;
    std::vector<ChildRef> children;
    if (o_.bootstrap.exists && !o_.bootstrap.deleting) children.push_back(bootstrapChildRef(o_.sm));
    if (o_.infrastructure.exists && !o_.infrastructure.deleting) children.push_back(infrastructureChildRef(o_.sm));
    if (!children.empty()) act(action::DeleteChildren{std::move(children)});
  }

  // Returns true when the node may leave (drained, or the policy says proceed).
  bool drainNode(const std::string& why, TimePoint graceEnd, seconds drainTimeout) {
    const NodeView& node = *o_.node;
    if (!hasTaint(node.taints, removalTaint())) act(action::AddRemovalTaint{node.name});
    if (o_.now < graceEnd) {
      condition(cond::kDrained, api::kConditionFalse, "GracePeriod",
                "grace period until " + formatRfc3339(graceEnd) + "; new pods avoid this node");
      wakeAt(graceEnd);
      return false;
    }
    if (!node.unschedulable) act(action::Cordon{node.name});
    if (!o_.podsOnNode) {
      condition(cond::kDrained, api::kConditionFalse, "Draining", "listing the pods on the node");
      wakeAt(o_.now + o_.options.drainPollInterval);
      return false;
    }
    const DrainSelection selection = selectPodsToDrain(*o_.podsOnNode);
    d_.status.drain->podsRemaining = static_cast<int>(selection.remaining());
    d_.status.drain->blockingPdbs = o_.blockingPdbs;
    if (why == removal::kKillSwitch && o_.options.killSwitchForceDelete) {
      if (!selection.toEvict.empty()) act(action::DeletePods{node.name, selection.toEvict});
      condition(cond::kDrained, api::kConditionFalse, "ForceDeleted", "kill switch: pods deleted without eviction");
      return true;
    }
    if (selection.remaining() > 0) return keepDraining(selection, graceEnd + drainTimeout);
    return confirmWithAgent(graceEnd + drainTimeout + o_.options.agentConfirmationTimeout);
  }

  bool keepDraining(const DrainSelection& selection, TimePoint deadline) {
    const NodeView& node = *o_.node;
    std::string progress = std::to_string(selection.remaining()) + " pod(s) left";
    if (!o_.blockingPdbs.empty()) progress += "; blocked by " + describePdbs(o_.blockingPdbs);
    const bool timedOut = o_.now >= deadline;
    if (timedOut && o_.options.drainTimeoutPolicy == DrainTimeoutPolicy::Proceed) {
      const std::string message = "nodeDrainTimeout reached with " + progress + "; proceeding with removal";
      warnOnce(cond::kDrained, reason::kDrainTimedOut, message);
      condition(cond::kDrained, api::kConditionFalse, reason::kDrainTimedOut, message);
      return true;
    }
    if (!selection.toEvict.empty()) act(action::EvictPods{node.name, selection.toEvict});
    if (timedOut) {
      const std::string message = "nodeDrainTimeout reached with " + progress + "; staying cordoned (policy Stay)";
      warnOnce(cond::kDrained, reason::kDrainTimedOut, message);
      condition(cond::kDrained, api::kConditionFalse, reason::kDrainTimedOut, message);
      readyReason_ = reason::kDrainTimedOut;
      wakeAt(o_.now + o_.options.drainPollInterval);
      return false;
    }
    condition(cond::kDrained, api::kConditionFalse, "Draining", progress);
    wakeAt(std::min(o_.now + o_.options.drainPollInterval, deadline));
    return false;
  }

  bool confirmWithAgent(TimePoint deadline) {
    const std::string drained = currentReason(cond::kDrained);
    if (!agentReports() || api::isConditionTrue(d_.status.conditions, cond::kDrained) ||
        drained == reason::kAgentConfirmationTimedOut || drained == reason::kDrainTimedOut) {
      if (!agentReports() && drained != reason::kDrainTimedOut) {
        condition(cond::kDrained, api::kConditionTrue, "Drained", "no evictable pods left on the node");
      }
      return true;
    }
    const api::HostAgent& agent = *o_.agent;
    // One request per removal: the condition carries "requested" from one decision to the next.
    if (drained != reason::kAwaitingAgentConfirmation) {
      act(action::RequestDrainConfirmation{issueCommandGeneration()});
      condition(cond::kDrained, api::kConditionFalse, reason::kAwaitingAgentConfirmation,
                "no pods left; waiting for the host agent to confirm");
      wakeAt(deadline);
      return false;
    }
    const std::int64_t requested = agent.spec.drainConfirmationGeneration;
    if (requested > 0 && agent.status.drainConfirmedGeneration >= requested) {
      condition(cond::kDrained, api::kConditionTrue, "AgentConfirmed", "the host agent confirmed no workload runs");
      return true;
    }
    if (o_.now >= deadline) {
      const std::string message = "the host agent did not confirm the drain in time; proceeding";
      warnOnce(cond::kDrained, reason::kAgentConfirmationTimedOut, message);
      condition(cond::kDrained, api::kConditionFalse, reason::kAgentConfirmationTimedOut, message);
      return true;
    }
    wakeAt(deadline);
    return false;
  }

  void finishOut(const std::string& why) {
    if (from_ == Phase::Removing) {
      powerOff(why);
      condition(cond::kMachineReady, api::kConditionFalse, "Removed", "the Machine was removed (" + why + ")");
    }
    d_.status.removalReason = from_ == Phase::Removing ? why : o_.sm.status.removalReason;
    if (why == removal::kDeleted) {
      act(action::RemoveFinalizer{});
      return setPhase(d_.phase, "Deleted", "removed from the cluster; releasing the finalizer");
    }
    if (why == removal::kWindowClosed) {
      d_.status.removalReason = from_ == Phase::Removing ? why : std::string{};
      return setPhase(Phase::UnScheduled, "OutsideWindow", "outside the schedule window; the host is out");
    }
    if (why == removal::kReclaim) {
      if (from_ != Phase::Inactive || !reclaimHoldUntil()) {
        // Held out until the current window closes, so the machine does not come straight back.
        holdUntil_ = inWindow_ && nextEdge_ ? *nextEdge_ : o_.now;
      } else {
        holdUntil_ = *reclaimHoldUntil();
      }
      d_.status.removalReason = removal::kReclaim;
      return setPhase(Phase::Inactive, "Reclaimed", reclaimMessage() + "; out until " + formatRfc3339(*holdUntil_));
    }
    d_.status.removalReason = why;
    setPhase(Phase::Inactive, why,
             why == removal::kKillSwitch ? "held out by the kill switch" : "held out: spec.schedule.enabled is false");
  }

  void powerOff(const std::string& why) {
    if (why == removal::kReclaim) return;  // somebody is using the host: it stays on
    const bool withoutDrainConfirmation = why == removal::kKillSwitch;
    if (agentReports()) {
      if (o_.agent->status.powerState == kAgentPowerStateOff) return;
      if (!powerOffOrderCurrent(withoutDrainConfirmation)) {
        act(action::OrderPowerOff{issueCommandGeneration(), withoutDrainConfirmation});
      }
    } else {
      if (!spec_.power || !spec_.power->redfish) return;
      if (currentReason(cond::kPoweredOn) == reason::kPowerOffOrdered) return;
      act(action::OrderPowerOff{0, withoutDrainConfirmation});
    }
    condition(cond::kPoweredOn, api::kConditionFalse, reason::kPowerOffOrdered, "power-off ordered");
  }

  // The agent's current order already is the power-off we want: writing it again would only
  // supersede it with an identical one.
  bool powerOffOrderCurrent(bool withoutDrainConfirmation) const {
    const api::HostAgentSpec& order = o_.agent->spec;
    return order.desiredPower == api::PowerState::Off && order.powerOffGeneration > 0 &&
           order.powerOffGeneration == order.commandGeneration && (order.killSwitch || !withoutDrainConfirmation);
  }

  // ---- result -------------------------------------------------------------------------------

  void finish() {
    api::ScheduledMachineStatus& s = d_.status;
    s.phase = d_.phase;
    if (d_.phase != Phase::Removing) s.drain.reset();
    if (d_.phase == Phase::Scheduled || d_.phase == Phase::Active) s.removalReason.clear();
    s.bmcPower = decideBmcPower(o_);
    s.powerSavings = decidePowerSavings(o_, d_.phase);  // docs/power.md, "Savings"
    if (d_.phase == Phase::Inactive) {
      s.nextTransition = holdUntil_ ? formatRfc3339(*holdUntil_) : std::string{};
      if (holdUntil_ && *holdUntil_ > o_.now) wakeAt(*holdUntil_);
    } else if (d_.phase == Phase::Error || d_.phase == Phase::Pending) {
      s.nextTransition = nextEdge_ ? formatRfc3339(*nextEdge_) : std::string{};
    } else {
      s.nextTransition = nextEdge_ ? formatRfc3339(*nextEdge_) : std::string{};
      if (nextEdge_) wakeAt(*nextEdge_);
    }
    const bool settled = d_.phase == Phase::Active || d_.phase == Phase::UnScheduled || d_.phase == Phase::Inactive;
    condition(cond::kReady, settled ? api::kConditionTrue : api::kConditionFalse, readyReason_, s.message);
    for (const char* type : {cond::kMachineReady, cond::kDrained, cond::kPoweredOn}) {
      if (!api::findCondition(s.conditions, type)) condition(type, api::kConditionUnknown, "NotObserved", "");
    }
    if (d_.phase != from_ || !o_.sm.status.phase) {
      event(d_.phase == Phase::Error ? "Warning" : "Normal", readyReason_,
            std::string(api::toString(from_)) + " -> " + api::toString(d_.phase) + ": " + s.message);
    }
    if (!wakeups_.empty()) {
      const TimePoint next = *std::min_element(wakeups_.begin(), wakeups_.end());
      d_.requeueAfter =
          next <= o_.now ? std::chrono::milliseconds(0) : std::chrono::ceil<std::chrono::milliseconds>(next - o_.now);
    }
  }

  const Observed& o_;
  const api::ScheduledMachineSpec& spec_;
  const Phase from_;
  Decision d_;
  std::string readyReason_;
  std::vector<api::FieldProblem> problems_;
  std::optional<schedule::Schedule> schedule_;
  bool inWindow_ = false;
  std::optional<TimePoint> nextEdge_;
  std::optional<TimePoint> holdUntil_;
  std::vector<TimePoint> wakeups_;
  std::int64_t ordersIssued_ = 0;
};

}  // namespace

nlohmann::json Decision::statusPatch(const api::ScheduledMachineStatus& observed) const {
  return api::statusMergePatch(observed, status);
}

Decision decide(const Observed& observed) {
  return Planner(observed).run();
}

Decision recordFailure(const Observed& observed, const std::string& why, const std::string& message) {
  Decision d;
  d.status = observed.sm.status;
  d.phase = observed.sm.status.phase.value_or(Phase::Pending);
  const int failures = std::max(1, observed.consecutiveFailures);
  if (failures >= kErrorThreshold) d.phase = Phase::Error;
  d.status.phase = d.phase;
  d.status.message = message;
  api::setCondition(
      d.status.conditions,
      api::Condition{api::condition::kReady, api::kConditionFalse, why, message, "", observed.sm.metadata.generation},
      observed.now);
  d.actions.push_back(action::EmitEvent{"Warning", why, message});
  d.requeueAfter = backoff(failures);
  return d;
}

seconds backoff(int failures) {
  constexpr seconds kBase{5};
  constexpr seconds kCap{std::chrono::minutes(5)};
  seconds delay = kBase;
  for (int i = 1; i < failures && delay < kCap; ++i) delay *= 2;
  return std::min(delay, kCap);
}

}  // namespace fivespot::coordinator
