// Daylight saving time: a window edge in a skipped local time happens at the first valid instant
// after it (the instant the clocks jump); an edge in a repeated local time happens once, at its
// first occurrence.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace fivespot::schedule {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::describe;
using testing::expectTransitionsMatchScan;
using testing::makeSchedule;

std::vector<std::string> windowsBetween(const Schedule& schedule, const char* from, const char* until) {
  return describe(schedule.windows(at(from), at(until)));
}

// ---- America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z)

TEST(DstNewYork, StartInSkippedHourOpensWhenTheClocksJump) {
  const auto schedule = makeSchedule({"sun"}, {"02:30-04:00"}, "America/New_York");
  EXPECT_EQ(windowsBetween(schedule, "2026-03-01T00:00:00Z", "2026-03-09T00:00:00Z"),
            (std::vector<std::string>{"[2026-03-01T07:30:00Z, 2026-03-01T09:00:00Z)",
                                      "[2026-03-08T07:00:00Z, 2026-03-08T08:00:00Z)"}));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-08T06:59:59Z")), at("2026-03-08T07:00:00Z"));
}

TEST(DstNewYork, WindowEntirelyInSkippedHourDoesNotHappenThatDay) {
  const auto schedule = makeSchedule({"sun"}, {"2"}, "America/New_York");
  EXPECT_FALSE(schedule.inWindow(at("2026-03-08T07:00:00Z")));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-08T05:00:00Z")), at("2026-03-15T06:00:00Z"));
}

TEST(DstNewYork, EndInSkippedHourClosesWhenTheClocksJump) {
  const auto schedule = makeSchedule({"sat"}, {"22:00-02:30"}, "America/New_York");
  EXPECT_EQ(windowsBetween(schedule, "2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z"),
            (std::vector<std::string>{"[2026-03-08T03:00:00Z, 2026-03-08T07:00:00Z)"}));
}

TEST(DstNewYork, OfficeHoursFollowTheLocalClockAcrossTheChange) {
  const auto schedule = makeSchedule({"mon-fri"}, {"9-17"}, "America/New_York");
  EXPECT_EQ(windowsBetween(schedule, "2026-03-06T00:00:00Z", "2026-03-09T23:00:00Z"),
            (std::vector<std::string>{"[2026-03-06T14:00:00Z, 2026-03-06T23:00:00Z)",
                                      "[2026-03-09T13:00:00Z, 2026-03-09T22:00:00Z)"}));
}

TEST(DstNewYork, StartInRepeatedHourOpensAtTheFirstOccurrence) {
  const auto schedule = makeSchedule({"sun"}, {"01:30-03:00"}, "America/New_York");
  EXPECT_EQ(windowsBetween(schedule, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
            (std::vector<std::string>{"[2026-11-01T05:30:00Z, 2026-11-01T08:00:00Z)"}));
}

TEST(DstNewYork, EndInRepeatedHourClosesOnceAndDoesNotReopen) {
  const auto schedule = makeSchedule({"sat"}, {"22:00-01:30"}, "America/New_York");
  EXPECT_EQ(windowsBetween(schedule, "2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z"),
            (std::vector<std::string>{"[2026-11-01T02:00:00Z, 2026-11-01T05:30:00Z)"}));
  EXPECT_FALSE(schedule.inWindow(at("2026-11-01T06:10:00Z")));  // 01:10 EST, the second 01:10
  EXPECT_EQ(schedule.nextTransition(at("2026-11-01T05:30:00Z")), at("2026-11-08T03:00:00Z"));
}

TEST(DstNewYork, WholeRepeatedHourOpensOnceForBothOccurrences) {
  const auto schedule = makeSchedule({"sun"}, {"1"}, "America/New_York");
  EXPECT_EQ(schedule.nextTransition(at("2026-11-01T04:00:00Z")), at("2026-11-01T05:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-11-01T05:00:00Z")), at("2026-11-01T07:00:00Z"));
  EXPECT_TRUE(schedule.inWindow(at("2026-11-01T06:30:00Z")));
}

// ---- Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z)

TEST(DstBerlin, SpringForward) {
  EXPECT_EQ(windowsBetween(makeSchedule({"sun"}, {"02:15-05:00"}, "Europe/Berlin"), "2026-03-29T00:00:00Z",
                           "2026-03-30T00:00:00Z"),
            (std::vector<std::string>{"[2026-03-29T01:00:00Z, 2026-03-29T03:00:00Z)"}));
  EXPECT_EQ(
      windowsBetween(makeSchedule({"sat"}, {"22-6"}, "Europe/Berlin"), "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z"),
      (std::vector<std::string>{"[2026-03-28T21:00:00Z, 2026-03-29T05:00:00Z)"}));
}

