#pragma once
// status.powerSavings as the coordinator keeps it (docs/power.md, "Savings"): which decisions
// open and close an off period, and with which on-power figure. The arithmetic itself is
// fivespot::power's (savings.hpp); this only decides *when* and *with what*.
#include <optional>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/coordinator/observed.hpp"
#include "fivespot/power/savings.hpp"

namespace fivespot::coordinator {

// The host's power as far as the savings accounting is concerned.
enum class HostPowerForSavings {
  On,       // wanted in the cluster (Scheduled, Active, Removing) or reported running
  Off,      // powered off by a removal (see hostPowerForSavings)
  Unknown,  // Pending, Error, a power-off not acknowledged yet: the status stays as it is
};

// How the decided phase and what was observed translate to on/off for the accounting:
// - Scheduled, Active and Removing are On: the host is wanted on, or is being drained.
// - UnScheduled and Inactive with a HostAgent: Off once the agent acknowledged the latest
//   power-off order (powerOffAcknowledgedGeneration >= spec.powerOffGeneration > 0) and reports
//   PoweringOff or Off; On when it reports On (a reclaim keeps the host on; a restarted agent).
// - UnScheduled and Inactive without a HostAgent: Off once the Machine is gone, unless the host
//   was reclaimed (then somebody is using it and nothing powers it off).
// - Anything else is Unknown.
HostPowerForSavings hostPowerForSavings(const Observed& observed, api::Phase decidedPhase);

// The on-power figures the coordinator can see: the agent's RAPL average, the last Redfish
// PowerConsumedWatts read while the host was on, and spec.power.idleWatts.
power::OnPowerReadings onPowerReadings(const api::ScheduledMachineSpec& spec, const api::HostAgent* agent,
                                       const std::optional<api::BmcPowerReading>& bmc);

// Whether this reconcile should read PowerConsumedWatts from the BMC: spec.power.redfish is set,
// the host is on and working (status phase Active: a reading while off or booting is not the
// on-power), and neither the last reading nor the last attempt (`lastAttempt`, kept by the I/O
// layer, so a failing BMC is not asked again on every heartbeat) is within `interval` of `now`.
bool bmcReadingDue(const api::ScheduledMachine& sm, std::optional<TimePoint> lastAttempt, TimePoint now,
                   std::chrono::seconds interval);

// status.bmcPower: this reconcile's reading, else the one already in the status; none once
// spec.power.redfish is removed.
std::optional<api::BmcPowerReading> decideBmcPower(const Observed& observed);

// The rate at which an off period saves energy, or std::nullopt when no on-power figure is known
// or spec.power.standbyWatts is invalid (spec validation reports that; no savings are made up).
std::optional<power::SavingsRate> savingsRateFor(const power::OnPowerReadings& readings,
                                                 std::optional<double> declaredStandbyWatts);

// The next status.powerSavings from the current one:
// - Off opens a period at `now` (idempotent: a running period keeps its start), but only when a
//   rate is known: a machine without any power figure gets no powerSavings at all.
// - On closes a running period at `now` at `rate`. Without a rate then (the figures were removed
//   while the host was off) the period is dropped: hours nobody can price are not counted.
// - Unknown returns `current`.
// Re-deciding from the written status never counts an hour twice (the running period stays in
// offSince until it is closed).
std::optional<api::PowerSavings> updatePowerSavings(const std::optional<api::PowerSavings>& current,
                                                    HostPowerForSavings power,
                                                    const std::optional<power::SavingsRate>& rate, TimePoint now);

// What decide() writes: updatePowerSavings over the observation.
std::optional<api::PowerSavings> decidePowerSavings(const Observed& observed, api::Phase decidedPhase);

// The totals as of `now`, the running period included at the current rate (status.bmcPower as the
// BMC figure): the figure for metrics (five_spot_energy_saved_wh_total) and displays, never
// written back. std::nullopt when the machine has no powerSavings. A running period without a
// known rate adds nothing.
std::optional<api::PowerSavings> savingsAsOfNow(const api::ScheduledMachine& machine, const api::HostAgent* agent,
                                                TimePoint now);

}  // namespace fivespot::coordinator
