// The agent loop against an in-memory HostAgentApi, a fake PowerController and a manual clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "agent.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/time_format.hpp"
#include "metrics.hpp"

#include <prometheus/metric_family.h>

namespace fivespot::agent {
namespace {

using nlohmann::json;

class Outage : public Error {
 public:
  Outage() : Error(ErrorKind::Transient, "GET hostagents/gpu-7", "connection refused") {}
};

// Keeps one HostAgent; patches merge into its status like the API server's status subresource.
class FakeApi final : public HostAgentApi {
 public:
  api::HostAgent object;
  std::vector<json> pods;
  std::vector<json> patches;
  bool down = false;
  int failPatches = 0;
  int patchCalls = 0;
  std::set<int> failingPatchCalls;  // 1-based numbers of patch calls that fail
  std::vector<std::string>* events = nullptr;

  api::HostAgent get() override {
    if (down) throw Outage();
    return object;
  }
  void patchStatus(const json& mergePatch) override {
    ++patchCalls;
    if (down || failingPatchCalls.count(patchCalls) > 0) throw Outage();
    if (failPatches > 0) {
      --failPatches;
      throw Outage();
    }
    patches.push_back(mergePatch);
    json status = api::statusToJson(object.status);
    status.merge_patch(mergePatch);
    object.status = api::parseHostAgentStatus(status);
    if (events) events->push_back("patch:" + object.status.powerState);
  }
  std::vector<json> listPodsOnNode(const std::string&) override {
    if (down) throw Outage();
    return pods;
  }
};

class FakePower final : public PowerController {
 public:
  std::vector<std::string>* events = nullptr;
  int powerOffs = 0;
  bool failPowerOff = false;
  int pipeEnds[2] = {-1, -1};

  Inhibitor inhibitDelay(const std::string& who, const std::string&) override {
    events->push_back("inhibit:" + who);
    if (::pipe(pipeEnds) != 0) throw DBusError("pipe", "errno", "pipe failed");
    ::close(pipeEnds[0]);
    return Inhibitor(pipeEnds[1]);
  }
  void powerOff() override {
    if (failPowerOff) throw DBusError("PowerOff", "org.freedesktop.login1.OperationInProgress", "busy");
    ++powerOffs;
    events->push_back("poweroff");
  }
};

class FakeEnergy final : public EnergyMeter {
 public:
  FakeEnergy() : EnergyMeter("/nonexistent") {}
  api::EnergyReport sample(TimePoint now) override {
    return api::EnergyReport{api::kEnergySourceRapl, 30, 1, formatRfc3339(now - std::chrono::seconds(30))};
  }
};

class FakeScanner final : public ProcessScanner {
 public:
  std::optional<ReclaimMatch> next;
  int scans = 0;
  std::optional<ReclaimMatch> scan(const std::vector<std::string>&) override {
    ++scans;
    return next;
  }
};

class FakeWorkload final : public LocalWorkloadEvidence {
 public:
  DrainVerdict verdict{true, {}};
  DrainVerdict check() override { return verdict; }
};

class RecordingNotifier final : public Notifier {
 public:
  int readies = 0;
  std::vector<std::string> statuses;
  void ready() override { ++readies; }
  void watchdog() override {}
  void status(const std::string& text) override { statuses.push_back(text); }
};

json workloadPod(const std::string& node) {
  return json{{"metadata", {{"namespace", "shop"}, {"name", "web-1"}}},
              {"spec", {{"nodeName", node}}},
              {"status", {{"phase", "Running"}}}};
}

class AgentLoop : public ::testing::Test {
 protected:
  AgentLoop() : clock_(parseRfc3339("2026-11-24T18:00:00Z")) {
    api_.events = &events_;
    power_.events = &events_;
    api_.object.metadata.name = "gpu-7";
    api_.object.metadata.namespace_ = "fleet";
  }

  Agent makeAgent(Mode mode) {
    AgentSettings settings;
    settings.mode = mode;
    settings.nodeName = "worker-7";
    settings.version = "test";
    return Agent(settings,
                 AgentParts{api_, power_, [this] { return checks_; }, energy_, scanner_, workload_, notifier_, clock_});
  }

  void orderPowerOff(std::int64_t generation, std::int64_t drainGeneration) {
    auto& spec = api_.object.spec;
    spec.desiredPower = api::PowerState::Off;
    spec.commandGeneration = generation;
    spec.powerOffGeneration = generation;
    spec.drainConfirmationGeneration = drainGeneration;
  }

