#include "rate_limiter.hpp"

#include <gtest/gtest.h>

namespace fivespot::kube::detail {
namespace {

using namespace std::chrono_literals;

class TokenBucketTest : public ::testing::Test {
 protected:
  TokenBucket make(double qps, int burst) {
    return TokenBucket(qps, burst, clock_, [this](Duration d) { sleeps_.push_back(d); });
  }
  ManualClock clock_{TimePoint{} + 24h};
  std::vector<Duration> sleeps_;
};

TEST_F(TokenBucketTest, BurstGoesAtOnceThenCallersQueueAtTheRate) {
  auto bucket = make(10, 3);
  EXPECT_EQ(bucket.reserve(), 0ms);
  EXPECT_EQ(bucket.reserve(), 0ms);
  EXPECT_EQ(bucket.reserve(), 0ms);
  EXPECT_EQ(bucket.reserve(), 100ms);
  EXPECT_EQ(bucket.reserve(), 200ms);  // queued behind the previous caller
}

TEST_F(TokenBucketTest, RefillsWithTimeButNeverBeyondTheBurst) {
  auto bucket = make(10, 2);
  bucket.reserve();
  bucket.reserve();
  clock_.advance(150ms);  // 1.5 tokens back
  EXPECT_EQ(bucket.reserve(), 0ms);
  EXPECT_EQ(bucket.reserve(), 50ms);
  clock_.advance(1h);
  EXPECT_EQ(bucket.reserve(), 0ms);
  EXPECT_EQ(bucket.reserve(), 0ms);
  EXPECT_EQ(bucket.reserve(), 100ms);
}

TEST_F(TokenBucketTest, AcquireSleepsOnlyWhenItMust) {
  auto bucket = make(4, 1);
  bucket.acquire();
  EXPECT_TRUE(sleeps_.empty());
  bucket.acquire();
  EXPECT_EQ(sleeps_, (std::vector<Duration>{250ms}));
}

TEST_F(TokenBucketTest, ZeroQpsDisablesLimiting) {
  auto bucket = make(0, 1);
  for (int i = 0; i < 100; ++i) bucket.acquire();
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(TokenBucketTest, ClockSteppingBackDoesNotAddTokens) {
  auto bucket = make(1, 1);
  bucket.reserve();
  clock_.advance(-10s);
  EXPECT_EQ(bucket.reserve(), 1s);
}

}  // namespace
}  // namespace fivespot::kube::detail
