#pragma once
// Concurrency limits on adds and removals (--max-concurrent-adds / --max-concurrent-removals),
// ordered by priority through the logic's admit(). A key is "in flight" from the moment its add or
// removal is admitted until a reconcile sees it leave Scheduled / Removing. Keys that were held
// back are re-queued when a slot frees up.
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/coordinator/priority.hpp"

namespace fivespot::coordinator {

class Admission {
 public:
  using Requeue = std::function<void(const std::string& key)>;
  Admission(ConcurrencyLimits limits, const Clock& clock, Requeue requeue);

  // Whether `key` may start its add/removal now (`kind` from Decision::work; None is always allowed).
  bool tryStart(const std::string& key, WorkKind kind, int priority);
  // The key's phase after a reconcile (std::nullopt: gone). Scheduled/Removing hold a slot (also
  // when found so after a restart); leaving them frees it and re-queues the waiting keys.
  void settled(const std::string& key, std::optional<api::Phase> phase);
  // Forget everything (leadership or shard lost: another instance takes over these keys).
  void reset();

 private:
  void wakeWaitingLocked(std::vector<std::string>& wake) const;

  const ConcurrencyLimits limits_;
  const Clock& clock_;
  const Requeue requeue_;
  std::mutex mutex_;
  std::set<std::string> adding_;
  std::set<std::string> removing_;
  std::map<std::string, WorkRequest> waiting_;
};

}  // namespace fivespot::coordinator
