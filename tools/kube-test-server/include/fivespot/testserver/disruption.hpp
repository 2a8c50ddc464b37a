#pragma once
// PodDisruptionBudget arithmetic as the disruption controller computes it, used by the Eviction
// subresource. Pure functions over JSON objects.
#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace fivespot::testserver {

struct DisruptionStatus {
  int expectedPods = 0;
  int desiredHealthy = 0;
  int currentHealthy = 0;
  int disruptionsAllowed = 0;
};

// intstr as Kubernetes resolves it: an int, or "N%" of total rounded up when roundUp.
// Throws ApiError 422 for malformed values.
int scaledValue(const nlohmann::json& intOrPercent, int total, bool roundUp);

// `pods` are the pods the PDB's selector matches.
DisruptionStatus computeDisruption(const nlohmann::json& pdb, const std::vector<nlohmann::json>& pods);

bool isPodReady(const nlohmann::json& pod);
bool isTerminating(const nlohmann::json& object);

}  // namespace fivespot::testserver
