#pragma once
// One reconcile of one ScheduledMachine, controller-runtime style: observe (caches + on-demand
// reads) -> decide() (pure) -> admission (concurrency limits by priority) -> execute the actions
// in order -> write the status (merge patch on /status, conditional on the resourceVersion the
// decision was based on) -> requeue exactly when the decision says (window edges, grace periods,
// drain polls). Failures go through recordFailure() and the queue's per-key back-off.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "admission.hpp"
#include "executor.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/controller/workqueue.hpp"
#include "metrics.hpp"
#include "observer.hpp"

namespace fivespot::coordinator {

struct ReconcilerOptions {
  // Nodes in a workload cluster are not watched: look again this often while waiting on them.
  std::chrono::seconds workloadNodePollInterval{10};
  // A key held back by the concurrency limits is re-queued when a slot frees; this is the backstop.
  std::chrono::seconds admissionRetry{30};
  // While evicted pods terminate (no PodDisruptionBudget refused any), list the node's pods again
  // this soon rather than after the drain poll interval, which paces retries of refused evictions.
  std::chrono::seconds terminatingPodsPoll{1};
  // Backstop while the cache is behind this process's own write (KeyMemory::supersededResourceVersions):
  // the write's watch event normally re-queues the key first.
  std::chrono::milliseconds ownWriteWait{1000};
};

enum class ReconcileResult { Done, HeldBack, Conflict, Failed, LostOwnership, Gone };

class Reconciler {
 public:
  Reconciler(kube::Client& client, Observer& observer, Executor& executor, Admission& admission,
             CoordinatorMetrics& metrics, controller::WorkQueue& queue, const Clock& clock, ReconcilerOptions options);

  // `mayAct` says whether this instance may still act on the key (leadership, shard).
  ReconcileResult reconcile(const std::string& key, const std::function<bool()>& mayAct);
  // Leadership or the shard changed: another instance may have acted on any key meanwhile, so
  // nothing remembered about a key's children is trusted any more.
  void ownershipChanged() { ++ownershipEpoch_; }

 private:
  ReconcileResult run(const std::string& key, KeyMemory& memory, const std::function<bool()>& mayAct);
  Decision decideWithPods(Observation& observation);
  // Returns the resourceVersion after the write, or `resourceVersion` when nothing was written.
  std::string writeStatus(const Observed& observed, const Decision& decision, const std::string& resourceVersion);
  static bool cacheBehindOwnWrite(const Observed& observed, const KeyMemory& memory);
  void requeue(const std::string& key, const Observation& observation, const Decision& decision,
               const KeyMemory& memory);
  void recordEdgeLag(const Observed& observed, const Decision& decision);
  void recordDrainEnd(const Observed& observed, const Decision& decision);
  void handleFailure(const std::string& key, KeyMemory& memory, const Observation& observation,
                     const std::exception& error);
  // Phase Error with Ready=False/InvalidSpec naming the field, written once per distinct problem.
  void reportUnreadable(const std::string& key, const ValidationError& error);
  void forgetKey(const std::string& key);
  KeyMemory& memoryOf(const std::string& key);

  kube::Client& client_;
  Observer& observer_;
  Executor& executor_;
  Admission& admission_;
  CoordinatorMetrics& metrics_;
  controller::WorkQueue& queue_;
  const Clock& clock_;
  const ReconcilerOptions options_;

  std::atomic<std::uint64_t> ownershipEpoch_{1};
  std::mutex memoryMutex_;
  std::map<std::string, KeyMemory> memory_;  // entries are only touched by the worker holding the key
};

// The Ready condition reason for a failed reconcile, from the exception's type.
std::string failureReason(const std::exception& error);

}  // namespace fivespot::coordinator
