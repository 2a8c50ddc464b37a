#include "metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "fivespot/coordinator/savings_status.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/kube/request_metrics.hpp"

namespace fivespot::coordinator {
namespace {

using prometheus::Histogram;

// Reconciles are API round trips: milliseconds to a few seconds.
Histogram::BucketBoundaries reconcileBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}
// Drains follow gracefulShutdownTimeout + nodeDrainTimeout: seconds to hours.
Histogram::BucketBoundaries drainBuckets() {
  return {1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200};
}
// Edge lag: exact wake-ups keep it near zero; the alert fires at p99 > 60 s.
Histogram::BucketBoundaries lagBuckets() {
  return {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300};
}

double unixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

CoordinatorMetrics::CoordinatorMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      reconciles_(prometheus::BuildCounter()
                      .Name("five_spot_reconciles_total")
                      .Help("ScheduledMachine reconciles by result")
                      .Register(*registry_)),
      reconcileDuration_(prometheus::BuildHistogram()
                             .Name("five_spot_reconcile_duration_seconds")
                             .Help("Duration of one reconcile (observe, decide, act, write status)")
                             .Register(*registry_)),
      machines_(prometheus::BuildGauge()
                    .Name("five_spot_machines")
                    .Help("ScheduledMachines by status.phase")
                    .Register(*registry_)),
      inWindow_(prometheus::BuildGauge()
                    .Name("five_spot_in_window_machines")
                    .Help("ScheduledMachines whose schedule window is open")
                    .Register(*registry_)),
      drainDuration_(prometheus::BuildHistogram()
                         .Name("five_spot_drain_duration_seconds")
                         .Help("Time from the start of a removal to the machine being out of the cluster")
                         .Register(*registry_)),
      evictions_(prometheus::BuildCounter()
                     .Name("five_spot_evictions_total")
                     .Help("Pod evictions by result (evicted, blocked by a PDB, gone, error)")
                     .Register(*registry_)),
      windowEdgeLag_(prometheus::BuildHistogram()
                         .Name("five_spot_window_edge_lag_seconds")
                         .Help("Delay between a window edge and the coordinator acting on it")
                         .Register(*registry_)),
      isLeader_(prometheus::BuildGauge()
                    .Name("five_spot_is_leader")
                    .Help("1 while this instance may act (leader, or leader election disabled)")
                    .Register(*registry_)),
      ownedMachines_(prometheus::BuildGauge()
                         .Name("five_spot_owned_machines")
                         .Help("ScheduledMachines this instance acts on (its shard)")
                         .Register(*registry_)),
      phaseEntered_(prometheus::BuildGauge()
                        .Name("five_spot_machine_phase_entered_timestamp_seconds")
                        .Help("Unix time the machine entered its current phase")
                        .Register(*registry_)),
      drainBlockedPods_(prometheus::BuildGauge()
                            .Name("five_spot_drain_blocked_pods")
                            .Help("Pods of the machine's node whose last eviction was refused by a PDB")
                            .Register(*registry_)),
      kubeRequests_(prometheus::BuildCounter()
                        .Name("five_spot_kube_requests_total")
                        .Help("Requests to the management cluster's API server by RBAC verb, API group, resource "
                              "and HTTP status code (<error>: no answer)")
                        .Register(*registry_)),
      power_(*registry_) {
  prometheus::BuildGauge()
      .Name("five_spot_up")
      .Help("1 while the coordinator runs")
      .Register(*registry_)
      .Add({})
      .Set(1);
  // Pre-create the label sets so that rate() works from the first scrape.
  for (const char* result : {"success", "error"}) reconciles_.Add({{"result", result}});
  for (const char* result : {"evicted", "blocked", "gone", "error"}) evictions_.Add({{"result", result}});
  reconcileDuration_.Add({}, reconcileBuckets());
  drainDuration_.Add({}, drainBuckets());
  windowEdgeLag_.Add({}, lagBuckets());
  isLeader_.Add({}).Set(0);
  ownedMachines_.Add({}).Set(0);
  inWindow_.Add({}).Set(0);
}

CoordinatorMetrics::~CoordinatorMetrics() = default;

void CoordinatorMetrics::recordEnergySaved(const api::ScheduledMachine& machine, const api::HostAgent* agent,
                                           TimePoint now) {
  const std::optional<api::PowerSavings> asOf = savingsAsOfNow(machine, agent, now);
  if (!asOf) return;
  const auto source = power::parseOnPowerSource(asOf->source);
  if (!source) return;  // nothing closed or running at a known rate yet: no series to grow
  power_.recordSavedEnergy(machine.metadata.namespace_, machine.metadata.name, *source, asOf->energySavedWh);
}

void CoordinatorMetrics::recordReconcile(const std::string& result, std::chrono::duration<double> duration) {
  reconciles_.Add({{"result", result}}).Increment();
  reconcileDuration_.Add({}, reconcileBuckets()).Observe(duration.count());
}

void CoordinatorMetrics::recordEviction(const std::string& result) {
  evictions_.Add({{"result", result}}).Increment();
}

void CoordinatorMetrics::recordDrainDuration(std::chrono::duration<double> duration) {
  drainDuration_.Add({}, drainBuckets()).Observe(duration.count());
}

void CoordinatorMetrics::recordWindowEdgeLag(std::chrono::duration<double> lag) {
  windowEdgeLag_.Add({}, lagBuckets()).Observe(std::max(0.0, lag.count()));
}

void CoordinatorMetrics::setLeader(bool leader) {
  isLeader_.Add({}).Set(leader ? 1 : 0);
}

void CoordinatorMetrics::setOwnedMachines(std::size_t count) {
  ownedMachines_.Add({}).Set(static_cast<double>(count));
}

void CoordinatorMetrics::setMachinesByPhase(const std::map<std::string, std::size_t>& countByPhase) {
  for (const auto& [phase, count] : countByPhase) machines_.Add({{"phase", phase}}).Set(static_cast<double>(count));
}

void CoordinatorMetrics::setInWindowMachines(std::size_t count) {
  inWindow_.Add({}).Set(static_cast<double>(count));
}

void CoordinatorMetrics::setPhaseEntered(const std::string& ns, const std::string& name, const std::string& phase,
                                         TimePoint since) {
  std::lock_guard lock(mutex_);
  auto& [currentPhase, gauge] = phaseSeries_[{ns, name}];
  if (gauge != nullptr && currentPhase == phase) return;
  if (gauge != nullptr) phaseEntered_.Remove(gauge);
  currentPhase = phase;
  gauge = &phaseEntered_.Add({{"namespace", ns}, {"name", name}, {"phase", phase}});
  gauge->Set(unixSeconds(since));
}

void CoordinatorMetrics::setDrainBlockedPods(const std::string& ns, const std::string& name, std::size_t count) {
  std::lock_guard lock(mutex_);
  auto& gauge = blockedSeries_[{ns, name}];
  if (gauge == nullptr) gauge = &drainBlockedPods_.Add({{"namespace", ns}, {"name", name}});
  gauge->Set(static_cast<double>(count));
}

void CoordinatorMetrics::forgetMachine(const std::string& ns, const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = phaseSeries_.find({ns, name}); it != phaseSeries_.end()) {
      if (it->second.second != nullptr) phaseEntered_.Remove(it->second.second);
      phaseSeries_.erase(it);
    }
    if (auto it = blockedSeries_.find({ns, name}); it != blockedSeries_.end()) {
      drainBlockedPods_.Remove(it->second);
      blockedSeries_.erase(it);
    }
  }
  power_.forget(ns, name);
}

void CoordinatorMetrics::recordKubeRequest(const kube::RequestInfo& request, int status) {
  kubeRequests_.Add(kube::requestMetricLabels(request, status)).Increment();
}

}  // namespace fivespot::coordinator
