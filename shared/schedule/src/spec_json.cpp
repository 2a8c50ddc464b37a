#include "fivespot/schedule/spec_json.hpp"

#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"

namespace fivespot::schedule {
namespace {

constexpr const char* kKnownFields = "one of the fields daysOfWeek, hoursOfDay, timezone, enabled, exclusions";

// A short rendering of the offending JSON value for the error message.
std::string describe(const nlohmann::json& value) {
  std::string text = value.dump();
  constexpr std::size_t kMaxLength = 80;
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength) + "...";
  return text;
}

std::vector<std::string> stringList(const nlohmann::json& value, const std::string& field, const char* example) {
  if (!value.is_array()) {
    throw ValidationError(field, describe(value), std::string("an array of strings such as ") + example);
  }
  std::vector<std::string> items;
  items.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      throw ValidationError(field + "[" + std::to_string(i) + "]", describe(value[i]), "a string");
    }
    items.push_back(value[i].get<std::string>());
  }
  return items;
}

}  // namespace

api::ScheduleSpec scheduleSpecFromJson(const nlohmann::json& schedule, std::string_view fieldPrefix) {
  const std::string prefix(fieldPrefix);
  if (!schedule.is_object()) {
    throw ValidationError(prefix, describe(schedule),
                          "an object with daysOfWeek, hoursOfDay and optionally "
                          "timezone, enabled, exclusions");
  }
  api::ScheduleSpec spec;
  for (const auto& [key, value] : schedule.items()) {
    const std::string field = prefix + "." + key;
    if (value.is_null()) continue;  // Kubernetes treats an explicit null like an absent field
    if (key == "daysOfWeek") {
      spec.daysOfWeek = stringList(value, field, "[\"mon-fri\"]");
    } else if (key == "hoursOfDay") {
      spec.hoursOfDay = stringList(value, field, "[\"9-17\"]");
    } else if (key == "exclusions") {
      spec.exclusions = stringList(value, field, "[\"2026-12-25\"]");
    } else if (key == "timezone") {
      if (!value.is_string()) throw ValidationError(field, describe(value), "a string such as \"Europe/Berlin\"");
      spec.timezone = value.get<std::string>();
    } else if (key == "enabled") {
      if (!value.is_boolean()) throw ValidationError(field, describe(value), "true or false");
      spec.enabled = value.get<bool>();
    } else {
      // Upstream's examples carried a "cron" field its CRD never had; say so instead of ignoring it.
      throw ValidationError(field, key, kKnownFields);
    }
  }
  return spec;
}

nlohmann::json scheduleSpecToJson(const api::ScheduleSpec& spec) {
  nlohmann::json json = {
      {"daysOfWeek", spec.daysOfWeek},
      {"hoursOfDay", spec.hoursOfDay},
      {"timezone", spec.timezone},
      {"enabled", spec.enabled},
  };
  if (!spec.exclusions.empty()) json["exclusions"] = spec.exclusions;
  return json;
}

}  // namespace fivespot::schedule
