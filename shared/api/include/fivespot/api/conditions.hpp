#pragma once
// Status conditions per the Kubernetes API conventions: one entry per type; lastTransitionTime
// moves only when `status` changes, so it always says since when the condition has held.
#include <string_view>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::api {

namespace condition {
inline constexpr const char* kReady = "Ready";                // the machine is where its schedule wants it
inline constexpr const char* kInWindow = "InWindow";          // the schedule says "in the cluster now"
inline constexpr const char* kMachineReady = "MachineReady";  // CAPI Machine has a Ready Node
inline constexpr const char* kDrained = "Drained";            // the Node runs no evictable workload
inline constexpr const char* kAgentReady = "AgentReady";      // the HostAgent reports ready
inline constexpr const char* kPoweredOn = "PoweredOn";        // the host is powered on
}  // namespace condition

inline constexpr const char* kConditionTrue = "True";
inline constexpr const char* kConditionFalse = "False";
inline constexpr const char* kConditionUnknown = "Unknown";

// Inserts or updates the condition of `update.type`. lastTransitionTime is set to `now` when the
// condition is new or its status changed, and kept otherwise (update.lastTransitionTime is ignored).
// Returns true when anything (status, reason, message, observedGeneration) changed.
bool setCondition(std::vector<Condition>& conditions, Condition update, TimePoint now);
[[nodiscard]] const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type);
[[nodiscard]] bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type);
// Removes the condition of that type; returns whether one was removed.
bool removeCondition(std::vector<Condition>& conditions, std::string_view type);

}  // namespace fivespot::api
