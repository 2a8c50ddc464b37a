#include "fivespot/controller/workqueue.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace fivespot::controller {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart{std::chrono::seconds(1'700'000'000)};

TEST(Backoff, DoublesFromBaseToCap) {
  const BackoffPolicy policy{5ms, 1000s, 0.0};
  EXPECT_EQ(exponentialBackoff(0, policy), 5ms);
  EXPECT_EQ(exponentialBackoff(1, policy), 10ms);
  EXPECT_EQ(exponentialBackoff(2, policy), 20ms);
  EXPECT_EQ(exponentialBackoff(10, policy), 5120ms);
  EXPECT_EQ(exponentialBackoff(30, policy), 1000s);
  EXPECT_EQ(exponentialBackoff(5000, policy), 1000s);  // no overflow
}

TEST(Backoff, JitterAddsUpToTheConfiguredFraction) {
  const BackoffPolicy policy{800ms, 30s, 1.0};
  EXPECT_EQ(jitteredBackoff(0, policy, 0.0), 800ms);
  EXPECT_EQ(jitteredBackoff(0, policy, 0.5), 1200ms);
  EXPECT_EQ(jitteredBackoff(10, policy, 0.5), 45s);  // jitter applies after the cap
}

TEST(WorkQueue, DeduplicatesQueuedKeys) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  queue.add("ns/a");
  queue.add("ns/b");
  queue.add("ns/a");
  EXPECT_EQ(queue.len(), 2u);
  EXPECT_EQ(queue.get(), "ns/a");
  EXPECT_EQ(queue.get(), "ns/b");
  EXPECT_EQ(queue.len(), 0u);
}

TEST(WorkQueue, KeyReaddedWhileProcessingComesBackAfterDone) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  queue.add("ns/a");
  ASSERT_EQ(queue.get(), "ns/a");
  queue.add("ns/a");
  queue.add("ns/a");
  EXPECT_EQ(queue.len(), 0u) << "must not be handed to a second worker while held";
  queue.done("ns/a");
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(queue.get(), "ns/a");
  queue.done("ns/a");
  EXPECT_EQ(queue.len(), 0u);
}

TEST(WorkQueue, AddAfterWakesAtTheEarliestDeadline) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  queue.addAfter("ns/a", 10s);
  queue.addAfter("ns/a", 3s);   // earlier wins
  queue.addAfter("ns/a", 20s);  // later is covered by the earlier one
  EXPECT_EQ(queue.len(), 0u);
  clock.advance(2s);
  EXPECT_EQ(queue.len(), 0u);
  clock.advance(1s);
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(queue.get(), "ns/a");
  queue.done("ns/a");
  clock.advance(30s);
  EXPECT_EQ(queue.len(), 0u) << "the superseded deadlines must not fire again";
}

TEST(WorkQueue, BlockedGetWakesWhenTheClockReachesTheDeadline) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  queue.addAfter("ns/late", 1h);
  auto worker = std::async(std::launch::async, [&] { return queue.get(); });
  EXPECT_EQ(worker.wait_for(50ms), std::future_status::timeout);  // bounded check that it blocks
  clock.advance(1h);
  queue.notifyClockChanged();
  ASSERT_EQ(worker.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(worker.get(), "ns/late");
}

TEST(WorkQueue, BlockedGetWakesForAnEarlierDelayedKey) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  queue.addAfter("ns/late", 1h);
  auto worker = std::async(std::launch::async, [&] { return queue.get(); });
  queue.addAfter("ns/soon", 1s);
  clock.advance(1s);
  queue.notifyClockChanged();
  ASSERT_EQ(worker.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(worker.get(), "ns/soon");
}

TEST(WorkQueue, RateLimitedRequeueBacksOffExponentiallyUntilForgotten) {
  ManualClock clock(kStart);
  WorkQueue queue(clock, BackoffPolicy{5ms, 1000s, 0.0});
  for (const auto expected : {5ms, 10ms, 20ms, 40ms}) {
    queue.addRateLimited("ns/a");
    clock.advance(expected - 1ms);
    EXPECT_EQ(queue.len(), 0u) << "too early for " << expected.count() << "ms";
    clock.advance(1ms);
    ASSERT_EQ(queue.get(), "ns/a");
    queue.done("ns/a");
  }
  EXPECT_EQ(queue.numRequeues("ns/a"), 4);
  queue.forget("ns/a");
  EXPECT_EQ(queue.numRequeues("ns/a"), 0);
  queue.addRateLimited("ns/a");
  clock.advance(5ms);
  EXPECT_EQ(queue.len(), 1u);
}

TEST(WorkQueue, ShutDownDrainsQueuedKeysThenEndsGet) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  queue.add("ns/a");
  queue.addAfter("ns/delayed", 1s);
  queue.shutDown();
  EXPECT_TRUE(queue.shuttingDown());
  queue.add("ns/ignored");
  EXPECT_EQ(queue.get(), "ns/a");
  clock.advance(1s);
  EXPECT_EQ(queue.get(), std::nullopt);
}

TEST(WorkQueue, ShutDownReleasesBlockedWorkers) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  auto first = std::async(std::launch::async, [&] { return queue.get(); });
  auto second = std::async(std::launch::async, [&] { return queue.get(); });
  queue.shutDown();
  ASSERT_EQ(first.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(second.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(first.get(), std::nullopt);
  EXPECT_EQ(second.get(), std::nullopt);
}

TEST(WorkQueue, ConcurrentWorkersNeverHoldTheSameKey) {
  ManualClock clock(kStart);
  WorkQueue queue(clock);
  std::mutex mutex;
  std::set<std::string> held;
  bool overlap = false;
  int processed = 0;
  std::vector<std::jthread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        {
          std::lock_guard lock(mutex);
          overlap |= !held.insert(*key).second;
          ++processed;
        }
        queue.add(*key);  // re-added while held: must wait for done()
        bool enough = false;
        {
          std::lock_guard lock(mutex);
          held.erase(*key);
          enough = processed > 400;
        }
        queue.done(*key);
        if (enough) queue.shutDown();
      }
    });
  }
  for (int i = 0; i < 8; ++i) queue.add("ns/k" + std::to_string(i));
  workers.clear();  // joins once shut down
  EXPECT_FALSE(overlap);
  EXPECT_GT(processed, 400);
}

}  // namespace
}  // namespace fivespot::controller
