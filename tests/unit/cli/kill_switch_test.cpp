#include "kill_switch_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "fake_transport.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/kube/client.hpp"
#include "test_objects.hpp"

namespace fivespot::cli {
namespace {

using ::testing::HasSubstr;
using testing::scheduledMachineJson;

// A Monday; the test machines are scheduled mon-fri 09:00-17:59 UTC.
const TimePoint kMondayMorning = parseRfc3339("2026-03-09T07:00:00Z");
const TimePoint kMondayNoon = parseRfc3339("2026-03-09T12:00:00Z");

api::ScheduledMachine machineIn(const std::string& phase, bool killSwitch = false) {
  return api::parseScheduledMachine(scheduledMachineJson("gpu-worker-01", "lab", {{"phase", phase}}, killSwitch));
}

TEST(ParseKillSwitchSetting, AcceptsOnOffOnly) {
  EXPECT_EQ(parseKillSwitchSetting("on"), KillSwitchSetting::On);
  EXPECT_EQ(parseKillSwitchSetting("true"), KillSwitchSetting::On);
  EXPECT_EQ(parseKillSwitchSetting("off"), KillSwitchSetting::Off);
  EXPECT_EQ(parseKillSwitchSetting("false"), KillSwitchSetting::Off);
  EXPECT_THROW(parseKillSwitchSetting("yes"), ValidationError);
  EXPECT_THROW(parseKillSwitchSetting(""), ValidationError);
}

TEST(KillSwitchPatch, IsAMergePatchOfSpecKillSwitch) {
  EXPECT_EQ(killSwitchPatch(KillSwitchSetting::On), nlohmann::json::parse(R"({"spec":{"killSwitch":true}})"));
  EXPECT_EQ(killSwitchPatch(KillSwitchSetting::Off), nlohmann::json::parse(R"({"spec":{"killSwitch":false}})"));
}

TEST(DescribeKillSwitchEffect, OnWhileInTheClusterRemovesAtOnceButRespectsPdbs) {
  for (const char* phase : {"Scheduled", "Active", "Removing"}) {
    EXPECT_EQ(describeKillSwitchEffect(machineIn(phase), KillSwitchSetting::On, kMondayNoon),
              "removing gpu-worker-01 now: no grace period; pods are still evicted respecting PodDisruptionBudgets "
              "(for up to nodeDrainTimeout 10m), then its Machine is deleted and the host powered off; it stays out "
              "until the kill switch is turned off")
        << phase;
  }
}

TEST(DescribeKillSwitchEffect, OnWhileOutKeepsItOut) {
  EXPECT_EQ(describeKillSwitchEffect(machineIn("UnScheduled"), KillSwitchSetting::On, kMondayNoon),
            "gpu-worker-01 is not in a cluster (phase UnScheduled); the kill switch keeps it out (phase Inactive) "
            "until it is turned off");
  const auto fresh = api::parseScheduledMachine(scheduledMachineJson("gpu-worker-01", "lab"));
  EXPECT_THAT(describeKillSwitchEffect(fresh, KillSwitchSetting::On, kMondayNoon), HasSubstr("(no phase yet)"));
}

TEST(DescribeKillSwitchEffect, OffInsideTheWindowAddsItNow) {
  EXPECT_EQ(describeKillSwitchEffect(machineIn("Inactive", true), KillSwitchSetting::Off, kMondayNoon),
            "gpu-worker-01 returns to its schedule: its window is open, so it is added to the cluster now (the window "
            "closes in 6h, 2026-03-09T18:00:00Z)");
}

TEST(DescribeKillSwitchEffect, OffOutsideTheWindowNamesTheNextOpening) {
  EXPECT_EQ(describeKillSwitchEffect(machineIn("Inactive", true), KillSwitchSetting::Off, kMondayMorning),
            "gpu-worker-01 returns to its schedule: it is added when its next window opens, in 2h "
            "(2026-03-09T09:00:00Z)");
}

TEST(DescribeKillSwitchEffect, OffWithDisabledScheduleStaysOut) {
  auto object = scheduledMachineJson("gpu-worker-01", "lab", {{"phase", "Inactive"}}, true);
  object["spec"]["schedule"]["enabled"] = false;
  EXPECT_THAT(describeKillSwitchEffect(api::parseScheduledMachine(object), KillSwitchSetting::Off, kMondayNoon),
              HasSubstr("which is disabled (spec.schedule.enabled: false): it stays out"));
}

TEST(DescribeKillSwitchEffect, OffWithInvalidScheduleSaysSo) {
  auto object = scheduledMachineJson("gpu-worker-01", "lab", {{"phase", "Inactive"}}, true);
  object["spec"]["schedule"]["hoursOfDay"] = {"25-3"};
  EXPECT_THAT(describeKillSwitchEffect(api::parseScheduledMachine(object), KillSwitchSetting::Off, kMondayNoon),
              HasSubstr("but the schedule is invalid (spec.schedule.hoursOfDay"));
}

TEST(DescribeKillSwitchEffect, NoChangeIsSaid) {
  EXPECT_EQ(describeKillSwitchEffect(machineIn("Inactive", true), KillSwitchSetting::On, kMondayNoon),
            "the kill switch of gpu-worker-01 is already on; nothing changes");
  EXPECT_EQ(describeKillSwitchEffect(machineIn("Active"), KillSwitchSetting::Off, kMondayNoon),
            "the kill switch of gpu-worker-01 is already off; nothing changes");
}

class RunKillSwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube::ClusterConfig config;
    config.server = "https://127.0.0.1:6443";
    client_ = std::make_unique<kube::Client>(config, kube::ClientOptions{}, transport_);
  }
  std::shared_ptr<kube::testing::FakeTransport> transport_ = std::make_shared<kube::testing::FakeTransport>();
  std::unique_ptr<kube::Client> client_;
  std::ostringstream out_;
};

