#include "fivespot/power/savings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::power {
namespace {

bool usable(const std::optional<double>& watts) {
  return watts && std::isfinite(*watts) && *watts > 0;
}

// The totals mix periods accounted from different sources; label them with the weakest one, so
// a figure that is partly an estimate never reads as measured.
std::string weakerSource(const std::string& current, OnPowerSource added) {
  const auto existing = parseOnPowerSource(current);
  if (!existing) return toString(added);
  return toString(std::max(*existing, added));
}

// Adds the period [from, to) at `rate` to the totals.
void accrue(api::PowerSavings& status, TimePoint from, TimePoint to, const SavingsRate& rate) {
  const double hours = hoursBetween(from, to);
  status.hoursOff += hours;
  status.energySavedWh += hours * rate.netWatts();
  status.source = weakerSource(status.source, rate.on.source);
}

}  // namespace

const char* toString(OnPowerSource source) {
  switch (source) {
    case OnPowerSource::Measured:
      return "measured";
    case OnPowerSource::Bmc:
      return "bmc";
    case OnPowerSource::Declared:
      return "declared";
  }
  return "declared";
}

std::optional<OnPowerSource> parseOnPowerSource(std::string_view text) {
  for (const auto source : {OnPowerSource::Measured, OnPowerSource::Bmc, OnPowerSource::Declared}) {
    if (text == toString(source)) return source;
  }
  return std::nullopt;
}

std::optional<OnPower> chooseOnPower(const OnPowerReadings& readings) {
  if (usable(readings.measuredWatts)) return OnPower{*readings.measuredWatts, OnPowerSource::Measured};
  if (usable(readings.bmcWatts)) return OnPower{*readings.bmcWatts, OnPowerSource::Bmc};
  if (usable(readings.declaredIdleWatts)) return OnPower{*readings.declaredIdleWatts, OnPowerSource::Declared};
  return std::nullopt;
}

std::optional<double> measuredWatts(const api::EnergyReport& report) {
  if (report.source != "rapl" || !std::isfinite(report.averageWatts) || report.averageWatts <= 0) return std::nullopt;
  return report.averageWatts;
}

StandbyPower standbyFrom(std::optional<double> declaredStandbyWatts) {
  if (!declaredStandbyWatts) return StandbyPower{0, false};
  if (!std::isfinite(*declaredStandbyWatts) || *declaredStandbyWatts < 0) {
    throw ValidationError("spec.power.standbyWatts", fmt::format("{}", *declaredStandbyWatts),
                          "a number of watts, 0 or more");
  }
  return StandbyPower{*declaredStandbyWatts, true};
}

double SavingsRate::netWatts() const {
  return std::max(0.0, on.watts - standby.watts);
}

std::string SavingsRate::describe() const {
  return fmt::format("on {:g} W ({}), standby {:g} W ({})", on.watts, toString(on.source), standby.watts,
                     standby.declared ? "declared" : "not declared, assumed 0");
}

double hoursBetween(TimePoint from, TimePoint to) {
  if (to <= from) return 0;
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

api::PowerSavings recordPoweredOff(api::PowerSavings status, TimePoint offAt) {
  if (!status.offSince.empty()) return status;
  status.offSince = formatRfc3339(offAt);
  if (status.since.empty()) status.since = status.offSince;
  return status;
}

api::PowerSavings recordPoweredOn(api::PowerSavings status, TimePoint onAt, const SavingsRate& rate) {
  if (status.offSince.empty()) return status;
  accrue(status, parseRfc3339(status.offSince, "status.powerSavings.offSince"), onAt, rate);
  status.offSince.clear();
  return status;
}

api::PowerSavings savingsAsOf(const api::PowerSavings& status, TimePoint now, const SavingsRate& rate) {
  api::PowerSavings view = status;
  if (!status.offSince.empty()) accrue(view, parseRfc3339(status.offSince, "status.powerSavings.offSince"), now, rate);
  return view;
}

}  // namespace fivespot::power
