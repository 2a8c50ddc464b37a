#include "fivespot/coordinator/priority.hpp"

#include <algorithm>
#include <tuple>

namespace fivespot::coordinator {
namespace {

bool before(const WorkRequest& a, const WorkRequest& b) {
  return std::make_tuple(-a.priority, a.waitingSince, a.key) < std::make_tuple(-b.priority, b.waitingSince, b.key);
}

void admitGroup(const std::vector<WorkRequest>& waiting, WorkKind kind, int limit, int inFlight,
                std::vector<std::string>& admitted) {
  int slots = limit <= 0 ? static_cast<int>(waiting.size()) : std::max(0, limit - inFlight);
  for (const WorkRequest& request : waiting) {
    if (request.kind != kind) continue;
    if (slots-- <= 0) break;
    admitted.push_back(request.key);
  }
}

}  // namespace

std::vector<std::string> admit(std::vector<WorkRequest> waiting, const ConcurrencyLimits& limits,
                               const InFlight& inFlight) {
  std::sort(waiting.begin(), waiting.end(), before);
  std::vector<std::string> admitted;
  for (const WorkRequest& request : waiting) {
    if (request.kind == WorkKind::EmergencyRemoval) admitted.push_back(request.key);
  }
  admitGroup(waiting, WorkKind::Add, limits.maxAdds, inFlight.adds, admitted);
  admitGroup(waiting, WorkKind::Removal, limits.maxRemovals, inFlight.removals, admitted);
  return admitted;
}

}  // namespace fivespot::coordinator
