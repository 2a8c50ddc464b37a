#pragma once
// Power sequencing as pure decisions. The coordinator observes (agent status, BMC power state),
// asks what to do now, does it (WoL, Redfish, HostAgent order) and records what it did in a
// progress value it persists. Nothing here performs I/O or reads a clock, so every path,
// including timeouts, is tested with plain values.
#include <chrono>
#include <optional>
#include <string>

#include "fivespot/common/clock.hpp"
#include "fivespot/power/redfish.hpp"

namespace fivespot::power {

// Condition reasons the decisions produce (for the PoweredOn condition and events).
inline constexpr const char* kReasonPoweringOn = "PoweringOn";
inline constexpr const char* kReasonPoweredOn = "PoweredOn";
inline constexpr const char* kReasonPowerOnTimeout = "PowerOnTimeout";
inline constexpr const char* kReasonPowerOnRejected = "PowerOnRejected";
inline constexpr const char* kReasonWaitingForDrain = "WaitingForDrain";
inline constexpr const char* kReasonPoweringOff = "PoweringOff";
inline constexpr const char* kReasonPoweredOff = "PoweredOff";
inline constexpr const char* kReasonPowerOffStuck = "PowerOffStuck";

// Why an attempt (WoL send, Redfish call) failed, as the sequencer needs it.
struct AttemptFailure {
  std::string message;
  bool retryable = true;  // false: credentials rejected, invalid spec; waiting will not help
};

// Maps an exception from wol.hpp / redfish.hpp / kube transport to an AttemptFailure:
// RedfishCredentialsRejected, ValidationError and Configuration errors are not retryable.
AttemptFailure classifyFailure(const std::exception& error);

// ---- power on -------------------------------------------------------------------------------

struct PowerOnPolicy {
  std::chrono::seconds timeout{std::chrono::minutes(10)};  // spec.power.powerOnTimeout
  std::chrono::seconds retryInterval{30};                  // re-send while the host is not up
};

// What the caller persists between reconciles (e.g. in the PoweredOn condition's bookkeeping).
struct PowerOnProgress {
  std::optional<TimePoint> startedAt;  // first attempt
  int attempts = 0;
  std::optional<TimePoint> lastAttemptAt;
  std::optional<AttemptFailure> lastFailure;  // of the most recent attempt; empty after a success
};

struct PowerOnObservation {
  bool agentReady = false;                        // the host agent reports ready: the host is up
  std::optional<SystemPowerState> bmcPowerState;  // Redfish read-back, when a BMC is configured
};

enum class PowerOnAction { SendPowerOn, Wait, PoweredOn, Failed };
const char* toString(PowerOnAction action);

struct PowerOnDecision {
  PowerOnAction action = PowerOnAction::Wait;
  std::optional<TimePoint> requeueAt;  // when to look again (Wait, SendPowerOn)
  std::string reason;                  // condition reason
  std::string message;                 // condition message
};

PowerOnDecision decidePowerOn(const PowerOnPolicy& policy, const PowerOnProgress& progress,
                              const PowerOnObservation& observed, TimePoint now);
// The progress after an attempt at `now`; `failure` empty when the packet/request went out.
PowerOnProgress recordPowerOnAttempt(PowerOnProgress progress, TimePoint now,
                                     std::optional<AttemptFailure> failure = std::nullopt);

// ---- power off (BMC fallback) ---------------------------------------------------------------

struct PowerOffPolicy {
  // spec.power.redfish.powerOffFallbackTimeout: how long the agent gets before GracefulShutdown,
  // and GracefulShutdown gets before ForceOff.
  std::chrono::seconds fallbackTimeout{std::chrono::minutes(5)};
};

struct PowerOffProgress {
  std::optional<TimePoint> agentOrderedAt;  // HostAgent spec.powerOffGeneration written
  std::optional<TimePoint> gracefulShutdownSentAt;
  std::optional<TimePoint> forceOffSentAt;
};

struct PowerOffObservation {
  bool drainConfirmed = false;   // the agent confirmed the drained node runs no workload
  bool agentReportsOff = false;  // agent status powerState PoweringOff/Off for this order
  bool bmcConfigured = false;
  std::optional<SystemPowerState> bmcPowerState;  // read-back; nullopt when unreadable now
};

enum class PowerOffAction {
  WaitForDrain,          // never power off before the drain is confirmed
  OrderAgentPowerOff,    // write the order to the HostAgent
  Wait,                  // something is in flight; look again at requeueAt
  SendGracefulShutdown,  // Redfish fallback, step 1
  SendForceOff,          // Redfish fallback, step 2
  PoweredOff,
  Stuck,  // nothing more to try; the condition says why
};
const char* toString(PowerOffAction action);

struct PowerOffDecision {
  PowerOffAction action = PowerOffAction::Wait;
  std::optional<TimePoint> requeueAt;
  std::string reason;
  std::string message;
};

PowerOffDecision decidePowerOff(const PowerOffPolicy& policy, const PowerOffProgress& progress,
                                const PowerOffObservation& observed, TimePoint now);
// The progress after the caller carried out `action` at `now` (OrderAgentPowerOff,
// SendGracefulShutdown, SendForceOff); other actions leave it unchanged.
PowerOffProgress recordPowerOffAction(PowerOffProgress progress, PowerOffAction action, TimePoint now);

}  // namespace fivespot::power
