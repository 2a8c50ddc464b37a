// Table tests for every accepted form of daysOfWeek, hoursOfDay, timezone and exclusions, and
// for every error.
#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"
#include "test_support.hpp"

namespace fivespot::schedule {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::describe;
using testing::makeSchedule;

// Which days of the week 2026-03-02 (Monday) .. 2026-03-08 (Sunday) are active at noon UTC.
std::string activeDays(const Schedule& schedule) {
  std::string mask;
  for (int day = 0; day < 7; ++day) {
    mask += schedule.inWindow(at("2026-03-02T12:00:00Z") + std::chrono::hours{24 * day}) ? '1' : '0';
  }
  return mask;
}

TEST(DaysOfWeek, AcceptsEveryForm) {
  const struct {
    std::vector<std::string> days;
    std::string expected;  // Monday first
  } cases[] = {
      {{"mon-fri"}, "1111100"},        {{"sat,sun"}, "0000011"},          {{"fri-mon"}, "1000111"},
      {{"sun-mon"}, "1000001"},        {{"MON", "Wednesday"}, "1010000"}, {{" mon , wed-thu "}, "1011000"},
      {{"tue-tue"}, "0100000"},        {{"mon-sun"}, "1111111"},          {{"Sunday-Tuesday"}, "1100001"},
      {{"mon", "mon-tue"}, "1100000"}, {{"Sat - Sun"}, "0000011"},        {{"thu", "sat,sun"}, "0001011"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.days));
    EXPECT_EQ(activeDays(makeSchedule(c.days, {"0-23"})), c.expected);
  }
}

struct ErrorCase {
  std::vector<std::string> values;
  std::string field;
  std::string token;
};

void expectError(const ErrorCase& c, const std::function<void()>& compile) {
  SCOPED_TRACE(::testing::PrintToString(c.values));
  try {
    compile();
    ADD_FAILURE() << "accepted";
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.field(), c.field);
    EXPECT_EQ(e.token(), c.token);
    EXPECT_FALSE(e.expected().empty());
  }
}

TEST(DaysOfWeek, RejectsBadTokensNamingFieldAndToken) {
  const ErrorCase cases[] = {
      {{""}, "spec.schedule.daysOfWeek[0]", ""},
      {{"mon,"}, "spec.schedule.daysOfWeek[0]", "mon,"},
      {{"mon,,fri"}, "spec.schedule.daysOfWeek[0]", "mon,,fri"},
      {{"mon-"}, "spec.schedule.daysOfWeek[0]", "mon-"},
      {{"-fri"}, "spec.schedule.daysOfWeek[0]", "-fri"},
      {{"mon-tue-wed"}, "spec.schedule.daysOfWeek[0]", "mon-tue-wed"},
      {{"funday"}, "spec.schedule.daysOfWeek[0]", "funday"},
      {{"mo"}, "spec.schedule.daysOfWeek[0]", "mo"},
      {{"1"}, "spec.schedule.daysOfWeek[0]", "1"},
      {{"mon-fri", "sat-xyz"}, "spec.schedule.daysOfWeek[1]", "xyz"},
  };
  for (const auto& c : cases) expectError(c, [&] { makeSchedule(c.values, {"9-17"}); });
}

TEST(DaysOfWeek, EmptyListIsAnErrorThatExplainsWhy) {
  try {
    makeSchedule({}, {"9-17"});
    FAIL() << "accepted";
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.field(), "spec.schedule.daysOfWeek");
    EXPECT_NE(std::string(e.what()).find("never in its window"), std::string::npos) << e.what();
  }
}

// The windows that start on Wednesday 2026-03-04, in UTC.
std::vector<std::string> wednesdayWindows(const std::vector<std::string>& hours) {
  const auto schedule = makeSchedule({"wed"}, hours);
  return describe(schedule.windows(at("2026-03-04T00:00:00Z"), at("2026-03-04T23:59:59Z")));
}

