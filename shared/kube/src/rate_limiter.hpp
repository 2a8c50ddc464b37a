#pragma once
// Client-side token bucket (client-go's --kube-api-qps / --kube-api-burst): `burst` requests may go
// at once, then one every 1/qps seconds. Callers reserve a slot and sleep outside the lock, so
// concurrent callers queue in order and nobody spins.
#include <chrono>
#include <functional>
#include <mutex>

#include "fivespot/common/clock.hpp"

namespace fivespot::kube::detail {

class TokenBucket {
 public:
  using Sleeper = std::function<void(Duration)>;

  // qps <= 0 disables limiting. `clock` must outlive the bucket.
  TokenBucket(double qps, int burst, const Clock& clock, Sleeper sleep);

  // Takes one token now and returns how long the caller must wait before using it (zero when a
  // token was available). Tokens may go negative: that is the queue of waiting callers.
  Duration reserve();
  // reserve(), then sleeps for the returned time.
  void acquire();

 private:
  void refill(TimePoint now);

  double qps_;
  double burst_;
  const Clock& clock_;
  Sleeper sleep_;
  std::mutex mutex_;
  double tokens_;
  TimePoint last_;
};

}  // namespace fivespot::kube::detail
