#pragma once
// The agent loop: heartbeat into HostAgent status, confirm drains, act on power-off orders, report
// reclaim. Decisions are pure functions (decidePowerOff, drainConfirmationPending); the Agent class
// sequences I/O through injected interfaces so tests drive it with fakes and a manual clock.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "config.hpp"
#include "drain.hpp"
#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "host_agent_api.hpp"
#include "logind.hpp"
#include "notify.hpp"
#include "rapl.hpp"
#include "reclaim.hpp"
#include "wake_relay.hpp"

namespace fivespot::agent {

struct PowerOffVerdict {
  bool act = false;
  std::string reason;  // why (not)
};

// Power off only for a new order (powerOffGeneration > acknowledged) that is current (equals
// commandGeneration), with desiredPower Off, and with the drain confirmed for the requested
// generation or the kill switch set.
PowerOffVerdict decidePowerOff(const api::HostAgentSpec& spec, const api::HostAgentStatus& status);
bool drainConfirmationPending(const api::HostAgentSpec& spec, const api::HostAgentStatus& status);

struct AgentSettings {
  Mode mode = Mode::Host;
  std::string nodeName;  // node mode
  std::chrono::seconds heartbeatInterval{30};
  std::chrono::seconds reclaimScanInterval{2};
  std::chrono::seconds initialBackoff{1};
  std::chrono::seconds maxBackoff{120};
  std::string version;
};

struct AgentParts {
  HostAgentApi& api;
  PowerController& power;
  std::function<std::vector<api::ReadinessCheck>()> readiness;
  EnergyMeter& energy;
  ProcessScanner& processes;
  LocalWorkloadEvidence& localWorkload;  // host-mode drain evidence
  Notifier& notifier;
  const Clock& clock;
};

class Agent {
 public:
  Agent(AgentSettings settings, AgentParts parts);

  struct HeartbeatResult {
    bool reported = false;           // the status patch went through
    std::chrono::seconds nextIn{0};  // interval, or back-off after a failure
  };
  // One cycle: read the HostAgent, check, confirm, report, then act on a power-off order.
  HeartbeatResult heartbeat();
  // Looks for killIfCommands processes (patterns from the last spec seen); reports a match once.
  void scanForReclaim();
  // Node mode: each heartbeat also sends the Wake-on-LAN orders addressed to this node and
  // acknowledges them in this agent's status (wake_relay.hpp). `relay` must outlive the agent.
  void relayWakeOrders(WakeRelay& relay) noexcept { wakeRelay_ = &relay; }
  // Runs until stopped: heartbeats, reclaim scans and watchdog pings (every watchdogPing when set).
  void run(std::stop_token stop, std::optional<std::chrono::microseconds> watchdogPing);

  [[nodiscard]] const api::HostAgentStatus& status() const noexcept { return status_; }
  [[nodiscard]] bool poweringOff() const noexcept { return poweringOff_; }
  // For /health and /ready: the last cycle's time and whether it reached the API.
  [[nodiscard]] TimePoint lastCycle() const noexcept { return lastCycle_.load(); }
  [[nodiscard]] bool lastReportSucceeded() const noexcept { return lastReportSucceeded_.load(); }

 private:
  void adoptServerStatus(const api::HostAgentStatus& server);
  void refreshObservations(TimePoint now);
  void confirmDrainIfRequested(const api::HostAgentSpec& spec);
  void actOnPowerOffOrder(const api::HostAgentSpec& spec);
  void relayWakes();
  bool report(const char* what);  // patches the full status; false on failure (already logged)
  HeartbeatResult failed(const char* what, const Error& error);
  std::chrono::seconds nextBackoff();  // counts the failure; doubles from initialBackoff up to maxBackoff
  void noteError(const std::string& message);

  AgentSettings settings_;
  AgentParts parts_;
  api::HostAgentStatus status_;
  std::optional<api::HostAgentSpec> spec_;
  int consecutiveFailures_ = 0;
  bool notifiedReady_ = false;
  bool poweringOff_ = false;
  bool reclaimUnreported_ = false;
  std::int64_t loggedBlockedOrder_ = 0;
  WakeRelay* wakeRelay_ = nullptr;
  std::string loggedEnergyReason_;
  std::atomic<TimePoint> lastCycle_{};
  std::atomic<bool> lastReportSucceeded_{false};
};

}  // namespace fivespot::agent
