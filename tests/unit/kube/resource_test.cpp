#include "fivespot/kube/resource.hpp"

#include <gtest/gtest.h>

namespace fivespot::kube {
namespace {

TEST(ResourceTypeTest, PathsForCoreAndGroupedResources) {
  EXPECT_EQ(resources::pods().objectPath("ns", "p"), "/api/v1/namespaces/ns/pods/p");
  EXPECT_EQ(resources::pods().collectionPath(""), "/api/v1/pods");
  EXPECT_EQ(resources::nodes().objectPath("ignored", "n"), "/api/v1/nodes/n");
  EXPECT_EQ(resources::leases().collectionPath("kube-system"),
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases");
  EXPECT_EQ(resources::events().apiVersion(), "events.k8s.io/v1");
  EXPECT_EQ(resources::podDisruptionBudgets().basePath(), "/apis/policy/v1");
  EXPECT_EQ(resources::hostAgents().objectPath("d", "h"), "/apis/5spot.finos.org/v1alpha1/namespaces/d/hostagents/h");
  EXPECT_EQ(resources::scheduledMachines().kind, "ScheduledMachine");
  EXPECT_FALSE(resources::namespaces().namespaced);
  EXPECT_EQ(resources::secrets().resource, "secrets");
  EXPECT_EQ(resources::configMaps().resource, "configmaps");
}

TEST(ResourceTypeTest, CapiMachinesInEitherVersion) {
  EXPECT_EQ(resources::capiMachines("v1beta1").collectionPath("d"),
            "/apis/cluster.x-k8s.io/v1beta1/namespaces/d/machines");
  EXPECT_EQ(resources::capiMachines("v1beta2").apiVersion(), "cluster.x-k8s.io/v1beta2");
}

TEST(ResourceTypeTest, PluralsFromKind) {
  const auto plural = [](const std::string& kind) {
    return resources::fromApiVersionKind("infrastructure.cluster.x-k8s.io/v1beta1", kind).resource;
  };
  EXPECT_EQ(plural("KubeadmConfig"), "kubeadmconfigs");
  EXPECT_EQ(plural("RemediationPolicy"), "remediationpolicies");
  EXPECT_EQ(plural("MachineClass"), "machineclasses");
  EXPECT_EQ(plural("Gateway"), "gateways");  // vowel before y
  EXPECT_EQ(plural("Box"), "boxes");
  EXPECT_EQ(plural("Patch"), "patches");
  EXPECT_EQ(plural("Metal3Machine"), "metal3machines");
}

TEST(ResourceTypeTest, FromApiVersionKindSplitsGroupAndVersion) {
  const auto type = resources::fromApiVersionKind("bootstrap.cluster.x-k8s.io/v1beta2", "KubeadmConfig", true);
  EXPECT_EQ(type.group, "bootstrap.cluster.x-k8s.io");
  EXPECT_EQ(type.version, "v1beta2");
  EXPECT_EQ(type.kind, "KubeadmConfig");
  const auto core = resources::fromApiVersionKind("v1", "Node", false);
  EXPECT_EQ(core, resources::nodes());
}

}  // namespace
}  // namespace fivespot::kube
