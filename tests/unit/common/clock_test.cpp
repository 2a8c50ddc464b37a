#include "fivespot/common/clock.hpp"

#include <gtest/gtest.h>

namespace fivespot {
namespace {

TEST(ManualClock, MovesOnlyWhenTold) {
  const TimePoint start{std::chrono::seconds(1'700'000'000)};
  ManualClock clock(start);
  EXPECT_EQ(clock.now(), start);
  clock.advance(std::chrono::seconds(90));
  EXPECT_EQ(clock.now(), start + std::chrono::seconds(90));
  clock.set(start);
  EXPECT_EQ(clock.now(), start);
}

}  // namespace
}  // namespace fivespot
