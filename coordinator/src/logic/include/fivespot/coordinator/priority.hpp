#pragma once
// Which waiting adds and removals may start now, under --max-concurrent-adds /
// --max-concurrent-removals. Higher spec.priority goes first, then the longest waiting, then the
// name (so the order is total and stable). Emergency removals (kill switch, reclaim, deletion) are
// never held back: they exist to get a machine out now.
#include <string>
#include <vector>

#include "fivespot/common/clock.hpp"

namespace fivespot::coordinator {

enum class WorkKind { None, Add, Removal, EmergencyRemoval };

struct WorkRequest {
  std::string key;  // "<namespace>/<name>"
  WorkKind kind = WorkKind::None;
  int priority = 50;
  TimePoint waitingSince;
};

struct ConcurrencyLimits {
  int maxAdds = 0;      // <= 0: unlimited
  int maxRemovals = 0;  // <= 0: unlimited
};

struct InFlight {
  int adds = 0;
  int removals = 0;
};

// The keys allowed to start, adds first, each group in priority order.
std::vector<std::string> admit(std::vector<WorkRequest> waiting, const ConcurrencyLimits& limits,
                               const InFlight& inFlight);

}  // namespace fivespot::coordinator
