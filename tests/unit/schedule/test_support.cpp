#include "test_support.hpp"

#include <gtest/gtest.h>

#include "fivespot/common/time_format.hpp"

namespace fivespot::schedule::testing {

using namespace std::chrono_literals;

TimePoint at(const std::string& rfc3339) {
  return parseRfc3339(rfc3339);
}

Schedule makeSchedule(std::vector<std::string> days, std::vector<std::string> hours, std::string timezone,
                      std::vector<std::string> exclusions) {
  api::ScheduleSpec spec;
  spec.daysOfWeek = std::move(days);
  spec.hoursOfDay = std::move(hours);
  spec.timezone = std::move(timezone);
  spec.exclusions = std::move(exclusions);
  return Schedule::compile(spec);
}

std::string describe(const Window& window) {
  return "[" + formatRfc3339(window.start) + ", " + formatRfc3339(window.end) + ")";
}

std::vector<std::string> describe(const std::vector<Window>& windows) {
  std::vector<std::string> out;
  for (const auto& window : windows) out.push_back(describe(window));
  return out;
}

void expectTransitionsMatchScan(const Schedule& schedule, TimePoint from, TimePoint until) {
  std::vector<Window> seen;
  std::optional<TimePoint> openSince;
  if (schedule.inWindow(from)) openSince = from;
  TimePoint t = from;
  while (t < until) {
    const bool state = schedule.inWindow(t);
    const auto next = schedule.nextTransition(t);
    ASSERT_TRUE(next.has_value()) << "at " << formatRfc3339(t);
    ASSERT_GT(*next, t);
    const TimePoint scanEnd = std::min(*next, until);
    for (TimePoint probe = t + 1min; probe < scanEnd; probe += 1min) {
      ASSERT_EQ(schedule.inWindow(probe), state)
          << "state changed at " << formatRfc3339(probe) << " before the reported transition " << formatRfc3339(*next);
    }
    if (*next >= until) break;
    ASSERT_EQ(schedule.inWindow(*next - 1s), state) << formatRfc3339(*next);
    ASSERT_NE(schedule.inWindow(*next), state) << formatRfc3339(*next);
    if (state) {
      seen.push_back({*openSince, *next});
      openSince.reset();
    } else {
      openSince = *next;
    }
    t = *next;
  }
  // windows() agrees, except that it reports the true start of a window already open at `from`
  // and the true end of one still open at `until`.
  const auto listed = schedule.windows(from, until);
  std::vector<Window> comparable;
  for (const auto& window : listed) {
    if (window.start < until) comparable.push_back(window);
  }
  if (!comparable.empty() && comparable.front().start < from) comparable.front().start = from;
  if (openSince && !comparable.empty()) {
    EXPECT_GE(comparable.back().end, until);
    seen.push_back({*openSince, comparable.back().end});
  }
  EXPECT_EQ(describe(comparable), describe(seen));
}

}  // namespace fivespot::schedule::testing