TEST(HoursOfDay, AcceptsEveryForm) {
  const struct {
    std::vector<std::string> hours;
    std::vector<std::string> expected;
  } cases[] = {
      {{"9-17"}, {"[2026-03-04T09:00:00Z, 2026-03-04T18:00:00Z)"}},
      {{"9"}, {"[2026-03-04T09:00:00Z, 2026-03-04T10:00:00Z)"}},
      {{"09"}, {"[2026-03-04T09:00:00Z, 2026-03-04T10:00:00Z)"}},
      {{"5-5"}, {"[2026-03-04T05:00:00Z, 2026-03-04T06:00:00Z)"}},
      {{"22-6"}, {"[2026-03-04T22:00:00Z, 2026-03-05T07:00:00Z)"}},
      {{"23-22"}, {"[2026-03-04T23:00:00Z, 2026-03-05T23:00:00Z)"}},
      {{"0-23"}, {"[2026-03-04T00:00:00Z, 2026-03-05T00:00:00Z)"}},
      {{"09:30-17:45"}, {"[2026-03-04T09:30:00Z, 2026-03-04T17:45:00Z)"}},
      {{"9:30-17:45"}, {"[2026-03-04T09:30:00Z, 2026-03-04T17:45:00Z)"}},
      {{"22:00-06:30"}, {"[2026-03-04T22:00:00Z, 2026-03-05T06:30:00Z)"}},
      {{"17:00-24:00"}, {"[2026-03-04T17:00:00Z, 2026-03-05T00:00:00Z)"}},
      {{" 9 - 17 "}, {"[2026-03-04T09:00:00Z, 2026-03-04T18:00:00Z)"}},
      // Overlapping and adjacent ranges merge: no spurious edge at 13:00.
      {{"9-12", "13-17"}, {"[2026-03-04T09:00:00Z, 2026-03-04T18:00:00Z)"}},
      {{"8-10", "9:30-12:15"}, {"[2026-03-04T08:00:00Z, 2026-03-04T12:15:00Z)"}},
      {{"9-11,14-15"},
       {"[2026-03-04T09:00:00Z, 2026-03-04T12:00:00Z)", "[2026-03-04T14:00:00Z, 2026-03-04T16:00:00Z)"}},
      {{"14-15", "6"},
       {"[2026-03-04T06:00:00Z, 2026-03-04T07:00:00Z)", "[2026-03-04T14:00:00Z, 2026-03-04T16:00:00Z)"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.hours));
    EXPECT_EQ(wednesdayWindows(c.hours), c.expected);
  }
}

TEST(HoursOfDay, RejectsBadTokensNamingFieldAndToken) {
  const ErrorCase cases[] = {
      {{""}, "spec.schedule.hoursOfDay[0]", ""},
      {{"9,"}, "spec.schedule.hoursOfDay[0]", "9,"},
      {{"24"}, "spec.schedule.hoursOfDay[0]", "24"},
      {{"100"}, "spec.schedule.hoursOfDay[0]", "100"},
      {{"+9"}, "spec.schedule.hoursOfDay[0]", "+9"},
      {{"-5"}, "spec.schedule.hoursOfDay[0]", "-5"},
      {{"9-"}, "spec.schedule.hoursOfDay[0]", "9-"},
      {{"9-17-18"}, "spec.schedule.hoursOfDay[0]", "9-17-18"},
      {{"9-24"}, "spec.schedule.hoursOfDay[0]", "9-24"},
      {{"abc"}, "spec.schedule.hoursOfDay[0]", "abc"},
      {{"09:60-10:00"}, "spec.schedule.hoursOfDay[0]", "09:60-10:00"},
      {{"9:5-10:00"}, "spec.schedule.hoursOfDay[0]", "9:5-10:00"},
      {{"9-17:30"}, "spec.schedule.hoursOfDay[0]", "9-17:30"},
      {{"09:30"}, "spec.schedule.hoursOfDay[0]", "09:30"},
      {{"10:00-10:00"}, "spec.schedule.hoursOfDay[0]", "10:00-10:00"},
      {{"24:00-01:00"}, "spec.schedule.hoursOfDay[0]", "24:00-01:00"},
      {{"23:00-24:30"}, "spec.schedule.hoursOfDay[0]", "23:00-24:30"},
      {{"9-17", "x"}, "spec.schedule.hoursOfDay[1]", "x"},
      {{"9-17", "8,25"}, "spec.schedule.hoursOfDay[1]", "25"},
  };
  for (const auto& c : cases) expectError(c, [&] { makeSchedule({"mon"}, c.values); });
}

