#pragma once
// Internal: the compiled form of a ScheduleSpec and the parsers that build it. Not installed;
// only the schedule library's own sources include this.
#include <date/tz.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/schedule/schedule.hpp"

namespace fivespot::schedule::detail {

// A daily window in local wall time, in minutes after the local midnight of the day it starts.
// `end` is exclusive and may exceed 1440 (an overnight window ends on the next day).
struct MinuteRange {
  int start = 0;
  int end = 0;
};

using WeekDays = std::array<bool, 7>;  // index 0 = Monday ... 6 = Sunday (ISO order)

struct CompiledSchedule {
  bool enabled = true;
  std::string timezoneName;
  const date::time_zone* zone = nullptr;
  WeekDays days{};
  std::vector<MinuteRange> ranges;  // sorted by start, disjoint and non-adjacent
  // The weekly pattern covers every local minute: the machine is in its window at all times
  // except during exclusions.
  bool alwaysOn = false;
  std::vector<Window> exclusions;  // sorted, merged (no overlap, no adjacency), non-empty

  [[nodiscard]] bool inWindow(TimePoint t) const;
  [[nodiscard]] std::optional<TimePoint> nextTransition(TimePoint t) const;
  [[nodiscard]] std::vector<Window> windows(TimePoint from, TimePoint until, std::size_t limit) const;

  // Building blocks, exposed for the evaluation code in evaluate.cpp.
  [[nodiscard]] date::local_days localDayOf(TimePoint t) const;
  // The instant of local wall time `day` + `minute`, resolving DST: a skipped local time maps
  // to the instant the clocks jump, a repeated one to its first occurrence.
  [[nodiscard]] TimePoint instantOf(date::local_days day, int minute) const;
  [[nodiscard]] const Window* exclusionContaining(TimePoint t) const;
  [[nodiscard]] bool inRawWindow(TimePoint t) const;
};

WeekDays parseDaysOfWeek(const std::vector<std::string>& entries, const std::string& field);
std::vector<MinuteRange> parseHoursOfDay(const std::vector<std::string>& entries, const std::string& field);
const date::time_zone* locateTimeZone(const std::string& name, const std::string& field);
// Needs the compiled zone: date exclusions are whole local days.
std::vector<Window> parseExclusions(const std::vector<std::string>& entries, const CompiledSchedule& schedule,
                                    const std::string& field);
bool coversEveryMinuteOfTheWeek(const WeekDays& days, const std::vector<MinuteRange>& ranges);

}  // namespace fivespot::schedule::detail
