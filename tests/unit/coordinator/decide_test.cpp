// Table-style tests of the phase machine with a fixed clock. Schedule: mon-fri 9-17 UTC, i.e. the
// window is 09:00-18:00 UTC on weekdays. 2026-11-24 is a Tuesday.
#include <gtest/gtest.h>

#include "fivespot/api/conditions.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/coordinator/decide.hpp"

namespace fivespot::coordinator {
namespace {

using api::Phase;
using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint at(const char* text) {
  return parseRfc3339(text);
}

const TimePoint kInWindow = at("2026-11-24T10:00:00Z");
const TimePoint kWindowClose = at("2026-11-24T18:00:00Z");

template <class A>
std::vector<A> all(const Decision& d) {
  std::vector<A> out;
  for (const Action& a : d.actions) {
    if (const A* found = std::get_if<A>(&a)) out.push_back(*found);
  }
  return out;
}

template <class A>
bool has(const Decision& d) {
  return !all<A>(d).empty();
}

std::string reasonOf(const Decision& d, const char* type) {
  const api::Condition* c = api::findCondition(d.status.conditions, type);
  return c ? c->reason : "";
}

bool hasEvent(const Decision& d, const std::string& reason) {
  for (const auto& e : all<action::EmitEvent>(d)) {
    if (e.reason == reason) return true;
  }
  return false;
}

json pod(const std::string& name) {
  return {{"metadata", {{"namespace", "apps"}, {"name", name}, {"uid", name + "-uid"}}},
          {"status", {{"phase", "Running"}}}};
}

class Decide : public ::testing::Test {
 protected:
  Decide() {
    api::ScheduledMachine& sm = o.sm;
    sm.metadata.name = "worker-1";
    sm.metadata.namespace_ = "ns";
    sm.metadata.uid = "uid-1";
    sm.metadata.generation = 1;
    sm.metadata.finalizers = {api::kFinalizer};
    sm.spec.clusterName = "c1";
    sm.spec.schedule.daysOfWeek = {"mon-fri"};
    sm.spec.schedule.hoursOfDay = {"9-17"};
    sm.spec.bootstrapSpec = api::EmbeddedResource{"bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig", "{}"};
    sm.spec.infrastructureSpec =
        api::EmbeddedResource{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", "{}"};
    sm.spec.nodeTaints = {api::Taint{"example.com/gpu", "true", "NoSchedule"}};
    o.now = kInWindow;
  }

  // What the I/O layer and the cluster would do with a decision: the next observation.
  void apply(const Decision& d) {
    o.sm.status = d.status;
    for (const Action& a : d.actions) {
      if (std::holds_alternative<action::AddFinalizer>(a)) o.sm.metadata.finalizers.push_back(api::kFinalizer);
      if (std::holds_alternative<action::CreateBootstrap>(a)) o.bootstrap.exists = true;
      if (std::holds_alternative<action::CreateInfrastructure>(a)) o.infrastructure.exists = true;
      if (std::holds_alternative<action::CreateMachine>(a)) o.machine = MachineView{};
      if (std::holds_alternative<action::DeleteMachine>(a)) o.machine->deleting = true;
      if (const auto* t = std::get_if<action::ApplyTaints>(&a)) {
        for (const auto& add : t->plan.add) o.node->taints.push_back(add);
      }
      if (std::holds_alternative<action::AddRemovalTaint>(a)) o.node->taints.push_back(removalTaint());
      if (std::holds_alternative<action::Cordon>(a)) o.node->unschedulable = true;
      if (const auto* r = std::get_if<action::RequestDrainConfirmation>(&a)) {
        o.agent->spec.drainConfirmationGeneration = r->generation;
        o.agent->spec.commandGeneration = r->generation;
      }
      if (const auto* p = std::get_if<action::OrderPowerOff>(&a); p && p->generation > 0) {
        o.agent->spec.desiredPower = api::PowerState::Off;
        o.agent->spec.powerOffGeneration = p->generation;
        o.agent->spec.killSwitch = p->withoutDrainConfirmation;
        o.agent->spec.commandGeneration = p->generation;
      }
      if (const auto* on = std::get_if<action::OrderAgentPowerOn>(&a)) {
        o.agent->spec.desiredPower = api::PowerState::On;
        o.agent->spec.killSwitch = false;
        o.agent->spec.commandGeneration = on->generation;
      }
      if (const auto* c = std::get_if<action::CreateHostAgent>(&a)) o.agent = api::parseHostAgent(c->object);
      if (const auto* on = std::get_if<action::OrderPowerOn>(&a); on && on->wakeRelay) {
        o.agent->spec.wake = on->wakeRelay;
        o.agent->spec.commandGeneration = on->wakeRelay->generation;
      }
      if (const auto* p = std::get_if<action::ProjectToAgent>(&a)) {
        o.agent->spec.nodeName = p->nodeName;
        o.agent->spec.killIfCommands = p->killIfCommands;
      }
    }
  }

  Decision step() {
    Decision d = decide(o);
    apply(d);
    return d;
  }

  void joinNode() {
    o.machine->nodeName = "node-1";
    o.node = NodeView{"node-1", "node-uid", true, false, {}, false, ""};
  }

  // Brings the machine to Active through the real transitions.
  void becomeActive() {
    step();  // creates children
    joinNode();
    step();  // taints, Active
    ASSERT_EQ(o.sm.status.phase, Phase::Active);
  }

  void addAgent(bool ready = true) {
    api::HostAgent agent;
    agent.metadata.name = "worker-1";
    agent.status.ready = ready;
    agent.status.powerState = "On";
    agent.status.lastHeartbeat = formatRfc3339(o.now);
    o.agent = agent;
  }

  Observed o;
};

// ---- Pending ----------------------------------------------------------------------------------

TEST_F(Decide, NewMachineInWindowGetsFinalizerAndChildrenAndIsScheduled) {
  o.sm.metadata.finalizers.clear();
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_TRUE(std::holds_alternative<action::AddFinalizer>(d.actions.front()));
  ASSERT_EQ(all<action::CreateMachine>(d).size(), 1u);
  EXPECT_EQ(all<action::CreateMachine>(d)[0].object["apiVersion"], "cluster.x-k8s.io/v1beta2");
  EXPECT_TRUE(has<action::CreateBootstrap>(d));
  EXPECT_TRUE(has<action::CreateInfrastructure>(d));
  EXPECT_EQ(d.work, WorkKind::Add);
  EXPECT_TRUE(d.status.inSchedule);
  EXPECT_EQ(d.status.nextTransition, "2026-11-24T18:00:00Z");
  EXPECT_EQ(d.status.observedGeneration, 1);
  EXPECT_TRUE(hasEvent(d, "Provisioning"));
}

TEST_F(Decide, NewMachineOutsideWindowIsUnScheduledAndWakesExactlyAtTheNextEdge) {
  o.now = at("2026-11-24T18:30:00Z");
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::UnScheduled);
  EXPECT_FALSE(has<action::CreateMachine>(d));
  EXPECT_EQ(d.status.nextTransition, "2026-11-25T09:00:00Z");
  EXPECT_EQ(d.requeueAfter, seconds(14 * 3600 + 30 * 60));
  EXPECT_TRUE(api::isConditionTrue(d.status.conditions, api::condition::kReady));
}

TEST_F(Decide, RequeueIsExactToTheSecondBeforeTheWindowOpens) {
  o.sm.status.phase = Phase::UnScheduled;
  o.now = at("2026-11-24T08:59:30Z");
  EXPECT_EQ(decide(o).requeueAfter, seconds(30));
}

TEST_F(Decide, WindowOpeningMovesUnScheduledToScheduled) {
  o.sm.status.phase = Phase::UnScheduled;
  o.now = at("2026-11-24T09:00:00Z");
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_TRUE(has<action::CreateMachine>(d));
}

TEST_F(Decide, InvalidSpecGoesToErrorWithoutActionsOrPolling) {
  o.sm.spec.priority = 500;
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Error);
  EXPECT_EQ(reasonOf(d, api::condition::kReady), "InvalidSpec");
  EXPECT_NE(d.status.message.find("spec.priority"), std::string::npos);
  EXPECT_FALSE(has<action::CreateMachine>(d));
  EXPECT_FALSE(d.requeueAfter.has_value());
  EXPECT_EQ(all<action::EmitEvent>(d).at(0).type, "Warning");
}

TEST_F(Decide, FixingTheSpecLeavesErrorThroughPending) {
  o.sm.spec.priority = 500;
  step();
  o.sm.spec.priority = 50;
  o.sm.metadata.generation = 2;
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Pending);
  EXPECT_EQ(d.requeueAfter, seconds(0));
  EXPECT_EQ(step().phase, Phase::Scheduled);
}