TEST(HoursOfDay, EmptyListIsAnError) {
  expectError({{}, "spec.schedule.hoursOfDay", "[]"}, [] { makeSchedule({"mon"}, {}); });
}

TEST(Timezone, AcceptsIanaNamesAndRejectsOthers) {
  for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo"}) {
    EXPECT_EQ(makeSchedule({"mon"}, {"9"}, zone).timezone(), zone);
  }
  for (const char* zone : {"", "Mars/Olympus_Mons", "Europe/", "../etc/passwd"}) {
    expectError({{zone}, "spec.schedule.timezone", zone}, [&] { makeSchedule({"mon"}, {"9"}, zone); });
  }
}

TEST(Timezone, DefaultsToUtc) {
  api::ScheduleSpec spec;
  spec.daysOfWeek = {"mon"};
  spec.hoursOfDay = {"9"};
  const auto schedule = Schedule::compile(spec);
  EXPECT_EQ(schedule.timezone(), "UTC");
  EXPECT_TRUE(schedule.inWindow(at("2026-03-02T09:30:00Z")));
}

// Exclusions in Europe/Berlin (UTC+1 in December), over an always-on schedule, as windows.
std::vector<std::string> excludedGaps(const std::vector<std::string>& exclusions) {
  const auto schedule = makeSchedule({"mon-sun"}, {"0-23"}, "Europe/Berlin", exclusions);
  std::vector<std::string> gaps;
  const auto windows = schedule.windows(at("2026-12-01T00:00:00Z"), at("2027-02-01T00:00:00Z"));
  for (std::size_t i = 0; i + 1 < windows.size(); ++i)
    gaps.push_back(describe(Window{windows[i].end, windows[i + 1].start}));
  return gaps;
}

TEST(Exclusions, AcceptsEveryForm) {
  const struct {
    std::vector<std::string> exclusions;
    std::vector<std::string> gaps;
  } cases[] = {
      {{"2026-12-25"}, {"[2026-12-24T23:00:00Z, 2026-12-25T23:00:00Z)"}},
      {{"2026-12-24/2026-12-26"}, {"[2026-12-23T23:00:00Z, 2026-12-26T23:00:00Z)"}},
      {{"2026-12-25/2026-12-25"}, {"[2026-12-24T23:00:00Z, 2026-12-25T23:00:00Z)"}},
      {{"2026-12-31T18:00:00Z/2027-01-01T06:00:00Z"}, {"[2026-12-31T18:00:00Z, 2027-01-01T06:00:00Z)"}},
      {{"2026-12-31T18:00:00+01:00/2027-01-01T06:00:00+01:00"}, {"[2026-12-31T17:00:00Z, 2027-01-01T05:00:00Z)"}},
      {{"2026-12-25, 2026-12-31"},
       {"[2026-12-24T23:00:00Z, 2026-12-25T23:00:00Z)", "[2026-12-30T23:00:00Z, 2026-12-31T23:00:00Z)"}},
      // Overlapping and adjacent exclusions merge.
      {{"2026-12-25", "2026-12-26", "2026-12-26T12:00:00Z/2026-12-28T00:00:00Z"},
       {"[2026-12-24T23:00:00Z, 2026-12-28T00:00:00Z)"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.exclusions));
    EXPECT_EQ(excludedGaps(c.exclusions), c.gaps);
  }
}

