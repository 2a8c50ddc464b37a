// inWindow, nextTransition and windows(): overnight windows, the week end, whole-week windows,
// exclusions over window edges, and exactness of every reported transition.
#include <gtest/gtest.h>

#include "fivespot/common/time_format.hpp"
#include "test_support.hpp"

namespace fivespot::schedule {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::describe;
using testing::expectTransitionsMatchScan;
using testing::makeSchedule;

// 2026-03-02 is a Monday; 2026-03-06 a Friday.

TEST(Evaluate, OfficeHoursOpenAndCloseOnTheMinute) {
  const auto schedule = makeSchedule({"mon-fri"}, {"9-17"});
  EXPECT_FALSE(schedule.inWindow(at("2026-03-02T08:59:59Z")));
  EXPECT_TRUE(schedule.inWindow(at("2026-03-02T09:00:00Z")));
  EXPECT_TRUE(schedule.inWindow(at("2026-03-02T17:59:59Z")));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-02T18:00:00Z")));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-07T12:00:00Z")));  // Saturday
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T08:00:00Z")), at("2026-03-02T09:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T09:00:00Z")), at("2026-03-02T18:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-06T18:00:00Z")), at("2026-03-09T09:00:00Z"));
}

TEST(Evaluate, OvernightWindowBelongsToTheDayItStarts) {
  const auto schedule = makeSchedule({"fri"}, {"22-6"});
  EXPECT_TRUE(schedule.inWindow(at("2026-03-06T22:00:00Z")));
  EXPECT_TRUE(schedule.inWindow(at("2026-03-07T03:00:00Z")));  // Saturday 03:00 carries over
  EXPECT_TRUE(schedule.inWindow(at("2026-03-07T06:59:59Z")));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-07T07:00:00Z")));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-07T22:30:00Z")));  // Saturday night is not Friday's
  // Upstream evaluated days and hours separately and would say yes to Friday 03:00.
  EXPECT_FALSE(schedule.inWindow(at("2026-03-06T03:00:00Z")));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-06T23:00:00Z")), at("2026-03-07T07:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-07T07:00:00Z")), at("2026-03-13T22:00:00Z"));
}

TEST(Evaluate, OvernightMinuteWindowOverTheWeekEnd) {
  const auto schedule = makeSchedule({"sun"}, {"22:30-05:15"});
  EXPECT_TRUE(schedule.inWindow(at("2026-03-08T23:00:00Z")));
  EXPECT_TRUE(schedule.inWindow(at("2026-03-09T05:14:59Z")));  // Monday morning
  EXPECT_FALSE(schedule.inWindow(at("2026-03-09T05:15:00Z")));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-08T01:00:00Z")));  // Sunday 01:00 is Saturday night's
}

TEST(Evaluate, WrappedDayRangeOverTheWeekEndMergesIntoOneWindow) {
  const auto schedule = makeSchedule({"fri-mon"}, {"0-23"});
  EXPECT_EQ(describe(schedule.windows(at("2026-03-02T12:00:00Z"), at("2026-03-10T00:00:00Z"))),
            (std::vector<std::string>{"[2026-02-27T00:00:00Z, 2026-03-03T00:00:00Z)",
                                      "[2026-03-06T00:00:00Z, 2026-03-10T00:00:00Z)"}));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-06T00:00:00Z")), at("2026-03-10T00:00:00Z"));
}

TEST(Evaluate, WeekdaysAllDayHaveNoSpuriousMidnightEdges) {
  const auto schedule = makeSchedule({"mon-fri"}, {"0-23"});
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T10:00:00Z")), at("2026-03-07T00:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-07T00:00:00Z")), at("2026-03-09T00:00:00Z"));
}

TEST(Evaluate, OverlappingOvernightAndDayWindowsMerge) {
  const auto schedule = makeSchedule({"mon-sun"}, {"22-6", "6-12"});
  // 22:00 to 13:00 next day, every day.
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T23:00:00Z")), at("2026-03-03T13:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-03T13:00:00Z")), at("2026-03-03T22:00:00Z"));
}

