#pragma once
// Timeline sentences for what changed between two versions of an object, as pure functions
// (before = nullptr: the object was just seen for the first time). Each returns zero or more
// lines for a person reading the demo; unchanged objects give none.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace fivespot::demo {

// ScheduledMachine status: phase changes (with the status message and removal reason), drain
// progress (pods left, PodDisruptionBudgets blocking), node joined/left.
std::vector<std::string> describeScheduledMachine(const nlohmann::json* before, const nlohmann::json& after);

// HostAgent: the coordinator's orders (desired power, drain confirmation, power-off) and the
// agent's reports (ready with failing checks named, drain confirmed, power state).
std::vector<std::string> describeHostAgent(const nlohmann::json* before, const nlohmann::json& after);

// Node: joined (Ready), cordoned, taints, and uncordoned.
std::vector<std::string> describeNode(const nlohmann::json* before, const nlohmann::json& after);

// Pod: scheduled on a node, Running and Ready, terminating.
std::vector<std::string> describePod(const nlohmann::json* before, const nlohmann::json& after);

// One line from fake_login1's record (JSON): Inhibit, PowerOff, inhibitor released.
std::string describeLogindRecord(const nlohmann::json& record);

}  // namespace fivespot::demo
