#include "fivespot/schedule/spec_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"

namespace fivespot::schedule {
namespace {

using nlohmann::json;

TEST(SpecJson, ReadsEveryField) {
  const auto spec = scheduleSpecFromJson(json::parse(R"({"daysOfWeek": ["mon-fri"], "hoursOfDay": ["9-17", "20"],
      "timezone": "Europe/Berlin", "enabled": false, "exclusions": ["2026-12-25"]})"),
                                         "spec.schedule");
  EXPECT_EQ(spec.daysOfWeek, (std::vector<std::string>{"mon-fri"}));
  EXPECT_EQ(spec.hoursOfDay, (std::vector<std::string>{"9-17", "20"}));
  EXPECT_EQ(spec.timezone, "Europe/Berlin");
  EXPECT_FALSE(spec.enabled);
  EXPECT_EQ(spec.exclusions, (std::vector<std::string>{"2026-12-25"}));
}

TEST(SpecJson, MissingAndNullFieldsKeepDefaults) {
  const auto spec = scheduleSpecFromJson(json::parse(R"({"daysOfWeek": ["mon"], "timezone": null})"), "s");
  EXPECT_EQ(spec.timezone, "UTC");
  EXPECT_TRUE(spec.enabled);
  EXPECT_TRUE(spec.hoursOfDay.empty());
  EXPECT_TRUE(spec.exclusions.empty());
}

TEST(SpecJson, WrongTypesNameTheFieldPath) {
  const struct {
    const char* input;
    const char* field;
  } cases[] = {
      {R"([])", "spec.schedule"},
      {R"({"daysOfWeek": "mon-fri"})", "spec.schedule.daysOfWeek"},
      {R"({"hoursOfDay": ["9-17", 20]})", "spec.schedule.hoursOfDay[1]"},
      {R"({"exclusions": {"a": 1}})", "spec.schedule.exclusions"},
      {R"({"timezone": 1})", "spec.schedule.timezone"},
      {R"({"enabled": "yes"})", "spec.schedule.enabled"},
      {R"({"cron": "0 9 * * 1-5"})", "spec.schedule.cron"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    try {
      scheduleSpecFromJson(json::parse(c.input), "spec.schedule");
      ADD_FAILURE() << "accepted";
    } catch (const ValidationError& e) {
      EXPECT_EQ(e.field(), c.field);
    }
  }
}

TEST(SpecJson, RoundTrips) {
  api::ScheduleSpec spec;
  spec.daysOfWeek = {"sat,sun"};
  spec.hoursOfDay = {"22:00-06:30"};
  spec.timezone = "Asia/Tokyo";
  spec.enabled = false;
  spec.exclusions = {"2026-12-24/2026-12-26"};
  const json out = scheduleSpecToJson(spec);
  const auto back = scheduleSpecFromJson(out, "spec.schedule");
  EXPECT_EQ(back.daysOfWeek, spec.daysOfWeek);
  EXPECT_EQ(back.hoursOfDay, spec.hoursOfDay);
  EXPECT_EQ(back.timezone, spec.timezone);
  EXPECT_EQ(back.enabled, spec.enabled);
  EXPECT_EQ(back.exclusions, spec.exclusions);
  EXPECT_FALSE(scheduleSpecToJson(api::ScheduleSpec{}).contains("exclusions"));
}

}  // namespace
}  // namespace fivespot::schedule
