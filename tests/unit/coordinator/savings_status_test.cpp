// status.powerSavings as the coordinator keeps it: when an off period opens and closes, with which
// on-power figure, and that re-deciding from a written status never counts an hour twice.
#include <gtest/gtest.h>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/coordinator/decide.hpp"
#include "fivespot/coordinator/savings_status.hpp"

namespace fivespot::coordinator {
namespace {

using api::Phase;
using Power = HostPowerForSavings;

TimePoint at(const char* text) {
  return parseRfc3339(text);
}

power::SavingsRate declaredRate(double idleWatts, double standbyWatts) {
  return power::SavingsRate{power::OnPower{idleWatts, power::OnPowerSource::Declared},
                            power::StandbyPower{standbyWatts, true}};
}

api::HostAgent acknowledgedPowerOff() {
  api::HostAgent agent;
  agent.spec.desiredPower = api::PowerState::Off;
  agent.spec.powerOffGeneration = 3;
  agent.status.powerOffAcknowledgedGeneration = 3;
  agent.status.powerState = api::kPowerStatePoweringOff;
  return agent;
}

// ---- updatePowerSavings: the transitions ------------------------------------------------------

TEST(UpdatePowerSavings, FullOffOnCycleClosesThePeriodIntoTheTotals) {
  const auto rate = declaredRate(140, 10);
  const auto off = updatePowerSavings(std::nullopt, Power::Off, rate, at("2026-11-24T18:00:00Z"));
  ASSERT_TRUE(off);
  EXPECT_EQ(off->offSince, "2026-11-24T18:00:00Z");
  EXPECT_EQ(off->since, "2026-11-24T18:00:00Z");
  EXPECT_EQ(off->hoursOff, 0);  // a running period is never written into the totals

  const auto on = updatePowerSavings(off, Power::On, rate, at("2026-11-25T09:00:00Z"));
  ASSERT_TRUE(on);
  EXPECT_EQ(on->offSince, "");
  EXPECT_DOUBLE_EQ(on->hoursOff, 15);
  EXPECT_DOUBLE_EQ(on->energySavedWh, 15 * 130);
  EXPECT_EQ(on->source, "declared");
  EXPECT_EQ(on->since, "2026-11-24T18:00:00Z");
}

TEST(UpdatePowerSavings, RunningPeriodKeepsItsStartWhenDecidedAgain) {
  const auto rate = declaredRate(100, 0);
  auto status = updatePowerSavings(std::nullopt, Power::Off, rate, at("2026-11-24T18:00:00Z"));
  for (const char* later : {"2026-11-24T18:00:05Z", "2026-11-24T23:00:00Z", "2026-11-25T03:00:00Z"}) {
    status = updatePowerSavings(status, Power::Off, rate, at(later));
  }
  ASSERT_TRUE(status);
  EXPECT_EQ(status->offSince, "2026-11-24T18:00:00Z");
  EXPECT_EQ(status->hoursOff, 0);
  EXPECT_EQ(status->energySavedWh, 0);
}

TEST(UpdatePowerSavings, RestartReDecidingFromTheWrittenStatusDoesNotDoubleCount) {
  const auto rate = declaredRate(100, 0);
  auto status = updatePowerSavings(std::nullopt, Power::Off, rate, at("2026-11-24T18:00:00Z"));
  status = updatePowerSavings(status, Power::On, rate, at("2026-11-25T09:00:00Z"));
  const api::PowerSavings written = *status;
  // A restarted coordinator decides again, several times, from what was written.
  for (const char* later : {"2026-11-25T09:00:01Z", "2026-11-25T12:00:00Z"}) {
    status = updatePowerSavings(status, Power::On, rate, at(later));
  }
  EXPECT_DOUBLE_EQ(status->hoursOff, written.hoursOff);
  EXPECT_DOUBLE_EQ(status->energySavedWh, written.energySavedWh);
  // The next night adds only its own hours.
  status = updatePowerSavings(status, Power::Off, rate, at("2026-11-25T18:00:00Z"));
  status = updatePowerSavings(status, Power::On, rate, at("2026-11-26T09:00:00Z"));
  EXPECT_DOUBLE_EQ(status->hoursOff, 30);
  EXPECT_DOUBLE_EQ(status->energySavedWh, 3000);
}

TEST(UpdatePowerSavings, DstNightCountsRealHours) {
  // America/New_York springs forward on 2026-03-08: 22:00 EST to 06:00 EDT is 7 h, not 8.
  const auto rate = declaredRate(100, 0);
  auto status = updatePowerSavings(std::nullopt, Power::Off, rate, at("2026-03-07T22:00:00-05:00"));
  status = updatePowerSavings(status, Power::On, rate, at("2026-03-08T06:00:00-04:00"));
  EXPECT_DOUBLE_EQ(status->hoursOff, 7);
  EXPECT_DOUBLE_EQ(status->energySavedWh, 700);
  // And falls back on 2026-11-01: 22:00 EDT to 06:00 EST is 9 h.
  status = updatePowerSavings(std::nullopt, Power::Off, rate, at("2026-10-31T22:00:00-04:00"));
  status = updatePowerSavings(status, Power::On, rate, at("2026-11-01T06:00:00-05:00"));
  EXPECT_DOUBLE_EQ(status->hoursOff, 9);
}

TEST(UpdatePowerSavings, UnknownKeepsTheStatusAsItIs) {
  const auto rate = declaredRate(100, 0);
  const auto running = updatePowerSavings(std::nullopt, Power::Off, rate, at("2026-11-24T18:00:00Z"));
  const auto kept = updatePowerSavings(running, Power::Unknown, rate, at("2026-11-25T09:00:00Z"));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->offSince, "2026-11-24T18:00:00Z");
  EXPECT_EQ(kept->hoursOff, 0);
  EXPECT_FALSE(updatePowerSavings(std::nullopt, Power::Unknown, rate, at("2026-11-25T09:00:00Z")));
  EXPECT_FALSE(updatePowerSavings(std::nullopt, Power::On, rate, at("2026-11-25T09:00:00Z")));
}

TEST(UpdatePowerSavings, WithoutAnyPowerFigureNoPeriodIsOpened) {
  EXPECT_FALSE(updatePowerSavings(std::nullopt, Power::Off, std::nullopt, at("2026-11-24T18:00:00Z")));
}

TEST(UpdatePowerSavings, PeriodWhoseFigureDisappearedIsDroppedAndClosedTotalsKept) {
  const api::PowerSavings status{15, 1950, "declared", "2026-11-20T18:00:00Z", "2026-11-24T18:00:00Z"};
  const auto on = updatePowerSavings(status, Power::On, std::nullopt, at("2026-11-25T09:00:00Z"));
  ASSERT_TRUE(on);
  EXPECT_EQ(on->offSince, "");
  EXPECT_DOUBLE_EQ(on->hoursOff, 15);
  EXPECT_DOUBLE_EQ(on->energySavedWh, 1950);
  EXPECT_EQ(on->source, "declared");
}

TEST(UpdatePowerSavings, UnreadableOffSinceIsDroppedInsteadOfFailingTheDecision) {
  const api::PowerSavings status{1, 100, "declared", "2026-11-20T18:00:00Z", "yesterday"};
  const auto on = updatePowerSavings(status, Power::On, declaredRate(100, 0), at("2026-11-25T09:00:00Z"));
  EXPECT_EQ(on->offSince, "");
  EXPECT_DOUBLE_EQ(on->hoursOff, 1);
}

// ---- the rate: which figure -----------------------------------------------------------------

TEST(SavingsRateFor, MeasuredRaplBeatsDeclaredAndStandbyIsSubtracted) {
  api::ScheduledMachineSpec spec;
  spec.power = api::PowerSpec{};
  spec.power->idleWatts = 140;
  api::HostAgent agent;
  agent.status.energy = api::EnergyReport{"rapl", 3600, 80, "2026-11-24T09:00:00Z"};
  const auto rate = savingsRateFor(onPowerReadings(spec, &agent, std::nullopt), 5.0);
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->on.source, power::OnPowerSource::Measured);
  EXPECT_DOUBLE_EQ(rate->netWatts(), 75);
  EXPECT_TRUE(rate->standby.declared);
}

