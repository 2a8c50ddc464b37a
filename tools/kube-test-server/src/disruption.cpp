#include "fivespot/testserver/disruption.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fivespot/testserver/api_error.hpp"

namespace fivespot::testserver {

int scaledValue(const nlohmann::json& intOrPercent, int total, bool roundUp) {
  if (intOrPercent.is_number_integer()) return intOrPercent.get<int>();
  if (!intOrPercent.is_string()) throw badRequest("invalid value for IntOrString: " + intOrPercent.dump());
  const std::string text = intOrPercent.get<std::string>();
  if (text.empty() || text.back() != '%')
    throw badRequest("invalid value for IntOrString: invalid type: string is not a percentage");
  int percent = 0;
  try {
    percent = std::stoi(text.substr(0, text.size() - 1));
  } catch (const std::exception&) {
    throw badRequest("invalid value \"" + text + "\": not a percentage");
  }
  const double scaled = static_cast<double>(percent) * total / 100.0;
  return static_cast<int>(roundUp ? std::ceil(scaled) : std::floor(scaled));
}

bool isTerminating(const nlohmann::json& object) {
  return object.contains("/metadata/deletionTimestamp"_json_pointer) &&
         !object["/metadata/deletionTimestamp"_json_pointer].is_null();
}

bool isPodReady(const nlohmann::json& pod) {
  for (const auto& condition : pod.value("/status/conditions"_json_pointer, nlohmann::json::array())) {
    if (condition.value("type", "") == "Ready") return condition.value("status", "") == "True";
  }
  return false;
}

DisruptionStatus computeDisruption(const nlohmann::json& pdb, const std::vector<nlohmann::json>& pods) {
  DisruptionStatus status;
  status.expectedPods = static_cast<int>(pods.size());
  status.currentHealthy = static_cast<int>(
      std::count_if(pods.begin(), pods.end(), [](const auto& p) { return isPodReady(p) && !isTerminating(p); }));
  const auto& spec = pdb.value("spec", nlohmann::json::object());
  if (spec.contains("maxUnavailable")) {
    const int maxUnavailable = scaledValue(spec["maxUnavailable"], status.expectedPods, true);
    status.desiredHealthy = std::max(0, status.expectedPods - maxUnavailable);
  } else if (spec.contains("minAvailable")) {
    status.desiredHealthy = scaledValue(spec["minAvailable"], status.expectedPods, true);
  }
  status.disruptionsAllowed = std::max(0, status.currentHealthy - status.desiredHealthy);
  return status;
}

}  // namespace fivespot::testserver
