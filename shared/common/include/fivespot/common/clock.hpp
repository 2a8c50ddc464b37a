#pragma once
// Time source injected everywhere decisions depend on "now", so that tests control time exactly.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace fivespot {

using Clock_t = std::chrono::system_clock;
using TimePoint = Clock_t::time_point;
using Duration = Clock_t::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override { return Clock_t::now(); }
  static const SystemClock& instance();
};

// A clock that only moves when told to; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start) {}
  [[nodiscard]] TimePoint now() const override;
  void set(TimePoint t);
  void advance(Duration d);

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

}  // namespace fivespot
