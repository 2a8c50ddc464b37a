#include "fivespot/controller/leader_election.hpp"

#include <gtest/gtest.h>

#include <future>

#include "fake_lease_client.hpp"
#include "fivespot/common/error.hpp"

namespace fivespot::controller {
namespace {

using namespace std::chrono_literals;
using testing::FakeLeaseClient;

const TimePoint kT0{std::chrono::seconds(1'700'000'000)};

LeaseSpec heldBy(const std::string& holder, TimePoint renewed, int transitions = 3) {
  return LeaseSpec{holder, 15s, renewed - 30s, renewed, transitions};
}

struct DecisionCase {
  const char* name;
  std::optional<LeaseSpec> observed;
  Duration sinceT0;  // now = kT0 + sinceT0
  bool leading;
  Duration sinceLastRenewal;
  LeaseAction expected;
};

class LeaseDecisionTable : public ::testing::TestWithParam<DecisionCase> {};

TEST_P(LeaseDecisionTable, Decides) {
  const DecisionCase& row = GetParam();
  const TimePoint now = kT0 + row.sinceT0;
  const ElectionView view{row.observed, now, "me", row.leading, now - row.sinceLastRenewal, 10s};
  EXPECT_EQ(toString(decideLeaseAction(view)), std::string(toString(row.expected))) << row.name;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, LeaseDecisionTable,
    ::testing::Values(
        DecisionCase{"absent", std::nullopt, 0s, false, 0s, LeaseAction::Create},
        DecisionCase{"ours", heldBy("me", kT0), 2s, true, 2s, LeaseAction::Renew},
        DecisionCase{"ours after a restart", heldBy("me", kT0), 20s, false, 0s, LeaseAction::Renew},
        DecisionCase{"other, fresh", heldBy("other", kT0), 5s, false, 0s, LeaseAction::Wait},
        DecisionCase{"other, exactly at expiry", heldBy("other", kT0), 15s, false, 0s, LeaseAction::Wait},
        DecisionCase{"other, expired", heldBy("other", kT0), 15s + 1ms, false, 0s, LeaseAction::Acquire},
        DecisionCase{"released", LeaseSpec{"", 1s, kT0, kT0, 3}, 0s, false, 0s, LeaseAction::Acquire},
        DecisionCase{"never renewed", LeaseSpec{"other", 15s, std::nullopt, std::nullopt, 0}, 0s, false, 0s,
                     LeaseAction::Acquire},
        DecisionCase{"other took it while we led", heldBy("other", kT0), 1s, true, 3s, LeaseAction::Lost},
        DecisionCase{"ours but renew deadline passed", heldBy("me", kT0), 11s, true, 11s, LeaseAction::Lost},
        DecisionCase{"ours, renew deadline not yet passed", heldBy("me", kT0), 10s, true, 10s, LeaseAction::Renew}),
    [](const auto& row) {
      std::string name = row.param.name;
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(LeaseSpecFor, CreateAcquireRenewAndRelease) {
  const auto created = leaseSpecFor(LeaseAction::Create, std::nullopt, kT0, "me", 15s);
  EXPECT_EQ(created, (LeaseSpec{"me", 15s, kT0, kT0, 0}));

  const auto acquired = leaseSpecFor(LeaseAction::Acquire, heldBy("other", kT0, 4), kT0 + 20s, "me", 15s);
  EXPECT_EQ(acquired, (LeaseSpec{"me", 15s, kT0 + 20s, kT0 + 20s, 5}));

  const auto renewed = leaseSpecFor(LeaseAction::Renew, acquired, kT0 + 22s, "me", 15s);
  EXPECT_EQ(renewed, (LeaseSpec{"me", 15s, kT0 + 20s, kT0 + 22s, 5}));

  EXPECT_EQ(releasedLeaseSpec(renewed, kT0 + 23s), (LeaseSpec{"", 1s, kT0 + 23s, kT0 + 23s, 5}));
  EXPECT_THROW((void)leaseSpecFor(LeaseAction::Wait, std::nullopt, kT0, "me", 15s), Error);
}

TEST(LeaderElectionConfig, RejectsInconsistentTimings) {
  LeaderElectionConfig config{"ns", "lease", "me"};
  EXPECT_NO_THROW(config.validate());
  config.renewDeadline = 15s;
  EXPECT_THROW(config.validate(), ConfigError);
  config = LeaderElectionConfig{"ns", "lease", "me"};
  config.retryPeriod = 10s;
  EXPECT_THROW(config.validate(), ConfigError);
  config = LeaderElectionConfig{"ns", "lease", ""};
  EXPECT_THROW(config.validate(), ConfigError);
}

struct Transitions {
  int started = 0;
  int stopped = 0;
  LeaderCallbacks callbacks() {
    return LeaderCallbacks{[this] { ++started; }, [this] { ++stopped; }};
  }
};

LeaderElectionConfig configFor(const std::string& identity) {
  return LeaderElectionConfig{"kube-system", "fivespot", identity};
}

// Rounds are driven by hand (tryAcquireOrRenew) so that the clock alone decides the outcome.
TEST(LeaderElector, HandsOverWhenTheLeaderStopsRenewing) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  Transitions aSeen, bSeen;
  LeaderElector a(leases, clock, configFor("a"), aSeen.callbacks());
  LeaderElector b(leases, clock, configFor("b"), bSeen.callbacks());

  EXPECT_TRUE(a.tryAcquireOrRenew());
  EXPECT_FALSE(b.tryAcquireOrRenew());
  for (int round = 0; round < 5; ++round) {
    clock.advance(2s);
    EXPECT_TRUE(a.tryAcquireOrRenew());
    EXPECT_FALSE(b.tryAcquireOrRenew());
  }
  const TimePoint lastRenewal = clock.now();
  // a hangs; b keeps trying every retry period and may take over only once the lease expired.
  while (clock.now() + 2s <= lastRenewal + 15s) {
    clock.advance(2s);
    EXPECT_FALSE(b.tryAcquireOrRenew()) << "lease still live at +" << (clock.now() - lastRenewal).count();
  }
  clock.advance(2s);
  EXPECT_TRUE(b.tryAcquireOrRenew());
  EXPECT_EQ(leases.stored("kube-system", "fivespot")->spec.holderIdentity, "b");
  EXPECT_EQ(leases.stored("kube-system", "fivespot")->spec.leaseTransitions, 1);

  // a wakes up: it must notice it lost (its own renew deadline passed long ago).
  EXPECT_TRUE(a.isLeader());
  EXPECT_FALSE(a.tryAcquireOrRenew());
  EXPECT_FALSE(a.isLeader());
  EXPECT_EQ(aSeen.started, 1);
  EXPECT_EQ(aSeen.stopped, 1);
  EXPECT_EQ(bSeen.started, 1);
  EXPECT_EQ(bSeen.stopped, 0);
}

TEST(LeaderElector, LeaderStepsDownAtTheRenewDeadlineWhenTheServerIsUnreachable) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  Transitions seen;
  LeaderElector a(leases, clock, configFor("a"), seen.callbacks());
  ASSERT_TRUE(a.tryAcquireOrRenew());
  leases.setUnreachable(true);
  for (int round = 0; round < 5; ++round) {
    clock.advance(2s);
    EXPECT_TRUE(a.tryAcquireOrRenew()) << "still within the renew deadline";
  }
  clock.advance(2s);  // 12 s since the last renewal > 10 s
  EXPECT_FALSE(a.tryAcquireOrRenew());
  EXPECT_EQ(seen.stopped, 1);
  leases.setUnreachable(false);
  clock.advance(2s);
  EXPECT_TRUE(a.tryAcquireOrRenew()) << "the lease is still ours: renewing it makes us leader again";
  EXPECT_EQ(seen.started, 2);
}

TEST(LeaderElector, ConflictingWriterWinsTheRace) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  leases.put(Lease{"kube-system", "fivespot", {}, "", heldBy("gone", kT0 - 1min)});
  Transitions aSeen, bSeen;
  LeaderElector a(leases, clock, configFor("a"), aSeen.callbacks());
  LeaderElector b(leases, clock, configFor("b"), bSeen.callbacks());
  // b acquires between a's read and a's write: a's write carries a stale resourceVersion.
  leases.afterNextGet([&] { EXPECT_TRUE(b.tryAcquireOrRenew()); });
  EXPECT_FALSE(a.tryAcquireOrRenew());
  EXPECT_FALSE(a.isLeader());
  EXPECT_TRUE(b.isLeader());
  EXPECT_EQ(leases.stored("kube-system", "fivespot")->spec.holderIdentity, "b");
  EXPECT_EQ(aSeen.started, 0);
}

TEST(LeaderElector, LoopLeadsAndReleasesOnStopSoASuccessorTakesOverAtOnce) {
  ManualClock clock(kT0);
  FakeLeaseClient leases;
  std::promise<void> started;
  std::promise<void> stopped;
  LeaderElector a(leases, clock, configFor("a"),
                  LeaderCallbacks{[&] { started.set_value(); }, [&] { stopped.set_value(); }});
  a.start();
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(a.isLeader());
  a.stop();  // interrupts the retry-period wait at once
  ASSERT_EQ(stopped.get_future().wait_for(0s), std::future_status::ready);
  EXPECT_FALSE(a.isLeader());
  const auto released = leases.stored("kube-system", "fivespot");
  ASSERT_TRUE(released);
  EXPECT_EQ(released->spec.holderIdentity, "");
  EXPECT_EQ(released->spec.leaseDuration, 1s);

  Transitions bSeen;
  LeaderElector b(leases, clock, configFor("b"), bSeen.callbacks());
  EXPECT_TRUE(b.tryAcquireOrRenew()) << "no need to wait out the old lease";
  EXPECT_EQ(leases.stored("kube-system", "fivespot")->spec.leaseTransitions, 1);
}

TEST(LeaderElector, DefaultIdentityPrefersPodName) {
  ::setenv("POD_NAME", "coordinator-7d9f", 1);
  EXPECT_EQ(defaultIdentity(), "coordinator-7d9f");
  ::unsetenv("POD_NAME");
  EXPECT_FALSE(defaultIdentity().empty());
}

}  // namespace
}  // namespace fivespot::controller
