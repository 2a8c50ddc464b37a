#pragma once
// spec.schedule as JSON (the ScheduledMachine parser and the CLI read it through here).
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "fivespot/api/types.hpp"

namespace fivespot::schedule {

// Reads the JSON shape only: wrong JSON types and unknown keys throw ValidationError naming the
// field path under `fieldPrefix` (e.g. "spec.schedule.daysOfWeek[0]"). Missing or null fields
// keep their defaults. The values themselves are validated by Schedule::compile.
api::ScheduleSpec scheduleSpecFromJson(const nlohmann::json& schedule, std::string_view fieldPrefix);
// Every field; `exclusions` only when there are any.
nlohmann::json scheduleSpecToJson(const api::ScheduleSpec& spec);

}  // namespace fivespot::schedule
