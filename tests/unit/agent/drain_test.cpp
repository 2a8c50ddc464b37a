#include "drain.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"

namespace fivespot::agent {
namespace {

using nlohmann::json;

json pod(const std::string& ns, const std::string& name, const std::string& node,
         const std::string& phase = "Running") {
  return json{{"metadata", {{"namespace", ns}, {"name", name}}},
              {"spec", {{"nodeName", node}}},
              {"status", {{"phase", phase}}}};
}

json ownedBy(json p, const std::string& kind, bool controller = true) {
  p["metadata"]["ownerReferences"] = json::array({{{"kind", kind}, {"name", "owner"}, {"controller", controller}}});
  return p;
}

TEST(NodeDrain, OnlyDaemonSetMirrorAndFinishedPodsMayRemain) {
  json mirror = pod("kube-system", "etcd-worker-1", "worker-1");
  mirror["metadata"]["annotations"] = {{"kubernetes.io/config.mirror", "abc"}};
  const std::vector<json> pods{ownedBy(pod("kube-system", "kube-proxy-x", "worker-1"), "DaemonSet"), mirror,
                               pod("batch", "job-1", "worker-1", "Succeeded"),
                               pod("batch", "job-2", "worker-1", "Failed")};
  const auto verdict = evaluateNodePods(pods, "worker-1");
  EXPECT_TRUE(verdict.confirmed);
  EXPECT_EQ(verdict.summary(), "no workload left");
}

TEST(NodeDrain, WorkloadPodsBlockConfirmation) {
  const std::vector<json> pods{ownedBy(pod("kube-system", "kube-proxy-x", "worker-1"), "DaemonSet"),
                               ownedBy(pod("shop", "web-1", "worker-1"), "ReplicaSet"),
                               ownedBy(pod("shop", "db-0", "worker-1", "Pending"), "StatefulSet"),
                               pod("default", "bare", "worker-1")};
  const auto verdict = evaluateNodePods(pods, "worker-1");
  EXPECT_FALSE(verdict.confirmed);
  EXPECT_THAT(verdict.remaining, ::testing::ElementsAre("default/bare", "shop/db-0", "shop/web-1"));
  EXPECT_EQ(verdict.summary(), "3 left: default/bare, shop/db-0, shop/web-1");
}

TEST(NodeDrain, ANonControllerDaemonSetReferenceDoesNotExempt) {
  EXPECT_FALSE(podMayRemain(ownedBy(pod("a", "b", "n"), "DaemonSet", false)));
  EXPECT_FALSE(evaluateNodePods({ownedBy(pod("a", "b", "n"), "DaemonSet", false)}, "n").confirmed);
}

TEST(NodeDrain, PodsOfOtherNodesAreIgnored) {
  EXPECT_TRUE(evaluateNodePods({pod("shop", "web-1", "worker-2")}, "worker-1").confirmed);
  EXPECT_TRUE(evaluateNodePods({}, "worker-1").confirmed);
}

TEST(HostDrain, FindsPodCgroupsForBothDriversAndCgroupVersions) {
  const testing::TempDir dir;
  const auto root = dir.path();
  // cgroup v2, systemd driver
  std::filesystem::create_directories(root /
                                      "kubepods.slice/kubepods-besteffort.slice/"
                                      "kubepods-besteffort-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-x.scope");
  std::filesystem::create_directories(root / "kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555.slice");
  std::filesystem::create_directories(root / "kubepods.slice/kubepods-burstable.slice");  // no pods
  std::filesystem::create_directories(root / "system.slice/containerd.service");
  auto found = findPodCgroups(root.string());
  ASSERT_EQ(found.size(), 2U);
  EXPECT_FALSE(evaluateHostPodCgroups(found).confirmed);

  const testing::TempDir v1;
  // cgroup v1, cgroupfs driver, under a controller
  std::filesystem::create_directories(v1.path() /
                                      "memory/kubepods/burstable/pod6b8f1c2a-1111-2222-3333-444455556666/abc");
  std::filesystem::create_directories(v1.path() / "memory/user.slice");
  found = findPodCgroups(v1.path().string());
  ASSERT_EQ(found.size(), 1U);
  EXPECT_THAT(found[0], ::testing::EndsWith("pod6b8f1c2a-1111-2222-3333-444455556666"));
}

TEST(HostDrain, ConfirmedWhenNoPodCgroupIsLeft) {
  const testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "kubepods.slice/kubepods-besteffort.slice");
  std::filesystem::create_directories(dir.path() / "system.slice");
  CgroupWorkloadEvidence evidence(dir.path().string());
  EXPECT_TRUE(evidence.check().confirmed);
  CgroupWorkloadEvidence noKubelet((dir.path() / "absent").string());
  EXPECT_TRUE(noKubelet.check().confirmed);
}

}  // namespace
}  // namespace fivespot::agent
