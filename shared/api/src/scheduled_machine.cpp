#include "fivespot/api/scheduled_machine.hpp"

#include <nlohmann/json.hpp>

#include "fivespot/api/object_meta.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/schedule/spec_json.hpp"
#include "json_reader.hpp"

namespace fivespot::api {

using nlohmann::json;
namespace jr = json_reader;

namespace {

int portNumber(const json& object, const std::string& key, const std::string& path, int fallback) {
  const std::int64_t value = jr::integer(object, key, path, fallback);
  // Range is checked by validateSpec; here only that it fits, so no silent truncation happens.
  if (value < 0 || value > 65535) throw ValidationError(jr::child(path, key), std::to_string(value), "a port 1-65535");
  return static_cast<int>(value);
}

EmbeddedResource parseEmbedded(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  EmbeddedResource resource;
  resource.apiVersion = jr::str(value, "apiVersion", path);
  resource.kind = jr::str(value, "kind", path);
  if (const json* spec = jr::member(value, "spec")) {
    jr::requireObject(*spec, jr::child(path, "spec"));
    resource.specJson = spec->dump();
  }
  return resource;
}

json toJson(const EmbeddedResource& resource) {
  return {{"apiVersion", resource.apiVersion}, {"kind", resource.kind}, {"spec", json::parse(resource.specJson)}};
}

MachineHost parseHost(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  MachineHost host;
  host.address = jr::str(value, "address", path);
  host.user = jr::str(value, "user", path);
  host.port = portNumber(value, "port", path, host.port);
  host.files = jr::strings(value, "files", path);
  return host;
}

json toJson(const MachineHost& host) {
  json out = {{"address", host.address}, {"port", host.port}, {"files", host.files}};
  if (!host.user.empty()) out["user"] = host.user;
  return out;
}

WakeOnLan parseWakeOnLan(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  WakeOnLan wol;
  wol.mac = jr::str(value, "mac", path);
  wol.broadcast = jr::str(value, "broadcast", path, wol.broadcast);
  wol.port = portNumber(value, "port", path, wol.port);
  wol.relayNode = jr::str(value, "relayNode", path);
  return wol;
}

Redfish parseRedfish(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  Redfish redfish;
  redfish.endpoint = jr::str(value, "endpoint", path);
  redfish.systemId = jr::str(value, "systemId", path);
  redfish.credentialsSecretRef = jr::str(value, "credentialsSecretRef", path);
  redfish.caSecretRef = jr::str(value, "caSecretRef", path);
  redfish.insecureSkipTlsVerify = jr::boolean(value, "insecureSkipTlsVerify", path, false);
  redfish.powerOffFallbackTimeout = jr::optString(value, "powerOffFallbackTimeout", path);
  return redfish;
}

PowerSpec parsePower(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  PowerSpec power;
  if (const json* wol = jr::member(value, "wakeOnLan"))
    power.wakeOnLan = parseWakeOnLan(*wol, jr::child(path, "wakeOnLan"));
  if (const json* rf = jr::member(value, "redfish")) power.redfish = parseRedfish(*rf, jr::child(path, "redfish"));
  power.idleWatts = jr::optNumber(value, "idleWatts", path);
  power.standbyWatts = jr::optNumber(value, "standbyWatts", path);
  power.powerOnTimeout = jr::optString(value, "powerOnTimeout", path);
  return power;
}

json toJson(const PowerSpec& power) {
  json out = json::object();
  if (power.wakeOnLan) {
    const WakeOnLan& wol = *power.wakeOnLan;
    out["wakeOnLan"] = {{"mac", wol.mac}, {"broadcast", wol.broadcast}, {"port", wol.port}};
    if (!wol.relayNode.empty()) out["wakeOnLan"]["relayNode"] = wol.relayNode;
  }
  if (power.redfish) {
    const Redfish& rf = *power.redfish;
    json redfish = {{"endpoint", rf.endpoint},
                    {"systemId", rf.systemId},
                    {"credentialsSecretRef", rf.credentialsSecretRef},
                    {"insecureSkipTlsVerify", rf.insecureSkipTlsVerify}};
    if (!rf.caSecretRef.empty()) redfish["caSecretRef"] = rf.caSecretRef;
    if (rf.powerOffFallbackTimeout) redfish["powerOffFallbackTimeout"] = *rf.powerOffFallbackTimeout;
    out["redfish"] = std::move(redfish);
  }
  if (power.idleWatts) out["idleWatts"] = *power.idleWatts;
  if (power.standbyWatts) out["standbyWatts"] = *power.standbyWatts;
  if (power.powerOnTimeout) out["powerOnTimeout"] = *power.powerOnTimeout;
  return out;
}

std::vector<Taint> parseTaints(const json& object, const std::string& key, const std::string& path) {
  std::vector<Taint> taints;
  const json* list = jr::member(object, key);
  if (list == nullptr) return taints;
  const std::string field = jr::child(path, key);
  if (!list->is_array()) throw ValidationError(field, list->dump(), "a list of taints");
  for (std::size_t i = 0; i < list->size(); ++i) taints.push_back(parseTaint((*list)[i], jr::item(field, i)));
  return taints;
}

json taintsToJson(const std::vector<Taint>& taints) {
  json out = json::array();
  for (const Taint& taint : taints) out.push_back(toJson(taint));
  return out;
}

Condition parseCondition(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  Condition condition;
  condition.type = jr::str(value, "type", path);
  condition.status = jr::str(value, "status", path);
  condition.reason = jr::str(value, "reason", path);
  condition.message = jr::str(value, "message", path);
  condition.lastTransitionTime = jr::str(value, "lastTransitionTime", path);
  condition.observedGeneration = jr::integer(value, "observedGeneration", path, 0);
  return condition;
}

json toJson(const Condition& condition) {
  json out = {{"type", condition.type},
              {"status", condition.status},
              {"reason", condition.reason},
              {"message", condition.message},
              {"lastTransitionTime", condition.lastTransitionTime}};
  if (condition.observedGeneration != 0) out["observedGeneration"] = condition.observedGeneration;
  return out;
}

DrainProgress parseDrain(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  DrainProgress drain;
  drain.podsRemaining = static_cast<int>(jr::integer(value, "podsRemaining", path, 0));
  drain.blockingPdbs = jr::strings(value, "blockingPdbs", path);
  drain.startedAt = jr::str(value, "startedAt", path);
  return drain;
}

PowerSavings parseSavings(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  PowerSavings savings;
  savings.hoursOff = jr::number(value, "hoursOff", path, 0);
  savings.energySavedWh = jr::number(value, "energySavedWh", path, 0);
  savings.source = jr::str(value, "source", path);
  savings.since = jr::str(value, "since", path);
  savings.offSince = jr::str(value, "offSince", path);
  return savings;
}

BmcPowerReading parseBmcPower(const json& value, const std::string& path) {
  jr::requireObject(value, path);
  BmcPowerReading reading;
  reading.consumedWatts = jr::number(value, "consumedWatts", path, 0);
  reading.readAt = jr::str(value, "readAt", path);
  return reading;
}

std::optional<ObjectReference> optRef(const json& object, const std::string& key, const std::string& path) {
  const json* value = jr::member(object, key);
  if (value == nullptr) return std::nullopt;
  return parseObjectReference(*value, jr::child(path, key));
}

}  // namespace

ObjectReference parseObjectReference(const json& ref, const std::string& path) {
  jr::requireObject(ref, path);
  ObjectReference out;
  out.apiVersion = jr::str(ref, "apiVersion", path);
  out.kind = jr::str(ref, "kind", path);
  out.name = jr::str(ref, "name", path);
  out.namespace_ = jr::str(ref, "namespace", path);
  out.uid = jr::str(ref, "uid", path);
  return out;
}

json toJson(const ObjectReference& ref) {
  json out = json::object();
  if (!ref.apiVersion.empty()) out["apiVersion"] = ref.apiVersion;
  if (!ref.kind.empty()) out["kind"] = ref.kind;
  out["name"] = ref.name;
  if (!ref.namespace_.empty()) out["namespace"] = ref.namespace_;
  if (!ref.uid.empty()) out["uid"] = ref.uid;
  return out;
}

Taint parseTaint(const json& taint, const std::string& path) {
  jr::requireObject(taint, path);
  return Taint{jr::str(taint, "key", path), jr::str(taint, "value", path), jr::str(taint, "effect", path)};
}

json toJson(const Taint& taint) {
  json out = {{"key", taint.key}, {"effect", taint.effect}};
  if (!taint.value.empty()) out["value"] = taint.value;
  return out;
}

ScheduledMachineSpec parseScheduledMachineSpec(const json& spec, const std::string& path) {
  jr::requireObject(spec, path);
  ScheduledMachineSpec out;
  const std::string schedulePath = jr::child(path, "schedule");
  if (const json* schedule = jr::member(spec, "schedule")) {
    out.schedule = schedule::scheduleSpecFromJson(*schedule, schedulePath);
  }
  out.clusterName = jr::str(spec, "clusterName", path);
  if (const json* host = jr::member(spec, "machine")) out.machine = parseHost(*host, jr::child(path, "machine"));
  out.bootstrapRef = optRef(spec, "bootstrapRef", path);
  if (const json* v = jr::member(spec, "bootstrapSpec"))
    out.bootstrapSpec = parseEmbedded(*v, jr::child(path, "bootstrapSpec"));
  out.infrastructureRef = optRef(spec, "infrastructureRef", path);
  if (const json* v = jr::member(spec, "infrastructureSpec")) {
    out.infrastructureSpec = parseEmbedded(*v, jr::child(path, "infrastructureSpec"));
  }
  if (const json* tmpl = jr::member(spec, "machineTemplate")) {
    const std::string tmplPath = jr::child(path, "machineTemplate");
    jr::requireObject(*tmpl, tmplPath);
    out.machineTemplate.labels = jr::stringMap(*tmpl, "labels", tmplPath);
    out.machineTemplate.annotations = jr::stringMap(*tmpl, "annotations", tmplPath);
  }
  out.nodeTaints = parseTaints(spec, "nodeTaints", path);
  const std::int64_t priority = jr::integer(spec, "priority", path, out.priority);
  if (priority < INT32_MIN || priority > INT32_MAX) {
    throw ValidationError(jr::child(path, "priority"), std::to_string(priority), "an integer 0-100");
  }
  out.priority = static_cast<int>(priority);
  out.gracefulShutdownTimeout = jr::str(spec, "gracefulShutdownTimeout", path, out.gracefulShutdownTimeout);
  out.nodeDrainTimeout = jr::str(spec, "nodeDrainTimeout", path, out.nodeDrainTimeout);
  out.killSwitch = jr::boolean(spec, "killSwitch", path, false);
  out.killIfCommands = jr::strings(spec, "killIfCommands", path);
  if (const json* power = jr::member(spec, "power")) out.power = parsePower(*power, jr::child(path, "power"));
  return out;
}

ScheduledMachineStatus parseScheduledMachineStatus(const json& status, const std::string& path) {
  jr::requireObject(status, path);
  ScheduledMachineStatus out;
  if (const auto phase = jr::optString(status, "phase", path)) {
    out.phase = parsePhase(*phase);
    // An unknown phase (e.g. written by upstream's controller) is treated as "no phase": the
    // coordinator re-derives the state from what it observes, starting at Pending.
  }
  out.message = jr::str(status, "message", path);
  if (const json* conditions = jr::member(status, "conditions")) {
    const std::string field = jr::child(path, "conditions");
    if (!conditions->is_array()) throw ValidationError(field, conditions->dump(), "a list of conditions");
    for (std::size_t i = 0; i < conditions->size(); ++i) {
      out.conditions.push_back(parseCondition((*conditions)[i], jr::item(field, i)));
    }
  }
  out.observedGeneration = jr::integer(status, "observedGeneration", path, 0);
  out.inSchedule = jr::boolean(status, "inSchedule", path, false);
  out.nextTransition = jr::str(status, "nextTransition", path);
  out.machineRef = optRef(status, "machineRef", path);
  out.bootstrapRef = optRef(status, "bootstrapRef", path);
  out.infrastructureRef = optRef(status, "infrastructureRef", path);
  out.nodeRef = optRef(status, "nodeRef", path);
  out.providerID = jr::str(status, "providerID", path);
  out.appliedNodeTaints = parseTaints(status, "appliedNodeTaints", path);
  if (const json* drain = jr::member(status, "drain")) out.drain = parseDrain(*drain, jr::child(path, "drain"));
  if (const json* savings = jr::member(status, "powerSavings")) {
    out.powerSavings = parseSavings(*savings, jr::child(path, "powerSavings"));
  }
  if (const json* bmcPower = jr::member(status, "bmcPower")) {
    out.bmcPower = parseBmcPower(*bmcPower, jr::child(path, "bmcPower"));
  }
  out.removalReason = jr::str(status, "removalReason", path);
  return out;
}

ScheduledMachine parseScheduledMachine(const json& object) {
  jr::requireObject(object, "");
  ScheduledMachine machine;
  if (const json* metadata = jr::member(object, "metadata")) machine.metadata = parseObjectMeta(*metadata, "metadata");
  const json* spec = jr::member(object, "spec");
  if (spec == nullptr) throw ValidationError("spec", "null", "an object (spec is required)");
  machine.spec = parseScheduledMachineSpec(*spec, "spec");
  if (const json* status = jr::member(object, "status"))
    machine.status = parseScheduledMachineStatus(*status, "status");
  return machine;
}

json specToJson(const ScheduledMachineSpec& spec) {
  json out = {{"schedule", schedule::scheduleSpecToJson(spec.schedule)},
              {"clusterName", spec.clusterName},
              {"priority", spec.priority},
              {"gracefulShutdownTimeout", spec.gracefulShutdownTimeout},
              {"nodeDrainTimeout", spec.nodeDrainTimeout},
              {"killSwitch", spec.killSwitch}};
  if (spec.machine) out["machine"] = toJson(*spec.machine);
  if (spec.bootstrapRef) out["bootstrapRef"] = toJson(*spec.bootstrapRef);
  if (spec.bootstrapSpec) out["bootstrapSpec"] = toJson(*spec.bootstrapSpec);
  if (spec.infrastructureRef) out["infrastructureRef"] = toJson(*spec.infrastructureRef);
  if (spec.infrastructureSpec) out["infrastructureSpec"] = toJson(*spec.infrastructureSpec);
  if (!spec.machineTemplate.labels.empty() || !spec.machineTemplate.annotations.empty()) {
    json tmpl = json::object();
    if (!spec.machineTemplate.labels.empty()) tmpl["labels"] = spec.machineTemplate.labels;
    if (!spec.machineTemplate.annotations.empty()) tmpl["annotations"] = spec.machineTemplate.annotations;
    out["machineTemplate"] = std::move(tmpl);
  }
  if (!spec.nodeTaints.empty()) out["nodeTaints"] = taintsToJson(spec.nodeTaints);
  if (!spec.killIfCommands.empty()) out["killIfCommands"] = spec.killIfCommands;
  if (spec.power) out["power"] = toJson(*spec.power);
  return out;
}

json statusToJson(const ScheduledMachineStatus& status) {
  json out = {{"observedGeneration", status.observedGeneration}, {"inSchedule", status.inSchedule}};
  if (status.phase) out["phase"] = toString(*status.phase);
  if (!status.message.empty()) out["message"] = status.message;
  if (!status.conditions.empty()) {
    json conditions = json::array();
    for (const Condition& condition : status.conditions) conditions.push_back(toJson(condition));
    out["conditions"] = std::move(conditions);
  }
  if (!status.nextTransition.empty()) out["nextTransition"] = status.nextTransition;
  if (status.machineRef) out["machineRef"] = toJson(*status.machineRef);
  if (status.bootstrapRef) out["bootstrapRef"] = toJson(*status.bootstrapRef);
  if (status.infrastructureRef) out["infrastructureRef"] = toJson(*status.infrastructureRef);
  if (status.nodeRef) out["nodeRef"] = toJson(*status.nodeRef);
  if (!status.providerID.empty()) out["providerID"] = status.providerID;
  if (!status.appliedNodeTaints.empty()) out["appliedNodeTaints"] = taintsToJson(status.appliedNodeTaints);
  if (status.drain) {
    json drain = {{"podsRemaining", status.drain->podsRemaining}, {"blockingPdbs", status.drain->blockingPdbs}};
    if (!status.drain->startedAt.empty()) drain["startedAt"] = status.drain->startedAt;
    out["drain"] = std::move(drain);
  }
  if (status.powerSavings) {
    const PowerSavings& s = *status.powerSavings;
    json savings = {{"hoursOff", s.hoursOff}, {"energySavedWh", s.energySavedWh}};
    if (!s.source.empty()) savings["source"] = s.source;
    if (!s.since.empty()) savings["since"] = s.since;
    if (!s.offSince.empty()) savings["offSince"] = s.offSince;
    out["powerSavings"] = std::move(savings);
  }
  if (status.bmcPower) {
    out["bmcPower"] = {{"consumedWatts", status.bmcPower->consumedWatts}, {"readAt", status.bmcPower->readAt}};
  }
  if (!status.removalReason.empty()) out["removalReason"] = status.removalReason;
  return out;
}

namespace {

// RFC 7386 merges nested objects key by key, so a key dropped inside an object (offSince when an
// off period closes) must be sent as null there too, not only at the top level.
json objectMergePatch(const json& old, const json& now) {
  json patch = json::object();
  for (const auto& [key, value] : now.items()) {
    const auto it = old.find(key);
    if (it == old.end()) {
      patch[key] = value;
    } else if (it->is_object() && value.is_object()) {
      json nested = objectMergePatch(*it, value);
      if (!nested.empty()) patch[key] = std::move(nested);
    } else if (*it != value) {
      patch[key] = value;
    }
  }
  for (const auto& [key, value] : old.items()) {
    if (!now.contains(key)) patch[key] = nullptr;
  }
  return patch;
}

}  // namespace

json statusMergePatch(const ScheduledMachineStatus& before, const ScheduledMachineStatus& after) {
  return objectMergePatch(statusToJson(before), statusToJson(after));
}

json toJson(const ScheduledMachine& machine) {
  return {{"apiVersion", kApiVersion},
          {"kind", kScheduledMachineKind},
          {"metadata", toJson(machine.metadata)},
          {"spec", specToJson(machine.spec)},
          {"status", statusToJson(machine.status)}};
}

}  // namespace fivespot::api
