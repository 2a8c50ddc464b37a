#include "fivespot/api/host_agent.hpp"

#include <nlohmann/json.hpp>

#include "fivespot/api/object_meta.hpp"
#include "fivespot/common/error.hpp"

namespace fivespot::api {
namespace {

using nlohmann::json;

std::string child(const std::string& path, const std::string& key) {
  return path + "." + key;
}

std::string describe(const json& value) {
  return value.dump();
}

const json* member(const json& object, const std::string& key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

void requireObject(const json& value, const std::string& path) {
  if (!value.is_object()) throw ValidationError(path, describe(value), "an object");
}

std::string readString(const json& object, const std::string& key, const std::string& path, std::string fallback = "") {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) throw ValidationError(child(path, key), describe(*value), "a string");
  return value->get<std::string>();
}

bool readBool(const json& object, const std::string& key, const std::string& path, bool fallback = false) {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) throw ValidationError(child(path, key), describe(*value), "true or false");
  return value->get<bool>();
}

std::int64_t readGeneration(const json& object, const std::string& key, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return 0;
  if (!value->is_number_integer()) throw ValidationError(child(path, key), describe(*value), "an integer >= 0");
  const auto number = value->get<std::int64_t>();
  if (number < 0) throw ValidationError(child(path, key), describe(*value), "an integer >= 0");
  return number;
}

double readNonNegativeNumber(const json& object, const std::string& key, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return 0;
  if (!value->is_number()) throw ValidationError(child(path, key), describe(*value), "a number >= 0");
  const auto number = value->get<double>();
  if (number < 0) throw ValidationError(child(path, key), describe(*value), "a number >= 0");
  return number;
}

std::vector<std::string> readStringList(const json& object, const std::string& key, const std::string& path) {
  std::vector<std::string> result;
  const json* value = member(object, key);
  if (value == nullptr) return result;
  if (!value->is_array()) throw ValidationError(child(path, key), describe(*value), "a list of strings");
  for (std::size_t i = 0; i < value->size(); ++i) {
    const json& item = (*value)[i];
    const std::string itemPath = child(path, key) + "[" + std::to_string(i) + "]";
    if (!item.is_string() || item.get<std::string>().empty()) {
      throw ValidationError(itemPath, describe(item), "a non-empty string");
    }
    result.push_back(item.get<std::string>());
  }
  return result;
}

std::string readEnum(const json& object, const std::string& key, const std::string& path,
                     std::initializer_list<const char*> allowed) {
  std::string text = readString(object, key, path);
  if (text.empty()) return text;
  std::string expected;
  for (const char* candidate : allowed) {
    if (text == candidate) return text;
    expected += expected.empty() ? "one of " : ", ";
    expected += candidate;
  }
  throw ValidationError(child(path, key), text, expected);
}

ReadinessCheck parseCheck(const json& value, const std::string& path) {
  requireObject(value, path);
  ReadinessCheck check;
  check.name = readString(value, "name", path);
  if (check.name.empty()) throw ValidationError(child(path, "name"), "", "a non-empty check name");
  check.ok = readBool(value, "ok", path);
  check.reason = readString(value, "reason", path);
  return check;
}

EnergyReport parseEnergy(const json& value, const std::string& path) {
  requireObject(value, path);
  EnergyReport energy;
  energy.source = readEnum(value, "source", path, {kEnergySourceRapl, kEnergySourceUnavailable});
  if (energy.source.empty()) throw ValidationError(child(path, "source"), "", "one of rapl, unavailable");
  energy.joules = readNonNegativeNumber(value, "joules", path);
  energy.averageWatts = readNonNegativeNumber(value, "averageWatts", path);
  energy.windowStart = readString(value, "windowStart", path);
  return energy;
}

int readPort(const json& object, const std::string& key, const std::string& path, int fallback) {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer() || value->get<std::int64_t>() < 1 || value->get<std::int64_t>() > 65535) {
    throw ValidationError(child(path, key), describe(*value), "a port 1-65535");
  }
  return value->get<int>();
}

