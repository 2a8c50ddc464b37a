#pragma once
// The schedule engine: is a machine inside its window at an instant, and when does that change?
// Pure code: no I/O, the instant is always passed in. See docs/schedules.md for the semantics.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::schedule {

struct Window {
  TimePoint start;  // inclusive
  TimePoint end;    // exclusive
  bool operator==(const Window&) const = default;
};

class Schedule {
 public:
  // Validates and compiles spec.schedule. Throws ValidationError whose field is the JSON path
  // under `fieldPrefix` (e.g. "spec.schedule.hoursOfDay[1]"), naming the token and accepted forms.
  static Schedule compile(const api::ScheduleSpec& spec, std::string_view fieldPrefix = "spec.schedule");

  [[nodiscard]] bool enabled() const noexcept;
  [[nodiscard]] const std::string& timezone() const noexcept;
  // True when `t` is inside a window and not excluded (always false when disabled).
  [[nodiscard]] bool inWindow(TimePoint t) const;
  // The first instant after `t` at which inWindow() changes; std::nullopt if it never does.
  [[nodiscard]] std::optional<TimePoint> nextTransition(TimePoint t) const;
  // Up to `limit` effective windows (exclusions applied) that end after `from`, in order,
  // starting no later than `until`.
  [[nodiscard]] std::vector<Window> windows(TimePoint from, TimePoint until, std::size_t limit = 1000) const;

  Schedule(const Schedule&);
  Schedule(Schedule&&) noexcept;
  Schedule& operator=(const Schedule&);
  Schedule& operator=(Schedule&&) noexcept;
  ~Schedule();

 private:
  struct Compiled;
  explicit Schedule(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

// Go-style durations as used by gracefulShutdownTimeout / nodeDrainTimeout: "30s", "5m", "1h",
// "1h30m", "90m", "0s". Bounded to [0, 24h] (upstream's bound). Throws ValidationError naming `field`.
std::chrono::seconds parseDuration(std::string_view text, std::string_view field);
// "1h30m0s" style, shortest exact form ("5m", "1h30m", "45s", "0s").
std::string formatDuration(std::chrono::seconds d);

}  // namespace fivespot::schedule