TEST(Evaluate, WholeWeekIsAlwaysInWindowAndNeverChanges) {
  for (const auto& hours : {std::vector<std::string>{"0-23"}, std::vector<std::string>{"22-21"},
                            std::vector<std::string>{"00:00-12:00", "12:00-24:00"}}) {
    SCOPED_TRACE(::testing::PrintToString(hours));
    const auto schedule = makeSchedule({"mon-sun"}, hours, "America/New_York");
    for (const char* t : {"2026-03-08T07:00:00Z", "2026-11-01T06:30:00Z", "2026-06-15T12:00:00Z"}) {
      EXPECT_TRUE(schedule.inWindow(at(t)));
      EXPECT_EQ(schedule.nextTransition(at(t)), std::nullopt);
    }
    const auto windows = schedule.windows(at("2026-03-01T00:00:00Z"), at("2026-03-08T00:00:00Z"));
    ASSERT_EQ(windows.size(), 1u);
    EXPECT_EQ(windows[0].start, TimePoint::min());
    EXPECT_EQ(windows[0].end, TimePoint::max());
  }
}

TEST(Evaluate, AlmostWholeWeekStillChanges) {
  const auto schedule = makeSchedule({"mon-sun"}, {"0-22"});
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T12:00:00Z")), at("2026-03-02T23:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-02T23:00:00Z")), at("2026-03-03T00:00:00Z"));
}

TEST(Evaluate, WholeWeekWithExclusionsChangesOnlyAtTheExclusions) {
  const auto schedule =
      makeSchedule({"mon-sun"}, {"0-23"}, "UTC", {"2026-12-25", "2026-12-31T18:00:00Z/2027-01-01T06:00:00Z"});
  EXPECT_EQ(schedule.nextTransition(at("2026-12-01T00:00:00Z")), at("2026-12-25T00:00:00Z"));
  EXPECT_FALSE(schedule.inWindow(at("2026-12-25T12:00:00Z")));
  EXPECT_EQ(schedule.nextTransition(at("2026-12-25T12:00:00Z")), at("2026-12-26T00:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-12-26T00:00:00Z")), at("2026-12-31T18:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2026-12-31T18:00:00Z")), at("2027-01-01T06:00:00Z"));
  EXPECT_EQ(schedule.nextTransition(at("2027-01-01T06:00:00Z")), std::nullopt);
  // The endless ends are reported as TimePoint::min()/max().
  const auto windows = schedule.windows(at("2026-12-20T00:00:00Z"), at("2027-01-02T00:00:00Z"));
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0], (Window{TimePoint::min(), at("2026-12-25T00:00:00Z")}));
  EXPECT_EQ(windows[1], (Window{at("2026-12-26T00:00:00Z"), at("2026-12-31T18:00:00Z")}));
  EXPECT_EQ(windows[2], (Window{at("2027-01-01T06:00:00Z"), TimePoint::max()}));
}

TEST(Evaluate, ExclusionOverAWindowEdgeCutsTheWindow) {
  // Out from Friday 16:00 to Monday 10:00: Friday closes two hours early, Monday opens an hour late.
  const auto schedule = makeSchedule({"mon-fri"}, {"9-17"}, "UTC", {"2026-03-06T16:00:00Z/2026-03-09T10:00:00Z"});
  EXPECT_TRUE(schedule.inWindow(at("2026-03-06T15:59:59Z")));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-06T12:00:00Z")), at("2026-03-06T16:00:00Z"));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-06T16:00:00Z")));
  EXPECT_EQ(schedule.nextTransition(at("2026-03-06T16:00:00Z")), at("2026-03-09T10:00:00Z"));
  EXPECT_FALSE(schedule.inWindow(at("2026-03-09T09:30:00Z")));
  EXPECT_EQ(describe(schedule.windows(at("2026-03-06T00:00:00Z"), at("2026-03-09T23:00:00Z"))),
            (std::vector<std::string>{"[2026-03-06T09:00:00Z, 2026-03-06T16:00:00Z)",
                                      "[2026-03-09T10:00:00Z, 2026-03-09T18:00:00Z)"}));
}

