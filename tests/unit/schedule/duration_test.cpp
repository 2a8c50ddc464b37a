#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace fivespot::schedule {
namespace {

TEST(Duration, ParsesUpstreamAndGoStyleForms) {
  const struct {
    const char* text;
    long seconds;
  } cases[] = {
      {"30s", 30},   {"5m", 300},      {"1h", 3600},   {"1h30m", 5400},      {"90m", 5400},
      {"0s", 0},     {"0m", 0},        {"0", 0},       {"24h", 86400},       {"86400s", 86400},
      {" 5m ", 300}, {"1h0m1s", 3601}, {"1h1s", 3601}, {"23h59m59s", 86399}, {"005m", 300},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parseDuration(c.text, "spec.nodeDrainTimeout").count(), c.seconds);
  }
}

TEST(Duration, RejectsBadFormsNamingTheField) {
  for (const char* text : {"",       "  ",    "5",     "m",    "5M",
                           "5d",     "1.5h",  "-5m",   "+5m",  "25h",
                           "86401s", "24h1s", "30m1h", "1h1h", "99999999999999999999s",
                           "5 m",    "1h30",  "h1",    "5ms",  "\xd9\xa0s"}) {
    SCOPED_TRACE(text);
    try {
      parseDuration(text, "spec.gracefulShutdownTimeout");
      ADD_FAILURE() << "accepted";
    } catch (const ValidationError& e) {
      EXPECT_EQ(e.field(), "spec.gracefulShutdownTimeout");
      EXPECT_EQ(e.token(), text);
    }
  }
}

TEST(Duration, FormatsTheShortestExactForm) {
  using std::chrono::seconds;
  EXPECT_EQ(formatDuration(seconds{0}), "0s");
  EXPECT_EQ(formatDuration(seconds{45}), "45s");
  EXPECT_EQ(formatDuration(seconds{300}), "5m");
  EXPECT_EQ(formatDuration(seconds{5400}), "1h30m");
  EXPECT_EQ(formatDuration(seconds{3601}), "1h1s");
  EXPECT_EQ(formatDuration(seconds{86400}), "24h");
  EXPECT_EQ(formatDuration(seconds{-90}), "-1m30s");
}

TEST(Duration, FormatAndParseRoundTrip) {
  for (long s = 0; s <= 86400; s += 37) {
    EXPECT_EQ(parseDuration(formatDuration(std::chrono::seconds{s}), "d").count(), s);
  }
}

}  // namespace
}  // namespace fivespot::schedule
