// The coordinator SIGKILLed in the middle of adding and of removing, then restarted: every step is
// derived from observed state, so it finishes the job with exactly one Machine ever.
#include <gtest/gtest.h>

#include <csignal>

#include "scenario.hpp"

namespace fivespot::testing {
namespace {

constexpr milliseconds kPhaseTimeout = seconds(60);

TEST(CoordinatorRestart, KilledWhileAddingResumesWithTheSameMachine) {
  Scenario s("restart-adding");
  // No simulator yet: the Machine never gets a Node, so the add stays in flight.
  ChildProcess& first = s.startCoordinator("first");
  s.create(s.scheduledMachine("worker"));
  ASSERT_TRUE(s.waitForPhase("worker", "Scheduled", kPhaseTimeout)) << s.phase("worker");
  ASSERT_TRUE(eventually([&] { return s.machines("worker").size() == 1; }, kPhaseTimeout));
  const std::string machineUid = s.machines("worker")[0]["metadata"].value("uid", "");
  first.signal(SIGKILL);
  ASSERT_TRUE(first.wait(seconds(10)));

  s.startSimulator();
  s.startCoordinator("second");
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  const auto machines = s.machines("worker");
  ASSERT_EQ(machines.size(), 1U);
  EXPECT_EQ(machines[0]["metadata"].value("uid", ""), machineUid) << "the restarted coordinator made a second Machine";
}

TEST(CoordinatorRestart, KilledWhileRemovingFinishesTheRemoval) {
  Scenario s("restart-removing");
  s.startSimulator();
  ChildProcess& first = s.startCoordinator("first");
  s.create(s.scheduledMachine("worker"));
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  const std::string machineUid = s.machines("worker").at(0)["metadata"].value("uid", "");
  const std::string nodeName = s.get("worker")->value(Json::json_pointer("/status/nodeRef/name"), std::string());
  s.createPod("web-0", nodeName, "web");
  ASSERT_TRUE(s.waitForPodsRunning({"web-0"}, kPhaseTimeout));
  s.createPdb("web", "web", 1);

  s.closeWindowIn("worker", seconds(1));
  ASSERT_TRUE(s.waitForPhase("worker", "Removing", kPhaseTimeout)) << s.phase("worker");
  ASSERT_TRUE(eventually(
      [&] { return !s.get("worker")->value(Json::json_pointer("/status/drain/blockingPdbs"), Json::array()).empty(); },
      kPhaseTimeout));
  first.signal(SIGKILL);
  ASSERT_TRUE(first.wait(seconds(10)));

  s.setPdbMinAvailable("web", 0);
  s.startCoordinator("second");
  bool sawOtherMachine = false;
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& machine : s.machines("worker")) {
          sawOtherMachine = sawOtherMachine || machine["metadata"].value("uid", "") != machineUid;
        }
        return s.phase("worker") == "UnScheduled";
      },
      kPhaseTimeout))
      << s.phase("worker");
  EXPECT_FALSE(sawOtherMachine) << "the restarted coordinator created another Machine";
  EXPECT_TRUE(s.machines("worker").empty());
  EXPECT_FALSE(s.node(nodeName));
}

}  // namespace
}  // namespace fivespot::testing
