// The Wake-on-LAN relay: which orders a node sends, the bytes it sends, and the acknowledgements
// in its own HostAgent status (docs/power.md, "Wake-on-LAN relay").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "agent.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/time_format.hpp"
#include "wake_relay.hpp"

namespace fivespot::agent {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

const TimePoint kNow = parseRfc3339("2026-11-24T08:00:00Z");

api::HostAgent target(const std::string& name, const std::string& relayNode, std::int64_t generation,
                      const std::string& expiresAt = "2026-11-24T08:10:00Z") {
  api::HostAgent agent;
  agent.metadata.namespace_ = "lab";
  agent.metadata.name = name;
  agent.spec.commandGeneration = generation;
  agent.spec.wake = api::WakeOrder{relayNode, "aa:bb:cc:dd:ee:0f", "10.2.0.255", 4009, generation, expiresAt};
  return agent;
}

std::vector<std::string> targetsOf(const std::vector<WakeToSend>& due) {
  std::vector<std::string> out;
  for (const auto& wake : due) out.push_back(wake.hostAgent);
  return out;
}

TEST(WakesToSend, OnlyCurrentUnexpiredUnsentOrdersForThisNode) {
  api::HostAgent superseded = target("superseded", "rack-2", 3);
  superseded.spec.commandGeneration = 4;  // e.g. a power-off order came after the wake
  api::HostAgent noOrder = target("no-order", "rack-2", 1);
  noOrder.spec.wake.reset();
  const std::vector<api::HostAgent> candidates = {target("due", "rack-2", 2),
                                                  target("other-node", "rack-9", 2),
                                                  superseded,
                                                  noOrder,
                                                  target("expired", "rack-2", 2, "2026-11-24T08:00:00Z"),
                                                  target("no-expiry", "rack-2", 2, ""),
                                                  target("sent", "rack-2", 5),
                                                  target("resent-order", "rack-2", 6)};
  const std::vector<api::RelayedWake> sent = {{"lab/sent", 5, "2026-11-24T07:59:00Z"},
                                              {"lab/resent-order", 5, "2026-11-24T07:50:00Z"}};
  EXPECT_THAT(targetsOf(wakesToSend(candidates, "rack-2", sent, kNow)), ElementsAre("lab/due", "lab/resent-order"));
}

TEST(RecordRelayedWake, OneEntryPerTargetAndTheNewestKept) {
  std::vector<api::RelayedWake> sent;
  recordRelayedWake(sent, {"lab/a", 1, "2026-11-24T07:00:00Z"});
  recordRelayedWake(sent, {"lab/a", 2, "2026-11-24T07:30:00Z"});
  EXPECT_THAT(sent, ElementsAre(api::RelayedWake{"lab/a", 2, "2026-11-24T07:30:00Z"}));
  for (std::size_t i = 0; i < api::kMaxRelayedWakes; ++i) {
    recordRelayedWake(sent, {"lab/m" + std::to_string(i), 1, "2026-11-24T08:00:00Z"});
  }
  EXPECT_EQ(sent.size(), api::kMaxRelayedWakes);
  EXPECT_TRUE(std::none_of(sent.begin(), sent.end(), [](const auto& w) { return w.hostAgent == "lab/a"; }));
}

TEST(AdoptRelayedWakes, KeepsTheHigherGenerationOfEachTarget) {
  std::vector<api::RelayedWake> ours = {{"lab/a", 3, "t3"}};
  adoptRelayedWakes(ours, {{"lab/a", 2, "t2"}, {"lab/b", 1, "t1"}});
  EXPECT_THAT(ours, ElementsAre(api::RelayedWake{"lab/a", 3, "t3"}, api::RelayedWake{"lab/b", 1, "t1"}));
}

// ---- the relay inside a node-mode agent -----------------------------------------------------

struct Datagram {
  std::string address;
  std::uint16_t port;
  std::vector<std::uint8_t> bytes;
};

class RecordingSender final : public power::DatagramSender {
 public:
  std::vector<Datagram> sent;
  bool fail = false;
  void send(const std::string& ipv4, std::uint16_t port, std::span<const std::uint8_t> payload) override {
    if (fail) throw power::WakeOnLanError(ipv4, "network unreachable");
    sent.push_back({ipv4, port, {payload.begin(), payload.end()}});
  }
};

class FakeOrders final : public WakeOrderSource {
 public:
  std::vector<api::HostAgent> all;  // every HostAgent; the label selector is the node's name
  std::vector<std::string> askedFor;
  std::vector<api::HostAgent> ordersFor(const std::string& node) override {
    askedFor.push_back(node);
    std::vector<api::HostAgent> out;
    for (const auto& agent : all) {
      if (agent.spec.wake && agent.spec.wake->relayNode == node) out.push_back(agent);
    }
    return out;
  }
};

// The relay's own HostAgent: status patches merge into it like the status subresource.
class OwnHostAgent final : public HostAgentApi {
 public:
  api::HostAgent object;
  int patches = 0;
  api::HostAgent get() override { return object; }
  void patchStatus(const json& mergePatch) override {
    ++patches;
    json status = api::statusToJson(object.status);
    status.merge_patch(mergePatch);
    object.status = api::parseHostAgentStatus(status);
  }
  std::vector<json> listPodsOnNode(const std::string&) override { return {}; }
};

class NoPower final : public PowerController {
 public:
  Inhibitor inhibitDelay(const std::string&, const std::string&) override { return Inhibitor(); }
  void powerOff() override { FAIL() << "the relay never powers anything off"; }
};

class NoEnergy final : public EnergyMeter {
 public:
  NoEnergy() : EnergyMeter("/nonexistent") {}
  api::EnergyReport sample(TimePoint) override { return api::EnergyReport{api::kEnergySourceUnavailable, 0, 0, ""}; }
};

class NoProcesses final : public ProcessScanner {
 public:
  std::optional<ReclaimMatch> scan(const std::vector<std::string>&) override { return std::nullopt; }
};

class NoWorkload final : public LocalWorkloadEvidence {
 public:
  DrainVerdict check() override { return DrainVerdict{true, {}}; }
};

class SilentNotifier final : public Notifier {
 public:
  void ready() override {}
  void watchdog() override {}
  void status(const std::string&) override {}
};

class RelayAgent : public ::testing::Test {
 protected:
  RelayAgent() : clock_(kNow), relay_("rack-2", orders_, sender_, clock_) {
    own_.object.metadata.namespace_ = "lab";
    own_.object.metadata.name = "relay-box";
    own_.object.spec.nodeName = "rack-2";
  }

