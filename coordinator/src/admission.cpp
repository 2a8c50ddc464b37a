#include "admission.hpp"

#include <algorithm>

namespace fivespot::coordinator {

Admission::Admission(ConcurrencyLimits limits, const Clock& clock, Requeue requeue)
    : limits_(limits), clock_(clock), requeue_(std::move(requeue)) {}

bool Admission::tryStart(const std::string& key, WorkKind kind, int priority) {
  std::lock_guard lock(mutex_);
  if (kind == WorkKind::None) {
    waiting_.erase(key);  // the work it waited for is no longer wanted
    return true;
  }
  auto [it, inserted] = waiting_.try_emplace(key, WorkRequest{key, kind, priority, clock_.now()});
  if (!inserted) {
    it->second.kind = kind;
    it->second.priority = priority;
  }
  std::vector<WorkRequest> waiting;
  for (const auto& [k, request] : waiting_) waiting.push_back(request);
  InFlight inFlight{static_cast<int>(adding_.size() - adding_.count(key)),
                    static_cast<int>(removing_.size() - removing_.count(key))};
  const std::vector<std::string> admitted = admit(std::move(waiting), limits_, inFlight);
  if (std::find(admitted.begin(), admitted.end(), key) == admitted.end()) return false;
  waiting_.erase(key);
  (kind == WorkKind::Add ? adding_ : removing_).insert(key);
  (kind == WorkKind::Add ? removing_ : adding_).erase(key);
  return true;
}

void Admission::settled(const std::string& key, std::optional<api::Phase> phase) {
  std::vector<std::string> wake;
  {
    std::lock_guard lock(mutex_);
    bool freed = false;
    // A key found mid-add or mid-removal (e.g. after a restart) holds a slot as well.
    if (phase == api::Phase::Scheduled) adding_.insert(key);
    if (phase == api::Phase::Removing) removing_.insert(key);
    if (phase != api::Phase::Scheduled) freed = adding_.erase(key) > 0;
    if (phase != api::Phase::Removing) freed = removing_.erase(key) > 0 || freed;
    if (!phase) waiting_.erase(key);
    if (freed) wakeWaitingLocked(wake);
  }
  for (const auto& k : wake) requeue_(k);
}

void Admission::wakeWaitingLocked(std::vector<std::string>& wake) const {
  for (const auto& [key, request] : waiting_) wake.push_back(key);
}

void Admission::reset() {
  std::lock_guard lock(mutex_);
  adding_.clear();
  removing_.clear();
  waiting_.clear();
}

}  // namespace fivespot::coordinator
