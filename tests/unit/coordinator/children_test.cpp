#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"
#include "fivespot/coordinator/children.hpp"

namespace fivespot::coordinator {
namespace {

using nlohmann::json;

api::ScheduledMachine inlineMachine() {
  api::ScheduledMachine sm;
  sm.metadata.name = "worker-1";
  sm.metadata.namespace_ = "ns";
  sm.metadata.uid = "uid-1";
  sm.spec.clusterName = "c1";
  sm.spec.bootstrapSpec =
      api::EmbeddedResource{"bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig", R"({"version":"v1.30.0+k0s.0"})"};
  sm.spec.infrastructureSpec =
      api::EmbeddedResource{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", R"({"address":"10.0.0.1"})"};
  sm.spec.machineTemplate.labels = {{"node-role.kubernetes.io/worker", ""}};
  sm.spec.machineTemplate.annotations = {{"5spot.finos.org/scheduled-by", "me"}};
  return sm;
}

TEST(Children, MachineV1beta2UsesContractVersionedReferences) {
  const auto sm = inlineMachine();
  const json machine = buildMachine(sm, "v1beta2", bootstrapChildRef(sm), infrastructureChildRef(sm));
  EXPECT_EQ(machine["apiVersion"], "cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(machine["metadata"]["name"], "worker-1");
  EXPECT_EQ(machine["spec"]["clusterName"], "c1");
  EXPECT_EQ(machine["spec"]["bootstrap"]["configRef"],
            json({{"apiGroup", "bootstrap.cluster.x-k8s.io"}, {"kind", "K0sWorkerConfig"}, {"name", "worker-1"}}));
  EXPECT_EQ(machine["spec"]["infrastructureRef"],
            json({{"apiGroup", "infrastructure.cluster.x-k8s.io"}, {"kind", "RemoteMachine"}, {"name", "worker-1"}}));
}

TEST(Children, MachineV1beta1UsesObjectReferences) {
  const auto sm = inlineMachine();
  const json machine = buildMachine(sm, "v1beta1", bootstrapChildRef(sm), infrastructureChildRef(sm));
  EXPECT_EQ(machine["apiVersion"], "cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(machine["spec"]["bootstrap"]["configRef"]["apiVersion"], "bootstrap.cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(machine["spec"]["bootstrap"]["configRef"]["namespace"], "ns");
  EXPECT_EQ(machine["spec"]["infrastructureRef"]["kind"], "RemoteMachine");
}

TEST(Children, MachineCarriesLabelsAnnotationsAndControllerOwnerReference) {
  const auto sm = inlineMachine();
  const json machine = buildMachine(sm, "v1beta2", bootstrapChildRef(sm), infrastructureChildRef(sm));
  EXPECT_EQ(machine["metadata"]["labels"]["cluster.x-k8s.io/cluster-name"], "c1");
  EXPECT_EQ(machine["metadata"]["labels"]["5spot.finos.org/scheduled-machine"], "worker-1");
  EXPECT_EQ(machine["metadata"]["labels"]["node-role.kubernetes.io/worker"], "");
  EXPECT_EQ(machine["metadata"]["annotations"]["5spot.finos.org/scheduled-by"], "me");
  const json owner = machine["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "ScheduledMachine");
  EXPECT_EQ(owner["uid"], "uid-1");
  EXPECT_TRUE(owner["controller"].get<bool>());
  EXPECT_TRUE(owner["blockOwnerDeletion"].get<bool>());
}

TEST(Children, InlineChildrenKeepTheirSpecAndAreOwnedButNotControlled) {
  const auto sm = inlineMachine();
  const json bootstrap = buildBootstrap(sm, std::nullopt);
  EXPECT_EQ(bootstrap["kind"], "K0sWorkerConfig");
  EXPECT_EQ(bootstrap["spec"]["version"], "v1.30.0+k0s.0");
  EXPECT_EQ(bootstrap["metadata"]["namespace"], "ns");
  // CAPI's Machine controller becomes the controller of bootstrap/infrastructure objects.
  EXPECT_FALSE(bootstrap["metadata"]["ownerReferences"][0]["controller"].get<bool>());
  EXPECT_TRUE(bootstrap["metadata"]["ownerReferences"][0]["blockOwnerDeletion"].get<bool>());
}

TEST(Children, TemplatesAreClonedLikeAMachineSetDoes) {
  auto sm = inlineMachine();
  sm.spec.infrastructureSpec.reset();
  sm.spec.infrastructureRef =
      api::ObjectReference{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachineTemplate", "tmpl", "", ""};
  sm.spec.machine = api::MachineHost{"192.168.1.100", "admin", 2222, {}};
  const json tmpl =
      json::parse(R"({"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "RemoteMachineTemplate",
    "metadata": {"name": "tmpl"},
    "spec": {"template": {"metadata": {"labels": {"pool": "a"}}, "spec": {"useSudo": true}}}})");
  const json infra = buildInfrastructure(sm, tmpl);
  EXPECT_EQ(infra["kind"], "RemoteMachine");
  EXPECT_EQ(infra["metadata"]["name"], "worker-1");
  EXPECT_EQ(infra["metadata"]["labels"]["pool"], "a");
  EXPECT_EQ(infra["metadata"]["labels"]["5spot.finos.org/scheduled-machine"], "worker-1");
  EXPECT_EQ(infra["metadata"]["annotations"]["cluster.x-k8s.io/cloned-from-name"], "tmpl");
  EXPECT_TRUE(infra["spec"]["useSudo"].get<bool>());
  EXPECT_EQ(infra["spec"]["address"], "192.168.1.100");  // seed form's host injected
  EXPECT_EQ(infra["spec"]["port"], 2222);
  EXPECT_EQ(infrastructureChildRef(sm),
            (ChildRef{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", "worker-1"}));
}

TEST(Children, MissingOrMalformedTemplateIsAValidationError) {
  auto sm = inlineMachine();
  sm.spec.bootstrapSpec.reset();
  sm.spec.bootstrapRef =
      api::ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate", "t", "", ""};
  EXPECT_THROW(buildBootstrap(sm, std::nullopt), ValidationError);
  EXPECT_THROW(buildBootstrap(sm, json{{"kind", "KubeadmConfigTemplate"}, {"spec", json::object()}}), ValidationError);
}

}  // namespace
}  // namespace fivespot::coordinator
