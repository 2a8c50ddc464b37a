#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::api {
namespace {

using nlohmann::json;

std::vector<std::filesystem::path> examples() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FIVESPOT_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() == ".yaml" && entry.path().filename().string().starts_with("scheduledmachine")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Examples, ThereAreExamplesOfEveryForm) {
  EXPECT_GE(examples().size(), 6u);
}

TEST(Examples, EveryExampleParsesValidatesAndRoundTrips) {
  for (const auto& file : examples()) {
    SCOPED_TRACE(file.string());
    for (const json& document : yamlDocumentsToJson(readFile(file.string()), file.string())) {
      if (document.value("kind", "") != kScheduledMachineKind) continue;
      const ScheduledMachine parsed = parseScheduledMachine(document);
      EXPECT_EQ(validateScheduledMachine(parsed), std::vector<FieldProblem>{})
          << describeProblems(validateScheduledMachine(parsed));
      const json serialised = toJson(parsed);
      const ScheduledMachine reparsed = parseScheduledMachine(serialised);
      EXPECT_EQ(toJson(reparsed), serialised);
      // Every field the user wrote survives (defaults may add fields, never drop or change one).
      json original = document["spec"];
      json merged = serialised["spec"];
      merged.merge_patch(original);
      EXPECT_EQ(merged, serialised["spec"]);
    }
  }
}

TEST(Examples, SeedFormKeepsHostAndTemplateReferences) {
  const auto docs =
      yamlDocumentsToJson(readFile(std::string(FIVESPOT_SOURCE_DIR) + "/examples/scheduledmachine-seed-readme.yaml"));
  const ScheduledMachine sm = parseScheduledMachine(docs.at(0));
  ASSERT_TRUE(sm.spec.machine.has_value());
  EXPECT_EQ(sm.spec.machine->address, "192.168.1.100");
  ASSERT_TRUE(sm.spec.bootstrapRef.has_value());
  EXPECT_EQ(sm.spec.bootstrapRef->kind, "KubeadmConfigTemplate");
  EXPECT_EQ(sm.spec.schedule.hoursOfDay, std::vector<std::string>{"9-17"});
  EXPECT_EQ(sm.spec.nodeDrainTimeout, "5m");  // default applied
}

json minimal() {
  return json::parse(R"({
    "apiVersion": "5spot.finos.org/v1alpha1", "kind": "ScheduledMachine",
    "metadata": {"name": "m1", "namespace": "ns", "generation": 3, "uid": "u-1"},
    "spec": {"clusterName": "c1", "schedule": {"daysOfWeek": ["mon-fri"], "hoursOfDay": ["9-17"]},
             "bootstrapSpec": {"apiVersion": "bootstrap.cluster.x-k8s.io/v1beta1", "kind": "K0sWorkerConfig", "spec": {}},
             "infrastructureSpec": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1", "kind": "RemoteMachine",
                                    "spec": {"address": "10.0.0.1"}}}})");
}

TEST(Parse, AppliesCrdDefaults) {
  const ScheduledMachine sm = parseScheduledMachine(minimal());
  EXPECT_EQ(sm.spec.priority, 50);
  EXPECT_EQ(sm.spec.gracefulShutdownTimeout, "5m");
  EXPECT_EQ(sm.spec.nodeDrainTimeout, "5m");
  EXPECT_FALSE(sm.spec.killSwitch);
  EXPECT_TRUE(sm.spec.schedule.enabled);
  EXPECT_EQ(sm.spec.schedule.timezone, "UTC");
  EXPECT_EQ(sm.metadata.generation, 3);
  EXPECT_FALSE(sm.status.phase.has_value());
}

TEST(Parse, WrongTypesNameTheJsonPath) {
  const auto fieldOf = [](const json& object) {
    try {
      parseScheduledMachine(object);
    } catch (const ValidationError& error) {
      return error.field();
    }
    return std::string("no error");
  };
  json doc = minimal();
  doc["spec"]["priority"] = "high";
  EXPECT_EQ(fieldOf(doc), "spec.priority");
  doc = minimal();
  doc["spec"]["nodeTaints"] = json::array({{{"key", "a"}, {"effect", 3}}});
  EXPECT_EQ(fieldOf(doc), "spec.nodeTaints[0].effect");
  doc = minimal();
  doc["spec"]["machineTemplate"] = {{"labels", {{"a", 1}}}};
  EXPECT_EQ(fieldOf(doc), "spec.machineTemplate.labels.a");
  doc = minimal();
  doc["spec"]["bootstrapSpec"]["spec"] = "text";
  EXPECT_EQ(fieldOf(doc), "spec.bootstrapSpec.spec");
  doc = minimal();
  doc["spec"]["power"] = {{"wakeOnLan", {{"mac", "aa:bb:cc:dd:ee:ff"}, {"port", 70000}}}};
  EXPECT_EQ(fieldOf(doc), "spec.power.wakeOnLan.port");
  doc = minimal();
  doc.erase("spec");
  EXPECT_EQ(fieldOf(doc), "spec");
  doc = minimal();
  doc["status"] = {{"conditions", {{{"type", "Ready"}, {"status", true}}}}};
  EXPECT_EQ(fieldOf(doc), "status.conditions[0].status");
}