TEST_F(Decide, StillInvalidStaysInErrorQuietly) {
  o.sm.spec.priority = 500;
  step();
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Error);
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.statusPatch(o.sm.status), json::object());
}

// ---- Scheduled -> Active ----------------------------------------------------------------------

TEST_F(Decide, RerunningAfterCreationNeverCreatesASecondMachine) {
  step();
  const Decision d = step();
  EXPECT_FALSE(has<action::CreateMachine>(d));
  EXPECT_FALSE(has<action::CreateBootstrap>(d));
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_EQ(reasonOf(d, api::condition::kMachineReady), "WaitingForNode");
}

TEST_F(Decide, RestartBetweenCreatesCreatesOnlyWhatIsMissing) {
  o.bootstrap.exists = true;  // created before a crash; the status never said so
  const Decision d = decide(o);
  EXPECT_FALSE(has<action::CreateBootstrap>(d));
  EXPECT_TRUE(has<action::CreateInfrastructure>(d));
  EXPECT_TRUE(has<action::CreateMachine>(d));
}

TEST_F(Decide, ReadyNodeGetsTaintsAndMakesTheMachineActive) {
  step();
  joinNode();
  o.machine->providerID = "remote-machine://10.0.0.1:22";
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Active);
  const auto taints = all<action::ApplyTaints>(d);
  ASSERT_EQ(taints.size(), 1u);
  EXPECT_EQ(taints[0].plan.add, o.sm.spec.nodeTaints);
  EXPECT_EQ(d.status.appliedNodeTaints, o.sm.spec.nodeTaints);
  ASSERT_TRUE(d.status.nodeRef.has_value());
  EXPECT_EQ(d.status.nodeRef->name, "node-1");
  EXPECT_EQ(d.status.providerID, "remote-machine://10.0.0.1:22");
  ASSERT_TRUE(d.status.machineRef.has_value());
  EXPECT_EQ(d.status.machineRef->name, "worker-1");
  EXPECT_TRUE(api::isConditionTrue(d.status.conditions, api::condition::kMachineReady));
  EXPECT_EQ(d.requeueAfter, seconds(8 * 3600));  // 10:00 -> the 18:00 edge
}

TEST_F(Decide, NodeNotReadyWaitsInScheduled) {
  step();
  joinNode();
  o.node->ready = false;
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_EQ(reasonOf(d, api::condition::kMachineReady), "NodeNotReady");
}

TEST_F(Decide, SteadyActiveStateProducesNoActionsAndNoStatusWrite) {
  becomeActive();
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Active);
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.statusPatch(o.sm.status), json::object());
}

