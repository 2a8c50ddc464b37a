#include "fivespot/controller/workqueue.hpp"

namespace fivespot::controller {

WorkQueue::WorkQueue(const Clock& clock, BackoffPolicy requeueBackoff)
    : clock_(clock), requeueBackoff_(requeueBackoff) {}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  addLocked(key);
}

void WorkQueue::addLocked(const std::string& key) {
  if (shuttingDown_) return;
  if (!dirty_.insert(key).second) return;  // already waiting to be processed
  // A key held by a worker stays dirty and is queued again by done().
  if (processing_.contains(key)) return;
  ready_.push_back(key);
  changed_.notify_one();
}

void WorkQueue::addAfter(const std::string& key, Duration delay) {
  std::lock_guard lock(mutex_);
  if (shuttingDown_) return;
  if (delay <= Duration::zero()) {
    addLocked(key);
    return;
  }
  const TimePoint deadline = clock_.now() + delay;
  if (const auto existing = deadlineByKey_.find(key); existing != deadlineByKey_.end()) {
    if (existing->second <= deadline) return;  // the earlier wake-up already covers this one
    deadlines_.erase({existing->second, key});
    existing->second = deadline;
  } else {
    deadlineByKey_.emplace(key, deadline);
  }
  deadlines_.emplace(deadline, key);
  // Waiters may be sleeping until a later deadline.
  changed_.notify_all();
}

void WorkQueue::addRateLimited(const std::string& key) {
  Duration delay{};
  {
    std::lock_guard lock(mutex_);
    int& failures = requeues_[key];
    delay = exponentialBackoff(failures, requeueBackoff_);
    ++failures;
  }
  addAfter(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  requeues_.erase(key);
}

int WorkQueue::numRequeues(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = requeues_.find(key);
  return found == requeues_.end() ? 0 : found->second;
}

void WorkQueue::promoteDueLocked() {
  const TimePoint now = clock_.now();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const std::string key = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    deadlineByKey_.erase(key);
    addLocked(key);
  }
}

std::optional<TimePoint> WorkQueue::earliestDeadlineLocked() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  for (;;) {
    promoteDueLocked();
    if (!ready_.empty()) break;
    if (shuttingDown_) return std::nullopt;
    if (const auto deadline = earliestDeadlineLocked()) {
      // The deadline is on the injected clock; waiting for the remaining interval follows real
      // time, and notifyClockChanged() covers clocks that jump.
      changed_.wait_for(lock, *deadline - clock_.now());
    } else {
      changed_.wait(lock);
    }
  }
  std::string key = std::move(ready_.front());
  ready_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.contains(key)) {
    ready_.push_back(key);
    changed_.notify_one();
  }
}

std::size_t WorkQueue::len() {
  std::lock_guard lock(mutex_);
  promoteDueLocked();
  return ready_.size();
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mutex_);
  shuttingDown_ = true;
  // Delayed keys are dropped: nobody will process them after shutdown.
  deadlines_.clear();
  deadlineByKey_.clear();
  changed_.notify_all();
}

bool WorkQueue::shuttingDown() const {
  std::lock_guard lock(mutex_);
  return shuttingDown_;
}

void WorkQueue::notifyClockChanged() {
  std::lock_guard lock(mutex_);
  changed_.notify_all();
}

}  // namespace fivespot::controller
