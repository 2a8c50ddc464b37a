#include "fivespot/power/savings.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::power {
namespace {

TimePoint at(const char* rfc3339) {
  return parseRfc3339(rfc3339);
}

SavingsRate rate(double onWatts, OnPowerSource source, std::optional<double> standby = std::nullopt) {
  return SavingsRate{OnPower{onWatts, source}, standbyFrom(standby)};
}

TEST(OnPowerChoice, MeasuredBeatsBmcBeatsDeclared) {
  OnPowerReadings readings{120.0, 150.0, 140.0};
  EXPECT_EQ(chooseOnPower(readings)->source, OnPowerSource::Measured);
  EXPECT_EQ(chooseOnPower(readings)->watts, 120.0);
  readings.measuredWatts.reset();
  EXPECT_EQ(chooseOnPower(readings)->source, OnPowerSource::Bmc);
  readings.bmcWatts = 0;  // a BMC without metering reports 0: not a figure
  EXPECT_EQ(chooseOnPower(readings)->source, OnPowerSource::Declared);
  readings.declaredIdleWatts = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(chooseOnPower(readings));
}

TEST(OnPowerChoice, MeasuredOnlyFromRapl) {
  api::EnergyReport report{"rapl", 1e6, 95.5, "2026-11-24T00:00:00Z"};
  EXPECT_EQ(measuredWatts(report), 95.5);
  report.source = "unavailable";
  EXPECT_FALSE(measuredWatts(report));
}

TEST(Standby, DefaultsToZeroAndSaysSo) {
  const StandbyPower assumed = standbyFrom(std::nullopt);
  EXPECT_EQ(assumed.watts, 0);
  EXPECT_FALSE(assumed.declared);
  EXPECT_NE(rate(140, OnPowerSource::Declared).describe().find("assumed 0"), std::string::npos);
  EXPECT_TRUE(standbyFrom(8.0).declared);
  EXPECT_THROW(standbyFrom(-1.0), ValidationError);
}

TEST(Savings, ClosedPeriodIsOnMinusStandbyTimesHoursOff) {
  api::PowerSavings status = recordPoweredOff({}, at("2026-11-24T18:00:00Z"));
  EXPECT_EQ(status.offSince, "2026-11-24T18:00:00Z");
  EXPECT_EQ(status.since, "2026-11-24T18:00:00Z");
  status = recordPoweredOn(status, at("2026-11-25T06:30:00Z"), rate(150, OnPowerSource::Bmc, 10.0));
  EXPECT_DOUBLE_EQ(status.hoursOff, 12.5);
  EXPECT_DOUBLE_EQ(status.energySavedWh, (150 - 10) * 12.5);
  EXPECT_EQ(status.source, "bmc");
  EXPECT_TRUE(status.offSince.empty());
  EXPECT_EQ(status.since, "2026-11-24T18:00:00Z");
}

TEST(Savings, SpringForwardNightIsCountedInRealHours) {
  // New York: off Saturday 22:00 EST, on Monday 06:00 EDT. The wall clock says 32 h; the clocks
  // sprang forward on 2026-03-08, so 31 h passed.
  api::PowerSavings status = recordPoweredOff({}, at("2026-03-07T22:00:00-05:00"));
  status = recordPoweredOn(status, at("2026-03-09T06:00:00-04:00"), rate(100, OnPowerSource::Declared));
  EXPECT_DOUBLE_EQ(status.hoursOff, 31);
  EXPECT_DOUBLE_EQ(status.energySavedWh, 3100);
}

TEST(Savings, FallBackNightIsCountedInRealHours) {
  // Berlin: off 2026-10-24 20:00 CEST, on 2026-10-25 08:00 CET: 12 h on the wall, 13 h passed.
  api::PowerSavings status = recordPoweredOff({}, at("2026-10-24T20:00:00+02:00"));
  status = recordPoweredOn(status, at("2026-10-25T08:00:00+01:00"), rate(100, OnPowerSource::Declared));
  EXPECT_DOUBLE_EQ(status.hoursOff, 13);
}

TEST(Savings, RunningPeriodAccruesOnReadWithoutDoubleCounting) {
  const SavingsRate declared = rate(110, OnPowerSource::Declared, 10.0);
  api::PowerSavings status = recordPoweredOff({}, at("2026-11-24T18:00:00Z"));
  status = recordPoweredOn(status, at("2026-11-25T06:00:00Z"), declared);  // 12 h closed
  status = recordPoweredOff(status, at("2026-11-25T18:00:00Z"));

  const api::PowerSavings at20 = savingsAsOf(status, at("2026-11-25T20:00:00Z"), declared);
  EXPECT_DOUBLE_EQ(at20.hoursOff, 14);
  EXPECT_DOUBLE_EQ(at20.energySavedWh, 1400);
  EXPECT_EQ(at20.offSince, "2026-11-25T18:00:00Z");
  // Reading again later (any number of times) counts each hour once.
  const api::PowerSavings at23 = savingsAsOf(status, at("2026-11-25T23:00:00Z"), declared);
  EXPECT_DOUBLE_EQ(at23.hoursOff, 17);
  EXPECT_DOUBLE_EQ(savingsAsOf(status, at("2026-11-25T23:00:00Z"), declared).hoursOff, 17);
  // A repeated power-off report does not restart the period.
  status = recordPoweredOff(status, at("2026-11-25T22:00:00Z"));
  EXPECT_EQ(status.offSince, "2026-11-25T18:00:00Z");
  // Closing it gives the same total the view showed.
  status = recordPoweredOn(status, at("2026-11-25T23:00:00Z"), declared);
  EXPECT_DOUBLE_EQ(status.hoursOff, at23.hoursOff);
  EXPECT_DOUBLE_EQ(status.energySavedWh, at23.energySavedWh);
  // A second power-on report is a no-op.
  EXPECT_DOUBLE_EQ(recordPoweredOn(status, at("2026-11-26T06:00:00Z"), declared).hoursOff, 17);
}

TEST(Savings, MixedSourcesAreLabelledWithTheWeakest) {
  api::PowerSavings status = recordPoweredOff({}, at("2026-11-24T18:00:00Z"));
  status = recordPoweredOn(status, at("2026-11-25T06:00:00Z"), rate(120, OnPowerSource::Measured));
  EXPECT_EQ(status.source, "measured");
  status = recordPoweredOff(status, at("2026-11-25T18:00:00Z"));
  status = recordPoweredOn(status, at("2026-11-26T06:00:00Z"), rate(140, OnPowerSource::Declared));
  EXPECT_EQ(status.source, "declared");
  EXPECT_DOUBLE_EQ(status.energySavedWh, 12 * 120 + 12 * 140);
}

TEST(Savings, NothingSavedWhenStandbyExceedsOnOrClockGoesBackwards) {
  api::PowerSavings status = recordPoweredOff({}, at("2026-11-24T18:00:00Z"));
  EXPECT_DOUBLE_EQ(savingsAsOf(status, at("2026-11-24T20:00:00Z"), rate(5, OnPowerSource::Bmc, 10.0)).energySavedWh, 0);
  EXPECT_DOUBLE_EQ(savingsAsOf(status, at("2026-11-24T17:00:00Z"), rate(100, OnPowerSource::Bmc)).hoursOff, 0);
}

}  // namespace
}  // namespace fivespot::power
