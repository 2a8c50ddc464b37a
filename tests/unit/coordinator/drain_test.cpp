#include <gtest/gtest.h>

#include "fivespot/coordinator/drain.hpp"

namespace fivespot::coordinator {
namespace {

using nlohmann::json;

json pod(const std::string& name, const std::string& phase = "Running") {
  return {{"metadata", {{"namespace", "apps"}, {"name", name}, {"uid", name + "-uid"}}},
          {"status", {{"phase", phase}}}};
}

json ownedBy(json p, const std::string& kind, bool controller = true) {
  p["metadata"]["ownerReferences"] = json::array({{{"kind", kind}, {"name", "owner"}, {"controller", controller}}});
  return p;
}

std::vector<std::string> names(const std::vector<PodRef>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.push_back(p.name);
  return out;
}

TEST(DrainSelection, EvictsOrdinaryPodsOfEveryController) {
  const auto selection = selectPodsToDrain({ownedBy(pod("web"), "ReplicaSet"), ownedBy(pod("db-0"), "StatefulSet"),
                                            ownedBy(pod("job"), "Job"), pod("bare")});
  EXPECT_EQ(names(selection.toEvict), (std::vector<std::string>{"web", "db-0", "job", "bare"}));
  EXPECT_EQ(selection.remaining(), 4u);
}

TEST(DrainSelection, SkipsDaemonSetPods) {
  const auto selection = selectPodsToDrain({ownedBy(pod("fluentd"), "DaemonSet")});
  EXPECT_TRUE(selection.toEvict.empty());
  ASSERT_EQ(selection.ignored.size(), 1u);
  EXPECT_EQ(selection.ignored[0].reason, "DaemonSet");
}

TEST(DrainSelection, NonControllerDaemonSetOwnerDoesNotProtectThePod) {
  const auto selection = selectPodsToDrain({ownedBy(pod("odd"), "DaemonSet", false)});
  EXPECT_EQ(names(selection.toEvict), std::vector<std::string>{"odd"});
}

TEST(DrainSelection, SkipsMirrorPods) {
  json mirror = pod("kube-proxy");
  mirror["metadata"]["annotations"] = {{"kubernetes.io/config.mirror", "abc"}};
  const auto selection = selectPodsToDrain({mirror});
  ASSERT_EQ(selection.ignored.size(), 1u);
  EXPECT_EQ(selection.ignored[0].reason, "MirrorPod");
}

TEST(DrainSelection, SkipsFinishedPods) {
  const auto selection = selectPodsToDrain({pod("done", "Succeeded"), pod("crashed", "Failed")});
  EXPECT_TRUE(selection.toEvict.empty());
  EXPECT_EQ(selection.ignored.size(), 2u);
  EXPECT_EQ(selection.remaining(), 0u);
}

TEST(DrainSelection, PendingAndUnknownAndStatuslessPodsAreEvicted) {
  json statusless = pod("x");
  statusless.erase("status");
  const auto selection = selectPodsToDrain({pod("p", "Pending"), pod("u", "Unknown"), statusless});
  EXPECT_EQ(selection.toEvict.size(), 3u);
}

TEST(DrainSelection, TerminatingPodsAreLeavingNotEvictedAgain) {
  json leaving = pod("old");
  leaving["metadata"]["deletionTimestamp"] = "2026-11-24T10:00:00Z";
  const auto selection = selectPodsToDrain({leaving, pod("web")});
  EXPECT_EQ(names(selection.leaving), std::vector<std::string>{"old"});
  EXPECT_EQ(names(selection.toEvict), std::vector<std::string>{"web"});
  EXPECT_EQ(selection.remaining(), 2u);
}

TEST(DrainSelection, RecreatedPodWithSameNameIsANewPodWithItsOwnUid) {
  json recreated = pod("db-0");
  recreated["metadata"]["uid"] = "db-0-uid-2";
  const auto selection = selectPodsToDrain({recreated});
  ASSERT_EQ(selection.toEvict.size(), 1u);
  EXPECT_EQ(selection.toEvict[0].uid, "db-0-uid-2");  // eviction precondition targets the new pod only
}

TEST(DrainSelection, CapiDrainSkipLabelIsHonoured) {
  json skip = pod("keep");
  skip["metadata"]["labels"] = {{"cluster.x-k8s.io/drain", "skip"}};
  const auto selection = selectPodsToDrain({skip});
  ASSERT_EQ(selection.ignored.size(), 1u);
  EXPECT_EQ(selection.ignored[0].reason, "DrainSkipLabel");
}

TEST(DrainSelection, EmptyNodeHasNothingToDo) {
  EXPECT_EQ(selectPodsToDrain({}).remaining(), 0u);
}

}  // namespace
}  // namespace fivespot::coordinator
