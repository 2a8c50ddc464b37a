#include "status_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "fake_transport.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/kube/client.hpp"
#include "test_objects.hpp"

namespace fivespot::cli {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::hostAgentJson;
using testing::listJson;
using testing::scheduledMachineJson;

const TimePoint kNow = parseRfc3339("2026-03-09T10:00:00Z");

TEST(HumanAge, FollowsKubectlBrackets) {
  EXPECT_EQ(humanAge(-5s), "<invalid>");
  EXPECT_EQ(humanAge(-1s), "0s");
  EXPECT_EQ(humanAge(0s), "0s");
  EXPECT_EQ(humanAge(119s), "119s");
  EXPECT_EQ(humanAge(3min), "3m");
  EXPECT_EQ(humanAge(3min + 20s), "3m20s");
  EXPECT_EQ(humanAge(75min), "75m");
  EXPECT_EQ(humanAge(5h + 12min), "5h12m");
  EXPECT_EQ(humanAge(5h), "5h");
  EXPECT_EQ(humanAge(30h + 40min), "30h");
  EXPECT_EQ(humanAge(76h), "3d4h");
  EXPECT_EQ(humanAge(72h), "3d");
  EXPECT_EQ(humanAge(120 * 24h), "120d");
  EXPECT_EQ(humanAge(2 * 365 * 24h + 30 * 24h), "2y30d");
  EXPECT_EQ(humanAge(9 * 365 * 24h), "9y");
}

TEST(CompactDuration, RoundsUpToTheMinute) {
  EXPECT_EQ(compactDuration(45s), "45s");
  EXPECT_EQ(compactDuration(1500ms), "2s");
  EXPECT_EQ(compactDuration(60s), "1m");
  EXPECT_EQ(compactDuration(3h + 11min + 1s), "3h12m");
  EXPECT_EQ(compactDuration(52h + 30min), "2d4h30m");
  EXPECT_EQ(compactDuration(48h), "2d");
}

TEST(RelativeTime, SaysWhetherAheadOrBehind) {
  EXPECT_EQ(relativeTime(kNow + 3h + 12min, kNow), "in 3h12m");
  EXPECT_EQ(relativeTime(kNow - 5min, kNow), "5m ago");
  EXPECT_EQ(relativeTime(kNow, kNow), "in 0s");
}

nlohmann::json activeStatus() {
  return {{"phase", "Active"},
          {"observedGeneration", 3},
          {"inSchedule", true},
          {"nextTransition", "2026-03-09T18:00:00Z"},
          {"nodeRef", {{"kind", "Node"}, {"name", "gpu-node-1"}}},
          {"machineRef", {{"kind", "Machine"}, {"name", "gpu-worker-01-m"}}}};
}

TEST(MakeStatusRow, ActiveMachineWithAgent) {
  const auto machine = api::parseScheduledMachine(scheduledMachineJson("gpu-worker-01", "lab", activeStatus()));
  const auto agent =
      api::parseHostAgent(hostAgentJson("gpu-worker-01", "lab", "On", "On", true, "2026-03-09T09:59:48Z"));
  const StatusRow row = makeStatusRow(machine, agent, kNow);
  EXPECT_EQ(row.cells.phase, "Active");
  EXPECT_EQ(row.cells.inWindow, "yes");
  EXPECT_EQ(row.cells.next, "in 8h");
  EXPECT_EQ(row.cells.nextAt, "2026-03-09T18:00:00Z");
  EXPECT_EQ(row.cells.node, "gpu-node-1");
  EXPECT_EQ(row.cells.drain, "-");
  EXPECT_EQ(row.cells.power, "On");
  EXPECT_EQ(row.cells.age, "8d") << "202h: kubectl shows whole days from 8 days on";
  EXPECT_EQ(row.cells.machine, "gpu-worker-01-m");
  EXPECT_EQ(row.cells.killSwitch, "off");
  EXPECT_EQ(row.cells.agent, "ready, 12s");
  EXPECT_EQ(row.cells.reason, "-");
}

TEST(MakeStatusRow, DrainingMachineShowsPodsPdbsAndPendingPowerOrder) {
  nlohmann::json status = activeStatus();
  status["phase"] = "Removing";
  status["removalReason"] = "KillSwitch";
  status["drain"] = {{"podsRemaining", 3}, {"blockingPdbs", {"db/pg-pdb: 0 disruptions allowed"}}};
  const auto machine = api::parseScheduledMachine(scheduledMachineJson("gpu-worker-01", "lab", status, true));
  const auto agent =
      api::parseHostAgent(hostAgentJson("gpu-worker-01", "lab", "Off", "On", false, "2026-03-09T09:54:00Z"));
  const StatusRow row = makeStatusRow(machine, agent, kNow);
  EXPECT_EQ(row.cells.drain, "3 pods, 1 PDB");
  EXPECT_EQ(row.cells.power, "On->Off");
  EXPECT_EQ(row.cells.killSwitch, "on");
  EXPECT_EQ(row.cells.agent, "not ready, 6m");
  EXPECT_EQ(row.cells.reason, "KillSwitch");
}

TEST(MakeStatusRow, PoweringOffIsNotAPendingOrder) {
  const auto machine = api::parseScheduledMachine(scheduledMachineJson("m", "lab", activeStatus()));
  const auto agent = api::parseHostAgent(hostAgentJson("m", "lab", "Off", "PoweringOff", true, ""));
  const StatusRow row = makeStatusRow(machine, agent, kNow);
  EXPECT_EQ(row.cells.power, "PoweringOff");
  EXPECT_EQ(row.cells.agent, "ready");
}

TEST(MakeStatusRow, NewObjectWithoutStatusOrAgent) {
  const auto machine = api::parseScheduledMachine(scheduledMachineJson("fresh", "lab"));
  const StatusRow row = makeStatusRow(machine, std::nullopt, kNow);
  for (const auto* cell : {&row.cells.phase, &row.cells.inWindow, &row.cells.next, &row.cells.nextAt, &row.cells.node,
                           &row.cells.drain, &row.cells.power, &row.cells.agent, &row.cells.machine}) {
    EXPECT_EQ(*cell, "-");
  }
  EXPECT_FALSE(row.values.inSchedule.has_value());
}

TEST(RenderStatusTable, AlignsColumnsLikeKubectl) {
  const auto active = api::parseScheduledMachine(scheduledMachineJson("gpu-worker-01", "lab", activeStatus()));
  const auto fresh = api::parseScheduledMachine(scheduledMachineJson("b", "lab"));
  const std::vector<StatusRow> rows{makeStatusRow(active, std::nullopt, kNow),
                                    makeStatusRow(fresh, std::nullopt, kNow)};
  EXPECT_EQ(renderStatusTable(rows, false, false),
            "NAME            PHASE    IN-WINDOW   NEXT    NODE         DRAIN   POWER   AGE\n"
            "gpu-worker-01   Active   yes         in 8h   gpu-node-1   -       -       8d\n"
            "b               -        -           -       -            -       -       8d\n");
}

TEST(RenderStatusTable, NamespaceColumnAndWideColumns) {
  const auto active = api::parseScheduledMachine(scheduledMachineJson("m", "lab", activeStatus()));
  const std::string table = renderStatusTable({makeStatusRow(active, std::nullopt, kNow)}, true, true);
  EXPECT_THAT(table, ::testing::StartsWith("NAMESPACE   NAME   PHASE"));
  EXPECT_THAT(table, HasSubstr("AGE   NEXT-AT                MACHINE           KILL-SWITCH   AGENT   REASON\n"));
  EXPECT_THAT(table, HasSubstr("lab         m      Active"));
  EXPECT_THAT(table, HasSubstr("2026-03-09T18:00:00Z   gpu-worker-01-m   off           -       -\n"));
}

TEST(RenderStatusJson, CarriesRawValues) {
  nlohmann::json status = activeStatus();
  status["drain"] = {{"podsRemaining", 2}, {"blockingPdbs", {"db/pdb"}}};
  const auto machine = api::parseScheduledMachine(scheduledMachineJson("m", "lab", status));
  const auto agent = api::parseHostAgent(hostAgentJson("m", "lab", "On", "On", true, "2026-03-09T09:59:00Z"));
  const auto fresh = api::parseScheduledMachine(scheduledMachineJson("n", "lab"));
  const auto json = nlohmann::json::parse(
      renderStatusJson({makeStatusRow(machine, agent, kNow), makeStatusRow(fresh, std::nullopt, kNow)}));
  const auto& first = json.at("items").at(0);
  EXPECT_EQ(first.at("phase"), "Active");
  EXPECT_EQ(first.at("inWindow"), true);
  EXPECT_EQ(first.at("nextTransition"), "2026-03-09T18:00:00Z");
  EXPECT_EQ(first.at("drain").at("podsRemaining"), 2);
  EXPECT_EQ(first.at("drain").at("blockingPdbs"), nlohmann::json::array({"db/pdb"}));
  EXPECT_EQ(first.at("agent").at("powerState"), "On");
  EXPECT_EQ(first.at("agent").at("ready"), true);
  const auto& second = json.at("items").at(1);
  EXPECT_TRUE(second.at("phase").is_null());
  EXPECT_TRUE(second.at("inWindow").is_null());
  EXPECT_TRUE(second.at("agent").is_null());
  EXPECT_EQ(second.at("killSwitch"), false);
}

TEST(ParseStatusFormat, AcceptsTheThreeFormatsOnly) {
  EXPECT_EQ(parseStatusFormat("table"), StatusFormat::Table);
  EXPECT_EQ(parseStatusFormat("wide"), StatusFormat::Wide);
  EXPECT_EQ(parseStatusFormat("json"), StatusFormat::Json);
  EXPECT_THROW(parseStatusFormat("yaml"), ValidationError);
}

class RunStatusTest : public ::testing::Test {
 protected:
  kube::Client& client() {
    if (!client_) {
      kube::ClusterConfig config;
      config.server = "https://127.0.0.1:6443";
      client_ = std::make_unique<kube::Client>(config, kube::ClientOptions{}, transport_);
    }
    return *client_;
  }
  std::shared_ptr<kube::testing::FakeTransport> transport_ = std::make_shared<kube::testing::FakeTransport>();
  std::unique_ptr<kube::Client> client_;
  std::ostringstream out_, err_;
};

TEST_F(RunStatusTest, JoinsAgentsAcrossNamespacesAndSortsRows) {
  transport_->respond(
      200, listJson({scheduledMachineJson("z", "b", activeStatus()), scheduledMachineJson("y", "a", activeStatus())}));
  transport_->respond(200, listJson({hostAgentJson("z", "b", "On", "On", true, "2026-03-09T09:59:00Z")}));
  StatusOptions options;  // all namespaces
  EXPECT_EQ(runStatus(client(), options, kNow, out_, err_), 0);
  EXPECT_EQ(transport_->requests.at(0).request.target, "/apis/5spot.finos.org/v1alpha1/scheduledmachines");
  EXPECT_EQ(transport_->requests.at(1).request.target, "/apis/5spot.finos.org/v1alpha1/hostagents");
  const std::string table = out_.str();
  EXPECT_LT(table.find("a           y"), table.find("b           z")) << table;
  EXPECT_THAT(table, HasSubstr("gpu-node-1   -       On      8d\n"));
  EXPECT_EQ(err_.str(), "");
}

TEST_F(RunStatusTest, NamedMachineWithoutHostAgentAccessStillPrints) {
  transport_->respond(200, scheduledMachineJson("m", "lab", activeStatus()).dump());
  transport_->respond(403, testing::statusJson(403, "Forbidden", "hostagents is forbidden"));
  StatusOptions options;
  options.name = "m";
  options.namespace_ = "lab";
  EXPECT_EQ(runStatus(client(), options, kNow, out_, err_), 0);
  EXPECT_EQ(transport_->requests.at(0).request.target,
            "/apis/5spot.finos.org/v1alpha1/namespaces/lab/scheduledmachines/m");
  EXPECT_EQ(transport_->requests.at(1).request.target, "/apis/5spot.finos.org/v1alpha1/namespaces/lab/hostagents/m");
  EXPECT_THAT(out_.str(), HasSubstr("m      Active"));
  EXPECT_THAT(err_.str(), HasSubstr("warning: cannot read HostAgents (hostagents is forbidden)"));
}

TEST_F(RunStatusTest, UnparseableObjectIsReportedAndOthersShown) {
  nlohmann::json broken = scheduledMachineJson("broken", "lab");
  broken["spec"]["priority"] = "high";
  transport_->respond(200, listJson({broken, scheduledMachineJson("ok", "lab")}));
  transport_->respond(200, listJson({}));
  StatusOptions options;
  options.namespace_ = "lab";
  EXPECT_EQ(runStatus(client(), options, kNow, out_, err_), 1);
  EXPECT_THAT(out_.str(), HasSubstr("\nok "));
  EXPECT_THAT(err_.str(), HasSubstr("spec.priority"));
}

TEST_F(RunStatusTest, EmptyNamespaceSaysSoOnStderr) {
  transport_->respond(200, listJson({}));
  transport_->respond(200, listJson({}));
  StatusOptions options;
  options.namespace_ = "lab";
  EXPECT_EQ(runStatus(client(), options, kNow, out_, err_), 0);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "No ScheduledMachines found in namespace lab.\n");
}

TEST_F(RunStatusTest, MissingNamedMachineIsAnApiError) {
  transport_->respond(404, testing::statusJson(404, "NotFound", "scheduledmachines \"m\" not found"));
  StatusOptions options;
  options.name = "m";
  options.namespace_ = "lab";
  EXPECT_THROW(runStatus(client(), options, kNow, out_, err_), kube::ApiError);
}

}  // namespace
}  // namespace fivespot::cli
