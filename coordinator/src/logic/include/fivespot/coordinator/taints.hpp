#pragma once
// Reconciling spec.nodeTaints onto the Node without ever touching a taint an administrator owns.
// A taint's identity is (key, effect). We own exactly the taints recorded in
// status.appliedNodeTaints; a taint whose value someone else changed is no longer ours.
#include <nlohmann/json.hpp>
#include <vector>

#include "fivespot/api/types.hpp"

namespace fivespot::coordinator {

struct TaintPlan {
  std::vector<api::Taint> add;        // not on the node yet
  std::vector<api::Taint> update;     // ours, with a new value
  std::vector<api::Taint> remove;     // ours, no longer desired
  std::vector<api::Taint> conflicts;  // desired, but the node carries an admin's taint with that key and effect
  std::vector<api::Taint> applied;    // what status.appliedNodeTaints must say after the plan ran
  [[nodiscard]] bool changesNode() const { return !add.empty() || !update.empty() || !remove.empty(); }
};

TaintPlan diffTaints(const std::vector<api::Taint>& desired, const std::vector<api::Taint>& onNode,
                     const std::vector<api::Taint>& previouslyApplied);

// Node spec.taints after the plan, preserving every other taint as is (including fields such as
// timeAdded that the node lifecycle controller relies on).
nlohmann::json applyTaintPlan(const nlohmann::json& nodeTaints, const TaintPlan& plan);

// The taint that marks a node 5-Spot is removing; PreferNoSchedule so that nothing breaks when the
// removal is cancelled, while the scheduler already prefers other nodes during the grace period.
api::Taint removalTaint();
bool hasTaint(const std::vector<api::Taint>& taints, const api::Taint& taint);

// Node JSON spec.taints -> taints (unknown effects are kept: they are somebody else's).
std::vector<api::Taint> taintsFromNodeJson(const nlohmann::json& node);

}  // namespace fivespot::coordinator