  ManualClock clock_;
  FakeApi api_;
  FakePower power_;
  FakeEnergy energy_;
  FakeScanner scanner_;
  FakeWorkload workload_;
  RecordingNotifier notifier_;
  std::vector<api::ReadinessCheck> checks_{{"clock-synchronized", true, "ok"}};
  std::vector<std::string> events_;
};

TEST_F(AgentLoop, HeartbeatReportsStatusAndNotifiesReadyOnce) {
  Agent agent = makeAgent(Mode::Host);
  const auto result = agent.heartbeat();
  EXPECT_TRUE(result.reported);
  EXPECT_EQ(result.nextIn, std::chrono::seconds(30));
  const auto& status = api_.object.status;
  EXPECT_EQ(status.mode, "host");
  EXPECT_TRUE(status.ready);
  EXPECT_EQ(status.powerState, "On");
  EXPECT_EQ(status.lastHeartbeat, "2026-11-24T18:00:00Z");
  EXPECT_EQ(status.agentVersion, "test");
  ASSERT_TRUE(status.energy);
  EXPECT_EQ(status.energy->source, "rapl");
  checks_ = {{"clock-synchronized", false, "not synchronised"}};
  clock_.advance(std::chrono::seconds(30));
  agent.heartbeat();
  EXPECT_FALSE(api_.object.status.ready);
  EXPECT_EQ(notifier_.readies, 1);
}

TEST_F(AgentLoop, NodeModeConfirmsDrainOnlyWhenNoWorkloadPodIsLeft) {
  Agent agent = makeAgent(Mode::Node);
  api_.object.spec.drainConfirmationGeneration = 4;
  api_.pods = {workloadPod("worker-7")};
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 0);
  api_.pods.clear();
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 4);
  EXPECT_EQ(api_.object.status.mode, "node");
}

TEST_F(AgentLoop, NodeModeRefusesAHostAgentOfAnotherNode) {
  Agent agent = makeAgent(Mode::Node);
  api_.object.spec.drainConfirmationGeneration = 4;
  api_.object.spec.nodeName = "worker-9";
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 0);
  EXPECT_THAT(api_.object.status.lastError, ::testing::HasSubstr("worker-9"));
}

TEST_F(AgentLoop, HostModeUsesLocalEvidence) {
  Agent agent = makeAgent(Mode::Host);
  api_.object.spec.drainConfirmationGeneration = 2;
  workload_.verdict = DrainVerdict{false, {"/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice"}};
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 0);
  workload_.verdict = DrainVerdict{true, {}};
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 2);
}

TEST_F(AgentLoop, PowersOffAfterDrainConfirmationInOrder) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(7, 6);
  api_.pods = {workloadPod("worker-7")};
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 0) << "no power-off without drain confirmation";
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 0);

  api_.pods.clear();
  events_.clear();
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 1);
  // Lock first, acknowledgement reported, PowerOff, then the last report while the lock holds.
  EXPECT_THAT(events_, ::testing::ElementsAre("patch:On", "inhibit:fivespot-agent", "patch:PoweringOff", "poweroff",
                                              "patch:PoweringOff"));
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 7);
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 6);
  EXPECT_TRUE(agent.poweringOff());
  EXPECT_EQ(::fcntl(power_.pipeEnds[1], F_GETFD), -1) << "the inhibitor is released after the last report";

  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 1) << "one order, one power-off";
  EXPECT_EQ(api_.object.status.powerState, "PoweringOff");
}

TEST_F(AgentLoop, StaleOrderGenerationIsIgnored) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(7, 6);
  api_.object.spec.commandGeneration = 8;  // a newer order superseded the power-off
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.drainConfirmedGeneration, 6);
  EXPECT_EQ(power_.powerOffs, 0);
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 0);
}

TEST_F(AgentLoop, AlreadyAcknowledgedOrderIsNotRepeatedAfterRestart) {
  orderPowerOff(7, 6);
  api_.object.status.powerOffAcknowledgedGeneration = 7;
  Agent restarted = makeAgent(Mode::Node);
  restarted.heartbeat();
  EXPECT_EQ(power_.powerOffs, 0);
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 7) << "never lowered by a new agent";
}

TEST_F(AgentLoop, KillSwitchPowersOffWithoutDrainConfirmation) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(3, 0);
  api_.pods = {workloadPod("worker-7")};
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 0);
  api_.object.spec.killSwitch = true;
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 1);
}

TEST_F(AgentLoop, DesiredPowerOnBlocksAnOrder) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(3, 2);
  api_.object.spec.desiredPower = api::PowerState::On;
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 0);
}

TEST_F(AgentLoop, OutageBacksOffAndNeverPowersOff) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(7, 6);
  api_.down = true;
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 9; ++i) delays.push_back(agent.heartbeat().nextIn.count());
  EXPECT_THAT(delays, ::testing::ElementsAre(1, 2, 4, 8, 16, 32, 64, 120, 120));
  EXPECT_EQ(power_.powerOffs, 0);
  EXPECT_EQ(notifier_.readies, 0);
  EXPECT_FALSE(agent.lastReportSucceeded());

  api_.down = false;
  const auto recovered = agent.heartbeat();
  EXPECT_TRUE(recovered.reported);
  EXPECT_EQ(recovered.nextIn, std::chrono::seconds(30));
  EXPECT_THAT(api_.patches.front()["lastError"].get<std::string>(), ::testing::HasSubstr("connection refused"));
}

