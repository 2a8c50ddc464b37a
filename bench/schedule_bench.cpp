// Cost of one schedule evaluation (inWindow) and one exact next-transition computation, for the
// shapes users write: office hours, an overnight window over the week end, and holidays.
#include <benchmark/benchmark.h>

#include "fivespot/common/time_format.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace {

using fivespot::TimePoint;
using fivespot::schedule::Schedule;

Schedule compile(std::vector<std::string> days, std::vector<std::string> hours, std::string zone,
                 std::vector<std::string> exclusions = {}) {
  fivespot::api::ScheduleSpec spec;
  spec.daysOfWeek = std::move(days);
  spec.hoursOfDay = std::move(hours);
  spec.timezone = std::move(zone);
  spec.exclusions = std::move(exclusions);
  return Schedule::compile(spec);
}

const Schedule& officeHours() {
  static const Schedule schedule = compile({"mon-fri"}, {"09:00-17:00"}, "America/New_York");
  return schedule;
}
const Schedule& overnight() {
  static const Schedule schedule = compile({"fri-mon"}, {"22-6"}, "Europe/Berlin");
  return schedule;
}
const Schedule& withExclusions() {
  static const Schedule schedule = compile(
      {"mon-fri"}, {"09:00-17:00"}, "America/New_York",
      {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11",
       "2026-11-26/2026-11-27", "2026-12-24/2026-12-26", "2026-12-31T18:00:00Z/2027-01-01T06:00:00Z"});
  return schedule;
}

// Instants spread over a year with a step that is not a multiple of any window period.
TimePoint instant(std::int64_t i) {
  static const TimePoint start = fivespot::parseRfc3339("2026-01-01T00:00:00Z");
  return start + std::chrono::minutes{(i * 7919) % (365 * 24 * 60)};
}

void inWindow(benchmark::State& state, const Schedule& schedule) {
  std::int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(schedule.inWindow(instant(i++)));
}

void nextTransition(benchmark::State& state, const Schedule& schedule) {
  std::int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(schedule.nextTransition(instant(i++)));
}

void BM_InWindow_OfficeHoursNewYork(benchmark::State& state) {
  inWindow(state, officeHours());
}
void BM_InWindow_OvernightBerlin(benchmark::State& state) {
  inWindow(state, overnight());
}
void BM_InWindow_OfficeHoursWithHolidays(benchmark::State& state) {
  inWindow(state, withExclusions());
}
void BM_NextTransition_OfficeHoursNewYork(benchmark::State& state) {
  nextTransition(state, officeHours());
}
void BM_NextTransition_OvernightBerlin(benchmark::State& state) {
  nextTransition(state, overnight());
}
void BM_NextTransition_OfficeHoursWithHolidays(benchmark::State& state) {
  nextTransition(state, withExclusions());
}

BENCHMARK(BM_InWindow_OfficeHoursNewYork);
BENCHMARK(BM_InWindow_OvernightBerlin);
BENCHMARK(BM_InWindow_OfficeHoursWithHolidays);
BENCHMARK(BM_NextTransition_OfficeHoursNewYork);
BENCHMARK(BM_NextTransition_OvernightBerlin);
BENCHMARK(BM_NextTransition_OfficeHoursWithHolidays);

}  // namespace

BENCHMARK_MAIN();
