#include "controller.hpp"
#include "json_access.hpp"

#include <spdlog/spdlog.h>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/api/types.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::coordinator {
namespace {

constexpr api::Phase kAllPhases[] = {api::Phase::Pending, api::Phase::UnScheduled, api::Phase::Scheduled,
                                     api::Phase::Active,  api::Phase::Removing,    api::Phase::Inactive,
                                     api::Phase::Error};

bool conditionTrue(const kube::Json& sm, const std::string& type) {
  for (const auto& condition : valueAt(sm, "/status/conditions", kube::Json::array())) {
    if (condition.value("type", "") == type) return condition.value("status", "") == "True";
  }
  return false;
}

}  // namespace

void Controller::recordPower(const kube::Json& sm, const std::string& ns, const std::string& name,
                             const std::string& phase) {
  const bool inCluster = phase == api::toString(api::Phase::Active) || phase == api::toString(api::Phase::Removing);
  metrics_.power().setPoweredOn(ns, name, inCluster || conditionTrue(sm, "PoweredOn"));
  // The counter follows the savings as of now (finished off periods plus the running one), so it
  // grows during the night, not only when the host comes back. Machines without savings are
  // skipped before parsing: this runs for the whole fleet on every refresh.
  if (valueAt(sm, "/status/powerSavings", kube::Json()).is_null()) return;
  try {
    const auto machine = api::parseScheduledMachine(sm);
    const auto agentJson = caches_.hostAgent(ns + "/" + name);
    const std::optional<api::HostAgent> agent =
        agentJson ? std::optional<api::HostAgent>(api::parseHostAgent(*agentJson)) : std::nullopt;
    metrics_.recordEnergySaved(machine, agent ? &*agent : nullptr, SystemClock::instance().now());
  } catch (const Error& e) {
    spdlog::debug("{}/{}: no energy figure for metrics: {}", ns, name, e.what());  // reported by its reconcile
  }
}

Controller::Controller(controller::WorkQueue& queue, Reconciler& reconciler, const Caches& caches,
                       CoordinatorMetrics& metrics, AccessOf accessOf, std::chrono::seconds settleDelay)
    : queue_(queue),
      reconciler_(reconciler),
      caches_(caches),
      metrics_(metrics),
      accessOf_(std::move(accessOf)),
      settleDelay_(settleDelay),
      fleetMetrics_([this](const std::stop_token& stop) { runFleetMetrics(stop); }) {}

Controller::~Controller() {
  stop();
}

void Controller::start(int workers) {
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

void Controller::stop() {
  queue_.shutDown();
  workers_.clear();  // jthread joins
}

void Controller::work() {
  while (const auto key = queue_.get()) {
    try {
      const Access access = accessOf_(*key);
      if (access == Access::Act) reconciler_.reconcile(*key, [this, &key] { return mayAct(*key); });
      if (access == Access::Settling) {
        queue_.addAfter(*key, settleDelay_);
        refreshFleetMetricsAt(std::chrono::steady_clock::now() + settleDelay_);
      }
    } catch (const std::exception& error) {
      // The reconciler reports its own failures; this is a bug, and the worker must survive it.
      spdlog::error("{}: unexpected error in a reconcile: {}", *key, error.what());
      queue_.addRateLimited(*key);
    }
    queue_.done(*key);
  }
}

void Controller::enqueueAll(std::chrono::seconds delay) {
  if (delay.count() == 0) reconciler_.ownershipChanged();
  for (const auto& key : caches_.scheduledMachineKeys()) {
    if (delay.count() > 0) {
      queue_.addAfter(key, delay);
    } else {
      queue_.add(key);
    }
  }
  if (delay.count() > 0) refreshFleetMetricsAt(std::chrono::steady_clock::now() + delay);
}

void Controller::refreshFleetMetrics() {
  refreshFleetMetricsAt(std::chrono::steady_clock::now());
}

void Controller::refreshFleetMetricsAt(SteadyTime when) {
  {
    std::lock_guard lock(refreshMutex_);
    refreshesDue_.insert(when);
  }
  refreshRequested_.notify_one();
}

void Controller::runFleetMetrics(const std::stop_token& stop) {
  std::unique_lock lock(refreshMutex_);
  while (!stop.stop_requested()) {
    if (refreshesDue_.empty()) {
      refreshRequested_.wait(lock, stop, [this] { return !refreshesDue_.empty(); });
      continue;
    }
    const SteadyTime due = *refreshesDue_.begin();
    if (std::chrono::steady_clock::now() < due) {
      // Wakes early when an earlier refresh is asked for; the loop re-reads the earliest.
      refreshRequested_.wait_until(lock, stop, due, [this, due] { return *refreshesDue_.begin() < due; });
      continue;
    }
    // Every request made until now is answered by this one walk; later ones wait their turn.
    refreshesDue_.erase(refreshesDue_.begin(), refreshesDue_.upper_bound(std::chrono::steady_clock::now()));
    lock.unlock();
    try {
      computeFleetMetrics();
    } catch (const std::exception& error) {
      // A malformed object in the cache must not stop the metrics; the reconcile reports it.
      spdlog::error("refreshing the fleet metrics failed: {}", error.what());
    }
    lock.lock();
    refreshRequested_.wait_for(lock, stop, kFleetMetricsInterval, [] { return false; });
  }
}

void Controller::computeFleetMetrics() {
  std::map<std::string, std::size_t> byPhase;
  for (const api::Phase phase : kAllPhases) byPhase[api::toString(phase)] = 0;
  std::size_t inWindow = 0;
  std::size_t owned = 0;
  for (const auto& sm : caches_.scheduledMachines()) {
    const std::string ns = textAt(sm, "/metadata/namespace");
    const std::string name = textAt(sm, "/metadata/name");
    const std::string phase = textAt(sm, "/status/phase");
    if (!phase.empty()) {
      ++byPhase[phase];
      // The phase's start: a removal's own start time when known, else the Ready condition's last
      // transition (it flips between settled phases, True, and the phases in between, False).
      std::optional<TimePoint> since = tryParseRfc3339(textAt(sm, "/status/drain/startedAt"));
      if (!since || phase != api::toString(api::Phase::Removing)) {
        since.reset();
        for (const auto& condition : valueAt(sm, "/status/conditions", kube::Json::array())) {
          if (condition.value("type", "") == "Ready")
            since = tryParseRfc3339(condition.value("lastTransitionTime", ""));
        }
      }
      metrics_.setPhaseEntered(ns, name, phase, since.value_or(SystemClock::instance().now()));
    }
    if (flagAt(sm, "/status/inSchedule")) ++inWindow;
    recordPower(sm, ns, name, phase);
    if (mayAct(ns + "/" + name)) ++owned;
  }
  metrics_.setMachinesByPhase(byPhase);
  metrics_.setInWindowMachines(inWindow);
  metrics_.setOwnedMachines(owned);
}

}  // namespace fivespot::coordinator
