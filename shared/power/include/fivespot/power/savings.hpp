#pragma once
// Energy-savings accounting: energy saved = (on-power − standby) × time off.
//
// Pure functions over status.powerSavings. The status holds the *closed* off periods (hoursOff,
// energySavedWh) plus the start of the running one (offSince). A running period is never written
// into the totals; savingsAsOf() adds it on read. So an update can happen any number of times,
// or after a coordinator restart, without counting any hour twice, and offSince stays the start
// of the period. All arithmetic is on UTC instants: a DST change does not change the hours.
#include <optional>
#include <string>
#include <string_view>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::power {

// Where the on-power figure comes from, best first.
enum class OnPowerSource { Measured, Bmc, Declared };
const char* toString(OnPowerSource source);  // "measured" | "bmc" | "declared"
std::optional<OnPowerSource> parseOnPowerSource(std::string_view text);

struct OnPowerReadings {
  std::optional<double> measuredWatts;      // the agent's RAPL average (HostAgent status.energy)
  std::optional<double> bmcWatts;           // Redfish PowerConsumedWatts read while the host was on
  std::optional<double> declaredIdleWatts;  // spec.power.idleWatts
};

struct OnPower {
  double watts = 0;
  OnPowerSource source = OnPowerSource::Declared;
};

// measured > bmc > declared; readings that are absent, non-finite or not positive are skipped.
// std::nullopt when no figure is known (no savings can be computed).
std::optional<OnPower> chooseOnPower(const OnPowerReadings& readings);
// The agent's average when it measured one (source "rapl"), else std::nullopt.
std::optional<double> measuredWatts(const api::EnergyReport& report);

struct StandbyPower {
  double watts = 0;
  bool declared = false;  // false: spec.power.standbyWatts absent, 0 W assumed (said in messages)
};
// Throws ValidationError("spec.power.standbyWatts") for a negative or non-finite figure.
StandbyPower standbyFrom(std::optional<double> declaredStandbyWatts);

struct SavingsRate {
  OnPower on;
  StandbyPower standby;
  // on − standby, never negative (a host drawing more off than on saves nothing).
  [[nodiscard]] double netWatts() const;
  // "on 140 W (declared), standby 0 W (not declared, assumed 0)"
  [[nodiscard]] std::string describe() const;
};

double hoursBetween(TimePoint from, TimePoint to);  // 0 when `to` is not after `from`

// The host went off at `offAt`: opens a period (offSince) and starts the accounting (since) on
// the first one. Idempotent: an already running period keeps its start.
api::PowerSavings recordPoweredOff(api::PowerSavings status, TimePoint offAt);
// The host came back at `onAt`: closes the running period into hoursOff/energySavedWh at `rate`
// and clears offSince. Without a running period the status is returned unchanged.
api::PowerSavings recordPoweredOn(api::PowerSavings status, TimePoint onAt, const SavingsRate& rate);
// The totals as of `now`, the running period included at `rate`; offSince is kept. A view for
// reports and metrics: never write it back as the status.
api::PowerSavings savingsAsOf(const api::PowerSavings& status, TimePoint now, const SavingsRate& rate);

}  // namespace fivespot::power