TEST(SavingsRateFor, UnavailableEnergyReportFallsBackToDeclared) {
  api::ScheduledMachineSpec spec;
  spec.power = api::PowerSpec{};
  spec.power->idleWatts = 140;
  api::HostAgent agent;
  agent.status.energy = api::EnergyReport{"unavailable", 0, 0, ""};
  const auto rate = savingsRateFor(onPowerReadings(spec, &agent, std::nullopt), std::nullopt);
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->on.source, power::OnPowerSource::Declared);
  EXPECT_DOUBLE_EQ(rate->netWatts(), 140);
  EXPECT_FALSE(rate->standby.declared);  // 0 W assumed, said so in describe()
}

TEST(SavingsRateFor, NoFigureOrInvalidStandbyGivesNoRate) {
  api::ScheduledMachineSpec spec;
  EXPECT_FALSE(savingsRateFor(onPowerReadings(spec, nullptr, std::nullopt), std::nullopt));
  spec.power = api::PowerSpec{};
  spec.power->idleWatts = 140;
  EXPECT_FALSE(savingsRateFor(onPowerReadings(spec, nullptr, std::nullopt), -1.0));
}

TEST(SavingsRateFor, BmcReadingBeatsDeclaredButNotMeasured) {
  api::ScheduledMachineSpec spec;
  spec.power = api::PowerSpec{};
  spec.power->idleWatts = 140;
  const api::BmcPowerReading bmc{160, "2026-11-24T12:00:00Z"};
  const auto fromBmc = savingsRateFor(onPowerReadings(spec, nullptr, bmc), 6.0);
  ASSERT_TRUE(fromBmc);
  EXPECT_EQ(fromBmc->on.source, power::OnPowerSource::Bmc);
  EXPECT_DOUBLE_EQ(fromBmc->netWatts(), 154);

  api::HostAgent agent;
  agent.status.energy = api::EnergyReport{"rapl", 3600, 80, "2026-11-24T09:00:00Z"};
  EXPECT_EQ(savingsRateFor(onPowerReadings(spec, &agent, bmc), 6.0)->on.source, power::OnPowerSource::Measured);

  spec.power->idleWatts.reset();
  EXPECT_EQ(savingsRateFor(onPowerReadings(spec, nullptr, bmc), 6.0)->on.source, power::OnPowerSource::Bmc);
  const api::BmcPowerReading noFigure{0, "2026-11-24T12:00:00Z"};
  EXPECT_FALSE(savingsRateFor(onPowerReadings(spec, nullptr, noFigure), 6.0));
}

