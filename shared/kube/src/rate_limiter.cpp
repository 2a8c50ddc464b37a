#include "rate_limiter.hpp"

#include <algorithm>

namespace fivespot::kube::detail {

TokenBucket::TokenBucket(double qps, int burst, const Clock& clock, Sleeper sleep)
    : qps_(qps),
      burst_(std::max(1, burst)),
      clock_(clock),
      sleep_(std::move(sleep)),
      tokens_(burst_),
      last_(clock.now()) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;  // the wall clock stepped back: add nothing rather than go negative
  const double elapsedSeconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsedSeconds * qps_);
  last_ = now;
}

Duration TokenBucket::reserve() {
  if (qps_ <= 0) return Duration::zero();
  std::lock_guard lock(mutex_);
  refill(clock_.now());
  tokens_ -= 1;
  if (tokens_ >= 0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

void TokenBucket::acquire() {
  const Duration wait = reserve();
  if (wait > Duration::zero()) sleep_(wait);
}

}  // namespace fivespot::kube::detail
