#include "fivespot/power/sequencer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fivespot::power {
namespace {

// "10m", "1h30m", "45s": for condition messages.
std::string describe(std::chrono::seconds d) {
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(d);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d - hours);
  const auto seconds = d - hours - minutes;
  std::string text;
  if (hours.count() > 0) text += fmt::format("{}h", hours.count());
  if (minutes.count() > 0) text += fmt::format("{}m", minutes.count());
  if (seconds.count() > 0 || text.empty()) text += fmt::format("{}s", seconds.count());
  return text;
}

PowerOnDecision onDecision(PowerOnAction action, std::optional<TimePoint> requeueAt, const char* reason,
                           std::string message) {
  return PowerOnDecision{action, requeueAt, reason, std::move(message)};
}

PowerOffDecision offDecision(PowerOffAction action, std::optional<TimePoint> requeueAt, const char* reason,
                             std::string message) {
  return PowerOffDecision{action, requeueAt, reason, std::move(message)};
}

bool isOff(const PowerOffObservation& observed) {
  // With a BMC its read-back is authoritative; the agent's report stands in when it is unreadable
  // or absent (Wake-on-LAN only).
  if (observed.bmcConfigured && observed.bmcPowerState) return *observed.bmcPowerState == SystemPowerState::Off;
  return observed.agentReportsOff;
}

}  // namespace

AttemptFailure classifyFailure(const std::exception& error) {
  if (dynamic_cast<const RedfishCredentialsRejected*>(&error) != nullptr) return {error.what(), false};
  if (const auto* typed = dynamic_cast<const Error*>(&error)) {
    const bool permanent = typed->kind() == ErrorKind::InvalidInput || typed->kind() == ErrorKind::Configuration;
    return {error.what(), !permanent};
  }
  return {error.what(), true};
}

const char* toString(PowerOnAction action) {
  switch (action) {
    case PowerOnAction::SendPowerOn:
      return "SendPowerOn";
    case PowerOnAction::Wait:
      return "Wait";
    case PowerOnAction::PoweredOn:
      return "PoweredOn";
    case PowerOnAction::Failed:
      return "Failed";
  }
  return "Wait";
}

PowerOnDecision decidePowerOn(const PowerOnPolicy& policy, const PowerOnProgress& progress,
                              const PowerOnObservation& observed, TimePoint now) {
  if (observed.agentReady || observed.bmcPowerState == SystemPowerState::On) {
    return onDecision(
        PowerOnAction::PoweredOn, std::nullopt, kReasonPoweredOn,
        observed.bmcPowerState == SystemPowerState::On ? "BMC reports PowerState On" : "host agent reports ready");
  }
  if (progress.lastFailure && !progress.lastFailure->retryable) {
    return onDecision(PowerOnAction::Failed, std::nullopt, kReasonPowerOnRejected,
                      "power-on cannot succeed until the spec or credentials change: " + progress.lastFailure->message);
  }
  if (!progress.startedAt) {
    return onDecision(PowerOnAction::SendPowerOn, now + policy.retryInterval, kReasonPoweringOn, "sending power-on");
  }
  const TimePoint deadline = *progress.startedAt + policy.timeout;
  if (now >= deadline) {
    std::string message = fmt::format("host not up {} after the first power-on attempt ({} attempts)",
                                      describe(policy.timeout), progress.attempts);
    if (progress.lastFailure) message += "; last error: " + progress.lastFailure->message;
    return onDecision(PowerOnAction::Failed, std::nullopt, kReasonPowerOnTimeout, std::move(message));
  }
  const std::string attemptText = fmt::format("{} attempt(s) so far", progress.attempts);
  if (observed.bmcPowerState == SystemPowerState::PoweringOn) {
    return onDecision(PowerOnAction::Wait, std::min(now + policy.retryInterval, deadline), kReasonPoweringOn,
                      "BMC reports PoweringOn; " + attemptText);
  }
  const TimePoint nextAttempt = progress.lastAttemptAt.value_or(*progress.startedAt) + policy.retryInterval;
  if (now >= nextAttempt) {
    return onDecision(PowerOnAction::SendPowerOn, std::min(now + policy.retryInterval, deadline), kReasonPoweringOn,
                      "host not up yet, sending power-on again; " + attemptText);
  }
  std::string message = "waiting for the host to come up; " + attemptText;
  if (progress.lastFailure) message += "; last error: " + progress.lastFailure->message;
  return onDecision(PowerOnAction::Wait, std::min(nextAttempt, deadline), kReasonPoweringOn, std::move(message));
}

PowerOnProgress recordPowerOnAttempt(PowerOnProgress progress, TimePoint now, std::optional<AttemptFailure> failure) {
  if (!progress.startedAt) progress.startedAt = now;
  progress.attempts += 1;
  progress.lastAttemptAt = now;
  progress.lastFailure = std::move(failure);
  return progress;
}

