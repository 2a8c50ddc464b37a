// The CRD (crds/scheduledmachine.yaml) is the schema of record; these tests prove the C++ types
// serialise to exactly the fields it declares, that it declares nothing the C++ side ignores, and
// that its defaults are the C++ defaults.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::api {
namespace {

using nlohmann::json;

const json& crd() {
  static const json document = yamlToJson(readFile(std::string(FIVESPOT_SOURCE_DIR) + "/crds/scheduledmachine.yaml"));
  return document;
}

const json& version() {
  return crd()["spec"]["versions"][0];
}
const json& rootSchema() {
  return version()["schema"]["openAPIV3Schema"];
}

ScheduledMachine fullyPopulated() {
  ScheduledMachine sm;
  sm.metadata.name = "m1";
  sm.metadata.namespace_ = "ns";
  ScheduledMachineSpec& s = sm.spec;
  s.schedule = ScheduleSpec{{"mon-fri"}, {"9-17"}, "Europe/Berlin", true, {"2026-12-25"}};
  s.clusterName = "c1";
  s.machine = MachineHost{"10.0.0.1", "root", 22, {"/etc/x"}};
  // Both forms at once: serialisation does not validate, and the schema must describe both.
  s.bootstrapRef = ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "KubeadmConfigTemplate", "b", "ns", "u1"};
  s.bootstrapSpec = EmbeddedResource{"bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig", R"({"a":1})"};
  s.infrastructureRef = ObjectReference{"infrastructure.cluster.x-k8s.io/v1beta1", "MachineTemplate", "i", "ns", "u2"};
  s.infrastructureSpec = EmbeddedResource{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", R"({"b":2})"};
  s.machineTemplate.labels = {{"team", "a"}};
  s.machineTemplate.annotations = {{"note", "b"}};
  s.nodeTaints = {Taint{"gpu", "true", "NoSchedule"}};
  s.killIfCommands = {"steam"};
  s.power = PowerSpec{WakeOnLan{"aa:bb:cc:dd:ee:ff", "10.0.0.255", 9, "relay-1"},
                      Redfish{"https://bmc", "1", "creds", "ca", true, "2m"}, 80.0, 3.0, "10m"};
  ScheduledMachineStatus& st = sm.status;
  st.phase = Phase::Active;
  st.message = "m";
  st.conditions = {Condition{"Ready", "True", "NodeReady", "m", "2026-11-24T10:00:00Z", 1}};
  st.observedGeneration = 1;
  st.inSchedule = true;
  st.nextTransition = "2026-11-24T17:00:00Z";
  const ObjectReference ref{"v1", "Node", "n", "ns", "uid"};
  st.machineRef = st.bootstrapRef = st.infrastructureRef = st.nodeRef = ref;
  st.providerID = "p";
  st.appliedNodeTaints = {Taint{"gpu", "true", "NoSchedule"}};
  st.drain = DrainProgress{1, {"ns/pdb: msg"}, "2026-11-24T10:00:00Z"};
  st.powerSavings = PowerSavings{1, 2, "declared", "2026-11-01T00:00:00Z", "2026-11-24T10:00:00Z"};
  st.bmcPower = BmcPowerReading{142, "2026-11-24T10:00:00Z"};
  st.removalReason = "WindowClosed";
  return sm;
}

// Every field of `value` is declared by `schema` (recursively).
void expectDeclared(const json& value, const json& schema, const std::string& path) {
  if (schema.value("x-kubernetes-preserve-unknown-fields", false)) return;
  if (value.is_object()) {
    if (schema.contains("additionalProperties")) {
      for (const auto& [key, child] : value.items())
        expectDeclared(child, schema["additionalProperties"], path + "." + key);
      return;
    }
    ASSERT_TRUE(schema.contains("properties")) << path << " has no properties in the CRD";
    for (const auto& [key, child] : value.items()) {
      const bool declared = schema["properties"].contains(key);
      EXPECT_TRUE(declared) << path << "." << key << " is serialised by C++ but not in the CRD";
      if (declared) expectDeclared(child, schema["properties"][key], path + "." + key);
    }
  } else if (value.is_array()) {
    ASSERT_TRUE(schema.contains("items")) << path;
    for (const json& item : value) expectDeclared(item, schema["items"], path + "[]");
  }
}

// Every property declared by `schema` appears in `value` (recursively).
void expectSerialised(const json& value, const json& schema, const std::string& path) {
  if (!schema.contains("properties")) {
    if (schema.contains("items") && value.is_array() && !value.empty())
      expectSerialised(value[0], schema["items"], path + "[]");
    return;
  }
  for (const auto& [key, child] : schema["properties"].items()) {
    const bool present = value.is_object() && value.contains(key);
    EXPECT_TRUE(present) << path << "." << key << " is in the CRD but not serialised by C++";
    if (present) expectSerialised(value[key], child, path + "." + key);
  }
}

TEST(CrdAgreement, IdentityAndScope) {
  EXPECT_EQ(crd()["spec"]["group"], kGroup);
  EXPECT_EQ(crd()["spec"]["names"]["kind"], kScheduledMachineKind);
  EXPECT_EQ(crd()["spec"]["names"]["shortNames"], json::array({"sm"}));
  EXPECT_EQ(crd()["spec"]["scope"], "Namespaced");
  EXPECT_EQ(version()["name"], kVersion);
  EXPECT_TRUE(version()["subresources"].contains("status"));
}

TEST(CrdAgreement, EverySerialisedFieldIsInTheSchema) {
  const json object = toJson(fullyPopulated());
  expectDeclared(object["spec"], rootSchema()["properties"]["spec"], "spec");
  expectDeclared(object["status"], rootSchema()["properties"]["status"], "status");
}

TEST(CrdAgreement, EverySchemaFieldIsSerialised) {
  const json object = toJson(fullyPopulated());
  expectSerialised(object["spec"], rootSchema()["properties"]["spec"], "spec");
  expectSerialised(object["status"], rootSchema()["properties"]["status"], "status");
}

TEST(CrdAgreement, FullyPopulatedObjectRoundTrips) {
  const json object = toJson(fullyPopulated());
  EXPECT_EQ(toJson(parseScheduledMachine(object)), object);
}

// Walks the schema; for each `default`, the C++ default at that path must serialise to it.
void expectDefaults(const json& schema, const json& value, const std::string& path, int& checked) {
  if (schema.contains("default")) {
    ++checked;
    EXPECT_EQ(value, schema["default"]) << path;
  }
  if (!schema.contains("properties") || !value.is_object()) return;
  for (const auto& [key, child] : schema["properties"].items()) {
    if (value.contains(key)) expectDefaults(child, value[key], path + "." + key, checked);
  }
}

TEST(CrdAgreement, DefaultsEqualCppDefaults) {
  ScheduledMachineSpec spec;  // C++ defaults; optional parents present so their defaults show
  spec.machine = MachineHost{};
  spec.power = PowerSpec{WakeOnLan{}, Redfish{}, {}, {}, {}};
  int checked = 0;
  expectDefaults(rootSchema()["properties"]["spec"], specToJson(spec), "spec", checked);
  // timezone, enabled, ssh port, priority, both durations, killSwitch, WoL broadcast and port, TLS skip.
  EXPECT_EQ(checked, 10);
}

TEST(CrdAgreement, PhaseEnumListsEveryPhase) {
  json phases = json::array();
  for (const auto phase : {Phase::Pending, Phase::UnScheduled, Phase::Scheduled, Phase::Active, Phase::Removing,
                           Phase::Inactive, Phase::Error}) {
    phases.push_back(toString(phase));
  }
  EXPECT_EQ(rootSchema()["properties"]["status"]["properties"]["phase"]["enum"], phases);
}

TEST(CrdAgreement, PrinterColumnsPointAtSchemaFields) {
  for (const json& column : version()["additionalPrinterColumns"]) {
    const std::string path = column["jsonPath"];
    if (path.starts_with(".metadata")) continue;
    const json* node = &rootSchema();
    std::size_t start = 1;
    while (start < path.size()) {
      const std::size_t dot = path.find('.', start);
      const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      ASSERT_TRUE((*node)["properties"].contains(key)) << path;
      node = &(*node)["properties"][key];
      start = dot == std::string::npos ? path.size() : dot + 1;
    }
  }
  std::vector<std::string> names;
  for (const json& column : version()["additionalPrinterColumns"]) names.push_back(column["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"Phase", "InWindow", "Next", "Node", "Age"}));
}

}  // namespace
}  // namespace fivespot::api
