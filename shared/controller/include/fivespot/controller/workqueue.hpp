#pragma once
// A work queue of object keys ("namespace/name") with client-go's rate-limited delaying queue
// semantics:
//  - de-duplication: a key queued twice is handed out once; a key re-added while a worker holds it
//    is handed out again after that worker calls done(), never to two workers at once;
//  - addAfter(): exact wake-ups; when a key is delayed twice the earliest deadline wins;
//  - addRateLimited(): per-key exponential back-off until forget();
//  - shutDown(): get() hands out what is still queued, then returns std::nullopt.
// Deadlines come from the injected Clock. Waiting workers sleep on a condition variable until the
// earliest deadline; with a clock that does not follow real time (tests), call notifyClockChanged()
// after moving it so that waiters re-evaluate.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "fivespot/common/clock.hpp"
#include "fivespot/controller/backoff.hpp"

namespace fivespot::controller {

class WorkQueue {
 public:
  explicit WorkQueue(const Clock& clock, BackoffPolicy requeueBackoff = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void addAfter(const std::string& key, Duration delay);
  // Delays the key by the back-off for its number of earlier requeues, then counts this one.
  void addRateLimited(const std::string& key);
  // Resets the key's back-off (call after it was processed successfully).
  void forget(const std::string& key);
  [[nodiscard]] int numRequeues(const std::string& key) const;

  // Blocks until a key is ready; std::nullopt once shut down and drained. Every key returned must
  // be given back with done().
  std::optional<std::string> get();
  void done(const std::string& key);

  // Keys ready to be handed out now (delayed keys count once their deadline has passed).
  [[nodiscard]] std::size_t len();
  void shutDown();
  [[nodiscard]] bool shuttingDown() const;
  // Wakes waiters so that they compare the clock with the pending deadlines again.
  void notifyClockChanged();

 private:
  void addLocked(const std::string& key);
  void promoteDueLocked();
  [[nodiscard]] std::optional<TimePoint> earliestDeadlineLocked() const;

  const Clock& clock_;
  const BackoffPolicy requeueBackoff_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> ready_;                             // FIFO of keys to hand out
  std::unordered_set<std::string> dirty_;                     // keys that need processing (queued or re-added)
  std::unordered_set<std::string> processing_;                // keys held by a worker
  std::unordered_map<std::string, TimePoint> deadlineByKey_;  // delayed keys
  std::set<std::pair<TimePoint, std::string>> deadlines_;     // the same, ordered by deadline
  std::unordered_map<std::string, int> requeues_;
  bool shuttingDown_ = false;
};

}  // namespace fivespot::controller
