#pragma once
// The coordinator's Prometheus series (prefix five_spot_), in one place so that names, labels and
// buckets match docs/coordinator.md and deploy/monitoring/prometheusrule.yaml.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/power/metrics.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace fivespot::kube {
struct RequestInfo;
}  // namespace fivespot::kube

namespace fivespot::coordinator {

class CoordinatorMetrics {
 public:
  explicit CoordinatorMetrics(std::shared_ptr<prometheus::Registry> registry);
  ~CoordinatorMetrics();
  CoordinatorMetrics(const CoordinatorMetrics&) = delete;
  CoordinatorMetrics& operator=(const CoordinatorMetrics&) = delete;

  [[nodiscard]] const std::shared_ptr<prometheus::Registry>& registry() const noexcept { return registry_; }
  power::PowerMetrics& power() noexcept { return power_; }
  // five_spot_energy_saved_wh_total follows savingsAsOfNow(machine, agent, now): the closed off
  // periods plus the running one, so the counter grows while the host is off, not only when it
  // comes back. Monotonic per machine (PowerMetrics::recordSavedEnergy ignores a lower total).
  void recordEnergySaved(const api::ScheduledMachine& machine, const api::HostAgent* agent, TimePoint now);

  // result: "success" | "error"
  void recordReconcile(const std::string& result, std::chrono::duration<double> duration);
  // result: "evicted" | "blocked" | "gone" | "error"
  void recordEviction(const std::string& result);
  void recordDrainDuration(std::chrono::duration<double> duration);
  void recordWindowEdgeLag(std::chrono::duration<double> lag);
  void setLeader(bool leader);
  void setOwnedMachines(std::size_t count);
  void setMachinesByPhase(const std::map<std::string, std::size_t>& countByPhase);
  void setInWindowMachines(std::size_t count);
  // One series per machine: the phase it is in and since when (Unix time). A new phase replaces
  // the machine's previous series.
  void setPhaseEntered(const std::string& ns, const std::string& name, const std::string& phase, TimePoint since);
  void setDrainBlockedPods(const std::string& ns, const std::string& name, std::size_t count);
  // The machine is gone: drop its per-machine series.
  void forgetMachine(const std::string& ns, const std::string& name);
  // five_spot_kube_requests_total: one HTTP exchange with the management cluster's API server
  // (kube::ClientOptions::requestObserver). status 0 = no answer, counted as code "<error>".
  void recordKubeRequest(const kube::RequestInfo& request, int status);

 private:
  using MachineKey = std::pair<std::string, std::string>;

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Family<prometheus::Histogram>& reconcileDuration_;
  prometheus::Family<prometheus::Gauge>& machines_;
  prometheus::Family<prometheus::Gauge>& inWindow_;
  prometheus::Family<prometheus::Histogram>& drainDuration_;
  prometheus::Family<prometheus::Counter>& evictions_;
  prometheus::Family<prometheus::Histogram>& windowEdgeLag_;
  prometheus::Family<prometheus::Gauge>& isLeader_;
  prometheus::Family<prometheus::Gauge>& ownedMachines_;
  prometheus::Family<prometheus::Gauge>& phaseEntered_;
  prometheus::Family<prometheus::Gauge>& drainBlockedPods_;
  prometheus::Family<prometheus::Counter>& kubeRequests_;
  power::PowerMetrics power_;

  std::mutex mutex_;
  std::map<MachineKey, std::pair<std::string, prometheus::Gauge*>> phaseSeries_;
  std::map<MachineKey, prometheus::Gauge*> blockedSeries_;
};

}  // namespace fivespot::coordinator
