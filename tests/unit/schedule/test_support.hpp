#pragma once
// Helpers shared by the schedule tests.
#include <string>
#include <vector>

#include "fivespot/schedule/schedule.hpp"

namespace fivespot::schedule::testing {

TimePoint at(const std::string& rfc3339);
Schedule makeSchedule(std::vector<std::string> days, std::vector<std::string> hours, std::string timezone = "UTC",
                      std::vector<std::string> exclusions = {});
// "[2026-03-06T22:00:00Z, 2026-03-07T07:00:00Z)" per window, for readable failure messages.
std::vector<std::string> describe(const std::vector<Window>& windows);
std::string describe(const Window& window);

// Walks every transition from `from` to `until` and checks each against a minute-by-minute scan:
// the state holds on every minute before the returned instant, holds one second before it, and
// has changed at it. Also checks that windows() lists exactly the in-window stretches found.
void expectTransitionsMatchScan(const Schedule& schedule, TimePoint from, TimePoint until);

}  // namespace fivespot::schedule::testing