// ---- when the coordinator reads the BMC ----------------------------------------------------------

class BmcReadingDue : public ::testing::Test {
 protected:
  BmcReadingDue() {
    sm.spec.power = api::PowerSpec{};
    sm.spec.power->redfish = api::Redfish{};
    sm.spec.power->redfish->endpoint = "https://bmc-1";
    sm.status.phase = Phase::Active;
  }
  api::ScheduledMachine sm;
  const std::chrono::seconds interval{std::chrono::minutes(5)};
};

TEST_F(BmcReadingDue, FirstReadingWhileActive) {
  EXPECT_TRUE(bmcReadingDue(sm, std::nullopt, at("2026-11-24T10:00:00Z"), interval));
}

TEST_F(BmcReadingDue, NotWhileOffBootingOrWithoutRedfish) {
  for (const Phase phase : {Phase::Scheduled, Phase::Removing, Phase::UnScheduled, Phase::Inactive, Phase::Error}) {
    sm.status.phase = phase;
    EXPECT_FALSE(bmcReadingDue(sm, std::nullopt, at("2026-11-24T10:00:00Z"), interval)) << api::toString(phase);
  }
  sm.status.phase = Phase::Active;
  sm.spec.power->redfish.reset();
  sm.spec.power->wakeOnLan = api::WakeOnLan{"aa:bb:cc:dd:ee:ff"};
  EXPECT_FALSE(bmcReadingDue(sm, std::nullopt, at("2026-11-24T10:00:00Z"), interval));
}

TEST_F(BmcReadingDue, AtMostOncePerIntervalFromTheLastReadingOrAttempt) {
  sm.status.bmcPower = api::BmcPowerReading{150, "2026-11-24T10:00:00Z"};
  EXPECT_FALSE(bmcReadingDue(sm, std::nullopt, at("2026-11-24T10:04:59Z"), interval));
  EXPECT_TRUE(bmcReadingDue(sm, std::nullopt, at("2026-11-24T10:05:00Z"), interval));
  // A failed attempt at 10:06 (the BMC did not answer) holds the next one back until 10:11.
  EXPECT_FALSE(bmcReadingDue(sm, at("2026-11-24T10:06:00Z"), at("2026-11-24T10:10:00Z"), interval));
  EXPECT_TRUE(bmcReadingDue(sm, at("2026-11-24T10:06:00Z"), at("2026-11-24T10:11:00Z"), interval));
}

// ---- on/off for the accounting ----------------------------------------------------------------

struct PowerCase {
  const char* name;
  Phase phase;
  bool withAgent;
  const char* agentState;  // HostAgent status.powerState
  bool acknowledged;
  bool machineExists;
  const char* removalReason;
  Power expected;
};

class HostPowerTable : public ::testing::TestWithParam<PowerCase> {};

