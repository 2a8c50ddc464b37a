#include "fivespot/coordinator/savings_status.hpp"

#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::coordinator {
namespace {

constexpr const char* kReclaim = "Reclaim";  // status.removalReason of a reclaim (decide.hpp removal::kReclaim)

bool agentAcknowledgedPowerOff(const api::HostAgent& agent) {
  const std::int64_t ordered = agent.spec.powerOffGeneration;
  const std::string& state = agent.status.powerState;
  return ordered > 0 && agent.status.powerOffAcknowledgedGeneration >= ordered &&
         (state == api::kPowerStatePoweringOff || state == api::kPowerStateOff);
}

HostPowerForSavings outOfClusterPower(const Observed& observed) {
  if (observed.agent) {
    if (agentAcknowledgedPowerOff(*observed.agent)) return HostPowerForSavings::Off;
    if (observed.agent->status.powerState == api::kPowerStateOn) return HostPowerForSavings::On;
    return HostPowerForSavings::Unknown;
  }
  if (observed.sm.status.removalReason == kReclaim) return HostPowerForSavings::On;
  return observed.machine ? HostPowerForSavings::Unknown : HostPowerForSavings::Off;
}

std::optional<double> declaredStandby(const api::ScheduledMachineSpec& spec) {
  return spec.power ? spec.power->standbyWatts : std::nullopt;
}

// A running period whose start cannot be read (a hand-edited status) cannot be priced: it is
// dropped rather than failing every decision.
bool runningPeriodReadable(const api::PowerSavings& savings) {
  return !savings.offSince.empty() && tryParseRfc3339(savings.offSince).has_value();
}

}  // namespace

HostPowerForSavings hostPowerForSavings(const Observed& observed, api::Phase decidedPhase) {
  switch (decidedPhase) {
    case api::Phase::Scheduled:
    case api::Phase::Active:
    case api::Phase::Removing:
      return HostPowerForSavings::On;
    case api::Phase::UnScheduled:
    case api::Phase::Inactive:
      return outOfClusterPower(observed);
    case api::Phase::Pending:
    case api::Phase::Error:
      return HostPowerForSavings::Unknown;
  }
  return HostPowerForSavings::Unknown;
}

power::OnPowerReadings onPowerReadings(const api::ScheduledMachineSpec& spec, const api::HostAgent* agent,
                                       const std::optional<api::BmcPowerReading>& bmc) {
  power::OnPowerReadings readings;
  if (agent != nullptr && agent->status.energy) readings.measuredWatts = power::measuredWatts(*agent->status.energy);
  if (bmc) readings.bmcWatts = bmc->consumedWatts;
  if (spec.power) readings.declaredIdleWatts = spec.power->idleWatts;
  return readings;
}

bool bmcReadingDue(const api::ScheduledMachine& sm, std::optional<TimePoint> lastAttempt, TimePoint now,
                   std::chrono::seconds interval) {
  if (!sm.spec.power || !sm.spec.power->redfish || sm.status.phase != api::Phase::Active) return false;
  if (lastAttempt && now - *lastAttempt < interval) return false;
  const auto lastReading = sm.status.bmcPower ? tryParseRfc3339(sm.status.bmcPower->readAt) : std::nullopt;
  return !lastReading || now - *lastReading >= interval;
}

std::optional<api::BmcPowerReading> decideBmcPower(const Observed& observed) {
  const auto& power = observed.sm.spec.power;
  if (!power || !power->redfish) return std::nullopt;
  return observed.bmcReading ? observed.bmcReading : observed.sm.status.bmcPower;
}

std::optional<power::SavingsRate> savingsRateFor(const power::OnPowerReadings& readings,
                                                 std::optional<double> declaredStandbyWatts) {
  const std::optional<power::OnPower> on = power::chooseOnPower(readings);
  if (!on) return std::nullopt;
  try {
    return power::SavingsRate{*on, power::standbyFrom(declaredStandbyWatts)};
  } catch (const ValidationError&) {
    return std::nullopt;  // reported by spec validation (Error phase with InvalidSpec)
  }
}

std::optional<api::PowerSavings> updatePowerSavings(const std::optional<api::PowerSavings>& current,
                                                    HostPowerForSavings power,
                                                    const std::optional<power::SavingsRate>& rate, TimePoint now) {
  switch (power) {
    case HostPowerForSavings::Unknown:
      return current;
    case HostPowerForSavings::Off:
      if (!rate) return current;
      return power::recordPoweredOff(current.value_or(api::PowerSavings{}), now);
    case HostPowerForSavings::On:
      break;
  }
  if (!current || current->offSince.empty()) return current;
  if (!rate || !runningPeriodReadable(*current)) {
    api::PowerSavings closedOnly = *current;
    closedOnly.offSince.clear();
    return closedOnly;
  }
  return power::recordPoweredOn(*current, now, *rate);
}

std::optional<api::PowerSavings> decidePowerSavings(const Observed& observed, api::Phase decidedPhase) {
  const api::HostAgent* agent = observed.agent ? &*observed.agent : nullptr;
  const auto rate = savingsRateFor(onPowerReadings(observed.sm.spec, agent, decideBmcPower(observed)),
                                   declaredStandby(observed.sm.spec));
  return updatePowerSavings(observed.sm.status.powerSavings, hostPowerForSavings(observed, decidedPhase), rate,
                            observed.now);
}

std::optional<api::PowerSavings> savingsAsOfNow(const api::ScheduledMachine& machine, const api::HostAgent* agent,
                                                TimePoint now) {
  if (!machine.status.powerSavings) return std::nullopt;
  const api::PowerSavings& status = *machine.status.powerSavings;
  const auto rate =
      savingsRateFor(onPowerReadings(machine.spec, agent, machine.status.bmcPower), declaredStandby(machine.spec));
  if (!rate || !runningPeriodReadable(status)) return status;
  return power::savingsAsOf(status, now, *rate);
}

}  // namespace fivespot::coordinator
