#pragma once
// Exponential back-off shared by the work queue (per-item requeue) and the informer (reconnect).
#include <chrono>

#include "fivespot/common/clock.hpp"

namespace fivespot::controller {

struct BackoffPolicy {
  Duration base = std::chrono::milliseconds(5);
  Duration cap = std::chrono::seconds(1000);
  // Extra random fraction added on top (0: none, 1: up to +100%), so that many clients that
  // failed together do not retry together.
  double jitter = 0.0;
};

// base * 2^failures, capped; `failures` counts the earlier attempts (0 gives `base`).
[[nodiscard]] Duration exponentialBackoff(int failures, const BackoffPolicy& policy);

// exponentialBackoff plus policy.jitter * random01 of it (random01 in [0, 1)). Like client-go the
// jitter is added after the cap, so that clients stuck at the cap still spread out.
[[nodiscard]] Duration jitteredBackoff(int failures, const BackoffPolicy& policy, double random01);

}  // namespace fivespot::controller