TEST_P(HostPowerTable, Classifies) {
  const PowerCase& c = GetParam();
  Observed o;
  o.sm.status.removalReason = c.removalReason;
  if (c.machineExists) o.machine = MachineView{};
  if (c.withAgent) {
    o.agent = acknowledgedPowerOff();
    o.agent->status.powerState = c.agentState;
    if (!c.acknowledged) o.agent->status.powerOffAcknowledgedGeneration = 2;
  }
  EXPECT_EQ(hostPowerForSavings(o, c.phase), c.expected) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Phases, HostPowerTable,
    ::testing::Values(
        PowerCase{"active", Phase::Active, true, "On", false, true, "", Power::On},
        PowerCase{"scheduled: power-on ordered", Phase::Scheduled, true, "PoweringOff", true, false, "", Power::On},
        PowerCase{"removing: draining", Phase::Removing, true, "On", false, true, "WindowClosed", Power::On},
        PowerCase{"acknowledged, powering off", Phase::UnScheduled, true, "PoweringOff", true, false, "", Power::Off},
        PowerCase{"acknowledged, off", Phase::Inactive, true, "Off", true, false, "KillSwitch", Power::Off},
        PowerCase{"order not acknowledged yet", Phase::UnScheduled, true, "PoweringOff", false, false, "",
                  Power::Unknown},
        PowerCase{"agent reports on (reclaim)", Phase::Inactive, true, "On", false, false, "Reclaim", Power::On},
        PowerCase{"no agent, Machine gone", Phase::UnScheduled, false, "", false, false, "", Power::Off},
        PowerCase{"no agent, Machine still there", Phase::UnScheduled, false, "", false, true, "", Power::Unknown},
        PowerCase{"no agent, reclaimed", Phase::Inactive, false, "", false, false, "Reclaim", Power::On},
        PowerCase{"pending", Phase::Pending, true, "Off", true, false, "", Power::Unknown},
        PowerCase{"error", Phase::Error, false, "", false, false, "", Power::Unknown}));

// ---- the view for metrics ---------------------------------------------------------------------

TEST(SavingsAsOfNow, AddsTheRunningPeriodAtTheCurrentRateWithoutChangingTheStatus) {
  api::ScheduledMachine sm;
  sm.spec.power = api::PowerSpec{};
  sm.spec.power->idleWatts = 110;
  sm.spec.power->standbyWatts = 10;
  sm.status.powerSavings = api::PowerSavings{15, 1500, "declared", "2026-11-23T18:00:00Z", "2026-11-24T18:00:00Z"};
  const auto view = savingsAsOfNow(sm, nullptr, at("2026-11-25T00:00:00Z"));
  ASSERT_TRUE(view);
  EXPECT_DOUBLE_EQ(view->hoursOff, 21);
  EXPECT_DOUBLE_EQ(view->energySavedWh, 2100);
  EXPECT_EQ(view->offSince, "2026-11-24T18:00:00Z");
  EXPECT_DOUBLE_EQ(sm.status.powerSavings->hoursOff, 15);
}

TEST(SavingsAsOfNow, NothingWithoutStatusAndClosedTotalsOnlyWithoutFigure) {
  api::ScheduledMachine sm;
  EXPECT_FALSE(savingsAsOfNow(sm, nullptr, at("2026-11-25T00:00:00Z")));
  sm.status.powerSavings = api::PowerSavings{15, 1500, "declared", "2026-11-23T18:00:00Z", "2026-11-24T18:00:00Z"};
  const auto view = savingsAsOfNow(sm, nullptr, at("2026-11-25T00:00:00Z"));
  EXPECT_DOUBLE_EQ(view->hoursOff, 15);
  EXPECT_DOUBLE_EQ(view->energySavedWh, 1500);
}

// ---- wired into decide() ---------------------------------------------------------------------

class DecideSavings : public ::testing::Test {
 protected:
  DecideSavings() {
    api::ScheduledMachine& sm = o.sm;
    sm.metadata.name = "worker-1";
    sm.metadata.namespace_ = "ns";
    sm.metadata.uid = "uid-1";
    sm.metadata.generation = 1;
    sm.metadata.finalizers = {api::kFinalizer};
    sm.spec.clusterName = "c1";
    sm.spec.schedule.daysOfWeek = {"mon-fri"};
    sm.spec.schedule.hoursOfDay = {"9-17"};  // 09:00-18:00 UTC on weekdays
    sm.spec.bootstrapSpec = api::EmbeddedResource{"bootstrap.cluster.x-k8s.io/v1beta1", "K0sWorkerConfig", "{}"};
    sm.spec.infrastructureSpec =
        api::EmbeddedResource{"infrastructure.cluster.x-k8s.io/v1beta1", "RemoteMachine", "{}"};
    sm.spec.power = api::PowerSpec{};
    sm.spec.power->wakeOnLan = api::WakeOnLan{"aa:bb:cc:dd:ee:ff"};
    sm.spec.power->idleWatts = 120;
    sm.status.phase = Phase::UnScheduled;
    o.agent = acknowledgedPowerOff();
  }
  Observed o;
};