TEST_F(Decide, ActiveNodeBlipStaysActive) {
  becomeActive();
  o.node->ready = false;
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Active);
  EXPECT_FALSE(api::isConditionTrue(d.status.conditions, api::condition::kMachineReady));
}

TEST_F(Decide, MachineDeletedBehindOurBackIsRecreated) {
  becomeActive();
  o.machine.reset();
  o.node.reset();
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_TRUE(has<action::CreateMachine>(d));
}

TEST_F(Decide, ServedCapiVersionIsUsed) {
  o.capiVersion = "v1beta1";
  const Decision d = decide(o);
  EXPECT_EQ(all<action::CreateMachine>(d).at(0).object["apiVersion"], "cluster.x-k8s.io/v1beta1");
}

TEST_F(Decide, MissingTemplateWaitsAndRetries) {
  o.sm.spec.bootstrapSpec.reset();
  o.sm.spec.bootstrapRef =
      api::ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate", "t", "", ""};
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_EQ(reasonOf(d, api::condition::kReady), "TemplateNotFound");
  EXPECT_FALSE(has<action::CreateMachine>(d));
  EXPECT_FALSE(has<action::CreateInfrastructure>(d));
  EXPECT_EQ(d.requeueAfter, seconds(30));
}

// ---- power and agent --------------------------------------------------------------------------

TEST_F(Decide, PowerOnIsOrderedOnceThenWaitsForTheAgent) {
  o.sm.spec.power = api::PowerSpec{api::WakeOnLan{"aa:bb:cc:dd:ee:ff", "255.255.255.255", 9, ""}, {}, {}, {}, {}};
  addAgent(/*ready=*/false);
  const Decision first = step();
  EXPECT_TRUE(has<action::OrderPowerOn>(first));
  EXPECT_FALSE(has<action::CreateMachine>(first));
  EXPECT_EQ(first.phase, Phase::Scheduled);
  EXPECT_EQ(first.requeueAfter, seconds(600));  // the power-on timeout
  const Decision second = step();
  EXPECT_FALSE(has<action::OrderPowerOn>(second));
  o.agent->status.ready = true;
  o.agent->status.lastHeartbeat = formatRfc3339(o.now);
  const Decision third = step();
  EXPECT_TRUE(has<action::CreateMachine>(third));
  EXPECT_TRUE(api::isConditionTrue(third.status.conditions, api::condition::kAgentReady));
  EXPECT_TRUE(api::isConditionTrue(third.status.conditions, api::condition::kPoweredOn));
}

TEST_F(Decide, PowerOnTimeoutGoesToErrorAndRetriesLater) {
  o.sm.spec.power = api::PowerSpec{api::WakeOnLan{"aa:bb:cc:dd:ee:ff", "255.255.255.255", 9, ""}, {}, {}, {}, {}};
  addAgent(false);
  step();
  o.now += minutes(10);
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Error);
  EXPECT_EQ(reasonOf(d, api::condition::kPoweredOn), "PowerOnTimedOut");
  o.now += minutes(1);
  EXPECT_EQ(step().phase, Phase::Pending);
  const Decision retry = step();
  EXPECT_TRUE(has<action::OrderPowerOn>(retry));
}

// ---- Wake-on-LAN relay (docs/power.md) ---------------------------------------------------------