  std::unique_ptr<Agent> makeAgent() {
    AgentSettings settings;
    settings.mode = Mode::Node;
    settings.nodeName = "rack-2";
    auto agent =
        std::make_unique<Agent>(settings, AgentParts{own_, power_, [] { return std::vector<api::ReadinessCheck>{}; },
                                                     energy_, processes_, workload_, notifier_, clock_});
    agent->relayWakeOrders(relay_);
    return agent;
  }

  ManualClock clock_;
  RecordingSender sender_;
  FakeOrders orders_;
  WakeRelay relay_;
  OwnHostAgent own_;
  NoPower power_;
  NoEnergy energy_;
  NoProcesses processes_;
  NoWorkload workload_;
  SilentNotifier notifier_;
};

TEST_F(RelayAgent, SendsTheMagicPacketOncePerGenerationAndAcknowledgesInItsOwnStatus) {
  orders_.all = {target("gpu-3", "rack-2", 7), target("elsewhere", "rack-9", 7)};
  const auto agent = makeAgent();
  ASSERT_TRUE(agent->heartbeat().reported);
  ASSERT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(sender_.sent[0].address, "10.2.0.255");
  EXPECT_EQ(sender_.sent[0].port, 4009);
  const power::MagicPacket expected = power::buildMagicPacket(power::parseMac("aa:bb:cc:dd:ee:0f"));
  EXPECT_EQ(sender_.sent[0].bytes, std::vector<std::uint8_t>(expected.begin(), expected.end()));
  EXPECT_THAT(own_.object.status.relayedWakes, ElementsAre(api::RelayedWake{"lab/gpu-3", 7, "2026-11-24T08:00:00Z"}));
  EXPECT_THAT(orders_.askedFor, ElementsAre("rack-2"));

  clock_.advance(std::chrono::seconds(30));
  agent->heartbeat();
  EXPECT_EQ(sender_.sent.size(), 1U);  // acknowledged: not again

  orders_.all[0] = target("gpu-3", "rack-2", 8);  // a retry is a new order
  clock_.advance(std::chrono::seconds(30));
  agent->heartbeat();
  EXPECT_EQ(sender_.sent.size(), 2U);
  EXPECT_THAT(own_.object.status.relayedWakes, ElementsAre(api::RelayedWake{"lab/gpu-3", 8, "2026-11-24T08:01:00Z"}));
}

TEST_F(RelayAgent, ARestartedRelayDoesNotSendWhatItAcknowledged) {
  orders_.all = {target("gpu-3", "rack-2", 7)};
  makeAgent()->heartbeat();
  ASSERT_EQ(sender_.sent.size(), 1U);
  const auto restarted = makeAgent();
  clock_.advance(std::chrono::seconds(5));
  ASSERT_TRUE(restarted->heartbeat().reported);
  EXPECT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(own_.object.status.relayedWakes.size(), 1U);
}

TEST_F(RelayAgent, AFailedSendIsRetriedAndReportedWithoutStoppingTheHeartbeat) {
  orders_.all = {target("gpu-3", "rack-2", 7)};
  sender_.fail = true;
  const auto agent = makeAgent();
  EXPECT_TRUE(agent->heartbeat().reported);
  EXPECT_TRUE(own_.object.status.relayedWakes.empty());
  EXPECT_THAT(own_.object.status.lastError, ::testing::HasSubstr("lab/gpu-3"));
  sender_.fail = false;
  clock_.advance(std::chrono::seconds(30));
  agent->heartbeat();
  EXPECT_EQ(sender_.sent.size(), 1U);
  EXPECT_EQ(own_.object.status.relayedWakes.size(), 1U);
}

TEST_F(RelayAgent, NothingIsSentAfterTheOrderExpired) {
  orders_.all = {target("gpu-3", "rack-2", 7, "2026-11-24T07:59:59Z")};
  makeAgent()->heartbeat();
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_TRUE(own_.object.status.relayedWakes.empty());
}

}  // namespace
}  // namespace fivespot::agent
