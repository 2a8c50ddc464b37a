// The demo's pure parts: its script (windows, kill switch, exclusion, expected phases), the phase
// assertion, Wake-on-LAN packet parsing and the timeline sentences.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "describe.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "plan.hpp"

namespace fivespot::demo {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using enum api::Phase;
using namespace std::chrono_literals;

TEST(DemoPlan, FirstEdgeIsTheFirstWholeMinuteAfterSetup) {
  const Plan plan = makePlan(parseRfc3339("2026-03-02T10:15:50Z"), "UTC", Mode::Full, 12s);
  EXPECT_EQ(formatRfc3339(plan.opensAt), "2026-03-02T10:17:00Z");
  EXPECT_EQ(formatRfc3339(plan.lastEdge), "2026-03-02T10:19:00Z");
  const Plan onTheMinute = makePlan(parseRfc3339("2026-03-02T10:15:48Z"), "UTC", Mode::Full, 12s);
  EXPECT_EQ(formatRfc3339(onTheMinute.opensAt), "2026-03-02T10:16:00Z");
}

TEST(DemoPlan, WindowsAreWrittenInTheLocalZoneInMinuteForm) {
  const Plan plan = makePlan(parseRfc3339("2026-07-01T22:58:30Z"), "Europe/Berlin", Mode::Full, 12s);
  ASSERT_EQ(plan.machines.size(), 3u);
  for (const auto& machine : plan.machines) EXPECT_EQ(machine.hoursOfDay, "00:59-01:01") << machine.name;
}

TEST(DemoPlan, ShortModeUsesOneMinuteWindows) {
  const Plan plan = makePlan(parseRfc3339("2026-03-02T10:15:00Z"), "America/New_York", Mode::Short, 12s);
  EXPECT_EQ(plan.machines[0].hoursOfDay, "05:16-05:17");
  EXPECT_EQ(formatRfc3339(plan.killSwitchAt), "2026-03-02T10:16:25Z");
}

TEST(DemoPlan, EachMachineHasItsStory) {
  const Plan plan = makePlan(parseRfc3339("2026-03-02T10:15:00Z"), "UTC", Mode::Full, 12s);
  const MachinePlan& drain = plan.machines[0];
  const MachinePlan& killed = plan.machines[1];
  const MachinePlan& excluded = plan.machines[2];
  EXPECT_EQ(drain.story, Story::Drain);
  EXPECT_THAT(drain.expectedPhases, ElementsAre(UnScheduled, Scheduled, Active, Removing, UnScheduled));
  EXPECT_EQ(killed.story, Story::KillSwitch);
  EXPECT_EQ(killed.leavesAt, plan.killSwitchAt);
  EXPECT_GT(plan.killSwitchAt, plan.opensAt);
  EXPECT_LT(plan.killSwitchAt, plan.lastEdge);
  EXPECT_EQ(killed.expectedPhases.back(), Inactive);
  EXPECT_EQ(excluded.story, Story::Exclusion);
  EXPECT_THAT(excluded.exclusions, ElementsAre("2026-03-02T10:16:00Z/2026-03-02T10:16:50Z"));
  EXPECT_EQ(formatRfc3339(excluded.entersAt), "2026-03-02T10:16:50Z");
  EXPECT_LT(excluded.entersAt, excluded.leavesAt);
}

TEST(DemoPlan, UnknownZoneIsAConfigurationError) {
  EXPECT_THROW(makePlan(parseRfc3339("2026-03-02T10:15:00Z"), "Mars/Olympus", Mode::Full, 12s), ConfigError);
}

TEST(DemoPlan, ApplyPlanWritesScheduleAndWakeOnLanPort) {
  Json manifest = {{"spec",
                    {{"schedule", {{"hoursOfDay", {"9-17"}}, {"timezone", "UTC"}}},
                     {"power", {{"wakeOnLan", {{"mac", "02:00:5e:00:53:0a"}, {"port", 9}}}}}}}};
  const Plan plan = makePlan(parseRfc3339("2026-03-02T10:15:00Z"), "Asia/Tokyo", Mode::Full, 12s);
  applyPlan(plan.machines[2], plan.timezone, 40123, manifest);
  EXPECT_EQ(manifest["spec"]["schedule"]["hoursOfDay"], Json::array({"19:16-19:18"}));
  EXPECT_EQ(manifest["spec"]["schedule"]["timezone"], "Asia/Tokyo");
  EXPECT_EQ(manifest["spec"]["schedule"]["exclusions"].size(), 1u);
  EXPECT_EQ(manifest["spec"]["power"]["wakeOnLan"]["broadcast"], "127.0.0.1");
  EXPECT_EQ(manifest["spec"]["power"]["wakeOnLan"]["port"], 40123);
  EXPECT_EQ(manifest["spec"]["power"]["wakeOnLan"]["mac"], "02:00:5e:00:53:0a");
}

TEST(DemoPhases, PendingDroppedAndRepeatsCollapsed) {
  EXPECT_THAT(normalisePhases({Pending, UnScheduled, UnScheduled, Scheduled, Pending, Scheduled, Active}),
              ElementsAre(UnScheduled, Scheduled, Active));
}

TEST(DemoPhases, ComparisonSaysWhatDiffers) {
  const std::vector<api::Phase> expected{UnScheduled, Scheduled, Active, Removing, UnScheduled};
  EXPECT_EQ(comparePhases({UnScheduled, Scheduled, Scheduled, Active, Removing, UnScheduled}, expected), "");
  EXPECT_EQ(
      comparePhases({UnScheduled, Scheduled, Error}, expected),
      "expected UnScheduled → Scheduled → Active → Removing → UnScheduled, observed UnScheduled → Scheduled → Error");
  EXPECT_NE(comparePhases({UnScheduled, Scheduled, Active, Removing, UnScheduled, Scheduled}, expected), "");
}

TEST(DemoWakeOnLan, ParsesTheMacOfAMagicPacket) {
  std::vector<std::uint8_t> packet(6, 0xFF);
  const std::vector<std::uint8_t> mac{0x02, 0x00, 0x5e, 0x00, 0x53, 0x0a};
  for (int i = 0; i < 16; ++i) packet.insert(packet.end(), mac.begin(), mac.end());
  EXPECT_EQ(parseMagicPacket(packet), "02:00:5e:00:53:0a");
  packet.insert(packet.end(), {1, 2, 3, 4, 5, 6});  // SecureOn password
  EXPECT_EQ(parseMagicPacket(packet), "02:00:5e:00:53:0a");
}

TEST(DemoWakeOnLan, RejectsOtherDatagrams) {
  std::vector<std::uint8_t> packet(6, 0xFF);
  for (int i = 0; i < 16; ++i) packet.insert(packet.end(), {0x02, 0x00, 0x5e, 0x00, 0x53, 0x0a});
  auto corrupted = packet;
  corrupted[6 + 15 * 6] = 0x03;  // the last copy differs
  EXPECT_EQ(parseMagicPacket(corrupted), std::nullopt);
  EXPECT_EQ(parseMagicPacket(std::span(packet).first(50)), std::nullopt);
  packet[0] = 0xFE;
  EXPECT_EQ(parseMagicPacket(packet), std::nullopt);
}

TEST(DemoTimeline, PhaseChangeWithReasonAndMessage) {
  const Json before = {{"status", {{"phase", "Active"}}}};
  const Json after = {
      {"status",
       {{"phase", "Removing"}, {"removalReason", "KillSwitch"}, {"message", "kill switch: removing at once"}}}};
  EXPECT_THAT(describeScheduledMachine(&before, after),
              ElementsAre("phase Active → Removing (KillSwitch): kill switch: removing at once"));
  EXPECT_TRUE(describeScheduledMachine(&after, after).empty());
}

TEST(DemoTimeline, DrainProgressNamesTheBlockingBudget) {
  const Json before = {{"status", {{"phase", "Removing"}, {"drain", {{"podsRemaining", 2}}}}}};
  const Json after = {
      {"status",
       {{"phase", "Removing"},
        {"drain", {{"podsRemaining", 1}, {"blockingPdbs", {"5spot-demo/web: needs 1 healthy pods"}}}}}}};
  EXPECT_THAT(describeScheduledMachine(&before, after),
              ElementsAre("drain: 1 pod left, eviction refused: 5spot-demo/web: needs 1 healthy pods"));
}

TEST(DemoTimeline, NodeRefJoinAndLeave) {
  const Json out = {{"status", {{"phase", "Scheduled"}}}};
  const Json in = {{"status", {{"phase", "Scheduled"}, {"nodeRef", {{"name", "demo-a"}}}}}};
  EXPECT_THAT(describeScheduledMachine(&out, in), ElementsAre("node demo-a is in the cluster (status.nodeRef)"));
  EXPECT_THAT(describeScheduledMachine(&in, out), ElementsAre("node demo-a is out of the cluster"));
}

TEST(DemoTimeline, HostAgentOrdersAndReports) {
  const Json before = {{"spec", {{"desiredPower", "On"}}}, {"status", {{"ready", true}, {"powerState", "On"}}}};
  const Json after = {{"spec", {{"desiredPower", "Off"}, {"powerOffGeneration", 3}, {"killSwitch", true}}},
                      {"status",
                       {{"ready", false},
                        {"powerState", "PoweringOff"},
                        {"checks", {{{"name", "powered-on"}, {"ok", false}, {"reason", "exit code 1"}}}}}}};
  EXPECT_THAT(describeHostAgent(&before, after),
              ElementsAre("coordinator orders power-off (kill switch: no drain confirmation)",
                          "agent reports the host not ready: exit code 1", "agent reports power PoweringOff"));
}

TEST(DemoTimeline, HostAgentRegistration) {
  const Json registered = {{"spec", {{"desiredPower", "Off"}}}};
  EXPECT_THAT(describeHostAgent(nullptr, registered), ElementsAre("HostAgent registered (desired power Off)"));
  Json running = registered;
  running["status"] = {{"powerState", "On"}};
  EXPECT_TRUE(describeHostAgent(&registered, running).empty());
}

TEST(DemoTimeline, NodeAndPodLifecycle) {
  const Json ready = {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  Json cordoned = ready;
  cordoned["spec"] = {{"unschedulable", true},
                      {"taints", {{{"key", "5spot.finos.org/removing"}, {"effect", "NoSchedule"}}}}};
  EXPECT_THAT(describeNode(nullptr, ready), ElementsAre("joined, Ready"));
  EXPECT_THAT(describeNode(&ready, cordoned), ElementsAre("cordoned", "taints 5spot.finos.org/removing:NoSchedule"));

  const Json created = {{"spec", {{"nodeName", "demo-a"}}}};
  Json running = created;
  running["status"] = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  Json terminating = running;
  terminating["metadata"] = {{"deletionTimestamp", "2026-03-02T10:16:00Z"}};
  EXPECT_THAT(describePod(nullptr, created), ElementsAre("created on node demo-a"));
  EXPECT_THAT(describePod(&created, running), ElementsAre("Running and Ready on demo-a"));
  EXPECT_THAT(describePod(&running, terminating), ElementsAre("terminating"));
}

TEST(DemoTimeline, LogindRecords) {
  EXPECT_THAT(describeLogindRecord({{"call", "PowerOff"}, {"interactive", false}}),
              HasSubstr("PowerOff(interactive=false)"));
  EXPECT_EQ(
      describeLogindRecord({{"call", "Inhibit"}, {"who", "fivespot-agent"}, {"what", "shutdown"}, {"mode", "delay"}}),
      "logind: fivespot-agent holds a 'delay' inhibitor lock on shutdown");
  EXPECT_EQ(describeLogindRecord({{"event", "released"}, {"who", "fivespot-agent"}}),
            "logind: fivespot-agent released its inhibitor lock");
}

}  // namespace
}  // namespace fivespot::demo
