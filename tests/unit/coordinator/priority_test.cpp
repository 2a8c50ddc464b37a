#include <gtest/gtest.h>

#include "fivespot/common/time_format.hpp"
#include "fivespot/coordinator/priority.hpp"

namespace fivespot::coordinator {
namespace {

const TimePoint kT = parseRfc3339("2026-11-24T09:00:00Z");

TEST(Admit, HigherPriorityAddsGoFirstWithinTheLimit) {
  const std::vector<WorkRequest> waiting = {
      {"ns/low", WorkKind::Add, 10, kT}, {"ns/high", WorkKind::Add, 90, kT}, {"ns/mid", WorkKind::Add, 50, kT}};
  EXPECT_EQ(admit(waiting, {2, 0}, {}), (std::vector<std::string>{"ns/high", "ns/mid"}));
}

TEST(Admit, InFlightWorkUsesSlots) {
  const std::vector<WorkRequest> waiting = {{"ns/a", WorkKind::Add, 50, kT}, {"ns/b", WorkKind::Add, 50, kT}};
  EXPECT_EQ(admit(waiting, {2, 0}, {1, 0}), std::vector<std::string>{"ns/a"});
  EXPECT_TRUE(admit(waiting, {2, 0}, {2, 0}).empty());
}

TEST(Admit, EqualPriorityLongestWaitingFirstThenName) {
  const std::vector<WorkRequest> waiting = {{"ns/b", WorkKind::Removal, 50, kT + std::chrono::seconds(1)},
                                            {"ns/c", WorkKind::Removal, 50, kT},
                                            {"ns/a", WorkKind::Removal, 50, kT}};
  EXPECT_EQ(admit(waiting, {0, 2}, {}), (std::vector<std::string>{"ns/a", "ns/c"}));
}

TEST(Admit, AddsComeBeforeRemovalsAndLimitsAreSeparate) {
  const std::vector<WorkRequest> waiting = {{"ns/r", WorkKind::Removal, 100, kT}, {"ns/a", WorkKind::Add, 0, kT}};
  EXPECT_EQ(admit(waiting, {1, 1}, {}), (std::vector<std::string>{"ns/a", "ns/r"}));
}

TEST(Admit, EmergencyRemovalsAreNeverHeldBack) {
  const std::vector<WorkRequest> waiting = {{"ns/kill", WorkKind::EmergencyRemoval, 0, kT},
                                            {"ns/r", WorkKind::Removal, 50, kT}};
  EXPECT_EQ(admit(waiting, {1, 1}, {0, 1}), std::vector<std::string>{"ns/kill"});
}

TEST(Admit, ZeroLimitMeansUnlimited) {
  std::vector<WorkRequest> waiting;
  for (int i = 0; i < 20; ++i) waiting.push_back({"ns/m" + std::to_string(i), WorkKind::Add, 50, kT});
  EXPECT_EQ(admit(waiting, {0, 0}, {5, 5}).size(), 20u);
}

}  // namespace
}  // namespace fivespot::coordinator
