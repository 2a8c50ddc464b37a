#include "agent.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "checks.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/shutdown.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::agent {
namespace {

constexpr const char* kInhibitorWho = "fivespot-agent";
constexpr const char* kInhibitorWhy = "5-Spot agent sends its last report before power-off";

}  // namespace

PowerOffVerdict decidePowerOff(const api::HostAgentSpec& spec, const api::HostAgentStatus& status) {
  if (spec.powerOffGeneration <= 0) return {false, "no power-off order"};
  if (spec.powerOffGeneration <= status.powerOffAcknowledgedGeneration) {
    return {false, "order " + std::to_string(spec.powerOffGeneration) + " already acknowledged"};
  }
  if (spec.powerOffGeneration != spec.commandGeneration) {
    return {false, "stale order: powerOffGeneration " + std::to_string(spec.powerOffGeneration) +
                       " is not the current commandGeneration " + std::to_string(spec.commandGeneration)};
  }
  if (spec.desiredPower != api::PowerState::Off) return {false, "desiredPower is On"};
  if (spec.killSwitch) return {true, "kill switch"};
  if (spec.drainConfirmationGeneration <= 0) return {false, "no drain confirmation was requested"};
  if (status.drainConfirmedGeneration < spec.drainConfirmationGeneration) {
    return {false, "drain not confirmed for generation " + std::to_string(spec.drainConfirmationGeneration)};
  }
  return {true, "drain confirmed for generation " + std::to_string(spec.drainConfirmationGeneration)};
}

bool drainConfirmationPending(const api::HostAgentSpec& spec, const api::HostAgentStatus& status) {
  return spec.drainConfirmationGeneration > status.drainConfirmedGeneration;
}

Agent::Agent(AgentSettings settings, AgentParts parts) : settings_(std::move(settings)), parts_(parts) {
  status_.mode = toString(settings_.mode);
  status_.powerState = api::kPowerStateOn;
  status_.agentVersion = settings_.version;
}

std::chrono::seconds Agent::nextBackoff() {
  ++consecutiveFailures_;
  lastReportSucceeded_ = false;
  const auto doubling = settings_.initialBackoff * (std::int64_t{1} << std::min(consecutiveFailures_ - 1, 20));
  return std::min<std::chrono::seconds>(doubling, settings_.maxBackoff);
}

void Agent::noteError(const std::string& message) {
  spdlog::warn("{}", message);
  status_.lastError = message;
}

Agent::HeartbeatResult Agent::failed(const char* what, const Error& error) {
  const auto backoff = nextBackoff();
  status_.lastError = std::string(what) + ": " + error.what();
  spdlog::warn("{} failed ({} in a row), retrying in {}s: {}", what, consecutiveFailures_, backoff.count(),
               error.what());
  parts_.notifier.status("API unreachable (" + std::to_string(consecutiveFailures_) + " attempts): " + error.what());
  return {false, backoff};
}

// The server's copy wins for what only ever grows, so a restarted agent (or a second writer)
// never lowers a confirmation or forgets a reclaim.
void Agent::adoptServerStatus(const api::HostAgentStatus& server) {
  status_.drainConfirmedGeneration = std::max(status_.drainConfirmedGeneration, server.drainConfirmedGeneration);
  status_.powerOffAcknowledgedGeneration =
      std::max(status_.powerOffAcknowledgedGeneration, server.powerOffAcknowledgedGeneration);
  adoptRelayedWakes(status_.relayedWakes, server.relayedWakes);
  if (status_.reclaimRequested.empty() && !server.reclaimRequested.empty()) {
    status_.reclaimRequested = server.reclaimRequested;
    status_.reclaimRequestedAt = server.reclaimRequestedAt;
  }
}

void Agent::refreshObservations(TimePoint now) {
  status_.checks = parts_.readiness();
  status_.ready = allPassed(status_.checks);
  status_.energy = parts_.energy.sample(now);
  const std::string& energyReason = parts_.energy.unavailableReason();
  if (energyReason != loggedEnergyReason_) {
    if (!energyReason.empty()) spdlog::info("energy measurement unavailable: {}", energyReason);
    loggedEnergyReason_ = energyReason;
  }
  status_.lastHeartbeat = formatRfc3339(now);
}

void Agent::confirmDrainIfRequested(const api::HostAgentSpec& spec) {
  if (!drainConfirmationPending(spec, status_)) return;
  DrainVerdict verdict;
  if (settings_.mode == Mode::Node) {
    if (!spec.nodeName.empty() && spec.nodeName != settings_.nodeName) {
      noteError("drain confirmation refused: HostAgent names node " + spec.nodeName + ", this agent runs on " +
                settings_.nodeName);
      return;
    }
    verdict = evaluateNodePods(parts_.api.listPodsOnNode(settings_.nodeName), settings_.nodeName);
  } else {
    verdict = parts_.localWorkload.check();
  }
  if (!verdict.confirmed) {
    spdlog::info("drain generation {} not confirmed yet: {}", spec.drainConfirmationGeneration, verdict.summary());
    return;
  }
  spdlog::info("drain generation {} confirmed: {}", spec.drainConfirmationGeneration, verdict.summary());
  status_.drainConfirmedGeneration = spec.drainConfirmationGeneration;
}

bool Agent::report(const char* what) {
  try {
    parts_.api.patchStatus(api::statusToJson(status_));
    return true;
  } catch (const Error& e) {
    spdlog::warn("{}: status patch failed: {}", what, e.what());
    status_.lastError = std::string(what) + ": " + e.what();
    return false;
  }
}

