#include "fivespot/controller/instance_registry.hpp"

#include <gtest/gtest.h>

#include <future>

#include "fake_lease_client.hpp"

namespace fivespot::controller {
namespace {

using namespace std::chrono_literals;
using testing::FakeLeaseClient;
using Members = std::vector<std::string>;

const TimePoint kT0{std::chrono::seconds(1'700'000'000)};

Lease registryLease(const std::string& holder, TimePoint renewed, const std::string& prefix = "coord") {
  return Lease{"ns",
               prefix + "-" + holder,
               {{kInstanceRegistryLabel, prefix}},
               "1",
               LeaseSpec{holder, 15s, renewed, renewed, 0}};
}

TEST(LiveInstances, KeepsLabelledHeldUnexpiredLeasesSortedAndUnique) {
  std::vector<Lease> leases = {
      registryLease("c", kT0),
      registryLease("a", kT0 - 14s),
      registryLease("expired", kT0 - 15s),  // renewTime + duration == now: no longer live
      registryLease("other-prefix", kT0, "someone-else"),
      registryLease("a", kT0),
  };
  Lease released = registryLease("released", kT0);
  released.spec.holderIdentity.clear();
  leases.push_back(released);
  Lease unlabelled = registryLease("unlabelled", kT0);
  unlabelled.labels.clear();
  leases.push_back(unlabelled);
  Lease neverRenewed = registryLease("new", kT0);
  neverRenewed.spec.renewTime.reset();
  leases.push_back(neverRenewed);

  EXPECT_EQ(liveInstances(leases, "coord", kT0), (Members{"a", "c"}));
}

InstanceRegistryConfig registryConfig(const std::string& id) {
  return InstanceRegistryConfig{"ns", "coord", id};
}

struct MembershipLog {
  std::vector<Members> changes;
  InstanceRegistry::MembershipCallback callback() {
    return [this](const Members& members) { changes.push_back(members); };
  }
};

TEST(InstanceRegistry, MembersAppearRenewExpireAndDeregister) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  MembershipLog aLog, bLog;
  InstanceRegistry a(leases, clock, registryConfig("a"), aLog.callback());
  InstanceRegistry b(leases, clock, registryConfig("b"), bLog.callback());

  a.refresh();
  EXPECT_EQ(a.members(), (Members{"a"}));
  const auto own = leases.stored("ns", "coord-a");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->labels.at(kInstanceRegistryLabel), "coord");
  EXPECT_EQ(own->spec.holderIdentity, "a");

  b.refresh();
  EXPECT_EQ(b.members(), (Members{"a", "b"}));
  a.refresh();
  EXPECT_EQ(aLog.changes, (std::vector<Members>{{"a"}, {"a", "b"}}));

  // a stops renewing; b sees it vanish once a's lease expired.
  for (int round = 0; round < 7; ++round) {
    clock.advance(2s);
    b.refresh();
    EXPECT_EQ(b.members(), (Members{"a", "b"}));
  }
  clock.advance(2s);  // 16 s after a's last renewal
  b.refresh();
  EXPECT_EQ(b.members(), (Members{"b"}));

  b.deregister();
  EXPECT_FALSE(leases.stored("ns", "coord-b"));
  EXPECT_TRUE(b.members().empty());
  a.refresh();
  EXPECT_EQ(a.members(), (Members{"a"}));
}

TEST(InstanceRegistry, InstanceThatCannotRenewDropsItselfBeforeOthersConsiderItDead) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  MembershipLog log;
  InstanceRegistry a(leases, clock, registryConfig("a"), log.callback());
  a.refresh();
  leases.setUnreachable(true);
  for (int round = 0; round < 5; ++round) {
    clock.advance(2s);
    a.refresh();
    EXPECT_EQ(a.members(), (Members{"a"})) << "within the renew deadline the old view stands";
  }
  clock.advance(2s);
  a.refresh();
  EXPECT_TRUE(a.members().empty()) << "12 s without renewal: owns nothing any more";
}

TEST(InstanceRegistry, LoopRegistersAndRemovesItsLeaseOnStop) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  std::promise<Members> first;
  bool published = false;
  InstanceRegistry a(leases, clock, registryConfig("a"), [&](const Members& members) {
    if (!std::exchange(published, true)) first.set_value(members);
  });
  a.start();
  auto seen = first.get_future();
  ASSERT_EQ(seen.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(seen.get(), (Members{"a"}));
  a.stop();
  EXPECT_FALSE(leases.stored("ns", "coord-a"));
}

TEST(InstanceRegistryConfig, Validates) {
  EXPECT_NO_THROW(registryConfig("a").validate());
  EXPECT_THROW(registryConfig("").validate(), ConfigError);
  auto config = registryConfig("a");
  config.renewDeadline = 20s;
  EXPECT_THROW(config.validate(), ConfigError);
  EXPECT_EQ(config.leaseName(), "coord-a");
  EXPECT_EQ(config.labelSelector(), "5spot.finos.org/instance-registry=coord");
}

std::vector<std::string> keys(int count) {
  std::vector<std::string> result;
  for (int i = 0; i < count; ++i) result.push_back("ns/machine-" + std::to_string(i));
  return result;
}

TEST(ShardAssignment, NothingIsOwnedUntilTheSettleDelayAfterStartUp) {
  ManualClock clock(kT0);
  ShardAssignment shard("a", clock, 15s);
  EXPECT_FALSE(shard.owns("ns/m"));
  shard.setMembers({"a"});
  EXPECT_EQ(shard.owner("ns/m"), "a");
  clock.advance(15s - 1ms);
  EXPECT_FALSE(shard.owns("ns/m"));
  clock.advance(1ms);
  EXPECT_TRUE(shard.owns("ns/m"));
}

TEST(ShardAssignment, LostKeysStopAtOnceGainedKeysWaitForTheSettleDelay) {
  ManualClock clock(kT0);
  ShardAssignment shard("a", clock, 15s);
  shard.setMembers({"a", "b"});
  clock.advance(1min);
  const HashRing withB({"a", "b"});
  const HashRing alone({"a"});
  shard.setMembers({"a"});  // b left: a gains b's keys
  for (const auto& key : keys(200)) {
    EXPECT_EQ(shard.owns(key), withB.isOwner("a", key)) << key << " right after the change";
  }
  clock.advance(15s);
  for (const auto& key : keys(200)) EXPECT_TRUE(shard.owns(key)) << key;

  shard.setMembers({"a", "b"});  // b is back: a gives its keys up immediately
  for (const auto& key : keys(200)) EXPECT_EQ(shard.owns(key), withB.isOwner("a", key)) << key;
  EXPECT_EQ(alone.members(), Members{"a"});
}

TEST(ShardAssignment, KeyThatBouncesAwayAndBackWaitsAgain) {
  ManualClock clock(kT0);
  ShardAssignment shard("a", clock, 15s);
  shard.setMembers({"a"});
  clock.advance(1min);
  const HashRing withB({"a", "b"});
  std::string bouncing;
  for (const auto& key : keys(200)) {
    if (withB.isOwner("b", key)) bouncing = key;
  }
  ASSERT_FALSE(bouncing.empty());
  shard.setMembers({"a", "b"});
  clock.advance(3s);
  shard.setMembers({"a"});  // b gone again after 3 s: it may have acted in between
  EXPECT_FALSE(shard.owns(bouncing));
  clock.advance(15s - 1ms);  // settle runs from the moment b's ring was replaced
  EXPECT_FALSE(shard.owns(bouncing));
  clock.advance(1ms);
  EXPECT_TRUE(shard.owns(bouncing));
}

// Two instances see the same membership changes at different moments (each within one retry
// period); at no instant may both act on one key.
TEST(ShardAssignment, NoKeyIsEverActedOnByTwoInstancesAtOnce) {
  ManualClock clock(kT0);
  ShardAssignment a("a", clock, 15s);
  ShardAssignment b("b", clock, 15s);
  ShardAssignment c("c", clock, 15s);
  struct Change {
    Duration at;
    ShardAssignment* instance;
    Members members;
  };
  // a runs alone; b joins (a notices 2 s after b); c joins; b shuts down, then c and a notice.
  const std::vector<Change> timeline = {
      {0s, &a, {"a"}},
      {60s, &b, {"a", "b"}},
      {62s, &a, {"a", "b"}},
      {120s, &c, {"a", "b", "c"}},
      {121s, &b, {"a", "b", "c"}},
      {122s, &a, {"a", "b", "c"}},
      {178s, &b, {}},
      {180s, &c, {"a", "c"}},
      {182s, &a, {"a", "c"}},
  };
  const auto all = keys(300);
  std::size_t next = 0;
  int actedOnByAnyone = 0;
  for (Duration elapsed = 0s; elapsed <= 240s; elapsed += 1s) {
    clock.set(kT0 + elapsed);
    while (next < timeline.size() && timeline[next].at <= elapsed) {
      timeline[next].instance->setMembers(timeline[next].members);
      ++next;
    }
    for (const auto& key : all) {
      const int actors = (a.owns(key) ? 1 : 0) + (b.owns(key) ? 1 : 0) + (c.owns(key) ? 1 : 0);
      ASSERT_LE(actors, 1) << key << " at +" << elapsed.count();
      actedOnByAnyone += actors;
    }
  }
  EXPECT_GT(actedOnByAnyone, 0);
  clock.set(kT0 + 240s);
  for (const auto& key : all) EXPECT_EQ((a.owns(key) ? 1 : 0) + (c.owns(key) ? 1 : 0), 1) << key;
}

}  // namespace
}  // namespace fivespot::controller