TEST_F(RunKillSwitchTest, PatchesSpecKillSwitchWithAMergePatch) {
  const auto object = scheduledMachineJson("gpu-worker-01", "lab", {{"phase", "Active"}});
  transport_->respond(200, object.dump());
  transport_->respond(200, object.dump());
  EXPECT_EQ(runKillSwitch(*client_, "lab", "gpu-worker-01", KillSwitchSetting::On, kMondayNoon, out_), 0);
  ASSERT_EQ(transport_->requests.size(), 2U);
  const auto& patch = transport_->requests[1];
  EXPECT_EQ(patch.request.method, "PATCH");
  EXPECT_EQ(patch.request.target, "/apis/5spot.finos.org/v1alpha1/namespaces/lab/scheduledmachines/gpu-worker-01");
  EXPECT_EQ(patch.header("Content-Type"), "application/merge-patch+json");
  EXPECT_EQ(nlohmann::json::parse(patch.request.body), nlohmann::json::parse(R"({"spec":{"killSwitch":true}})"));
  EXPECT_THAT(out_.str(), ::testing::StartsWith("removing gpu-worker-01 now: no grace period;"));
  EXPECT_THAT(out_.str(), HasSubstr("scheduledmachine/gpu-worker-01 patched (spec.killSwitch: true)\n"));
}

TEST_F(RunKillSwitchTest, AlreadySetSendsNoPatch) {
  transport_->respond(200, scheduledMachineJson("gpu-worker-01", "lab", {{"phase", "Inactive"}}, true).dump());
  EXPECT_EQ(runKillSwitch(*client_, "lab", "gpu-worker-01", KillSwitchSetting::On, kMondayNoon, out_), 0);
  EXPECT_EQ(transport_->requests.size(), 1U);
  EXPECT_THAT(out_.str(), HasSubstr("already on"));
}

TEST_F(RunKillSwitchTest, MissingMachineIsNotFound) {
  transport_->respond(404, testing::statusJson(404, "NotFound", "not found"));
  try {
    runKillSwitch(*client_, "lab", "nope", KillSwitchSetting::On, kMondayNoon, out_);
    FAIL() << "expected ApiError";
  } catch (const kube::ApiError& e) {
    EXPECT_TRUE(e.isNotFound());
  }
  EXPECT_EQ(out_.str(), "");
}

}  // namespace
}  // namespace fivespot::cli