TEST(DstBerlin, FallBack) {
  EXPECT_EQ(
      windowsBetween(makeSchedule({"sun"}, {"2"}, "Europe/Berlin"), "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z"),
      (std::vector<std::string>{"[2026-10-25T00:00:00Z, 2026-10-25T02:00:00Z)"}));
  // A window inside the repeated hour happens once, in its first occurrence.
  const auto inside = makeSchedule({"sun"}, {"02:30-02:45"}, "Europe/Berlin");
  EXPECT_EQ(windowsBetween(inside, "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z"),
            (std::vector<std::string>{"[2026-10-25T00:30:00Z, 2026-10-25T00:45:00Z)"}));
  EXPECT_FALSE(inside.inWindow(at("2026-10-25T01:35:00Z")));
}

// ---- Australia/Lord_Howe: 30-minute DST. 2026-10-04 02:00 (+10:30) -> 02:30 (+11) at 2026-10-03T15:30Z;
//      2026-04-05 02:00 (+11) -> 01:30 (+10:30) at 2026-04-04T15:00Z.

TEST(DstLordHowe, SpringForwardByHalfAnHour) {
  EXPECT_EQ(windowsBetween(makeSchedule({"sun"}, {"02:10-03:00"}, "Australia/Lord_Howe"), "2026-10-03T00:00:00Z",
                           "2026-10-04T12:00:00Z"),
            (std::vector<std::string>{"[2026-10-03T15:30:00Z, 2026-10-03T16:00:00Z)"}));
  EXPECT_EQ(windowsBetween(makeSchedule({"sun"}, {"02:00-02:30"}, "Australia/Lord_Howe"), "2026-09-26T00:00:00Z",
                           "2026-10-04T12:00:00Z"),
            (std::vector<std::string>{"[2026-09-26T15:30:00Z, 2026-09-26T16:00:00Z)"}))
      << "the window inside the skipped half hour does not happen on 2026-10-04";
}

TEST(DstLordHowe, FallBackByHalfAnHour) {
  const auto across = makeSchedule({"sun"}, {"01:45-03:00"}, "Australia/Lord_Howe");
  EXPECT_EQ(windowsBetween(across, "2026-04-04T00:00:00Z", "2026-04-05T12:00:00Z"),
            (std::vector<std::string>{"[2026-04-04T14:45:00Z, 2026-04-04T16:30:00Z)"}));
  EXPECT_TRUE(across.inWindow(at("2026-04-04T15:20:00Z")));  // 01:50, second occurrence

  const auto closesInRepeat = makeSchedule({"sun"}, {"01:00-01:45"}, "Australia/Lord_Howe");
  EXPECT_EQ(windowsBetween(closesInRepeat, "2026-04-04T00:00:00Z", "2026-04-05T12:00:00Z"),
            (std::vector<std::string>{"[2026-04-04T14:00:00Z, 2026-04-04T14:45:00Z)"}));
  EXPECT_FALSE(closesInRepeat.inWindow(at("2026-04-04T15:10:00Z")));  // 01:40, second occurrence
}

// ---- Asia/Tokyo: no DST, UTC+9 all year.

TEST(NoDstTokyo, SameUtcTimesAllYear) {
  const auto schedule = makeSchedule({"mon-fri"}, {"9-17"}, "Asia/Tokyo");
  EXPECT_EQ(windowsBetween(schedule, "2026-03-09T00:00:00Z", "2026-03-09T12:00:00Z"),
            (std::vector<std::string>{"[2026-03-09T00:00:00Z, 2026-03-09T09:00:00Z)"}));
  EXPECT_EQ(windowsBetween(schedule, "2026-07-06T00:00:00Z", "2026-07-06T12:00:00Z"),
            (std::vector<std::string>{"[2026-07-06T00:00:00Z, 2026-07-06T09:00:00Z)"}));
  EXPECT_TRUE(schedule.inWindow(at("2026-03-08T23:59:59Z") + 1s));  // Monday 09:00 JST
}

TEST(Dst, TransitionsMatchAMinuteByMinuteScanAroundEveryChange) {
  const struct {
    const char* zone;
    const char* around;
  } changes[] = {
      {"America/New_York", "2026-03-08T07:00:00Z"},    {"America/New_York", "2026-11-01T06:00:00Z"},
      {"Europe/Berlin", "2026-03-29T01:00:00Z"},       {"Europe/Berlin", "2026-10-25T01:00:00Z"},
      {"Australia/Lord_Howe", "2026-10-03T15:30:00Z"}, {"Australia/Lord_Howe", "2026-04-04T15:00:00Z"},
      {"Asia/Tokyo", "2026-03-08T07:00:00Z"},
  };
  const std::vector<std::vector<std::string>> hourSets = {
      {"1-2"}, {"01:30-02:30"}, {"22-6"}, {"0-1", "3-23"}, {"02:00-02:30", "02:45-03:15"}, {"2"},
  };
  for (const auto& change : changes) {
    for (const auto& hours : hourSets) {
      SCOPED_TRACE(std::string(change.zone) + " " + change.around + " " + ::testing::PrintToString(hours));
      const auto schedule = makeSchedule({"sat-sun"}, hours, change.zone);
      expectTransitionsMatchScan(schedule, at(change.around) - 72h, at(change.around) + 72h);
    }
  }
}

}  // namespace
}  // namespace fivespot::schedule