class WakeRelay : public Decide {
 protected:
  WakeRelay() {
    o.sm.spec.power = api::PowerSpec{api::WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.2.0.255", 7, "rack-2"}, {}, {}, {}, {}};
  }

  // The node-mode agent on the relay node, which reports through the HostAgent of another machine.
  void addRelay(const std::string& node = "rack-2", const std::string& mode = "node") {
    api::HostAgent relay;
    relay.metadata.namespace_ = "ns";
    relay.metadata.name = "relay-machine";
    relay.spec.nodeName = node;
    relay.status.mode = mode;
    o.wakeRelayAgent = relay;
  }

  void acknowledge(std::int64_t generation, const std::string& sentAt) {
    o.wakeRelayAgent->status.relayedWakes.push_back(api::RelayedWake{"ns/worker-1", generation, sentAt});
  }

  std::string messageOf(const Decision& d, const char* type) {
    const api::Condition* c = api::findCondition(d.status.conditions, type);
    return c ? c->message : "";
  }
};

TEST_F(WakeRelay, TheOrderGoesIntoTheMachinesOwnHostAgentWithTheNextCommandGeneration) {
  addAgent(/*ready=*/false);
  o.agent->spec.commandGeneration = 4;
  const Decision d = step();
  const auto orders = all<action::OrderPowerOn>(d);
  ASSERT_EQ(orders.size(), 1U);
  ASSERT_TRUE(orders[0].wakeRelay);
  EXPECT_EQ(*orders[0].wakeRelay,
            (api::WakeOrder{"rack-2", "aa:bb:cc:dd:ee:ff", "10.2.0.255", 7, 5, "2026-11-24T10:10:00Z"}));
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_FALSE(has<action::CreateMachine>(d));
}

TEST_F(WakeRelay, AnOrderInTheSameDecisionAsThePowerOffWithdrawalGetsTheNextGeneration) {
  addAgent(false);
  o.agent->spec.desiredPower = api::PowerState::Off;
  o.agent->spec.commandGeneration = 4;
  o.agent->spec.powerOffGeneration = 4;
  const Decision d = decide(o);
  ASSERT_EQ(all<action::OrderAgentPowerOn>(d).size(), 1U);
  EXPECT_EQ(all<action::OrderAgentPowerOn>(d)[0].generation, 5);
  EXPECT_EQ(all<action::OrderPowerOn>(d)[0].wakeRelay->generation, 6);
}

TEST_F(WakeRelay, WithoutARelayNodeTheCoordinatorSendsItselfAsBefore) {
  o.sm.spec.power->wakeOnLan->relayNode.clear();
  addAgent(false);
  const Decision d = decide(o);
  ASSERT_TRUE(has<action::OrderPowerOn>(d));
  EXPECT_FALSE(all<action::OrderPowerOn>(d)[0].wakeRelay);
}

TEST_F(WakeRelay, TheAcknowledgementShowsInThePoweredOnCondition) {
  addAgent(false);
  addRelay();
  step();
  o.now += minutes(1);
  EXPECT_EQ(messageOf(step(), api::condition::kPoweredOn), "power-on ordered");
  acknowledge(1, "2026-11-24T10:00:20Z");
  const Decision d = step();
  EXPECT_EQ(reasonOf(d, api::condition::kPoweredOn), "PowerOnRequested");
  EXPECT_EQ(messageOf(d, api::condition::kPoweredOn),
            "power-on ordered: wake relayed by rack-2 at 2026-11-24T10:00:20Z");
  EXPECT_FALSE(has<action::OrderPowerOn>(d));  // acknowledged: nothing is re-ordered
  EXPECT_EQ(d.phase, Phase::Scheduled);
  // The host agent reports ready: the wait is over.
  o.agent->status.ready = true;
  o.agent->status.lastHeartbeat = formatRfc3339(o.now);
  EXPECT_TRUE(has<action::CreateMachine>(step()));
}

TEST_F(WakeRelay, NoAcknowledgementWithinThePowerOnTimeoutNamesTheRelayNode) {
  addAgent(false);
  addRelay();
  step();
  o.now += minutes(10);
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Error);
  EXPECT_EQ(reasonOf(d, api::condition::kPoweredOn), "PowerOnTimedOut");
  EXPECT_EQ(messageOf(d, api::condition::kPoweredOn), "no agent on node rack-2 acknowledged the wake order within 10m");
  // Retried as for direct Wake-on-LAN: after the back-off, a new order with a new generation.
  o.now += minutes(1);
  EXPECT_EQ(step().phase, Phase::Pending);
  const Decision retry = step();
  ASSERT_TRUE(has<action::OrderPowerOn>(retry));
  EXPECT_EQ(all<action::OrderPowerOn>(retry)[0].wakeRelay->generation, 2);
}

TEST_F(WakeRelay, TheTimeoutAppliesEvenWhenTheTargetNeverHadAnAgent) {
  addRelay();
  step();  // creates the HostAgent and orders the wake
  o.now += minutes(10);
  o.machine.reset();  // (the no-agent path creates the Machine at once; look at the wait itself)
  o.bootstrap = {};
  o.infrastructure = {};
  const Decision d = decide(o);
  EXPECT_EQ(reasonOf(d, api::condition::kPoweredOn), "PowerOnTimedOut");
}

TEST_F(WakeRelay, AcknowledgementsFromElsewhereDoNotCount) {
  addAgent(false);
  step();
  o.now += minutes(10);
  for (const auto& [node, mode] :
       std::vector<std::pair<std::string, std::string>>{{"rack-9", "node"}, {"rack-2", "host"}}) {
    addRelay(node, mode);
    acknowledge(1, "2026-11-24T10:00:20Z");
    EXPECT_EQ(reasonOf(decide(o), api::condition::kPoweredOn), "PowerOnTimedOut") << node << " " << mode;
  }
  addRelay();
  acknowledge(0, "2026-11-24T09:00:00Z");  // an older order's
  EXPECT_EQ(reasonOf(decide(o), api::condition::kPoweredOn), "PowerOnTimedOut");
}

TEST_F(WakeRelay, AnAcknowledgedHostThatDoesNotComeUpTimesOutWithTheRelayNamed) {
  addAgent(false);
  addRelay();
  step();
  acknowledge(1, "2026-11-24T10:00:20Z");
  o.now += minutes(10);
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Error);
  EXPECT_EQ(messageOf(d, api::condition::kPoweredOn),
            "the host agent did not report ready within 10m of the power-on order (wake relayed by rack-2 at "
            "2026-11-24T10:00:20Z)");
}

TEST_F(Decide, StaleAgentHeartbeatIsNotReady) {
  addAgent(true);
  o.agent->status.lastHeartbeat = formatRfc3339(o.now - minutes(5));
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_FALSE(has<action::CreateMachine>(d));
  EXPECT_EQ(reasonOf(d, api::condition::kAgentReady), "AgentNotReady");
}

// ---- Removing ---------------------------------------------------------------------------------

TEST_F(Decide, WindowCloseStartsRemovalWithGracePeriodAndPreferNoScheduleTaint) {
  becomeActive();
  o.now = kWindowClose;
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Removing);
  EXPECT_EQ(d.status.removalReason, "WindowClosed");
  EXPECT_EQ(d.work, WorkKind::Removal);
  EXPECT_TRUE(has<action::AddRemovalTaint>(d));
  EXPECT_FALSE(has<action::Cordon>(d));
  EXPECT_EQ(reasonOf(d, api::condition::kDrained), "GracePeriod");
  EXPECT_EQ(d.requeueAfter, seconds(300));
  ASSERT_TRUE(d.status.drain.has_value());
  EXPECT_EQ(d.status.drain->startedAt, "2026-11-24T18:00:00Z");
}

