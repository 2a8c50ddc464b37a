#include "fivespot/controller/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace fivespot::controller {

Duration exponentialBackoff(int failures, const BackoffPolicy& policy) {
  if (failures <= 0) return std::min(policy.base, policy.cap);
  // Computed in floating point: 2^failures overflows any integer tick count long before the cap.
  const long double scaled = static_cast<long double>(policy.base.count()) * std::pow(2.0L, failures);
  if (scaled >= static_cast<long double>(policy.cap.count())) return policy.cap;
  return Duration(static_cast<Duration::rep>(scaled));
}

Duration jitteredBackoff(int failures, const BackoffPolicy& policy, double random01) {
  const Duration delay = exponentialBackoff(failures, policy);
  const double fraction = std::clamp(policy.jitter, 0.0, 1.0) * std::clamp(random01, 0.0, 1.0);
  const auto extra = Duration(static_cast<Duration::rep>(static_cast<double>(delay.count()) * fraction));
  return delay + extra;
}

}  // namespace fivespot::controller
