#pragma once
// The reconcile workers: --workers threads taking ScheduledMachine keys from the work queue. A key
// is reconciled only while this instance may act on it (Ownership); otherwise it is dropped here
// and picked up again when ownership changes (every key is re-queued then).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "caches.hpp"
#include "fivespot/controller/workqueue.hpp"
#include "metrics.hpp"
#include "ownership.hpp"
#include "reconciler.hpp"

namespace fivespot::coordinator {

class Controller {
 public:
  using AccessOf = std::function<Access(const std::string& key)>;

  // A key that is Settling is queued again after `settleDelay`, so that a machine created during a
  // hand-over is not forgotten; a Denied key is dropped (its owner handles it).
  Controller(controller::WorkQueue& queue, Reconciler& reconciler, const Caches& caches, CoordinatorMetrics& metrics,
             AccessOf accessOf, std::chrono::seconds settleDelay);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  void start(int workers);
  // Shuts the queue down and joins the workers (a reconcile in flight finishes first).
  void stop();

  // Queues every cached key, now or after `delay` (ownership changed: an immediate call also tells
  // the reconciler to stop trusting what it remembers about keys). A delayed call also
  // refreshes the fleet metrics then: keys that become ours after a settle delay change the
  // owned count without any ScheduledMachine event.
  void enqueueAll(std::chrono::seconds delay = std::chrono::seconds(0));
  // Machines by phase, in-window and owned counts, per-machine phase series: from the cache, on
  // the metrics thread, at most once per kFleetMetricsInterval however often it is asked (every
  // ScheduledMachine event asks; walking the fleet on each would be quadratic in a full list).
  void refreshFleetMetrics();

  static constexpr std::chrono::seconds kFleetMetricsInterval{1};

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void work();
  void refreshFleetMetricsAt(SteadyTime when);
  void runFleetMetrics(const std::stop_token& stop);
  void computeFleetMetrics();
  // five_spot_machine_powered_on and five_spot_energy_saved_wh_total from the status.
  void recordPower(const kube::Json& sm, const std::string& ns, const std::string& name, const std::string& phase);

  controller::WorkQueue& queue_;
  Reconciler& reconciler_;
  const Caches& caches_;
  CoordinatorMetrics& metrics_;
  [[nodiscard]] bool mayAct(const std::string& key) const { return accessOf_(key) == Access::Act; }

  const AccessOf accessOf_;
  const std::chrono::seconds settleDelay_;
  std::vector<std::jthread> workers_;

  std::mutex refreshMutex_;
  std::condition_variable_any refreshRequested_;
  std::set<SteadyTime> refreshesDue_;
  std::jthread fleetMetrics_;  // last member: stopped and joined before the rest is destroyed
};

}  // namespace fivespot::coordinator