Agent::HeartbeatResult Agent::heartbeat() {
  lastCycle_ = parts_.clock.now();
  api::HostAgent object;
  try {
    object = parts_.api.get();
  } catch (const Error& e) {
    return failed("reading the HostAgent", e);
  }
  spec_ = object.spec;
  adoptServerStatus(object.status);
  refreshObservations(parts_.clock.now());
  try {
    confirmDrainIfRequested(object.spec);
  } catch (const Error& e) {
    return failed("listing pods on the node", e);
  }
  relayWakes();
  if (!poweringOff_) status_.powerState = api::kPowerStateOn;
  const std::string errorBeforeReport = status_.lastError;
  if (!report("heartbeat")) return {false, nextBackoff()};
  // Reported: the error has been seen; the next report starts clean.
  if (status_.lastError == errorBeforeReport) status_.lastError.clear();
  reclaimUnreported_ = false;
  consecutiveFailures_ = 0;
  lastReportSucceeded_ = true;
  if (!notifiedReady_) {
    parts_.notifier.ready();
    notifiedReady_ = true;
  }
  parts_.notifier.status(std::string(status_.ready ? "ready" : "not ready") + ", power " + status_.powerState +
                         ", drain confirmed for generation " + std::to_string(status_.drainConfirmedGeneration));
  actOnPowerOffOrder(object.spec);
  return {true, settings_.heartbeatInterval};
}

// Before the report, which carries the acknowledgements. A relay failure is reported in
// lastError and never stops this host's own heartbeat.
void Agent::relayWakes() {
  if (wakeRelay_ == nullptr || poweringOff_) return;
  try {
    const std::string errors = wakeRelay_->relay(status_.relayedWakes);
    if (!errors.empty()) status_.lastError = errors;
  } catch (const Error& e) {
    noteError(std::string("listing wake orders for this node failed: ") + e.what());
  }
}

void Agent::actOnPowerOffOrder(const api::HostAgentSpec& spec) {
  if (poweringOff_) return;
  const PowerOffVerdict verdict = decidePowerOff(spec, status_);
  if (!verdict.act) {
    if (spec.powerOffGeneration > status_.powerOffAcknowledgedGeneration &&
        loggedBlockedOrder_ != spec.powerOffGeneration) {
      spdlog::info("power-off order {} not acted on: {}", spec.powerOffGeneration, verdict.reason);
      loggedBlockedOrder_ = spec.powerOffGeneration;
    }
    return;
  }
  spdlog::info("power-off order {} accepted: {}", spec.powerOffGeneration, verdict.reason);
  Inhibitor lock;
  try {
    lock = parts_.power.inhibitDelay(kInhibitorWho, kInhibitorWhy);
  } catch (const DBusError& e) {
    // The lock only protects our last report; the power-off itself does not depend on it.
    noteError(std::string("taking the logind delay lock failed (") + e.busError() + "): " + e.what());
  }
  const auto acknowledgedBefore = status_.powerOffAcknowledgedGeneration;
  status_.powerState = api::kPowerStatePoweringOff;
  status_.powerOffAcknowledgedGeneration = spec.powerOffGeneration;
  // The coordinator must see the acknowledgement before the host goes away.
  if (!report("power-off acknowledgement")) {
    status_.powerState = api::kPowerStateOn;
    status_.powerOffAcknowledgedGeneration = acknowledgedBefore;
    return;
  }
  try {
    parts_.power.powerOff();
  } catch (const DBusError& e) {
    status_.powerState = api::kPowerStateOn;
    status_.powerOffAcknowledgedGeneration = acknowledgedBefore;
    noteError(std::string("logind PowerOff failed (") + e.busError() + "): " + e.what());
    report("power-off failure");
    return;
  }
  poweringOff_ = true;
  parts_.notifier.status("powering off for order " + std::to_string(spec.powerOffGeneration));
  // Last report while our delay lock holds the shutdown back.
  const TimePoint now = parts_.clock.now();
  status_.energy = parts_.energy.sample(now);
  status_.lastHeartbeat = formatRfc3339(now);
  report("last report before power-off");
  lock.release();
}

void Agent::scanForReclaim() {
  if (!spec_ || spec_->killIfCommands.empty()) return;
  if (!status_.reclaimRequested.empty()) {
    if (reclaimUnreported_) reclaimUnreported_ = !report("reclaim request");
    return;
  }
  std::optional<ReclaimMatch> match;
  try {
    match = parts_.processes.scan(spec_->killIfCommands);
  } catch (const Error& e) {
    noteError(std::string("process scan failed: ") + e.what());
    return;
  }
  if (!match) return;
  spdlog::warn("reclaim: process {} matches killIfCommands pattern '{}': {}", match->pid, match->pattern,
               match->commandLine);
  status_.reclaimRequested = match->pattern + ": " + match->commandLine;
  status_.reclaimRequestedAt = formatRfc3339(parts_.clock.now());
  reclaimUnreported_ = !report("reclaim request");
}

void Agent::run(std::stop_token stop, std::optional<std::chrono::microseconds> watchdogPing) {
  using Steady = std::chrono::steady_clock;
  auto nextHeartbeat = Steady::now();
  auto nextScan = Steady::now();
  while (!stop.stop_requested()) {
    if (Steady::now() >= nextHeartbeat) nextHeartbeat = Steady::now() + heartbeat().nextIn;
    if (Steady::now() >= nextScan) {
      scanForReclaim();
      nextScan = Steady::now() + settings_.reclaimScanInterval;
    }
    parts_.notifier.watchdog();
    auto wake = std::min(nextHeartbeat, nextScan);
    if (watchdogPing) wake = std::min(wake, Steady::now() + *watchdogPing);
    if (!waitFor(stop, std::max<Steady::duration>(wake - Steady::now(), Steady::duration::zero()))) break;
  }
}

}  // namespace fivespot::agent
