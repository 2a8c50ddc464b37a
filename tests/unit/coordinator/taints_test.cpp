#include <gtest/gtest.h>

#include "fivespot/coordinator/taints.hpp"

namespace fivespot::coordinator {
namespace {

using api::Taint;
using Taints = std::vector<Taint>;

const Taint kGpu{"example.com/gpu", "true", "NoSchedule"};
const Taint kGpuFalse{"example.com/gpu", "false", "NoSchedule"};
const Taint kAdmin{"admin.example.com/maintenance", "", "NoExecute"};

TEST(TaintDiff, AddsMissingDesiredTaints) {
  const TaintPlan plan = diffTaints({kGpu}, {kAdmin}, {});
  EXPECT_EQ(plan.add, Taints{kGpu});
  EXPECT_EQ(plan.applied, Taints{kGpu});
  EXPECT_TRUE(plan.changesNode());
}

TEST(TaintDiff, NothingToDoWhenAlreadyThere) {
  const TaintPlan plan = diffTaints({kGpu}, {kGpu, kAdmin}, {kGpu});
  EXPECT_FALSE(plan.changesNode());
  EXPECT_EQ(plan.applied, Taints{kGpu});
}

TEST(TaintDiff, UpdatesOurTaintsValue) {
  const TaintPlan plan = diffTaints({kGpuFalse}, {kGpu}, {kGpu});
  EXPECT_EQ(plan.update, Taints{kGpuFalse});
  EXPECT_EQ(plan.applied, Taints{kGpuFalse});
}

TEST(TaintDiff, NeverOverwritesAnAdminsTaintWithSameKeyAndEffect) {
  const TaintPlan plan = diffTaints({kGpuFalse}, {kGpu}, {});
  EXPECT_FALSE(plan.changesNode());
  EXPECT_EQ(plan.conflicts, Taints{kGpuFalse});
  EXPECT_TRUE(plan.applied.empty());
}

TEST(TaintDiff, RemovesOnlyTaintsWeApplied) {
  const TaintPlan plan = diffTaints({}, {kGpu, kAdmin}, {kGpu});
  EXPECT_EQ(plan.remove, Taints{kGpu});
  EXPECT_TRUE(plan.applied.empty());
}

TEST(TaintDiff, NeverRemovesAnAdminsTaint) {
  const TaintPlan plan = diffTaints({}, {kAdmin}, {});
  EXPECT_FALSE(plan.changesNode());
}

TEST(TaintDiff, ATaintWhoseValueSomeoneChangedIsNoLongerOurs) {
  const TaintPlan plan = diffTaints({}, {kGpuFalse}, {kGpu});
  EXPECT_TRUE(plan.remove.empty());
}

TEST(TaintDiff, AlreadyGoneAppliedTaintIsForgotten) {
  const TaintPlan plan = diffTaints({}, {}, {kGpu});
  EXPECT_FALSE(plan.changesNode());
  EXPECT_TRUE(plan.applied.empty());
}

TEST(TaintDiff, SameKeyDifferentEffectIsADifferentTaint) {
  const Taint gpuExecute{"example.com/gpu", "true", "NoExecute"};
  const TaintPlan plan = diffTaints({gpuExecute}, {kGpu}, {});
  EXPECT_EQ(plan.add, Taints{gpuExecute});
}

TEST(ApplyTaintPlan, PreservesOtherTaintsAndTheirFields) {
  const nlohmann::json node = nlohmann::json::parse(R"([
    {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": "2026-11-24T10:00:00Z"},
    {"key": "example.com/gpu", "value": "true", "effect": "NoSchedule"},
    {"key": "old.example.com/x", "effect": "NoSchedule"}])");
  TaintPlan plan;
  plan.update = {kGpuFalse};
  plan.remove = {Taint{"old.example.com/x", "", "NoSchedule"}};
  plan.add = {Taint{"new.example.com/y", "1", "PreferNoSchedule"}};
  const nlohmann::json result = applyTaintPlan(node, plan);
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0]["timeAdded"], "2026-11-24T10:00:00Z");
  EXPECT_EQ(result[1]["value"], "false");
  EXPECT_EQ(result[2]["key"], "new.example.com/y");
}

}  // namespace
}  // namespace fivespot::coordinator
