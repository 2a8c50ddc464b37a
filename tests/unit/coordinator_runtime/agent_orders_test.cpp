// The executor's HostAgent writes: create-if-absent, and each order as one merge patch whose
// generations are exactly the ones decide() computed (docs/phases.md, "HostAgent orders").
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "caches.hpp"
#include "executor.hpp"
#include "fivespot/api/conditions.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/kube/config.hpp"
#include "fivespot/kube/http.hpp"

namespace fivespot::coordinator {
namespace {

using kube::Json;

// Records every request and answers with a fixed status and body.
class RecordingTransport : public kube::HttpTransport {
 public:
  kube::HttpResponse send(const kube::HttpRequest& request, std::chrono::milliseconds) override {
    requests.push_back(request);
    return {status, {{"content-type", "application/json"}}, body};
  }
  std::unique_ptr<kube::HttpStream> openStream(const kube::HttpRequest&, std::chrono::milliseconds) override {
    throw std::logic_error("no watches in these tests");
  }

  std::vector<kube::HttpRequest> requests;
  int status = 200;
  std::string body = "{}";
};

kube::ClusterConfig configFor(const std::string& server) {
  kube::ClusterConfig config;
  config.server = server;
  return config;
}

class NoDatagrams : public power::DatagramSender {
 public:
  void send(const std::string&, std::uint16_t, std::span<const std::uint8_t>) override {
    throw std::logic_error("no Wake-on-LAN in these tests");
  }
};

class AgentOrders : public ::testing::Test {
 protected:
  AgentOrders()
      : transport_(std::make_shared<RecordingTransport>()),
        client_(configFor("http://127.0.0.1:1"), {}, transport_),
        events_(client_, "test", clock_),
        power_(client_, std::make_shared<NoDatagrams>()),
        metrics_(std::make_shared<prometheus::Registry>()),
        executor_(client_, events_, power_, metrics_, {}) {
    api::ScheduledMachine& sm = observation_.observed.sm;
    sm.metadata.name = "gpu";
    sm.metadata.namespace_ = "ns";
    api::HostAgent agent;
    agent.spec.commandGeneration = 7;
    observation_.observed.agent = agent;
  }

  void run(Action action) {
    Decision decision;
    decision.actions.push_back(std::move(action));
    KeyMemory memory;
    executor_.execute(observation_, decision, memory, [] { return true; });
  }

  // The single request's JSON body.
  Json onlyBody(const std::string& method) const {
    EXPECT_EQ(transport_->requests.size(), 1u);
    if (transport_->requests.empty()) return Json();
    const kube::HttpRequest& request = transport_->requests.front();
    EXPECT_EQ(request.method, method);
    EXPECT_TRUE(request.target.find("/namespaces/ns/hostagents") != std::string::npos) << request.target;
    return Json::parse(request.body);
  }