WakeOrder parseWakeOrder(const json& value, const std::string& path) {
  requireObject(value, path);
  WakeOrder order;
  order.relayNode = readString(value, "relayNode", path);
  if (order.relayNode.empty()) throw ValidationError(child(path, "relayNode"), "", "a node name");
  order.mac = readString(value, "mac", path);
  order.broadcast = readString(value, "broadcast", path, order.broadcast);
  order.port = readPort(value, "port", path, order.port);
  order.generation = readGeneration(value, "generation", path);
  order.expiresAt = readString(value, "expiresAt", path);
  return order;
}

RelayedWake parseRelayedWake(const json& value, const std::string& path) {
  requireObject(value, path);
  RelayedWake wake;
  wake.hostAgent = readString(value, "hostAgent", path);
  if (wake.hostAgent.empty()) throw ValidationError(child(path, "hostAgent"), "", "namespace/name");
  wake.generation = readGeneration(value, "generation", path);
  wake.sentAt = readString(value, "sentAt", path);
  return wake;
}

json relayedWakesToJson(const std::vector<RelayedWake>& wakes) {
  json out = json::array();
  for (const auto& wake : wakes) {
    out.push_back({{"hostAgent", wake.hostAgent}, {"generation", wake.generation}, {"sentAt", wake.sentAt}});
  }
  return out;
}

}  // namespace

json toJson(const WakeOrder& order) {
  return json{{"relayNode", order.relayNode},   {"mac", order.mac},
              {"broadcast", order.broadcast},   {"port", order.port},
              {"generation", order.generation}, {"expiresAt", order.expiresAt}};
}

const char* toString(PowerState state) {
  return state == PowerState::Off ? "Off" : "On";
}

std::optional<PowerState> parsePowerState(const std::string& text) {
  if (text == "On") return PowerState::On;
  if (text == "Off") return PowerState::Off;
  return std::nullopt;
}

HostAgentSpec parseHostAgentSpec(const json& spec, const std::string& path) {
  requireObject(spec, path);
  HostAgentSpec result;
  const std::string power = readString(spec, "desiredPower", path, "On");
  const auto parsedPower = parsePowerState(power);
  if (!parsedPower) throw ValidationError(child(path, "desiredPower"), power, "one of On, Off");
  result.desiredPower = *parsedPower;
  result.drainConfirmationGeneration = readGeneration(spec, "drainConfirmationGeneration", path);
  result.powerOffGeneration = readGeneration(spec, "powerOffGeneration", path);
  result.killSwitch = readBool(spec, "killSwitch", path);
  result.nodeName = readString(spec, "nodeName", path);
  result.killIfCommands = readStringList(spec, "killIfCommands", path);
  result.commandGeneration = readGeneration(spec, "commandGeneration", path);
  if (const json* wake = member(spec, "wake")) result.wake = parseWakeOrder(*wake, child(path, "wake"));
  return result;
}

HostAgentStatus parseHostAgentStatus(const json& status, const std::string& path) {
  requireObject(status, path);
  HostAgentStatus result;
  result.mode = readEnum(status, "mode", path, {"host", "node"});
  result.ready = readBool(status, "ready", path);
  if (const json* checks = member(status, "checks")) {
    if (!checks->is_array()) throw ValidationError(child(path, "checks"), describe(*checks), "a list of checks");
    for (std::size_t i = 0; i < checks->size(); ++i) {
      result.checks.push_back(parseCheck((*checks)[i], child(path, "checks") + "[" + std::to_string(i) + "]"));
    }
  }
  result.drainConfirmedGeneration = readGeneration(status, "drainConfirmedGeneration", path);
  result.powerOffAcknowledgedGeneration = readGeneration(status, "powerOffAcknowledgedGeneration", path);
  result.powerState = readEnum(status, "powerState", path, {kPowerStateOn, kPowerStatePoweringOff, kPowerStateOff});
  result.lastHeartbeat = readString(status, "lastHeartbeat", path);
  if (const json* energy = member(status, "energy")) result.energy = parseEnergy(*energy, child(path, "energy"));
  result.lastError = readString(status, "lastError", path);
  result.reclaimRequested = readString(status, "reclaimRequested", path);
  result.reclaimRequestedAt = readString(status, "reclaimRequestedAt", path);
  result.agentVersion = readString(status, "agentVersion", path);
  if (const json* relayed = member(status, "relayedWakes")) {
    const std::string listPath = child(path, "relayedWakes");
    if (!relayed->is_array()) throw ValidationError(listPath, describe(*relayed), "a list of relayed wakes");
    for (std::size_t i = 0; i < relayed->size(); ++i) {
      result.relayedWakes.push_back(parseRelayedWake((*relayed)[i], listPath + "[" + std::to_string(i) + "]"));
    }
  }
  return result;
}

