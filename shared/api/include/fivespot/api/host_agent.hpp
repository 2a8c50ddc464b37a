#pragma once
// HostAgent <-> JSON. crds/hostagent.yaml is the schema of record; tests check both agree.
//
// parseHostAgent validates what the coordinator and the agent rely on and throws ValidationError
// naming the JSON path of the first bad field ("spec.powerOffGeneration"). Unknown fields are
// ignored, as the API server would have pruned them already.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "fivespot/api/types.hpp"

namespace fivespot::api {

inline constexpr const char* kHostAgentKind = "HostAgent";

const char* toString(PowerState state);
std::optional<PowerState> parsePowerState(const std::string& text);

// Reported power states (status.powerState).
inline constexpr const char* kPowerStateOn = "On";
inline constexpr const char* kPowerStatePoweringOff = "PoweringOff";
inline constexpr const char* kPowerStateOff = "Off";

// Reported energy sources (status.energy.source).
inline constexpr const char* kEnergySourceRapl = "rapl";
inline constexpr const char* kEnergySourceUnavailable = "unavailable";

HostAgent parseHostAgent(const nlohmann::json& object);
HostAgentSpec parseHostAgentSpec(const nlohmann::json& spec, const std::string& path = "spec");
HostAgentStatus parseHostAgentStatus(const nlohmann::json& status, const std::string& path = "status");

// The whole object (apiVersion, kind, metadata, spec, status).
nlohmann::json toJson(const HostAgent& agent);
nlohmann::json toJson(const HostAgentSpec& spec);
// The status as the agent writes it; every field present so a merge patch overwrites stale values.
nlohmann::json statusToJson(const HostAgentStatus& status);

}  // namespace fivespot::api