TEST_F(Decide, AfterGraceCordonsAndEvictsTheRightPods) {
  becomeActive();
  o.now = kWindowClose;
  step();
  o.now += minutes(5);
  json daemon = pod("fluentd");
  daemon["metadata"]["ownerReferences"] = json::array({{{"kind", "DaemonSet"}, {"controller", true}}});
  o.podsOnNode = std::vector<json>{pod("web"), daemon};
  o.blockingPdbs = {"apps/web-pdb: Cannot evict pod as it would violate the pod's disruption budget."};
  const Decision d = step();
  EXPECT_TRUE(has<action::Cordon>(d));
  const auto evictions = all<action::EvictPods>(d);
  ASSERT_EQ(evictions.size(), 1u);
  ASSERT_EQ(evictions[0].pods.size(), 1u);
  EXPECT_EQ(evictions[0].pods[0].name, "web");
  EXPECT_EQ(d.status.drain->podsRemaining, 1);
  EXPECT_EQ(d.status.drain->blockingPdbs.size(), 1u);
  EXPECT_EQ(reasonOf(d, api::condition::kDrained), "Draining");
  EXPECT_EQ(d.requeueAfter, seconds(5));
  EXPECT_FALSE(has<action::DeleteMachine>(d));
}

TEST_F(Decide, DrainedNodeGetsItsMachineDeletedWithoutACapiDrain) {
  becomeActive();
  o.now = kWindowClose;
  step();
  o.now += minutes(5);
  o.podsOnNode = std::vector<json>{};
  const Decision d = step();
  const auto deletes = all<action::DeleteMachine>(d);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_TRUE(deletes[0].excludeNodeDraining);
  EXPECT_EQ(deletes[0].name, "worker-1");
  EXPECT_TRUE(api::isConditionTrue(d.status.conditions, api::condition::kDrained));
}

TEST_F(Decide, RemovalEndsInUnScheduledOnceEverythingIsGone) {
  becomeActive();
  o.now = kWindowClose;
  step();
  o.now += minutes(5);
  o.podsOnNode = std::vector<json>{};
  step();
  const Decision waiting = step();  // Machine deleting
  EXPECT_EQ(waiting.phase, Phase::Removing);
  EXPECT_FALSE(has<action::DeleteMachine>(waiting));
  o.machine.reset();
  o.node.reset();
  const Decision children = step();
  ASSERT_EQ(all<action::DeleteChildren>(children).size(), 1u);
  EXPECT_EQ(all<action::DeleteChildren>(children)[0].children.size(), 2u);
  o.bootstrap = {};
  o.infrastructure = {};
  const Decision done = step();
  EXPECT_EQ(done.phase, Phase::UnScheduled);
  EXPECT_FALSE(done.status.machineRef.has_value());
  EXPECT_FALSE(done.status.nodeRef.has_value());
  EXPECT_FALSE(done.status.drain.has_value());
  EXPECT_TRUE(done.status.appliedNodeTaints.empty());
  EXPECT_EQ(done.status.nextTransition, "2026-11-25T09:00:00Z");
}

TEST_F(Decide, DrainTimeoutProceedsByDefault) {
  becomeActive();
  o.now = kWindowClose;
  step();
  o.podsOnNode = std::vector<json>{pod("stubborn")};
  o.now += minutes(10);  // 5m grace + 5m drain timeout
  const Decision d = step();
  EXPECT_EQ(reasonOf(d, api::condition::kDrained), "DrainTimedOut");
  EXPECT_TRUE(hasEvent(d, "DrainTimedOut"));
  EXPECT_TRUE(has<action::DeleteMachine>(d));
}

TEST_F(Decide, DrainTimeoutPolicyStayKeepsEvictingAndReports) {
  o.options.drainTimeoutPolicy = DrainTimeoutPolicy::Stay;
  becomeActive();
  o.now = kWindowClose;
  step();
  o.podsOnNode = std::vector<json>{pod("stubborn")};
  o.now += minutes(10);
  const Decision d = step();
  EXPECT_FALSE(has<action::DeleteMachine>(d));
  EXPECT_TRUE(has<action::EvictPods>(d));
  EXPECT_EQ(reasonOf(d, api::condition::kReady), "DrainTimedOut");
  EXPECT_FALSE(hasEvent(step(), "DrainTimedOut"));  // reported once
}

TEST_F(Decide, AgentConfirmsTheDrainBeforeTheMachineIsDeleted) {
  becomeActive();
  addAgent();
  o.agent->spec.drainConfirmationGeneration = 4;
  o.agent->spec.commandGeneration = 4;
  o.agent->status.drainConfirmedGeneration = 4;
  o.now = kWindowClose + minutes(5);
  o.sm.status.phase = Phase::Removing;
  o.sm.status.removalReason = "WindowClosed";
  o.sm.status.drain = api::DrainProgress{0, {}, formatRfc3339(kWindowClose)};
  o.podsOnNode = std::vector<json>{};
  o.agent->status.lastHeartbeat = formatRfc3339(o.now);
  const Decision request = step();
  ASSERT_EQ(all<action::RequestDrainConfirmation>(request).size(), 1u);
  EXPECT_EQ(all<action::RequestDrainConfirmation>(request)[0].generation, 5);
  EXPECT_FALSE(has<action::DeleteMachine>(request));
  const Decision waiting = step();
  EXPECT_FALSE(has<action::RequestDrainConfirmation>(waiting));
  EXPECT_FALSE(has<action::DeleteMachine>(waiting));
  o.agent->status.drainConfirmedGeneration = 5;
  const Decision confirmed = step();
  EXPECT_TRUE(has<action::DeleteMachine>(confirmed));
  EXPECT_EQ(reasonOf(confirmed, api::condition::kDrained), "AgentConfirmed");
}

