#pragma once
// HostAgent <-> JSON. crds/hostagent.yaml is the schema of record; tests check both agree.
//
// parseHostAgent validates what the coordinator and the agent rely on and throws ValidationError
// naming the JSON path of the first bad field ("spec.powerOffGeneration"). Unknown fields are
// ignored, as the API server would have pruned them already.
#include <cstddef>
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

// The label the coordinator puts on a HostAgent whose spec.wake names a relay, valued with the
// relay's node name, so that a relay lists only the orders addressed to it (label selector).
inline constexpr const char* kWakeRelayNodeLabel = "5spot.finos.org/wake-relay-node";
// status.relayedWakes keeps at most this many entries (one per target, newest kept).
inline constexpr std::size_t kMaxRelayedWakes = 64;

HostAgent parseHostAgent(const nlohmann::json& object);
HostAgentSpec parseHostAgentSpec(const nlohmann::json& spec, const std::string& path = "spec");
HostAgentStatus parseHostAgentStatus(const nlohmann::json& status, const std::string& path = "status");

// The whole object (apiVersion, kind, metadata, spec, status).
nlohmann::json toJson(const HostAgent& agent);
nlohmann::json toJson(const HostAgentSpec& spec);
// spec.wake as the coordinator writes it.
nlohmann::json toJson(const WakeOrder& order);
// The status as the agent writes it; every field present so a merge patch overwrites stale values.
nlohmann::json statusToJson(const HostAgentStatus& status);

}  // namespace fivespot::api
