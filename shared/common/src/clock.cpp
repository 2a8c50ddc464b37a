#include "fivespot/common/clock.hpp"

namespace fivespot {

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

TimePoint ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::set(TimePoint t) {
  std::lock_guard lock(mutex_);
  now_ = t;
}

void ManualClock::advance(Duration d) {
  std::lock_guard lock(mutex_);
  now_ += d;
}

}  // namespace fivespot