HostAgent parseHostAgent(const json& object) {
  requireObject(object, "$");
  const std::string kind = readString(object, "kind", "$", kHostAgentKind);
  if (kind != kHostAgentKind) throw ValidationError("kind", kind, kHostAgentKind);
  const std::string apiVersion = readString(object, "apiVersion", "$", kApiVersion);
  if (apiVersion != kApiVersion) throw ValidationError("apiVersion", apiVersion, kApiVersion);
  HostAgent agent;
  if (const json* metadata = member(object, "metadata")) agent.metadata = parseObjectMeta(*metadata, "metadata");
  if (const json* spec = member(object, "spec")) agent.spec = parseHostAgentSpec(*spec, "spec");
  if (const json* status = member(object, "status")) agent.status = parseHostAgentStatus(*status, "status");
  return agent;
}

json toJson(const HostAgentSpec& spec) {
  json out{{"desiredPower", toString(spec.desiredPower)},
           {"drainConfirmationGeneration", spec.drainConfirmationGeneration},
           {"powerOffGeneration", spec.powerOffGeneration},
           {"killSwitch", spec.killSwitch},
           {"nodeName", spec.nodeName},
           {"killIfCommands", spec.killIfCommands},
           {"commandGeneration", spec.commandGeneration}};
  if (spec.wake) out["wake"] = toJson(*spec.wake);
  return out;
}

json statusToJson(const HostAgentStatus& status) {
  json checks = json::array();
  for (const auto& check : status.checks) {
    checks.push_back({{"name", check.name}, {"ok", check.ok}, {"reason", check.reason}});
  }
  json out{{"mode", status.mode},
           {"ready", status.ready},
           {"checks", std::move(checks)},
           {"drainConfirmedGeneration", status.drainConfirmedGeneration},
           {"powerOffAcknowledgedGeneration", status.powerOffAcknowledgedGeneration},
           {"powerState", status.powerState},
           {"lastHeartbeat", status.lastHeartbeat},
           {"lastError", status.lastError},
           {"reclaimRequested", status.reclaimRequested},
           {"reclaimRequestedAt", status.reclaimRequestedAt},
           {"agentVersion", status.agentVersion},
           {"relayedWakes", relayedWakesToJson(status.relayedWakes)}};
  if (status.energy) {
    out["energy"] = {{"source", status.energy->source},
                     {"joules", status.energy->joules},
                     {"averageWatts", status.energy->averageWatts},
                     {"windowStart", status.energy->windowStart}};
  } else {
    out["energy"] = nullptr;  // merge patch: removes a stale report
  }
  return out;
}

json toJson(const HostAgent& agent) {
  json status = statusToJson(agent.status);
  if (status["energy"].is_null()) status.erase("energy");
  return json{{"apiVersion", kApiVersion},
              {"kind", kHostAgentKind},
              {"metadata", toJson(agent.metadata)},
              {"spec", toJson(agent.spec)},
              {"status", std::move(status)}};
}

}  // namespace fivespot::api