  ManualClock clock_{TimePoint{}};
  std::shared_ptr<RecordingTransport> transport_;
  kube::Client client_;
  EventRecorder events_;
  PowerOrders power_;
  CoordinatorMetrics metrics_;
  Executor executor_;
  Observation observation_;
};

TEST_F(AgentOrders, PowerOffOrderIsTheCurrentCommand) {
  run(action::OrderPowerOff{8, false});
  const Json spec = onlyBody("PATCH").at("spec");
  EXPECT_EQ(spec.at("commandGeneration"), 8);
  EXPECT_EQ(spec.at("powerOffGeneration"), 8);
  EXPECT_EQ(spec.at("desiredPower"), "Off");
  EXPECT_EQ(spec.at("killSwitch"), false);
}

TEST_F(AgentOrders, DrainConfirmationRequestUsesTheNewCommandGeneration) {
  run(action::RequestDrainConfirmation{8});
  const Json spec = onlyBody("PATCH").at("spec");
  EXPECT_EQ(spec.at("commandGeneration"), 8);
  EXPECT_EQ(spec.at("drainConfirmationGeneration"), 8);
  EXPECT_FALSE(spec.contains("powerOffGeneration"));
}

TEST_F(AgentOrders, PowerOnOrderWithdrawsThePowerOff) {
  run(action::OrderAgentPowerOn{9});
  const Json spec = onlyBody("PATCH").at("spec");
  EXPECT_EQ(spec.at("commandGeneration"), 9);
  EXPECT_EQ(spec.at("desiredPower"), "On");
  EXPECT_EQ(spec.at("killSwitch"), false);
}

TEST_F(AgentOrders, ProjectionIsNotAnOrder) {
  run(action::ProjectToAgent{"node-1", {"steam"}});
  const Json spec = onlyBody("PATCH").at("spec");
  EXPECT_EQ(spec.at("nodeName"), "node-1");
  EXPECT_EQ(spec.at("killIfCommands"), Json::array({"steam"}));
  EXPECT_FALSE(spec.contains("commandGeneration"));
}

TEST_F(AgentOrders, PowerOffWithoutAnAgentOrderAndWithoutRedfishWritesNothing) {
  run(action::OrderPowerOff{0, false});
  EXPECT_TRUE(transport_->requests.empty());
}

TEST_F(AgentOrders, CreateHostAgentTreatsAlreadyExistsAsDone) {
  transport_->status = 409;
  transport_->body = R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409})";
  run(action::CreateHostAgent{{{"apiVersion", "5spot.finos.org/v1alpha1"},
                               {"kind", "HostAgent"},
                               {"metadata", {{"name", "gpu"}, {"namespace", "ns"}}},
                               {"spec", {{"desiredPower", "On"}}}}});
  const Json body = onlyBody("POST");
  EXPECT_EQ(body.at("kind"), "HostAgent");
}

TEST_F(AgentOrders, RelayedWakeIsAnOrderInTheMachinesOwnHostAgentAndNoPacketFromHere) {
  observation_.observed.sm.spec.power =
      api::PowerSpec{api::WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.2.0.255", 9, "rack-2"}, {}, {}, {}, {}};
  const api::WakeOrder order{"rack-2", "aa:bb:cc:dd:ee:ff", "10.2.0.255", 9, 8, "2026-11-24T10:10:00Z"};
  Decision decision;
  decision.actions.push_back(action::OrderPowerOn{order});
  KeyMemory memory;
  executor_.execute(observation_, decision, memory, [] { return true; });  // NoDatagrams throws on a send
  const Json body = onlyBody("PATCH");
  EXPECT_TRUE(transport_->requests.front().target.ends_with("/namespaces/ns/hostagents/gpu"));
  EXPECT_EQ(body.at("metadata").at("labels").at("5spot.finos.org/wake-relay-node"), "rack-2");
  EXPECT_EQ(body.at("spec").at("commandGeneration"), 8);
  EXPECT_EQ(body.at("spec").at("wake"), api::toJson(order));
  const api::Condition* poweredOn = api::findCondition(decision.status.conditions, api::condition::kPoweredOn);
  ASSERT_NE(poweredOn, nullptr);
  EXPECT_EQ(poweredOn->message,
            "power-on ordered: Wake-on-LAN for aa:bb:cc:dd:ee:ff ordered from the agent on node rack-2 (order 8)");
}

TEST(RelayRouting, OnlyNewOrChangedAcknowledgementsWakeTheirMachines) {
  const Json before = {
      {"status",
       {{"relayedWakes", {{{"hostAgent", "ns/a"}, {"generation", 3}}, {{"hostAgent", "ns/b"}, {"generation", 1}}}}}}};
  const Json after = {{"status",
                       {{"relayedWakes",
                         {{{"hostAgent", "ns/a"}, {"generation", 3}},
                          {{"hostAgent", "ns/b"}, {"generation", 2}},
                          {{"hostAgent", "ns/c"}, {"generation", 1}}}}}}};
  EXPECT_EQ(newlyRelayedWakes(before, after), (std::vector<std::string>{"ns/b", "ns/c"}));
  EXPECT_TRUE(newlyRelayedWakes(after, after).empty());  // a heartbeat wakes nobody
  EXPECT_TRUE(newlyRelayedWakes(Json::object(), Json::object()).empty());
}

}  // namespace
}  // namespace fivespot::coordinator
