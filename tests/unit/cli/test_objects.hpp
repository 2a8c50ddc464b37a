#pragma once
// ScheduledMachine and HostAgent objects as the API server would return them, for the CLI tests.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fivespot::cli::testing {

inline nlohmann::json scheduledMachineJson(const std::string& name, const std::string& ns,
                                           const nlohmann::json& status = nullptr, bool killSwitch = false) {
  nlohmann::json object = {
      {"apiVersion", "5spot.finos.org/v1alpha1"},
      {"kind", "ScheduledMachine"},
      {"metadata",
       {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}, {"creationTimestamp", "2026-03-01T00:00:00Z"}}},
      {"spec",
       {{"clusterName", "prod"},
        {"killSwitch", killSwitch},
        {"nodeDrainTimeout", "10m"},
        {"schedule", {{"daysOfWeek", {"mon-fri"}}, {"hoursOfDay", {"9-17"}}, {"timezone", "UTC"}}}}},
  };
  if (!status.is_null()) object["status"] = status;
  return object;
}

inline nlohmann::json hostAgentJson(const std::string& name, const std::string& ns, const std::string& desiredPower,
                                    const std::string& powerState, bool ready, const std::string& heartbeat) {
  return {{"apiVersion", "5spot.finos.org/v1alpha1"},
          {"kind", "HostAgent"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"desiredPower", desiredPower}}},
          {"status", {{"mode", "host"}, {"ready", ready}, {"powerState", powerState}, {"lastHeartbeat", heartbeat}}}};
}

// A vector, not a json: a one-element braced list would make nlohmann::json copy the element.
inline std::string listJson(const std::vector<nlohmann::json>& items) {
  return nlohmann::json{
      {"apiVersion", "v1"}, {"kind", "List"}, {"metadata", {{"resourceVersion", "7"}}}, {"items", items}}
      .dump();
}

inline std::string statusJson(int code, const std::string& reason, const std::string& message) {
  return nlohmann::json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                        {"code", code},     {"reason", reason},   {"message", message}}
      .dump();
}

}  // namespace fivespot::cli::testing
