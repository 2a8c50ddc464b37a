#include <gtest/gtest.h>

#include <functional>

#include "fivespot/api/scheduled_machine.hpp"

namespace fivespot::api {
namespace {

ScheduledMachine valid() {
  ScheduledMachine sm;
  sm.metadata.name = "m1";
  sm.metadata.namespace_ = "ns";
  sm.spec.clusterName = "c1";
  sm.spec.schedule.daysOfWeek = {"mon-fri"};
  sm.spec.schedule.hoursOfDay = {"9-17"};
  sm.spec.bootstrapSpec = EmbeddedResource{"bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig", "{}"};
  sm.spec.infrastructureSpec = EmbeddedResource{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", "{}"};
  return sm;
}

struct Case {
  const char* name;
  std::function<void(ScheduledMachine&)> mutate;
  const char* field;  // "" = valid
};

class ValidationCases : public ::testing::TestWithParam<Case> {};

TEST_P(ValidationCases, ReportsTheField) {
  ScheduledMachine sm = valid();
  GetParam().mutate(sm);
  const auto problems = validateScheduledMachine(sm);
  if (std::string(GetParam().field).empty()) {
    EXPECT_TRUE(problems.empty()) << describeProblems(problems);
    return;
  }
  ASSERT_FALSE(problems.empty());
  const bool found =
      std::any_of(problems.begin(), problems.end(), [&](const FieldProblem& p) { return p.field == GetParam().field; });
  EXPECT_TRUE(found) << describeProblems(problems);
}

const Case kCases[] = {
    {"Valid", [](ScheduledMachine&) {}, ""},
    {"BothBootstrapForms",
     [](ScheduledMachine& sm) {
       sm.spec.bootstrapRef =
           ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate", "t", "", ""};
     },
     "spec.bootstrapRef"},
    {"NoInfrastructure", [](ScheduledMachine& sm) { sm.spec.infrastructureSpec.reset(); }, "spec.infrastructureRef"},
    {"TemplateRefsAreValid",
     [](ScheduledMachine& sm) {
       sm.spec.bootstrapSpec.reset();
       sm.spec.infrastructureSpec.reset();
       sm.spec.bootstrapRef =
           ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate", "b", "ns", ""};
       sm.spec.infrastructureRef =
           ObjectReference{"infrastructure.cluster.x-k8s.io/v1beta1", "MachineTemplate", "i", "", ""};
     },
     ""},
    {"RefKindMustBeTemplate",
     [](ScheduledMachine& sm) {
       sm.spec.bootstrapSpec.reset();
       sm.spec.bootstrapRef = ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfig", "b", "", ""};
     },
     "spec.bootstrapRef.kind"},
    {"RefInOtherNamespace",
     [](ScheduledMachine& sm) {
       sm.spec.bootstrapSpec.reset();
       sm.spec.bootstrapRef =
           ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate", "b", "other", ""};
     },
     "spec.bootstrapRef.namespace"},
    {"CoreApiGroupRefused", [](ScheduledMachine& sm) { sm.spec.bootstrapSpec->apiVersion = "v1"; },
     "spec.bootstrapSpec.apiVersion"},
    {"ForeignGroupRefused",
     [](ScheduledMachine& sm) { sm.spec.infrastructureSpec->apiVersion = "rbac.authorization.k8s.io/v1"; },
     "spec.infrastructureSpec.apiVersion"},
    {"K0smotronGroupAllowed",
     [](ScheduledMachine& sm) { sm.spec.infrastructureSpec->apiVersion = "k0smotron.io/v1beta1"; }, ""},
    {"EmptyClusterName", [](ScheduledMachine& sm) { sm.spec.clusterName = ""; }, "spec.clusterName"},
    {"ClusterNameEndsWithDash", [](ScheduledMachine& sm) { sm.spec.clusterName = "c1-"; }, "spec.clusterName"},
    {"ClusterNameTooLong", [](ScheduledMachine& sm) { sm.spec.clusterName = std::string(64, 'a'); },
     "spec.clusterName"},
    {"BadDay", [](ScheduledMachine& sm) { sm.spec.schedule.daysOfWeek = {"mon-funday"}; },
     "spec.schedule.daysOfWeek[0]"},
    {"BadHour",
     [](ScheduledMachine& sm) {
       sm.spec.schedule.hoursOfDay = {"9-17", "25"};
     },
     "spec.schedule.hoursOfDay[1]"},
    {"BadTimezone", [](ScheduledMachine& sm) { sm.spec.schedule.timezone = "Mars/Olympus"; }, "spec.schedule.timezone"},
    {"PriorityAbove100", [](ScheduledMachine& sm) { sm.spec.priority = 101; }, "spec.priority"},
    {"PriorityNegative", [](ScheduledMachine& sm) { sm.spec.priority = -1; }, "spec.priority"},
    {"CompoundDurationAllowed", [](ScheduledMachine& sm) { sm.spec.nodeDrainTimeout = "1h30m"; }, ""},
    {"BadDuration", [](ScheduledMachine& sm) { sm.spec.gracefulShutdownTimeout = "5 minutes"; },
     "spec.gracefulShutdownTimeout"},
    {"DurationAbove24h", [](ScheduledMachine& sm) { sm.spec.nodeDrainTimeout = "25h"; }, "spec.nodeDrainTimeout"},
    {"ReservedLabel", [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["kubernetes.io/hostname"] = "x"; },
     "spec.machineTemplate.labels[kubernetes.io/hostname]"},
    {"CapiLabelReserved",
     [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["cluster.x-k8s.io/control-plane"] = ""; },
     "spec.machineTemplate.labels[cluster.x-k8s.io/control-plane]"},
    {"NodeRoleLabelAllowed",
     [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["node-role.kubernetes.io/worker"] = ""; }, ""},
    {"TopologyLabelAllowed",
     [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["topology.kubernetes.io/zone"] = "a"; }, ""},
    {"CapiNodeLabelDomainAllowed",
     [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["node.cluster.x-k8s.io/pool"] = "gpu"; }, ""},
    {"OwnLabelReserved", [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["5spot.finos.org/x"] = "y"; },
     "spec.machineTemplate.labels[5spot.finos.org/x]"},
    {"OwnAnnotationAllowed",
     [](ScheduledMachine& sm) { sm.spec.machineTemplate.annotations["5spot.finos.org/scheduled-by"] = "me"; }, ""},
    {"ExcludeDrainAnnotationReserved",
     [](ScheduledMachine& sm) {
       sm.spec.machineTemplate.annotations["machine.cluster.x-k8s.io/exclude-node-draining"] = "";
     },
     "spec.machineTemplate.annotations[machine.cluster.x-k8s.io/exclude-node-draining]"},
    {"BadLabelValue", [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["team"] = "a b"; },
     "spec.machineTemplate.labels[team]"},
    {"BadLabelKey", [](ScheduledMachine& sm) { sm.spec.machineTemplate.labels["Bad_Prefix/x"] = "a"; },
     "spec.machineTemplate.labels[Bad_Prefix/x]"},
    {"ValidTaint",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"example.com/gpu", "true", "NoSchedule"}};
     },
     ""},
    {"TaintBadEffect",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"gpu", "", "Sometimes"}};
     },
     "spec.nodeTaints[0].effect"},
    {"TaintBadKey",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"-gpu", "", "NoSchedule"}};
     },
     "spec.nodeTaints[0].key"},
    {"TaintValueTooLong",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"gpu", std::string(64, 'v'), "NoSchedule"}};
     },
     "spec.nodeTaints[0].value"},
    {"TaintReservedNodeDomain",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"node.kubernetes.io/unschedulable", "", "NoSchedule"}};
     },
     "spec.nodeTaints[0].key"},
    {"TaintReservedOwnDomain",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"5spot.finos.org/removing", "", "NoSchedule"}};
     },
     "spec.nodeTaints[0].key"},
    {"TaintNodeRoleAllowed",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"node-role.kubernetes.io/gpu", "", "NoSchedule"}};
     },
     ""},
    {"TaintDuplicateKeyEffect",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"gpu", "a", "NoSchedule"}, {"gpu", "b", "NoSchedule"}};
     },
     "spec.nodeTaints[1]"},
    {"TaintSameKeyOtherEffectAllowed",
     [](ScheduledMachine& sm) {
       sm.spec.nodeTaints = {{"gpu", "a", "NoSchedule"}, {"gpu", "a", "NoExecute"}};
     },
     ""},
    {"TooManyKillCommands", [](ScheduledMachine& sm) { sm.spec.killIfCommands.assign(101, "x"); },
     "spec.killIfCommands"},
    {"EmptyKillCommand",
     [](ScheduledMachine& sm) {
       sm.spec.killIfCommands = {"steam", ""};
     },
     "spec.killIfCommands[1]"},
    {"KillCommandTooLong", [](ScheduledMachine& sm) { sm.spec.killIfCommands = {std::string(257, 'x')}; },
     "spec.killIfCommands[0]"},
    {"HostPortZero",
     [](ScheduledMachine& sm) {
       sm.spec.machine = MachineHost{"10.0.0.1", "root", 0, {}};
     },
     "spec.machine.port"},
    {"HostEmptyAddress",
     [](ScheduledMachine& sm) {
       sm.spec.machine = MachineHost{"", "root", 22, {}};
     },
     "spec.machine.address"},
    {"BadMac",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{WakeOnLan{"aa:bb:cc", "255.255.255.255", 9, ""}, {}, {}, {}, {}};
     },
     "spec.power.wakeOnLan.mac"},
    {"WolPortZero",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{WakeOnLan{"aa:bb:cc:dd:ee:ff", "255.255.255.255", 0, ""}, {}, {}, {}, {}};
     },
     "spec.power.wakeOnLan.port"},
    {"BadBroadcast",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.0.0.256", 9, ""}, {}, {}, {}, {}};
     },
     "spec.power.wakeOnLan.broadcast"},
    {"RelayNodeValid",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.0.0.255", 9, "rack-2.lab"}, {}, {}, {}, {}};
     },
     ""},
    {"RelayNodeNotANodeName",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.0.0.255", 9, "Relay_Node"}, {}, {}, {}, {}};
     },
     "spec.power.wakeOnLan.relayNode"},
    {"RelayNodeTooLongForALabel",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.0.0.255", 9, std::string(64, 'a')}, {}, {}, {}, {}};
     },
     "spec.power.wakeOnLan.relayNode"},
    {"RedfishPlainHttp",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{{}, Redfish{"http://bmc.example", "1", "bmc-creds", "", false, {}}, {}, {}, {}};
     },
     "spec.power.redfish.endpoint"},
    {"RedfishValid",
     [](ScheduledMachine& sm) {
       sm.spec.power =
           PowerSpec{{},
                     Redfish{"https://bmc.example:8443/redfish", "System.Embedded.1", "bmc-creds", "", false, "2m"},
                     100.0,
                     2.0,
                     "15m"};
     },
     ""},
    {"RedfishNoSecret",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{{}, Redfish{"https://bmc", "1", "", "", false, {}}, {}, {}, {}};
     },
     "spec.power.redfish.credentialsSecretRef"},
    {"NegativeWatts",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{{}, {}, -1.0, {}, {}};
     },
     "spec.power.idleWatts"},
    {"BadPowerOnTimeout",
     [](ScheduledMachine& sm) {
       sm.spec.power = PowerSpec{{}, {}, {}, {}, "soon"};
     },
     "spec.power.powerOnTimeout"},
};

INSTANTIATE_TEST_SUITE_P(Spec, ValidationCases, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) { return param.param.name; });

TEST(Validation, ReportsEveryProblemAtOnce) {
  ScheduledMachine sm = valid();
  sm.spec.priority = 200;
  sm.spec.clusterName = "";
  sm.spec.nodeDrainTimeout = "x";
  EXPECT_EQ(validateScheduledMachine(sm).size(), 3u);
}

TEST(ReservedKeys, SubdomainsOfKubernetesIoAreNotReservedForLabels) {
  EXPECT_TRUE(isReservedLabelKey("kubernetes.io/os"));
  EXPECT_TRUE(isReservedLabelKey("k8s.io/x"));
  EXPECT_FALSE(isReservedLabelKey("node-role.kubernetes.io/worker"));
  EXPECT_FALSE(isReservedLabelKey("node-restriction.kubernetes.io/pool"));
  EXPECT_FALSE(isReservedLabelKey("team"));
  EXPECT_TRUE(isReservedTaintKey("node.cloudprovider.kubernetes.io/uninitialized"));
  EXPECT_FALSE(isReservedTaintKey("example.com/node.kubernetes.io"));
}

}  // namespace
}  // namespace fivespot::api
