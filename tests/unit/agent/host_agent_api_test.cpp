// HostAgent JSON form, and agreement between crds/hostagent.yaml and the C++ types.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::api {
namespace {

using nlohmann::json;

json sample() {
  return json::parse(R"({
    "apiVersion": "5spot.finos.org/v1alpha1", "kind": "HostAgent",
    "metadata": {"name": "gpu-7", "namespace": "fleet", "generation": 4, "resourceVersion": "17"},
    "spec": {"desiredPower": "Off", "drainConfirmationGeneration": 3, "powerOffGeneration": 5, "killSwitch": false,
             "nodeName": "worker-7", "killIfCommands": ["steam"], "commandGeneration": 5,
             "wake": {"relayNode": "rack-2-relay", "mac": "aa:bb:cc:dd:ee:ff", "broadcast": "10.2.0.255", "port": 9,
                      "generation": 5, "expiresAt": "2026-11-24T10:10:00Z"}},
    "status": {"mode": "host", "ready": true, "checks": [{"name": "disk-space", "ok": true, "reason": "50 GiB"}],
               "drainConfirmedGeneration": 3, "powerOffAcknowledgedGeneration": 2, "powerState": "On",
               "lastHeartbeat": "2026-11-24T10:00:00Z",
               "energy": {"source": "rapl", "joules": 1200.5, "averageWatts": 40.0, "windowStart": "2026-11-24T09:59:30Z"},
               "lastError": "", "reclaimRequested": "", "reclaimRequestedAt": "", "agentVersion": "0.1.0",
               "relayedWakes": [{"hostAgent": "fleet/gpu-9", "generation": 3, "sentAt": "2026-11-24T09:00:00Z"}]}
  })");
}

TEST(HostAgentJson, ParsesEveryField) {
  const HostAgent agent = parseHostAgent(sample());
  EXPECT_EQ(agent.metadata.name, "gpu-7");
  EXPECT_EQ(agent.metadata.namespace_, "fleet");
  EXPECT_EQ(agent.spec.desiredPower, PowerState::Off);
  EXPECT_EQ(agent.spec.drainConfirmationGeneration, 3);
  EXPECT_EQ(agent.spec.powerOffGeneration, 5);
  EXPECT_EQ(agent.spec.commandGeneration, 5);
  EXPECT_EQ(agent.spec.nodeName, "worker-7");
  EXPECT_THAT(agent.spec.killIfCommands, ::testing::ElementsAre("steam"));
  EXPECT_EQ(agent.status.mode, "host");
  EXPECT_TRUE(agent.status.ready);
  ASSERT_EQ(agent.status.checks.size(), 1U);
  EXPECT_EQ(agent.status.checks[0].reason, "50 GiB");
  ASSERT_TRUE(agent.status.energy);
  EXPECT_DOUBLE_EQ(agent.status.energy->joules, 1200.5);
  EXPECT_EQ(agent.status.powerOffAcknowledgedGeneration, 2);
  ASSERT_TRUE(agent.spec.wake);
  EXPECT_EQ(*agent.spec.wake,
            (WakeOrder{"rack-2-relay", "aa:bb:cc:dd:ee:ff", "10.2.0.255", 9, 5, "2026-11-24T10:10:00Z"}));
  EXPECT_THAT(agent.status.relayedWakes, ::testing::ElementsAre(RelayedWake{"fleet/gpu-9", 3, "2026-11-24T09:00:00Z"}));
}

TEST(HostAgentJson, RoundTrips) {
  const HostAgent agent = parseHostAgent(sample());
  const json again = toJson(agent);
  EXPECT_EQ(again["spec"], sample()["spec"]);
  EXPECT_EQ(again["status"], sample()["status"]);
  EXPECT_EQ(parseHostAgent(again).status.energy->windowStart, "2026-11-24T09:59:30Z");
}

TEST(HostAgentJson, DefaultsForAnEmptyObject) {
  const HostAgent agent = parseHostAgent(json::object());
  EXPECT_EQ(agent.spec.desiredPower, PowerState::On);
  EXPECT_EQ(agent.spec.powerOffGeneration, 0);
  EXPECT_FALSE(agent.status.energy);
}

TEST(HostAgentJson, StatusPatchClearsAStaleEnergyReport) {
  EXPECT_TRUE(statusToJson(HostAgentStatus{}).at("energy").is_null());
}

std::string errorField(const std::function<void(json&)>& mutate) {
  json object = sample();
  mutate(object);
  try {
    parseHostAgent(object);
  } catch (const ValidationError& e) {
    return e.field();
  }
  return "no error";
}

TEST(HostAgentJson, ValidationErrorsNameTheField) {
  EXPECT_EQ(errorField([](json& o) { o["spec"]["desiredPower"] = "Sleeping"; }), "spec.desiredPower");
  EXPECT_EQ(errorField([](json& o) { o["spec"]["powerOffGeneration"] = -1; }), "spec.powerOffGeneration");
  EXPECT_EQ(errorField([](json& o) { o["spec"]["commandGeneration"] = "5"; }), "spec.commandGeneration");
  EXPECT_EQ(errorField([](json& o) { o["spec"]["killSwitch"] = "yes"; }), "spec.killSwitch");
  EXPECT_EQ(errorField([](json& o) { o["spec"]["killIfCommands"][0] = ""; }), "spec.killIfCommands[0]");
  EXPECT_EQ(errorField([](json& o) { o["status"]["mode"] = "vm"; }), "status.mode");
  EXPECT_EQ(errorField([](json& o) { o["status"]["powerState"] = "Asleep"; }), "status.powerState");
  EXPECT_EQ(errorField([](json& o) { o["status"]["checks"][0]["name"] = ""; }), "status.checks[0].name");
  EXPECT_EQ(errorField([](json& o) { o["status"]["energy"]["source"] = "guess"; }), "status.energy.source");
  EXPECT_EQ(errorField([](json& o) { o["status"]["energy"]["joules"] = -3; }), "status.energy.joules");
  EXPECT_EQ(errorField([](json& o) { o["spec"]["wake"]["port"] = 0; }), "spec.wake.port");
  EXPECT_EQ(errorField([](json& o) { o["spec"]["wake"].erase("relayNode"); }), "spec.wake.relayNode");
  EXPECT_EQ(errorField([](json& o) { o["status"]["relayedWakes"][0]["hostAgent"] = ""; }),
            "status.relayedWakes[0].hostAgent");
  EXPECT_EQ(errorField([](json& o) { o["status"]["relayedWakes"][0]["generation"] = -2; }),
            "status.relayedWakes[0].generation");
  EXPECT_EQ(errorField([](json& o) { o["kind"] = "ScheduledMachine"; }), "kind");
  EXPECT_EQ(errorField([](json& o) { o["metadata"]["name"] = 7; }), "metadata.name");
}