TEST_F(Decide, RemovalWithAgentOrdersPowerOffAtTheEnd) {
  addAgent();
  o.agent->spec.powerOffGeneration = 2;
  o.agent->spec.commandGeneration = 2;
  o.sm.status.phase = Phase::Removing;
  o.sm.status.removalReason = "WindowClosed";
  o.now = kWindowClose + minutes(30);
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::UnScheduled);
  const auto orders = all<action::OrderPowerOff>(d);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].generation, 3);
  EXPECT_FALSE(orders[0].withoutDrainConfirmation);
  EXPECT_EQ(reasonOf(d, api::condition::kPoweredOn), "PowerOffOrdered");
  EXPECT_FALSE(has<action::OrderPowerOff>(decide(o)));
}

TEST_F(Decide, WindowReopeningDuringGraceCancelsTheRemoval) {
  becomeActive();
  o.now = kWindowClose;
  step();
  o.node->unschedulable = true;  // as if cordoned
  o.now = at("2026-11-25T09:00:00Z");
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Active);
  EXPECT_TRUE(has<action::RemoveRemovalTaint>(d));
  EXPECT_TRUE(has<action::Uncordon>(d));
  EXPECT_TRUE(hasEvent(d, "RemovalCancelled"));
  EXPECT_FALSE(d.status.drain.has_value());
}

// ---- kill switch, disable, reclaim ------------------------------------------------------------

TEST_F(Decide, KillSwitchRemovesAtOnceWithoutGracePeriod) {
  becomeActive();
  o.sm.spec.killSwitch = true;
  o.podsOnNode = std::vector<json>{pod("web")};
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Removing);
  EXPECT_EQ(d.status.removalReason, "KillSwitch");
  EXPECT_EQ(d.work, WorkKind::EmergencyRemoval);
  EXPECT_TRUE(has<action::Cordon>(d));
  EXPECT_TRUE(has<action::EvictPods>(d));  // still through evictions
}

TEST_F(Decide, KillSwitchForceDeleteDeletesPodsAndTheMachineAtOnce) {
  o.options.killSwitchForceDelete = true;
  becomeActive();
  o.sm.spec.killSwitch = true;
  o.podsOnNode = std::vector<json>{pod("web")};
  const Decision d = step();
  EXPECT_TRUE(has<action::DeletePods>(d));
  EXPECT_FALSE(has<action::EvictPods>(d));
  EXPECT_TRUE(has<action::DeleteMachine>(d));
}

TEST_F(Decide, KillSwitchEndsInactiveAndTurningItOffReturnsToPending) {
  o.sm.spec.killSwitch = true;
  o.sm.status.phase = Phase::Removing;
  o.sm.status.removalReason = "KillSwitch";
  const Decision out = step();
  EXPECT_EQ(out.phase, Phase::Inactive);
  EXPECT_EQ(reasonOf(out, api::condition::kReady), "KillSwitch");
  const Decision again = decide(o);  // no status churn while it stays on (upstream's loop)
  EXPECT_TRUE(again.actions.empty());
  EXPECT_EQ(again.statusPatch(o.sm.status), json::object());
  o.sm.spec.killSwitch = false;
  const Decision released = step();
  EXPECT_EQ(released.phase, Phase::Pending);
  EXPECT_EQ(step().phase, Phase::Scheduled);
}

TEST_F(Decide, KillSwitchWorksEvenWithAnInvalidSpec) {
  becomeActive();
  o.sm.spec.priority = 999;
  o.sm.spec.killSwitch = true;
  EXPECT_EQ(decide(o).phase, Phase::Removing);
}

TEST_F(Decide, KillSwitchUpgradesAGracefulRemovalInProgress) {
  becomeActive();
  o.now = kWindowClose;
  step();
  o.sm.spec.killSwitch = true;
  o.podsOnNode = std::vector<json>{};
  const Decision d = step();
  EXPECT_EQ(d.status.removalReason, "KillSwitch");
  EXPECT_TRUE(has<action::DeleteMachine>(d));  // no waiting for the rest of the grace period
}

TEST_F(Decide, DisablingRemovesWithGraceAndHoldsInactive) {
  becomeActive();
  o.sm.spec.schedule.enabled = false;
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Removing);
  EXPECT_EQ(d.status.removalReason, "Disabled");
  EXPECT_EQ(reasonOf(d, api::condition::kDrained), "GracePeriod");  // upstream skipped it (B13)
}

TEST_F(Decide, DisabledWithNothingInTheClusterIsInactiveAndReEnablingReturnsToPending) {
  o.sm.spec.schedule.enabled = false;
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Inactive);
  EXPECT_FALSE(d.requeueAfter.has_value());
  o.sm.spec.schedule.enabled = true;
  EXPECT_EQ(step().phase, Phase::Pending);
}

TEST_F(Decide, ReclaimRemovesWithoutGraceAndWithoutPowerOffThenHoldsUntilWindowEnd) {
  becomeActive();
  addAgent();
  o.agent->status.reclaimRequested = "steam";
  o.podsOnNode = std::vector<json>{};
  const Decision d = step();
  EXPECT_EQ(d.status.removalReason, "Reclaim");
  EXPECT_EQ(d.work, WorkKind::EmergencyRemoval);
  o.machine.reset();
  o.node.reset();
  o.bootstrap = {};
  o.infrastructure = {};
  const Decision out = step();
  EXPECT_EQ(out.phase, Phase::Inactive);
  EXPECT_FALSE(has<action::OrderPowerOff>(out));
  EXPECT_EQ(out.status.nextTransition, "2026-11-24T18:00:00Z");
  o.agent->status.reclaimRequested.clear();
  o.now = at("2026-11-24T12:00:00Z");
  const Decision held = step();
  EXPECT_EQ(held.phase, Phase::Inactive);
  EXPECT_EQ(held.requeueAfter, seconds(6 * 3600));
  o.now = kWindowClose;
  EXPECT_EQ(step().phase, Phase::Pending);
}

