#include "fivespot/common/time_format.hpp"

#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"

namespace fivespot {
namespace {

TEST(Rfc3339, FormatsWholeSecondsInUtc) {
  const TimePoint t{std::chrono::milliseconds(1'764'017'191'500)};
  EXPECT_EQ(formatRfc3339(t), "2025-11-24T20:46:31Z");
  EXPECT_EQ(formatRfc3339Micro(t), "2025-11-24T20:46:31.500000Z");
}

TEST(Rfc3339, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(parseRfc3339("2025-11-24T20:46:31Z"), TimePoint{std::chrono::seconds(1'764'017'191)});
  EXPECT_EQ(parseRfc3339("2025-11-24T21:46:31+01:00"), TimePoint{std::chrono::seconds(1'764'017'191)});
  EXPECT_EQ(parseRfc3339("2025-11-24t20:46:31.25z"), TimePoint{std::chrono::milliseconds(1'764'017'191'250)});
}

TEST(Rfc3339, RejectsMalformedTextWithFieldName) {
  EXPECT_FALSE(tryParseRfc3339("2025-11-24 20:46:31"));
  EXPECT_FALSE(tryParseRfc3339("2025-11-24T20:46:31Zjunk"));
  EXPECT_FALSE(tryParseRfc3339(""));
  try {
    parseRfc3339("yesterday", "spec.schedule.exclusions[0].start");
    FAIL() << "expected ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.field(), "spec.schedule.exclusions[0].start");
    EXPECT_EQ(e.token(), "yesterday");
  }
}

}  // namespace
}  // namespace fivespot