// ---- the CRD and the types agree ----------------------------------------------------------------

std::string jsonSchemaType(const json& value) {
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

class HostAgentCrd : public ::testing::Test {
 protected:
  void SetUp() override {
    crd_ = yamlToJson(readFile(std::string(FIVESPOT_SOURCE_DIR) + "/crds/hostagent.yaml"), "crds/hostagent.yaml");
    version_ = crd_["spec"]["versions"][0];
    schema_ = version_["schema"]["openAPIV3Schema"];
  }

  // Every key of `serialised` is in the schema with a matching type, and every schema property
  // is produced by the serialiser (so neither side has a field the other lacks).
  static void expectAgree(const json& schema, const json& serialised, const std::string& path) {
    ASSERT_TRUE(schema.contains("properties")) << path;
    std::set<std::string> schemaKeys;
    for (const auto& [key, value] : schema["properties"].items()) schemaKeys.insert(key);
    std::set<std::string> typeKeys;
    for (const auto& [key, value] : serialised.items()) typeKeys.insert(key);
    EXPECT_EQ(schemaKeys, typeKeys) << path;
    for (const auto& [key, value] : serialised.items()) {
      if (!schema["properties"].contains(key)) continue;
      const json& property = schema["properties"][key];
      const std::string type = property.value("type", "");
      const std::string where = path + "." + key;
      EXPECT_FALSE(property.value("description", "").empty() && path != "$") << where << " needs a description";
      EXPECT_EQ(type, jsonSchemaType(value)) << where;
      if (value.is_object()) expectAgree(property, value, where);
      if (value.is_array() && !value.empty() && value[0].is_object()) {
        expectAgree(property["items"], value[0], where + "[]");
      }
    }
  }

  json crd_, version_, schema_;
};

TEST_F(HostAgentCrd, IsNamespacedWithShortNameAndStatusSubresource) {
  EXPECT_EQ(crd_["metadata"]["name"], "hostagents.5spot.finos.org");
  EXPECT_EQ(crd_["spec"]["group"], kGroup);
  EXPECT_EQ(crd_["spec"]["scope"], "Namespaced");
  EXPECT_EQ(crd_["spec"]["names"]["kind"], kHostAgentKind);
  EXPECT_THAT(crd_["spec"]["names"]["shortNames"].get<std::vector<std::string>>(), ::testing::ElementsAre("ha"));
  EXPECT_EQ(version_["name"], kVersion);
  EXPECT_TRUE(version_["subresources"].contains("status"));
}

TEST_F(HostAgentCrd, PrinterColumns) {
  std::vector<std::string> names;
  for (const auto& column : version_["additionalPrinterColumns"]) names.push_back(column["name"]);
  EXPECT_THAT(names, ::testing::ElementsAre("Mode", "Ready", "Power", "Drained", "Heartbeat", "Age"));
  EXPECT_EQ(version_["additionalPrinterColumns"][3]["jsonPath"], ".status.drainConfirmedGeneration");
}

TEST_F(HostAgentCrd, SpecAndStatusMatchTheTypes) {
  HostAgentSpec spec;
  spec.killIfCommands = {"x"};
  spec.wake = WakeOrder{"relay-1", "aa:bb:cc:dd:ee:ff", "10.0.0.255", 9, 2, "2026-11-24T10:10:00Z"};
  expectAgree(schema_["properties"]["spec"], toJson(spec), "spec");
  HostAgentStatus status;
  status.checks = {{"disk-space", true, "ok"}};
  status.energy = EnergyReport{kEnergySourceRapl, 1.5, 0.5, "2026-11-24T10:00:00Z"};
  status.relayedWakes = {RelayedWake{"fleet/gpu-9", 2, "2026-11-24T10:00:00Z"}};
  expectAgree(schema_["properties"]["status"], statusToJson(status), "status");
}

TEST_F(HostAgentCrd, EnumsMatchTheParser) {
  const json& spec = schema_["properties"]["spec"]["properties"];
  const json& status = schema_["properties"]["status"]["properties"];
  EXPECT_EQ(spec["desiredPower"]["enum"], json::array({"On", "Off"}));
  for (const auto& value : spec["desiredPower"]["enum"]) EXPECT_TRUE(parsePowerState(value.get<std::string>()));
  EXPECT_EQ(status["powerState"]["enum"], json::array({kPowerStateOn, kPowerStatePoweringOff, kPowerStateOff}));
  EXPECT_EQ(status["mode"]["enum"], json::array({"host", "node"}));
  EXPECT_EQ(status["energy"]["properties"]["source"]["enum"],
            json::array({kEnergySourceRapl, kEnergySourceUnavailable}));
}

}  // namespace
}  // namespace fivespot::api
