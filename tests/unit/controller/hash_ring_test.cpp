#include "fivespot/controller/hash_ring.hpp"

#include <gtest/gtest.h>

#include <map>

namespace fivespot::controller {
namespace {

std::vector<std::string> memberIds(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("coordinator-" + std::to_string(i));
  return ids;
}

std::vector<std::string> machineKeys(int count) {
  std::vector<std::string> keys;
  for (int i = 0; i < count; ++i) keys.push_back("team-" + std::to_string(i % 7) + "/machine-" + std::to_string(i));
  return keys;
}

double movedFraction(const HashRing& before, const HashRing& after, const std::vector<std::string>& keys) {
  int moved = 0;
  for (const auto& key : keys) moved += before.owner(key) != after.owner(key) ? 1 : 0;
  return static_cast<double>(moved) / static_cast<double>(keys.size());
}

TEST(StableHash, IsFixedAcrossBuilds) {
  // Pinned values: a change here would reshuffle every shard after an upgrade.
  // (Computed independently: FNV-1a 64 then MurmurHash3's fmix64.)
  EXPECT_EQ(stableHash64(""), 0xefd01f60ba992926ULL);
  EXPECT_EQ(stableHash64("5spot"), 0xd3a708afbdc627adULL);
  EXPECT_NE(stableHash64("node-1#7"), stableHash64("node-1#8"));
}

TEST(HashRing, EmptyRingOwnsNothing) {
  const HashRing ring;
  EXPECT_EQ(ring.owner("ns/a"), std::nullopt);
  EXPECT_FALSE(ring.isOwner("x", "ns/a"));
}

TEST(HashRing, SingleMemberOwnsEverything) {
  const HashRing ring({"only"});
  for (const auto& key : machineKeys(100)) EXPECT_EQ(ring.owner(key), "only");
}

TEST(HashRing, DuplicateMembersCountOnceAndOrderDoesNotMatter) {
  const HashRing a({"x", "y", "z"});
  const HashRing b({"z", "x", "y", "x"});
  EXPECT_EQ(b.members(), (std::vector<std::string>{"x", "y", "z"}));
  for (const auto& key : machineKeys(500)) EXPECT_EQ(a.owner(key), b.owner(key));
}

class HashRingDistribution : public ::testing::TestWithParam<int> {};

TEST_P(HashRingDistribution, EveryMemberGetsItsShareWithin30Percent) {
  const int members = GetParam();
  const HashRing ring(memberIds(members));
  std::map<std::string, int> counts;
  const auto keys = machineKeys(10'000);
  for (const auto& key : keys) ++counts[*ring.owner(key)];
  const double fair = static_cast<double>(keys.size()) / members;
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(members));
  for (const auto& [member, count] : counts) {
    EXPECT_GE(count, fair * 0.7) << member;
    EXPECT_LE(count, fair * 1.3) << member;
  }
}

TEST_P(HashRingDistribution, AddingAMemberMovesAboutOneShare) {
  const int members = GetParam();
  const auto keys = machineKeys(10'000);
  const HashRing before(memberIds(members));
  const HashRing after(memberIds(members + 1));
  const double share = 1.0 / (members + 1);
  const double moved = movedFraction(before, after, keys);
  EXPECT_LE(moved, share + 0.05);
  EXPECT_GE(moved, share - 0.05);
  // Every moved key went to the new member.
  const std::string added = "coordinator-" + std::to_string(members);
  for (const auto& key : keys) {
    if (before.owner(key) != after.owner(key)) {
      EXPECT_EQ(after.owner(key), added) << key;
    }
  }
}

TEST_P(HashRingDistribution, RemovingAMemberMovesOnlyItsKeys) {
  const int members = GetParam();
  const auto keys = machineKeys(10'000);
  auto ids = memberIds(members);
  const HashRing before(ids);
  const std::string removed = ids[1];
  ids.erase(ids.begin() + 1);
  const HashRing after(ids);
  for (const auto& key : keys) {
    if (before.owner(key) != removed) {
      EXPECT_EQ(before.owner(key), after.owner(key)) << key;
    }
    EXPECT_NE(after.owner(key), removed);
  }
}

INSTANTIATE_TEST_SUITE_P(Members, HashRingDistribution, ::testing::Values(3, 10));

}  // namespace
}  // namespace fivespot::controller
