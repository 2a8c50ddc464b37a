// Schedule: compiles a ScheduleSpec once (validation happens here) and answers queries on the
// compiled form.
#include "fivespot/schedule/schedule.hpp"

#include "compiled.hpp"

namespace fivespot::schedule {

struct Schedule::Compiled : detail::CompiledSchedule {};

Schedule Schedule::compile(const api::ScheduleSpec& spec, std::string_view fieldPrefix) {
  const std::string prefix(fieldPrefix);
  auto compiled = std::make_unique<Compiled>();
  // Validated even when disabled: upstream skipped parsing then, so a typo surfaced only when
  // someone re-enabled the schedule.
  compiled->enabled = spec.enabled;
  compiled->days = detail::parseDaysOfWeek(spec.daysOfWeek, prefix + ".daysOfWeek");
  compiled->ranges = detail::parseHoursOfDay(spec.hoursOfDay, prefix + ".hoursOfDay");
  compiled->timezoneName = spec.timezone;
  compiled->zone = detail::locateTimeZone(spec.timezone, prefix + ".timezone");
  compiled->alwaysOn = detail::coversEveryMinuteOfTheWeek(compiled->days, compiled->ranges);
  compiled->exclusions = detail::parseExclusions(spec.exclusions, *compiled, prefix + ".exclusions");
  return Schedule(std::move(compiled));
}

Schedule::Schedule(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
Schedule::Schedule(const Schedule& other) : compiled_(std::make_unique<Compiled>(*other.compiled_)) {}
Schedule::Schedule(Schedule&&) noexcept = default;
Schedule& Schedule::operator=(const Schedule& other) {
  if (this != &other) compiled_ = std::make_unique<Compiled>(*other.compiled_);
  return *this;
}
Schedule& Schedule::operator=(Schedule&&) noexcept = default;
Schedule::~Schedule() = default;

bool Schedule::enabled() const noexcept {
  return compiled_->enabled;
}
const std::string& Schedule::timezone() const noexcept {
  return compiled_->timezoneName;
}
bool Schedule::inWindow(TimePoint t) const {
  return compiled_->inWindow(t);
}
std::optional<TimePoint> Schedule::nextTransition(TimePoint t) const {
  return compiled_->nextTransition(t);
}
std::vector<Window> Schedule::windows(TimePoint from, TimePoint until, std::size_t limit) const {
  return compiled_->windows(from, until, limit);
}

}  // namespace fivespot::schedule