const char* toString(PowerOffAction action) {
  switch (action) {
    case PowerOffAction::WaitForDrain:
      return "WaitForDrain";
    case PowerOffAction::OrderAgentPowerOff:
      return "OrderAgentPowerOff";
    case PowerOffAction::Wait:
      return "Wait";
    case PowerOffAction::SendGracefulShutdown:
      return "SendGracefulShutdown";
    case PowerOffAction::SendForceOff:
      return "SendForceOff";
    case PowerOffAction::PoweredOff:
      return "PoweredOff";
    case PowerOffAction::Stuck:
      return "Stuck";
  }
  return "Wait";
}

PowerOffDecision decidePowerOff(const PowerOffPolicy& policy, const PowerOffProgress& progress,
                                const PowerOffObservation& observed, TimePoint now) {
  if (isOff(observed)) {
    return offDecision(PowerOffAction::PoweredOff, std::nullopt, kReasonPoweredOff,
                       observed.bmcConfigured && observed.bmcPowerState ? "BMC reports PowerState Off"
                                                                        : "host agent reports power-off");
  }
  if (!observed.drainConfirmed) {
    return offDecision(PowerOffAction::WaitForDrain, std::nullopt, kReasonWaitingForDrain,
                       "waiting for the agent to confirm the drain before any power-off");
  }
  if (!progress.agentOrderedAt) {
    return offDecision(PowerOffAction::OrderAgentPowerOff, now + policy.fallbackTimeout, kReasonPoweringOff,
                       "ordering the host agent to power off");
  }
  const std::string timeoutText = describe(policy.fallbackTimeout);
  const TimePoint agentDeadline = *progress.agentOrderedAt + policy.fallbackTimeout;
  if (!observed.bmcConfigured) {
    if (now < agentDeadline) {
      return offDecision(PowerOffAction::Wait, agentDeadline, kReasonPoweringOff, "waiting for the host agent");
    }
    return offDecision(PowerOffAction::Stuck, now + policy.fallbackTimeout, kReasonPowerOffStuck,
                       fmt::format("host agent did not power the host off within {} and no Redfish BMC is "
                                   "configured for a fallback",
                                   timeoutText));
  }
  const bool stillOn = observed.bmcPowerState == SystemPowerState::On;
  if (!progress.gracefulShutdownSentAt) {
    if (now < agentDeadline) {
      return offDecision(PowerOffAction::Wait, agentDeadline, kReasonPoweringOff, "waiting for the host agent");
    }
    if (stillOn) {
      return offDecision(PowerOffAction::SendGracefulShutdown, now + policy.fallbackTimeout, kReasonPoweringOff,
                         fmt::format("host agent did not power off within {}; Redfish GracefulShutdown", timeoutText));
    }
  } else if (!progress.forceOffSentAt) {
    const TimePoint gracefulDeadline = *progress.gracefulShutdownSentAt + policy.fallbackTimeout;
    if (now < gracefulDeadline) {
      return offDecision(PowerOffAction::Wait, gracefulDeadline, kReasonPoweringOff,
                         "waiting for GracefulShutdown to complete");
    }
    if (stillOn) {
      return offDecision(PowerOffAction::SendForceOff, now + policy.fallbackTimeout, kReasonPoweringOff,
                         fmt::format("still On {} after GracefulShutdown; Redfish ForceOff", timeoutText));
    }
  } else {
    const TimePoint forceDeadline = *progress.forceOffSentAt + policy.fallbackTimeout;
    if (now < forceDeadline) {
      return offDecision(PowerOffAction::Wait, forceDeadline, kReasonPoweringOff, "waiting for ForceOff to complete");
    }
    return offDecision(
        PowerOffAction::Stuck, now + policy.fallbackTimeout, kReasonPowerOffStuck,
        fmt::format("BMC still reports {} {} after ForceOff",
                    observed.bmcPowerState ? toString(*observed.bmcPowerState) : "an unreadable state", timeoutText));
  }
  // Past a deadline but the BMC does not say On: either in transition or unreadable; only a
  // known On justifies the next, harder step.
  return offDecision(PowerOffAction::Wait, now + policy.fallbackTimeout, kReasonPoweringOff,
                     fmt::format("BMC reports {}; waiting before any further step",
                                 observed.bmcPowerState ? toString(*observed.bmcPowerState) : "no readable state"));
}

PowerOffProgress recordPowerOffAction(PowerOffProgress progress, PowerOffAction action, TimePoint now) {
  switch (action) {
    case PowerOffAction::OrderAgentPowerOff:
      progress.agentOrderedAt = now;
      break;
    case PowerOffAction::SendGracefulShutdown:
      progress.gracefulShutdownSentAt = now;
      break;
    case PowerOffAction::SendForceOff:
      progress.forceOffSentAt = now;
      break;
    default:
      break;
  }
  return progress;
}

}  // namespace fivespot::power