TEST(Parse, NullMeansUnset) {
  json doc = minimal();
  doc["spec"]["power"] = nullptr;
  doc["spec"]["priority"] = nullptr;
  const ScheduledMachine sm = parseScheduledMachine(doc);
  EXPECT_FALSE(sm.spec.power.has_value());
  EXPECT_EQ(sm.spec.priority, 50);
}

TEST(Parse, UnknownPhaseFromAnotherControllerIsNoPhase) {
  json doc = minimal();
  doc["status"] = {{"phase", "Terminated"}};
  EXPECT_FALSE(parseScheduledMachine(doc).status.phase.has_value());
}

ScheduledMachineStatus fullStatus() {
  ScheduledMachineStatus s;
  s.phase = Phase::Removing;
  s.message = "removing";
  s.conditions = {Condition{"Ready", "False", "WindowClosed", "removing", "2026-11-24T10:00:00Z", 3}};
  s.observedGeneration = 3;
  s.inSchedule = false;
  s.nextTransition = "2026-11-25T14:00:00Z";
  s.machineRef = ObjectReference{"cluster.x-k8s.io/v1beta2", "Machine", "m1", "ns", ""};
  s.bootstrapRef = ObjectReference{"bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig", "m1", "ns", ""};
  s.infrastructureRef = ObjectReference{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", "m1", "ns", ""};
  s.nodeRef = ObjectReference{"v1", "Node", "node-1", "", "uid-9"};
  s.providerID = "remote-machine://10.0.0.1:22";
  s.appliedNodeTaints = {Taint{"example.com/gpu", "true", "NoSchedule"}};
  s.drain = DrainProgress{2, {"default/web-pdb: Cannot evict pod"}, "2026-11-24T10:00:00Z"};
  s.powerSavings = PowerSavings{12.5, 900, "declared", "2026-11-01T00:00:00Z", "2026-11-24T10:30:00Z"};
  s.bmcPower = BmcPowerReading{142.5, "2026-11-24T09:00:00Z"};
  s.removalReason = "WindowClosed";
  return s;
}

TEST(Status, RoundTripsEveryField) {
  const json serialised = statusToJson(fullStatus());
  EXPECT_EQ(statusToJson(parseScheduledMachineStatus(serialised)), serialised);
  EXPECT_EQ(serialised["drain"]["blockingPdbs"][0], "default/web-pdb: Cannot evict pod");
  EXPECT_EQ(serialised["providerID"], "remote-machine://10.0.0.1:22");
}

TEST(Status, MergePatchCarriesOnlyChangesAndNullsForRemovals) {
  const ScheduledMachineStatus before = fullStatus();
  EXPECT_EQ(statusMergePatch(before, before), json::object());
  ScheduledMachineStatus after = before;
  after.phase = Phase::UnScheduled;
  after.drain.reset();
  after.nodeRef.reset();
  const json patch = statusMergePatch(before, after);
  EXPECT_EQ(patch["phase"], "UnScheduled");
  EXPECT_TRUE(patch["drain"].is_null());
  EXPECT_TRUE(patch["nodeRef"].is_null());
  EXPECT_FALSE(patch.contains("conditions"));
  json applied = statusToJson(before);
  applied.merge_patch(patch);
  EXPECT_EQ(applied, statusToJson(after));
}

TEST(Status, MergePatchNullsAFieldDroppedInsideAnObject) {
  const ScheduledMachineStatus before = fullStatus();
  ScheduledMachineStatus after = before;
  after.powerSavings->offSince.clear();  // the off period closed
  after.powerSavings->hoursOff = 20;
  const json patch = statusMergePatch(before, after);
  EXPECT_TRUE(patch["powerSavings"]["offSince"].is_null()) << patch.dump();
  EXPECT_EQ(patch["powerSavings"]["hoursOff"], 20);
  EXPECT_FALSE(patch["powerSavings"].contains("since"));
  json applied = statusToJson(before);
  applied.merge_patch(patch);
  EXPECT_EQ(applied, statusToJson(after));
}

}  // namespace
}  // namespace fivespot::api
