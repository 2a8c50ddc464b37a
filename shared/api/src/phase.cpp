#include "fivespot/api/types.hpp"

namespace fivespot::api {

const char* toString(Phase phase) {
  switch (phase) {
    case Phase::Pending:
      return "Pending";
    case Phase::UnScheduled:
      return "UnScheduled";
    case Phase::Scheduled:
      return "Scheduled";
    case Phase::Active:
      return "Active";
    case Phase::Removing:
      return "Removing";
    case Phase::Inactive:
      return "Inactive";
    case Phase::Error:
      return "Error";
  }
  return "Unknown";
}

std::optional<Phase> parsePhase(const std::string& text) {
  for (const auto phase : {Phase::Pending, Phase::UnScheduled, Phase::Scheduled, Phase::Active, Phase::Removing,
                           Phase::Inactive, Phase::Error}) {
    if (text == toString(phase)) return phase;
  }
  return std::nullopt;
}

}  // namespace fivespot::api
