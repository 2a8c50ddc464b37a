// A ScheduledMachine's life with the real coordinator and the CAPI/kubelet simulator: the window
// opens (add), closes (remove, with a PDB that first blocks the drain), kill switch, disable and
// enable, deletion with the finalizer.
#include <gtest/gtest.h>

#include <algorithm>

#include "scenario.hpp"

namespace fivespot::testing {
namespace {

constexpr milliseconds kPhaseTimeout = seconds(60);

std::string nodeNameOf(Scenario& s, const std::string& name) {
  const auto sm = s.get(name);
  return sm ? sm->value(Json::json_pointer("/status/nodeRef/name"), std::string()) : std::string();
}

bool hasCondition(const Json& sm, const std::string& type, const std::string& status) {
  for (const auto& c : sm.value(Json::json_pointer("/status/conditions"), Json::array())) {
    if (c.value("type", "") == type && c.value("status", "") == status) return true;
  }
  return false;
}

TEST(CoordinatorLifecycle, AddsAtWindowOpenThenDrainsThroughAPdbAndRemovesAtClose) {
  Scenario s("lifecycle-cycle");
  s.startSimulator();
  s.startCoordinator("solo");
  s.create(s.scheduledMachine("worker", seconds(3)));

  // Before the edge: out of the cluster, waiting for the exact edge.
  ASSERT_TRUE(s.waitForPhase("worker", "UnScheduled", kPhaseTimeout)) << s.phase("worker");
  EXPECT_TRUE(s.machines("worker").empty());
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");

  const auto machines = s.machines("worker");
  ASSERT_EQ(machines.size(), 1U);
  EXPECT_EQ(machines[0]["metadata"]["labels"].value("cluster.x-k8s.io/cluster-name", ""), "test-cluster");
  const std::string nodeName = nodeNameOf(s, "worker");
  ASSERT_FALSE(nodeName.empty());
  const auto sm = s.get("worker");
  ASSERT_TRUE(sm);
  EXPECT_TRUE(hasCondition(*sm, "MachineReady", "True"));
  EXPECT_TRUE(hasCondition(*sm, "Ready", "True"));
  const auto finalizers = (*sm)["metadata"].value("finalizers", Json::array());
  EXPECT_NE(std::find(finalizers.begin(), finalizers.end(), "5spot.finos.org/scheduledmachine"), finalizers.end());

  // Workload with a budget that allows no disruption.
  s.createPod("web-0", nodeName, "web");
  s.createPod("web-1", nodeName, "web");
  ASSERT_TRUE(s.waitForPodsRunning({"web-0", "web-1"}, kPhaseTimeout));
  s.createPdb("web", "web", 2);

  s.closeWindowIn("worker", seconds(1));
  ASSERT_TRUE(s.waitForPhase("worker", "Removing", kPhaseTimeout)) << s.phase("worker");
  const std::string expectedPdb = s.ns() + "/web: ";
  ASSERT_TRUE(eventually(
      [&] {
        const auto current = s.get("worker");
        for (const auto& pdb : current->value(Json::json_pointer("/status/drain/blockingPdbs"), Json::array())) {
          if (pdb.get<std::string>().starts_with(expectedPdb)) return true;
        }
        return false;
      },
      kPhaseTimeout))
      << s.get("worker")->dump(2);
  const auto node = s.node(nodeName);
  ASSERT_TRUE(node);
  EXPECT_TRUE((*node)["spec"].value("unschedulable", false)) << "the node is cordoned while it drains";
  EXPECT_EQ(s.machines("worker").size(), 1U) << "the Machine stays while a PDB blocks the drain";

  s.setPdbMinAvailable("web", 0);
  ASSERT_TRUE(s.waitForPhase("worker", "UnScheduled", kPhaseTimeout)) << s.phase("worker");
  EXPECT_TRUE(s.machines("worker").empty());
  EXPECT_FALSE(s.node(nodeName));
  EXPECT_FALSE(s.client().getIfExists(kube::resources::pods(), s.ns(), "web-0"));

  const auto reporters = s.reporters("worker");
  ASSERT_EQ(reporters, std::vector<std::string>{"solo"});
  bool sawTransition = false;
  for (const auto& event : s.events("worker")) {
    EXPECT_EQ(event.value("reportingController", ""), "5spot-coordinator");
    sawTransition = sawTransition || event.value("note", "").find("Removing -> UnScheduled") != std::string::npos;
  }
  EXPECT_TRUE(sawTransition);
}

TEST(CoordinatorLifecycle, KillSwitchRemovesAtOnceAndReleasingItBringsTheMachineBack) {
  Scenario s("lifecycle-kill-switch");
  s.startSimulator();
  s.startCoordinator("solo");
  Json sm = s.scheduledMachine("worker");
  sm["spec"]["gracefulShutdownTimeout"] = "1h";  // the kill switch must not wait for it
  s.create(sm);
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  const std::string firstMachine = s.machines("worker").at(0)["metadata"].value("uid", "");

  s.patchSpec("worker", {{"killSwitch", true}});
  ASSERT_TRUE(s.waitForPhase("worker", "Inactive", kPhaseTimeout)) << s.phase("worker");
  EXPECT_TRUE(s.machines("worker").empty());
  EXPECT_EQ(s.get("worker")->value(Json::json_pointer("/status/removalReason"), std::string()), "KillSwitch");

  s.patchSpec("worker", {{"killSwitch", false}});
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  const auto machines = s.machines("worker");
  ASSERT_EQ(machines.size(), 1U);
  EXPECT_NE(machines[0]["metadata"].value("uid", ""), firstMachine) << "a new Machine after the kill switch";
}

TEST(CoordinatorLifecycle, DisablingRemovesTheMachineAndEnablingAddsItAgain) {
  Scenario s("lifecycle-disable");
  s.startSimulator();
  s.startCoordinator("solo");
  s.create(s.scheduledMachine("worker"));
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");

  s.patchSpec("worker", {{"schedule", {{"enabled", false}}}});
  ASSERT_TRUE(s.waitForPhase("worker", "Inactive", kPhaseTimeout)) << s.phase("worker");
  EXPECT_TRUE(s.machines("worker").empty());

  s.patchSpec("worker", {{"schedule", {{"enabled", true}}}});
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  EXPECT_EQ(s.machines("worker").size(), 1U);
}

TEST(CoordinatorLifecycle, DeletionRemovesTheMachineBeforeTheFinalizerIsReleased) {
  Scenario s("lifecycle-delete");
  s.startSimulator();
  s.startCoordinator("solo");
  s.create(s.scheduledMachine("worker"));
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  const std::string nodeName = nodeNameOf(s, "worker");

  s.client().remove(kube::resources::scheduledMachines(), s.ns(), "worker");
  // While the finalizer holds it, the object is there and removing its machine.
  bool machineOutlivedObject = false;
  ASSERT_TRUE(eventually(
      [&] {
        if (s.get("worker")) return false;
        machineOutlivedObject = !s.machines("worker").empty();
        return true;
      },
      kPhaseTimeout));
  EXPECT_FALSE(machineOutlivedObject) << "the ScheduledMachine went away before its Machine";
  EXPECT_FALSE(s.node(nodeName));
  EXPECT_FALSE(s.client().getIfExists(
      kube::resources::fromApiVersionKind("bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig"), s.ns(), "worker"));
}

}  // namespace
}  // namespace fivespot::testing
