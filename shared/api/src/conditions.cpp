#include "fivespot/api/conditions.hpp"

#include <algorithm>

#include "fivespot/common/time_format.hpp"

namespace fivespot::api {

bool setCondition(std::vector<Condition>& conditions, Condition update, TimePoint now) {
  const auto existing =
      std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == update.type; });
  if (existing == conditions.end()) {
    update.lastTransitionTime = formatRfc3339(now);
    conditions.push_back(std::move(update));
    return true;
  }
  const bool statusChanged = existing->status != update.status;
  update.lastTransitionTime = statusChanged ? formatRfc3339(now) : existing->lastTransitionTime;
  const bool changed = statusChanged || existing->reason != update.reason || existing->message != update.message ||
                       existing->observedGeneration != update.observedGeneration;
  *existing = std::move(update);
  return changed;
}

const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type) {
  const auto it =
      std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* found = findCondition(conditions, type);
  return found != nullptr && found->status == kConditionTrue;
}

bool removeCondition(std::vector<Condition>& conditions, std::string_view type) {
  const auto before = conditions.size();
  std::erase_if(conditions, [&](const Condition& c) { return c.type == type; });
  return conditions.size() != before;
}

}  // namespace fivespot::api
