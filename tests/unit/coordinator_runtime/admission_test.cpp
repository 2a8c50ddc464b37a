// Concurrency limits on adds and removals, in priority order, with slots freed as machines settle.
#include <gtest/gtest.h>

#include "admission.hpp"

namespace fivespot::coordinator {
namespace {

class AdmissionTest : public ::testing::Test {
 protected:
  ManualClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::vector<std::string> requeued;
  Admission admission{ConcurrencyLimits{1, 1}, clock, [this](const std::string& key) { requeued.push_back(key); }};
};

TEST_F(AdmissionTest, HoldsBackAddsBeyondTheLimitAndWakesThemWhenASlotFrees) {
  EXPECT_TRUE(admission.tryStart("ns/a", WorkKind::Add, 50));
  admission.settled("ns/a", api::Phase::Scheduled);
  EXPECT_FALSE(admission.tryStart("ns/b", WorkKind::Add, 50));
  EXPECT_TRUE(requeued.empty());
  admission.settled("ns/a", api::Phase::Active);
  EXPECT_EQ(requeued, std::vector<std::string>{"ns/b"});
  EXPECT_TRUE(admission.tryStart("ns/b", WorkKind::Add, 50));
}

TEST_F(AdmissionTest, HigherPriorityGoesFirst) {
  EXPECT_TRUE(admission.tryStart("ns/a", WorkKind::Add, 50));
  EXPECT_FALSE(admission.tryStart("ns/low", WorkKind::Add, 10));
  EXPECT_FALSE(admission.tryStart("ns/high", WorkKind::Add, 90));
  admission.settled("ns/a", api::Phase::Active);
  EXPECT_FALSE(admission.tryStart("ns/low", WorkKind::Add, 10)) << "the higher priority one waits too";
  EXPECT_TRUE(admission.tryStart("ns/high", WorkKind::Add, 90));
}

TEST_F(AdmissionTest, EmergencyRemovalsAndNoWorkAreNeverHeldBack) {
  EXPECT_TRUE(admission.tryStart("ns/a", WorkKind::Removal, 50));
  admission.settled("ns/a", api::Phase::Removing);
  EXPECT_FALSE(admission.tryStart("ns/b", WorkKind::Removal, 50));
  EXPECT_TRUE(admission.tryStart("ns/c", WorkKind::EmergencyRemoval, 0));
  EXPECT_TRUE(admission.tryStart("ns/d", WorkKind::None, 0));
}

TEST_F(AdmissionTest, MachinesFoundMidAddHoldASlot) {
  admission.settled("ns/restarted", api::Phase::Scheduled);  // e.g. after a coordinator restart
  EXPECT_FALSE(admission.tryStart("ns/b", WorkKind::Add, 50));
  admission.settled("ns/restarted", std::nullopt);  // deleted
  EXPECT_TRUE(admission.tryStart("ns/b", WorkKind::Add, 50));
}

TEST_F(AdmissionTest, ResetForgetsEverything) {
  EXPECT_TRUE(admission.tryStart("ns/a", WorkKind::Add, 50));
  admission.reset();
  EXPECT_TRUE(admission.tryStart("ns/b", WorkKind::Add, 50));
}

}  // namespace
}  // namespace fivespot::coordinator
