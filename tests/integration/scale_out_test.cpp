// Several coordinator replicas: leader election (only the leader acts; a standby takes over when
// the leader dies) and sharding over a consistent-hash ring (each machine handled by exactly one
// instance; a fourth instance takes over about a quarter of the machines, and only those).
#include <gtest/gtest.h>

#include <csignal>
#include <map>

#include "scenario.hpp"

namespace fivespot::testing {
namespace {

constexpr milliseconds kPhaseTimeout = seconds(60);

std::string leaseHolder(Scenario& s, const std::string& name) {
  const auto lease = s.client().getIfExists(kube::resources::leases(), s.ns(), name);
  return lease ? lease->value(Json::json_pointer("/spec/holderIdentity"), std::string()) : std::string();
}

TEST(CoordinatorScaleOut, OnlyTheLeaderActsAndAStandbyTakesOverWhenItDies) {
  Scenario s("scale-leader");
  s.startSimulator();
  ChildProcess& a = s.startCoordinator("replica-a", {"--enable-leader-election"});
  ChildProcess& b = s.startCoordinator("replica-b", {"--enable-leader-election"});
  s.create(s.scheduledMachine("worker"));
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker");
  const std::string leader = leaseHolder(s, "5spot-leader");
  ASSERT_TRUE(leader == "replica-a" || leader == "replica-b") << leader;
  EXPECT_EQ(s.reporters("worker"), std::vector<std::string>{leader}) << "only the leader acts";

  ChildProcess& dying = leader == "replica-a" ? a : b;
  const std::string standby = leader == "replica-a" ? "replica-b" : "replica-a";
  dying.signal(SIGKILL);
  const auto killedAt = std::chrono::steady_clock::now();
  // Lease 4 s + retry 1 s, plus scheduling slack on a busy CI machine.
  ASSERT_TRUE(eventually([&] { return leaseHolder(s, "5spot-leader") == standby; }, seconds(15)));
  const auto takeover = std::chrono::steady_clock::now() - killedAt;
  EXPECT_LE(takeover, seconds(10));

  s.closeWindowIn("worker", seconds(1));
  ASSERT_TRUE(s.waitForPhase("worker", "UnScheduled", kPhaseTimeout)) << s.phase("worker");
  const auto reporters = s.reporters("worker");
  EXPECT_NE(std::find(reporters.begin(), reporters.end(), standby), reporters.end());
}

TEST(CoordinatorScaleOut, ThreeShardsShareThirtyMachinesAndAFourthTakesAboutAQuarter) {
  Scenario s("scale-shards");
  s.startSimulator();
  std::vector<ChildProcess*> instances;
  for (const std::string id : {"shard-a", "shard-b", "shard-c"}) {
    instances.push_back(&s.startCoordinator(id, {"--enable-sharding"}));
  }
  constexpr int kMachines = 30;
  std::vector<std::string> names;
  for (int i = 0; i < kMachines; ++i) names.push_back("m" + std::to_string(i));
  for (const auto& name : names) s.create(s.scheduledMachine(name));
  ASSERT_TRUE(eventually(
      [&] {
        return std::all_of(names.begin(), names.end(), [&](const std::string& n) { return s.phase(n) == "Active"; });
      },
      seconds(120)));

  std::map<std::string, std::string> addedBy;
  std::map<std::string, int> perInstance;
  for (const auto& name : names) {
    const auto reporters = s.reporters(name);
    ASSERT_EQ(reporters.size(), 1U) << name << " was handled by more than one instance";
    addedBy[name] = reporters[0];
    ++perInstance[reporters[0]];
  }
  EXPECT_EQ(perInstance.size(), 3U) << "every instance owns part of the machines";

  s.startCoordinator("shard-d", {"--enable-sharding"});
  // Wait until every earlier instance has seen the new member (they stop acting on moved keys then).
  for (ChildProcess* instance : instances) {
    ASSERT_TRUE(instance->waitForLine(
        [](const std::string& line) {
          return line.find("live coordinator instances: shard-a, shard-b, shard-c, shard-d") != std::string::npos;
        },
        seconds(30)));
  }
  for (const auto& name : names) s.closeWindowIn(name, seconds(1));
  ASSERT_TRUE(eventually(
      [&] {
        return std::all_of(names.begin(), names.end(),
                           [&](const std::string& n) { return s.phase(n) == "UnScheduled"; });
      },
      seconds(120)));

  int moved = 0;
  for (const auto& name : names) {
    const auto reporters = s.reporters(name);
    ASSERT_LE(reporters.size(), 2U) << name;
    if (reporters.size() == 2) {
      ++moved;
      EXPECT_EQ(reporters[1] == addedBy[name] ? reporters[0] : reporters[1], "shard-d")
          << name << " moved, but not to the new instance";
    }
  }
  // About 1/4 of 30 (7.5) move, all to the new instance; bounds leave room for the hash's spread.
  EXPECT_GE(moved, 2);
  EXPECT_LE(moved, 14);
}

}  // namespace
}  // namespace fivespot::testing