TEST_F(DecideSavings, AcknowledgedPowerOffOpensThePeriodAndTheWindowOpeningClosesIt) {
  o.now = at("2026-11-24T18:00:30Z");  // Tuesday, after the window
  const Decision night = decide(o);
  ASSERT_EQ(night.phase, Phase::UnScheduled);
  ASSERT_TRUE(night.status.powerSavings);
  EXPECT_EQ(night.status.powerSavings->offSince, "2026-11-24T18:00:30Z");
  EXPECT_TRUE(night.statusPatch(o.sm.status).contains("powerSavings"));

  o.sm.status = night.status;
  o.now = at("2026-11-25T09:00:30Z");  // Wednesday's window opens: power-on
  const Decision morning = decide(o);
  ASSERT_EQ(morning.phase, Phase::Scheduled);
  ASSERT_TRUE(morning.status.powerSavings);
  EXPECT_EQ(morning.status.powerSavings->offSince, "");
  EXPECT_DOUBLE_EQ(morning.status.powerSavings->hoursOff, 15);
  EXPECT_DOUBLE_EQ(morning.status.powerSavings->energySavedWh, 15 * 120);
  EXPECT_EQ(morning.status.powerSavings->source, "declared");
}

TEST_F(DecideSavings, BmcReadingIsKeptInTheStatusAndPricesTheNight) {
  o.sm.spec.power->redfish = api::Redfish{"https://bmc-1", "1", "bmc-1-credentials", "", false, std::nullopt};
  o.sm.spec.power->standbyWatts = 8;
  o.agent.reset();                                                   // without an agent: off once the Machine is gone
  o.bmcReading = api::BmcPowerReading{158, "2026-11-24T15:00:00Z"};  // read while Active
  o.now = at("2026-11-24T18:00:30Z");
  const Decision night = decide(o);
  ASSERT_EQ(night.phase, Phase::UnScheduled);
  ASSERT_TRUE(night.status.bmcPower);
  EXPECT_DOUBLE_EQ(night.status.bmcPower->consumedWatts, 158);
  EXPECT_TRUE(night.statusPatch(o.sm.status).contains("bmcPower"));

  o.sm.status = night.status;
  o.bmcReading.reset();  // later reconciles read nothing: the status keeps the figure
  o.now = at("2026-11-25T09:00:30Z");
  const Decision morning = decide(o);
  ASSERT_TRUE(morning.status.powerSavings);
  EXPECT_DOUBLE_EQ(morning.status.powerSavings->energySavedWh, 15 * (158 - 8));
  EXPECT_EQ(morning.status.powerSavings->source, "bmc");
  EXPECT_DOUBLE_EQ(morning.status.bmcPower->consumedWatts, 158);
}

TEST_F(DecideSavings, BmcReadingIsDroppedWithTheRedfishSpec) {
  o.sm.status.bmcPower = api::BmcPowerReading{158, "2026-11-24T15:00:00Z"};
  o.now = at("2026-11-24T18:00:30Z");
  const Decision decision = decide(o);
  EXPECT_FALSE(decision.status.bmcPower);
  EXPECT_TRUE(decision.statusPatch(o.sm.status)["bmcPower"].is_null());
}

TEST(SavingsAsOfNow, UsesTheBmcReadingInTheStatus) {
  api::ScheduledMachine sm;
  sm.spec.power = api::PowerSpec{};
  sm.spec.power->redfish = api::Redfish{};
  sm.status.bmcPower = api::BmcPowerReading{130, "2026-11-24T15:00:00Z"};
  sm.status.powerSavings = api::PowerSavings{0, 0, "", "2026-11-24T18:00:00Z", "2026-11-24T18:00:00Z"};
  const auto view = savingsAsOfNow(sm, nullptr, at("2026-11-25T00:00:00Z"));
  ASSERT_TRUE(view);
  EXPECT_DOUBLE_EQ(view->energySavedWh, 6 * 130);
  EXPECT_EQ(view->source, "bmc");
}

TEST_F(DecideSavings, MachineWithoutPowerFigureGetsNoPowerSavings) {
  o.sm.spec.power->idleWatts.reset();
  o.now = at("2026-11-24T18:00:30Z");
  EXPECT_FALSE(decide(o).status.powerSavings);
}

}  // namespace
}  // namespace fivespot::coordinator