TEST_F(AgentLoop, AcknowledgementThatCannotBeReportedMeansNoPowerOff) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(7, 6);
  api_.failingPatchCalls = {2};  // the heartbeat patch goes through, the acknowledgement does not
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 0);
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 0);
  EXPECT_EQ(agent.status().powerState, "On");
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 1);
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 7);
}

TEST_F(AgentLoop, FailedPowerOffIsRetriedOnTheNextHeartbeat) {
  Agent agent = makeAgent(Mode::Node);
  orderPowerOff(7, 6);
  power_.failPowerOff = true;
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 0);
  EXPECT_EQ(api_.object.status.powerOffAcknowledgedGeneration, 0);
  EXPECT_EQ(api_.object.status.powerState, "On");
  EXPECT_THAT(api_.object.status.lastError, ::testing::HasSubstr("OperationInProgress"));
  power_.failPowerOff = false;
  agent.heartbeat();
  EXPECT_EQ(power_.powerOffs, 1);
}

TEST_F(AgentLoop, ReclaimIsReportedOnce) {
  Agent agent = makeAgent(Mode::Node);
  agent.scanForReclaim();
  EXPECT_EQ(scanner_.scans, 0) << "no spec seen yet";
  api_.object.spec.killIfCommands = {"steam"};
  agent.heartbeat();
  agent.scanForReclaim();
  EXPECT_TRUE(api_.object.status.reclaimRequested.empty());
  scanner_.next = ReclaimMatch{"steam", 4242, "/usr/games/steam -silent"};
  const auto patchesBefore = api_.patches.size();
  agent.scanForReclaim();
  EXPECT_EQ(api_.object.status.reclaimRequested, "steam: /usr/games/steam -silent");
  EXPECT_EQ(api_.object.status.reclaimRequestedAt, "2026-11-24T18:00:00Z");
  EXPECT_EQ(api_.patches.size(), patchesBefore + 1);
  const int scans = scanner_.scans;
  agent.scanForReclaim();
  agent.scanForReclaim();
  EXPECT_EQ(scanner_.scans, scans) << "no scanning once requested";
  EXPECT_EQ(api_.patches.size(), patchesBefore + 1) << "reported once";
  agent.heartbeat();
  EXPECT_EQ(api_.object.status.reclaimRequested, "steam: /usr/games/steam -silent") << "kept in later heartbeats";
}

TEST_F(AgentLoop, ReclaimReportFailedDuringOutageIsRetried) {
  Agent agent = makeAgent(Mode::Node);
  api_.object.spec.killIfCommands = {"steam"};
  agent.heartbeat();
  scanner_.next = ReclaimMatch{"steam", 1, "steam"};
  api_.failPatches = 1;
  agent.scanForReclaim();
  EXPECT_TRUE(api_.object.status.reclaimRequested.empty());
  agent.scanForReclaim();
  EXPECT_EQ(api_.object.status.reclaimRequested, "steam: steam");
}

TEST(PowerOffDecision, Rules) {
  api::HostAgentSpec spec;
  api::HostAgentStatus status;
  EXPECT_FALSE(decidePowerOff(spec, status).act);
  spec.desiredPower = api::PowerState::Off;
  spec.powerOffGeneration = 5;
  spec.commandGeneration = 5;
  EXPECT_EQ(decidePowerOff(spec, status).reason, "no drain confirmation was requested");
  spec.drainConfirmationGeneration = 4;
  status.drainConfirmedGeneration = 3;
  EXPECT_FALSE(decidePowerOff(spec, status).act);
  status.drainConfirmedGeneration = 4;
  EXPECT_TRUE(decidePowerOff(spec, status).act);
  spec.commandGeneration = 6;
  EXPECT_THAT(decidePowerOff(spec, status).reason, ::testing::HasSubstr("stale order"));
  spec.commandGeneration = 5;
  status.powerOffAcknowledgedGeneration = 5;
  EXPECT_THAT(decidePowerOff(spec, status).reason, ::testing::HasSubstr("already acknowledged"));
}

double gaugeValue(const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return family.metric.at(0).gauge.value;
  }
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

TEST_F(AgentLoop, MetricsFollowTheLoop) {
  Agent agent = makeAgent(Mode::Host);
  const AgentMetrics metrics(agent);
  EXPECT_EQ(gaugeValue(metrics.Collect(), "five_spot_agent_heartbeat_ok"), 0);
  agent.heartbeat();
  const auto families = metrics.Collect();
  EXPECT_EQ(gaugeValue(families, "five_spot_agent_up"), 1);
  EXPECT_EQ(gaugeValue(families, "five_spot_agent_heartbeat_ok"), 1);
  EXPECT_EQ(gaugeValue(families, "five_spot_agent_last_cycle_timestamp_seconds"),
            std::chrono::duration<double>(clock_.now().time_since_epoch()).count());
  api_.down = true;
  agent.heartbeat();
  EXPECT_EQ(gaugeValue(metrics.Collect(), "five_spot_agent_heartbeat_ok"), 0);
}

}  // namespace
}  // namespace fivespot::agent
