#include <gtest/gtest.h>

#include "fivespot/api/conditions.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::api {
namespace {

const TimePoint kT0 = parseRfc3339("2026-11-24T10:00:00Z");
const TimePoint kT1 = parseRfc3339("2026-11-24T11:00:00Z");

Condition ready(const char* status, const char* reason, const char* message = "m") {
  return Condition{condition::kReady, status, reason, message, "", 1};
}

TEST(SetCondition, NewConditionGetsNowAsTransitionTime) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(setCondition(conditions, ready("True", "NodeReady"), kT0));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].lastTransitionTime, "2026-11-24T10:00:00Z");
}

TEST(SetCondition, SameStatusKeepsTransitionTimeButUpdatesReason) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready("False", "Provisioning"), kT0);
  EXPECT_TRUE(setCondition(conditions, ready("False", "WaitingForNode"), kT1));
  EXPECT_EQ(conditions[0].reason, "WaitingForNode");
  EXPECT_EQ(conditions[0].lastTransitionTime, "2026-11-24T10:00:00Z");
}

TEST(SetCondition, StatusChangeMovesTransitionTime) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready("False", "Provisioning"), kT0);
  setCondition(conditions, ready("True", "NodeReady"), kT1);
  EXPECT_EQ(conditions[0].lastTransitionTime, "2026-11-24T11:00:00Z");
}

TEST(SetCondition, IdenticalUpdateReportsNoChange) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready("True", "NodeReady"), kT0);
  EXPECT_FALSE(setCondition(conditions, ready("True", "NodeReady"), kT1));
  EXPECT_EQ(conditions[0].lastTransitionTime, "2026-11-24T10:00:00Z");
}

TEST(SetCondition, TypesAreIndependent) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready("True", "NodeReady"), kT0);
  setCondition(conditions, Condition{condition::kDrained, "False", "NotDraining", "", "", 1}, kT1);
  EXPECT_EQ(conditions.size(), 2u);
  EXPECT_TRUE(isConditionTrue(conditions, condition::kReady));
  EXPECT_FALSE(isConditionTrue(conditions, condition::kDrained));
  EXPECT_TRUE(removeCondition(conditions, condition::kDrained));
  EXPECT_EQ(findCondition(conditions, condition::kDrained), nullptr);
}

}  // namespace
}  // namespace fivespot::api
