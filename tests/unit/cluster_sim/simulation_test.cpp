#include "simulation.hpp"

#include <gtest/gtest.h>

#include "fivespot/common/time_format.hpp"

namespace fivespot::sim {
namespace {

const TimePoint kNow = parseRfc3339("2026-11-24T10:00:00Z");

Json machine(Json extraMeta = Json::object(), Json status = Json::object()) {
  Json m = {
      {"apiVersion", "cluster.x-k8s.io/v1beta1"},
      {"kind", "Machine"},
      {"metadata", {{"name", "worker-1"}, {"namespace", "fleet"}, {"labels", {{"a", "b"}}}}},
      {"spec",
       {{"clusterName", "prod"},
        {"bootstrap",
         {{"configRef",
           {{"apiVersion", "bootstrap.cluster.x-k8s.io/v1beta1"},
            {"kind", "KubeadmConfig"},
            {"name", "worker-1-bootstrap"}}}}},
        {"infrastructureRef",
         {{"apiGroup", "infrastructure.cluster.x-k8s.io"}, {"kind", "RemoteMachine"}, {"name", "worker-1-infra"}}}}},
      {"status", status}};
  m["metadata"].update(extraMeta);
  return m;
}

TEST(ReconcileMachine, NewMachineGetsFinalizerNodeProviderIdAndNodeRef) {
  const auto step = reconcileMachine(machine(), std::nullopt);
  ASSERT_TRUE(step.finalizersPatch);
  EXPECT_EQ((*step.finalizersPatch)["metadata"]["finalizers"], Json::array({kMachineFinalizer}));
  ASSERT_TRUE(step.createNode);
  EXPECT_EQ((*step.createNode)["metadata"]["name"], "worker-1");
  EXPECT_EQ((*step.createNode)["metadata"]["labels"]["a"], "b");
  ASSERT_TRUE(step.specPatch);
  EXPECT_EQ((*step.specPatch)["spec"]["providerID"], "sim://worker-1");
  ASSERT_TRUE(step.statusPatch);
  EXPECT_EQ((*step.statusPatch)["status"]["nodeRef"]["name"], "worker-1");
  EXPECT_EQ((*step.statusPatch)["status"]["phase"], "Running");
  EXPECT_FALSE(step.deleteNode);
}

TEST(ReconcileMachine, RunningMachineWithNodeNeedsNothing) {
  auto m = machine({{"finalizers", {kMachineFinalizer}}},
                   {{"phase", "Running"}, {"nodeRef", {{"kind", "Node"}, {"name", "worker-1"}}}});
  m["spec"]["providerID"] = "sim://worker-1";
  EXPECT_TRUE(reconcileMachine(m, nodeFor(m, "worker-1")).empty());
}

TEST(ReconcileMachine, DeletedMachineReleasesNodeAndChildrenThenFinalizer) {
  const auto m = machine({{"finalizers", {"other", kMachineFinalizer}}, {"deletionTimestamp", "2026-11-24T09:59:00Z"}});
  const auto step = reconcileMachine(m, nodeFor(m, "worker-1"));
  EXPECT_EQ(step.deleteNode, "worker-1");
  ASSERT_EQ(step.deleteChildren.size(), 2U);
  EXPECT_EQ(step.deleteChildren[0].name, "worker-1-bootstrap");
  EXPECT_EQ(step.deleteChildren[0].apiVersion, "bootstrap.cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(step.deleteChildren[1].apiVersion, "infrastructure.cluster.x-k8s.io/");
  EXPECT_EQ(step.deleteChildren[1].namespace_, "fleet");
  ASSERT_TRUE(step.finalizersPatch);
  EXPECT_EQ((*step.finalizersPatch)["metadata"]["finalizers"], Json::array({"other"}));
  EXPECT_FALSE(step.createNode);
}

Json pod(Json meta = Json::object(), Json status = Json::object()) {
  Json p = {{"metadata", {{"name", "web-1"}, {"namespace", "apps"}}},
            {"spec", {{"nodeName", "worker-1"}}},
            {"status", status}};
  p["metadata"].update(meta);
  return p;
}

TEST(ReconcilePod, BoundPodStartsAndBecomesReady) {
  const auto step = reconcilePod(pod(), true, kNow, 1.0);
  ASSERT_TRUE(step.statusPatch);
  EXPECT_EQ((*step.statusPatch)["status"]["phase"], "Running");
  EXPECT_EQ((*step.statusPatch)["status"]["conditions"][0]["type"], "Ready");
  EXPECT_FALSE(step.deleteNow);
}

TEST(ReconcilePod, UnboundPodIsLeftAlone) {
  auto p = pod();
  p["spec"].erase("nodeName");
  const auto step = reconcilePod(p, false, kNow, 1.0);
  EXPECT_FALSE(step.statusPatch);
  EXPECT_FALSE(step.deleteNow);
}

TEST(ReconcilePod, PodOnMissingNodeIsCollected) {
  EXPECT_TRUE(reconcilePod(pod(), false, kNow, 1.0).deleteNow);
}

TEST(ReconcilePod, TerminatingPodLeavesAfterScaledGracePeriod) {
  // Deleted at 09:59:30 with 30 s grace: deletionTimestamp 10:00:00. Scaled by 0.5 it ends 09:59:45.
  const auto p = pod({{"deletionTimestamp", "2026-11-24T10:00:00Z"}, {"deletionGracePeriodSeconds", 30}});
  const auto early = reconcilePod(p, true, parseRfc3339("2026-11-24T09:59:40Z"), 0.5);
  EXPECT_FALSE(early.deleteNow);
  ASSERT_TRUE(early.recheckAt);
  EXPECT_EQ(*early.recheckAt, parseRfc3339("2026-11-24T09:59:45Z"));
  EXPECT_TRUE(reconcilePod(p, true, parseRfc3339("2026-11-24T09:59:45Z"), 0.5).deleteNow);
  EXPECT_TRUE(reconcilePod(p, true, parseRfc3339("2026-11-24T09:59:31Z"), 0.0).deleteNow);
}

TEST(ReconcilePod, FinishedPodIsNotRestarted) {
  const auto step = reconcilePod(pod(Json::object(), Json::object({{"phase", "Succeeded"}})), true, kNow, 1.0);
  EXPECT_FALSE(step.statusPatch);
  EXPECT_FALSE(step.deleteNow);
}

}  // namespace
}  // namespace fivespot::sim