TEST_F(Decide, UpstreamNodeAnnotationAlsoTriggersReclaim) {
  becomeActive();
  o.node->reclaimRequested = true;
  o.node->reclaimReason = "user at console";
  EXPECT_EQ(decide(o).status.removalReason, "Reclaim");
}

// ---- deletion ---------------------------------------------------------------------------------

TEST_F(Decide, DeletionRemovesFirstThenReleasesTheFinalizer) {
  becomeActive();
  o.sm.metadata.deletionTimestamp = formatRfc3339(o.now);
  o.podsOnNode = std::vector<json>{};
  const Decision d = step();
  EXPECT_EQ(d.phase, Phase::Removing);
  EXPECT_EQ(d.status.removalReason, "Deleted");
  EXPECT_TRUE(has<action::DeleteMachine>(d));
  EXPECT_FALSE(has<action::RemoveFinalizer>(d));
  EXPECT_EQ(d.requeueAfter, seconds(15 * 60));
  o.machine.reset();
  o.node.reset();
  o.bootstrap = {};
  o.infrastructure = {};
  EXPECT_TRUE(has<action::RemoveFinalizer>(step()));
}

TEST_F(Decide, DeletionOfAnUnscheduledMachineJustReleasesTheFinalizer) {
  o.sm.status.phase = Phase::UnScheduled;
  o.sm.metadata.deletionTimestamp = formatRfc3339(o.now);
  const Decision d = decide(o);
  EXPECT_TRUE(has<action::RemoveFinalizer>(d));
  EXPECT_FALSE(has<action::AddFinalizer>(d));
}

TEST_F(Decide, DeletionTimeoutHandsOverToCapiAndReleases) {
  becomeActive();
  o.sm.metadata.deletionTimestamp = formatRfc3339(o.now);
  o.podsOnNode = std::vector<json>{pod("stubborn")};
  o.options.drainTimeoutPolicy = DrainTimeoutPolicy::Stay;
  step();
  o.now += minutes(15);
  const Decision d = step();
  const auto deletes = all<action::DeleteMachine>(d);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_FALSE(deletes[0].excludeNodeDraining);  // CAPI drains by its own rules now
  EXPECT_TRUE(has<action::RemoveFinalizer>(d));
  EXPECT_TRUE(hasEvent(d, "DeletionTimedOut"));
}

TEST_F(Decide, DeletionWithoutOurFinalizerDoesNothing) {
  o.sm.metadata.finalizers.clear();
  o.sm.metadata.deletionTimestamp = formatRfc3339(o.now);
  for (const Action& a : decide(o).actions) {
    EXPECT_TRUE(std::holds_alternative<action::EmitEvent>(a)) << "only an event may be emitted";
  }
}

// ---- errors from executing decisions ----------------------------------------------------------

TEST_F(Decide, RepeatedFailuresEndInErrorAndRecoverAfterBackoff) {
  step();
  o.consecutiveFailures = 1;
  Decision d = recordFailure(o, "CreateFailed", "machines is forbidden");
  EXPECT_EQ(d.phase, Phase::Scheduled);
  EXPECT_EQ(d.requeueAfter, seconds(5));
  o.consecutiveFailures = kErrorThreshold;
  d = recordFailure(o, "CreateFailed", "machines is forbidden");
  apply(d);
  EXPECT_EQ(d.phase, Phase::Error);
  EXPECT_EQ(all<action::EmitEvent>(d).at(0).type, "Warning");
  const Decision early = decide(o);
  EXPECT_EQ(early.phase, Phase::Error);
  EXPECT_TRUE(early.requeueAfter.has_value());
  o.now += backoff(kErrorThreshold);
  EXPECT_EQ(step().phase, Phase::Pending);
  EXPECT_EQ(step().phase, Phase::Scheduled);
}

TEST(Backoff, DoublesFromFiveSecondsUpToFiveMinutes) {
  EXPECT_EQ(backoff(1), seconds(5));
  EXPECT_EQ(backoff(2), seconds(10));
  EXPECT_EQ(backoff(3), seconds(20));
  EXPECT_EQ(backoff(7), seconds(300));
  EXPECT_EQ(backoff(100), seconds(300));
}

// ---- HostAgent: creation and the order protocol (docs/phases.md, "HostAgent orders") -----------