TEST(Evaluate, ExclusionCoveringManyWindowsIsSkippedInOneStep) {
  const auto schedule = makeSchedule({"mon-fri"}, {"9-17"}, "Europe/Berlin", {"2026-01-01/2026-12-31"});
  EXPECT_EQ(schedule.nextTransition(at("2026-01-05T09:00:00Z")), at("2027-01-01T08:00:00Z"));  // Friday 09:00 CET
}

TEST(Evaluate, ExclusionInsideAWindowSplitsIt) {
  const auto schedule = makeSchedule({"wed"}, {"9-17"}, "UTC", {"2026-03-04T12:00:00Z/2026-03-04T13:00:00Z"});
  EXPECT_EQ(describe(schedule.windows(at("2026-03-04T00:00:00Z"), at("2026-03-05T00:00:00Z"))),
            (std::vector<std::string>{"[2026-03-04T09:00:00Z, 2026-03-04T12:00:00Z)",
                                      "[2026-03-04T13:00:00Z, 2026-03-04T18:00:00Z)"}));
}

TEST(Evaluate, WindowsListingHonoursFromUntilAndLimit) {
  const auto schedule = makeSchedule({"mon-fri"}, {"9-17"});
  const auto all = schedule.windows(at("2026-03-02T12:00:00Z"), at("2026-03-06T09:00:00Z"));
  EXPECT_EQ(describe(all),
            (std::vector<std::string>{
                "[2026-03-02T09:00:00Z, 2026-03-02T18:00:00Z)", "[2026-03-03T09:00:00Z, 2026-03-03T18:00:00Z)",
                "[2026-03-04T09:00:00Z, 2026-03-04T18:00:00Z)", "[2026-03-05T09:00:00Z, 2026-03-05T18:00:00Z)",
                "[2026-03-06T09:00:00Z, 2026-03-06T18:00:00Z)"}));
  EXPECT_EQ(schedule.windows(at("2026-03-02T12:00:00Z"), at("2026-03-06T09:00:00Z"), 2).size(), 2u);
  EXPECT_TRUE(schedule.windows(at("2026-03-02T18:00:00Z"), at("2026-03-03T08:59:59Z")).empty());
  EXPECT_TRUE(schedule.windows(at("2026-03-05T00:00:00Z"), at("2026-03-02T00:00:00Z")).empty());
}

TEST(Evaluate, TransitionsMatchAMinuteByMinuteScan) {
  const struct {
    std::vector<std::string> days;
    std::vector<std::string> hours;
    std::vector<std::string> exclusions;
  } cases[] = {
      {{"mon-fri"}, {"9-17"}, {}},
      {{"fri"}, {"22-6"}, {}},
      {{"sat,sun"}, {"0-23"}, {}},
      {{"fri-mon"}, {"20:15-03:45", "3-4"}, {}},
      {{"mon-sun"}, {"0-22"}, {"2026-03-04"}},
      {{"mon-fri"}, {"9-17"}, {"2026-03-04T12:30:00Z/2026-03-05T09:30:00Z", "2026-03-06"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.days) + ::testing::PrintToString(c.hours));
    for (const char* zone : {"UTC", "America/New_York"}) {
      SCOPED_TRACE(zone);
      expectTransitionsMatchScan(makeSchedule(c.days, c.hours, zone, c.exclusions), at("2026-03-01T00:00:00Z"),
                                 at("2026-03-12T00:00:00Z"));
    }
  }
}

}  // namespace
}  // namespace fivespot::schedule