TEST(Exclusions, RejectsBadTokensNamingFieldAndToken) {
  const ErrorCase cases[] = {
      {{""}, "spec.schedule.exclusions[0]", ""},
      {{"tomorrow"}, "spec.schedule.exclusions[0]", "tomorrow"},
      {{"2026-13-01"}, "spec.schedule.exclusions[0]", "2026-13-01"},
      {{"2026-02-30"}, "spec.schedule.exclusions[0]", "2026-02-30"},
      {{"2026-2-3"}, "spec.schedule.exclusions[0]", "2026-2-3"},
      {{"9999-01-01"}, "spec.schedule.exclusions[0]", "9999-01-01"},
      {{"2026-12-26/2026-12-24"}, "spec.schedule.exclusions[0]", "2026-12-26/2026-12-24"},
      {{"2026-12-25/"}, "spec.schedule.exclusions[0]", "2026-12-25/"},
      {{"2026-12-25/2026-12-26/2026-12-27"}, "spec.schedule.exclusions[0]", "2026-12-25/2026-12-26/2026-12-27"},
      {{"2026-12-31T18:00:00Z"}, "spec.schedule.exclusions[0]", "2026-12-31T18:00:00Z"},
      {{"2026-12-31T18:00:00Z/2026-12-31T18:00:00Z"},
       "spec.schedule.exclusions[0]",
       "2026-12-31T18:00:00Z/2026-12-31T18:00:00Z"},
      {{"2026-12-24/2026-12-31T00:00:00Z"}, "spec.schedule.exclusions[0]", "2026-12-24/2026-12-31T00:00:00Z"},
      {{"2026-12-25", "2026-12-31,xmas"}, "spec.schedule.exclusions[1]", "xmas"},
  };
  for (const auto& c : cases) expectError(c, [&] { makeSchedule({"mon"}, {"9"}, "UTC", c.values); });
}

TEST(Schedule, DisabledScheduleIsStillValidatedAndNeverInWindow) {
  api::ScheduleSpec spec;
  spec.daysOfWeek = {"mon-sun"};
  spec.hoursOfDay = {"0-23"};
  spec.enabled = false;
  const auto schedule = Schedule::compile(spec);
  EXPECT_FALSE(schedule.enabled());
  EXPECT_FALSE(schedule.inWindow(at("2026-03-02T12:00:00Z")));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T12:00:00Z")), std::nullopt);
  EXPECT_TRUE(schedule.windows(at("2026-03-02T00:00:00Z"), at("2026-03-09T00:00:00Z")).empty());

  spec.timezone = "Nowhere/Special";
  EXPECT_THROW(Schedule::compile(spec), ValidationError);
}

TEST(Schedule, FieldPrefixIsUsedInErrors) {
  api::ScheduleSpec spec;
  spec.daysOfWeek = {"mon"};
  spec.hoursOfDay = {"9", "33"};
  try {
    Schedule::compile(spec, "items[2].spec.schedule");
    FAIL() << "accepted";
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.field(), "items[2].spec.schedule.hoursOfDay[1]");
    EXPECT_EQ(std::string(e.what()).rfind("items[2].spec.schedule.hoursOfDay[1]: invalid value \"33\"", 0), 0u)
        << e.what();
  }
}

TEST(Schedule, CopiesAndMovesKeepTheCompiledSchedule) {
  const auto original = makeSchedule({"mon"}, {"9"}, "Asia/Tokyo");
  Schedule copy = original;
  Schedule moved = std::move(copy);
  Schedule assigned = makeSchedule({"tue"}, {"1"});
  assigned = moved;
  EXPECT_EQ(assigned.timezone(), "Asia/Tokyo");
  EXPECT_TRUE(assigned.inWindow(at("2026-03-02T00:30:00Z")));  // Monday 09:30 JST
}

}  // namespace
}  // namespace fivespot::schedule
