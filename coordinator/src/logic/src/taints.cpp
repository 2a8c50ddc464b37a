#include "fivespot/coordinator/taints.hpp"

#include <algorithm>

namespace fivespot::coordinator {
namespace {

using api::Taint;

bool sameIdentity(const Taint& a, const Taint& b) {
  return a.key == b.key && a.effect == b.effect;
}

const Taint* findByIdentity(const std::vector<Taint>& taints, const Taint& wanted) {
  const auto it = std::find_if(taints.begin(), taints.end(), [&](const Taint& t) { return sameIdentity(t, wanted); });
  return it == taints.end() ? nullptr : &*it;
}

}  // namespace

TaintPlan diffTaints(const std::vector<Taint>& desired, const std::vector<Taint>& onNode,
                     const std::vector<Taint>& previouslyApplied) {
  TaintPlan plan;
  for (const Taint& want : desired) {
    const Taint* current = findByIdentity(onNode, want);
    if (current == nullptr) {
      plan.add.push_back(want);
      plan.applied.push_back(want);
    } else if (current->value == want.value) {
      plan.applied.push_back(want);  // already there (ours or identical): adopt it
    } else if (const Taint* ours = findByIdentity(previouslyApplied, want); ours && ours->value == current->value) {
      plan.update.push_back(want);
      plan.applied.push_back(want);
    } else {
      plan.conflicts.push_back(want);  // an administrator's taint: leave it and report
    }
  }
  for (const Taint& old : previouslyApplied) {
    if (findByIdentity(desired, old) != nullptr) continue;
    const Taint* current = findByIdentity(onNode, old);
    // Gone already, or someone changed its value (then it is theirs now): nothing to remove.
    if (current != nullptr && current->value == old.value) plan.remove.push_back(old);
  }
  return plan;
}

nlohmann::json applyTaintPlan(const nlohmann::json& nodeTaints, const TaintPlan& plan) {
  nlohmann::json result = nlohmann::json::array();
  const auto identity = [](const nlohmann::json& t) {
    return Taint{t.value("key", ""), t.value("value", ""), t.value("effect", "")};
  };
  if (nodeTaints.is_array()) {
    for (const nlohmann::json& taint : nodeTaints) {
      const Taint current = identity(taint);
      if (findByIdentity(plan.remove, current) != nullptr) continue;
      if (const Taint* updated = findByIdentity(plan.update, current)) {
        nlohmann::json replaced = {{"key", updated->key}, {"effect", updated->effect}};
        if (!updated->value.empty()) replaced["value"] = updated->value;
        result.push_back(std::move(replaced));
        continue;
      }
      result.push_back(taint);
    }
  }
  for (const Taint& added : plan.add) {
    nlohmann::json taint = {{"key", added.key}, {"effect", added.effect}};
    if (!added.value.empty()) taint["value"] = added.value;
    result.push_back(std::move(taint));
  }
  return result;
}

Taint removalTaint() {
  return Taint{"5spot.finos.org/removing", "", "PreferNoSchedule"};
}

bool hasTaint(const std::vector<Taint>& taints, const Taint& taint) {
  return findByIdentity(taints, taint) != nullptr;
}

std::vector<Taint> taintsFromNodeJson(const nlohmann::json& node) {
  std::vector<Taint> taints;
  const nlohmann::json::json_pointer path("/spec/taints");
  if (!node.contains(path) || !node.at(path).is_array()) return taints;
  for (const nlohmann::json& t : node.at(path)) {
    taints.push_back(Taint{t.value("key", ""), t.value("value", ""), t.value("effect", "")});
  }
  return taints;
}

}  // namespace fivespot::coordinator