TEST_F(Decide, CreatesTheHostAgentOwnedByTheScheduledMachine) {
  const Decision d = decide(o);
  const auto created = all<action::CreateHostAgent>(d);
  ASSERT_EQ(created.size(), 1u);
  const json& object = created[0].object;
  EXPECT_EQ(object["metadata"]["name"], "worker-1");
  EXPECT_EQ(object["metadata"]["namespace"], "ns");
  EXPECT_EQ(object["metadata"]["ownerReferences"][0]["uid"], "uid-1");
  EXPECT_EQ(object["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(object["spec"]["desiredPower"], "On");
  EXPECT_EQ(object["spec"]["commandGeneration"], 0);
  EXPECT_FALSE(object.contains("status"));
  apply(d);
  EXPECT_FALSE(has<action::CreateHostAgent>(decide(o)));
}

TEST_F(Decide, NoHostAgentIsCreatedForADeletedMachine) {
  o.sm.metadata.deletionTimestamp = formatRfc3339(o.now);
  EXPECT_FALSE(has<action::CreateHostAgent>(decide(o)));
}

TEST_F(Decide, AHostAgentThatNeverReportedDoesNotHoldTheMachineBack) {
  o.sm.spec.power = api::PowerSpec{api::WakeOnLan{"aa:bb:cc:dd:ee:ff", "255.255.255.255", 9, ""}, {}, {}, {}, {}};
  const Decision first = step();  // creates the HostAgent; nothing has reported on it
  EXPECT_TRUE(has<action::CreateHostAgent>(first));
  EXPECT_TRUE(has<action::OrderPowerOn>(first));
  EXPECT_TRUE(has<action::CreateMachine>(first));
  ASSERT_TRUE(o.agent.has_value());
  joinNode();
  const Decision d = decide(o);
  EXPECT_EQ(d.phase, Phase::Active);
  EXPECT_EQ(reasonOf(d, api::condition::kAgentReady), "NoAgent");
}

TEST_F(Decide, ProjectsKillIfCommandsAndTheNodeNameWithoutAnOrder) {
  addAgent();
  becomeActive();
  o.sm.spec.killIfCommands = {"steam"};
  o.agent->spec.nodeName = "node-0";  // stale
  const Decision d = decide(o);
  const auto projections = all<action::ProjectToAgent>(d);
  ASSERT_EQ(projections.size(), 1u);
  EXPECT_EQ(projections[0].nodeName, "node-1");
  EXPECT_EQ(projections[0].killIfCommands, std::vector<std::string>{"steam"});
  o.agent->spec.nodeName = "node-1";
  o.agent->spec.killIfCommands = {"steam"};
  EXPECT_FALSE(has<action::ProjectToAgent>(decide(o)));
}

TEST_F(Decide, PowerOffOrderIsTheCurrentCommandAndIssuedOnce) {
  addAgent();
  o.agent->spec.commandGeneration = 7;  // e.g. a drain confirmation request of this removal
  o.agent->spec.drainConfirmationGeneration = 7;
  o.agent->spec.powerOffGeneration = 3;  // an earlier removal's order
  o.sm.status.phase = Phase::Removing;
  o.sm.status.removalReason = "WindowClosed";
  o.now = kWindowClose + minutes(30);
  const Decision d = decide(o);
  const auto orders = all<action::OrderPowerOff>(d);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].generation, 8);
  apply(d);
  EXPECT_EQ(o.agent->spec.powerOffGeneration, o.agent->spec.commandGeneration);
  // The status write failed and the removal is decided again: the order already is the current one.
  o.sm.status.phase = Phase::Removing;
  const Decision retry = decide(o);
  EXPECT_FALSE(has<action::OrderPowerOff>(retry));
  EXPECT_EQ(reasonOf(retry, api::condition::kPoweredOn), "PowerOffOrdered");
}

TEST_F(Decide, KillSwitchSupersedesAPowerOffOrderThatNeedsConfirmation) {
  addAgent();
  o.agent->spec.desiredPower = api::PowerState::Off;
  o.agent->spec.powerOffGeneration = 4;
  o.agent->spec.commandGeneration = 4;
  o.sm.spec.killSwitch = true;
  o.sm.status.phase = Phase::Removing;
  o.sm.status.removalReason = "KillSwitch";
  const auto orders = all<action::OrderPowerOff>(decide(o));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].generation, 5);
  EXPECT_TRUE(orders[0].withoutDrainConfirmation);
}

TEST_F(Decide, OpeningWindowWithdrawsTheLastPowerOffOrderOnce) {
  addAgent();
  o.agent->spec.desiredPower = api::PowerState::Off;
  o.agent->spec.powerOffGeneration = 9;
  o.agent->spec.commandGeneration = 9;
  o.agent->status.powerOffAcknowledgedGeneration = 9;
  const Decision d = step();
  const auto orders = all<action::OrderAgentPowerOn>(d);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].generation, 10);
  EXPECT_FALSE(has<action::OrderAgentPowerOn>(step()));
}

// One removal as the agent sees it: exactly one drain request and one power-off order, and the
// power-off order satisfies every condition of the agent's decidePowerOff (docs/agent.md).
TEST_F(Decide, OneRemovalGivesTheAgentOneDrainRequestAndOneCurrentPowerOffOrder) {
  addAgent();
  becomeActive();
  o.podsOnNode = std::vector<json>{};
  int drainRequests = 0;
  int powerOffOrders = 0;
  o.now = kWindowClose;
  for (int i = 0; i < 16 && o.sm.status.phase != Phase::UnScheduled; ++i) {
    o.agent->status.lastHeartbeat = formatRfc3339(o.now);
    const Decision d = step();
    drainRequests += static_cast<int>(all<action::RequestDrainConfirmation>(d).size());
    powerOffOrders += static_cast<int>(all<action::OrderPowerOff>(d).size());
    o.agent->status.drainConfirmedGeneration = o.agent->spec.drainConfirmationGeneration;  // the agent confirms
    if (o.machine && o.machine->deleting) o.machine.reset();
    if (!o.machine) o.bootstrap.exists = o.infrastructure.exists = false;
    o.now += minutes(1);  // through the 5 min grace period
  }
  ASSERT_EQ(o.sm.status.phase, Phase::UnScheduled);
  EXPECT_EQ(drainRequests, 1);
  EXPECT_EQ(powerOffOrders, 1);
  const api::HostAgentSpec& order = o.agent->spec;
  EXPECT_EQ(order.desiredPower, api::PowerState::Off);
  EXPECT_EQ(order.powerOffGeneration, order.commandGeneration);
  EXPECT_GT(order.drainConfirmationGeneration, 0);
  EXPECT_GE(o.agent->status.drainConfirmedGeneration, order.drainConfirmationGeneration);
  EXPECT_GT(order.powerOffGeneration, o.agent->status.powerOffAcknowledgedGeneration);
}

}  // namespace
}  // namespace fivespot::coordinator
