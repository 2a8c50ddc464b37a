#pragma once
// Carries out a Decision's actions in order against the API servers. Every action is idempotent
// (create-if-absent, delete-if-present, read-modify-write with resourceVersion preconditions), so
// re-running a decision after a crash or a conflict is safe. The first failing action stops the
// run by throwing; Events are best effort (logged) so that a full event store never blocks a
// machine's removal.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "events.hpp"
#include "fivespot/coordinator/decide.hpp"
#include "metrics.hpp"
#include "observer.hpp"
#include "power_orders.hpp"

namespace fivespot::coordinator {

// This instance lost the right to act on the key (leadership or shard moved) mid-way.
class LostOwnership : public std::runtime_error {
 public:
  explicit LostOwnership(const std::string& key) : std::runtime_error("no longer the owner of " + key) {}
};

struct ExecutorOptions {
  int evictionParallelism = 8;
};

class Executor {
 public:
  Executor(kube::Client& client, EventRecorder& events, PowerOrders& power, CoordinatorMetrics& metrics,
           ExecutorOptions options);

  // Runs decision.actions. Results that belong in the status (blocking PDBs of this eviction round,
  // what a power-on did) are written into decision.status; `memory` keeps what the next observation
  // needs. `mayAct` is checked before every action; when it turns false, LostOwnership is thrown.
  // Returns the ScheduledMachine's resourceVersion after our own writes to it (finalizers), or ""
  // when none happened, so that the status write that follows can be conditional on it.
  std::string execute(const Observation& observation, Decision& decision, KeyMemory& memory,
                      const std::function<bool()>& mayAct);

 private:
  class Run;

  kube::Client& client_;
  EventRecorder& events_;
  PowerOrders& power_;
  CoordinatorMetrics& metrics_;
  const ExecutorOptions options_;
};

// Node writes (read-modify-write with optimistic concurrency); exposed for tests.
kube::Json withTaintAdded(kube::Json node, const api::Taint& taint);
kube::Json withTaintRemoved(kube::Json node, const api::Taint& taint);

}  // namespace fivespot::coordinator
