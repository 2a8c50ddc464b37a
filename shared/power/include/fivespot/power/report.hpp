#pragma once
// The savings report as text, JSON, SVG and HTML. Pure: it takes data already fetched (machines,
// their savings as of `now`, their schedule windows) and returns strings, so it is tested without
// a cluster and reused by any front end.
#include <optional>
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::power {

struct TimeRange {
  TimePoint start;  // inclusive
  TimePoint end;    // exclusive
};

struct MachineReport {
  std::string ns;
  std::string name;
  std::string phase;
  api::PowerSavings savings;         // as of the report's `now` (savingsAsOf)
  std::optional<double> netWatts;    // on − standby; nullopt: no power figure (shown as such, not as 0)
  bool standbyAssumed = false;       // standbyWatts not declared, 0 W assumed
  std::vector<TimeRange> onWindows;  // the schedule's windows overlapping the timeline
  std::string note;                  // why figures are missing (invalid schedule, no power figure)
};

struct ReportOptions {
  TimePoint now;
  TimeRange timeline;                 // whole UTC days, the last one may end at `now`
  std::optional<double> pricePerKwh;  // currency per kWh
  std::optional<double> gramsCo2PerKwh;
};

// The 7 UTC days ending with the day of `now` (the last one cut at `now`).
TimeRange lastWeek(TimePoint now);

// One machine's row from its objects: savings as of options.now (the running off period at the
// best on-power figure the report can see: the agent's RAPL average, else spec.power.idleWatts,
// else the average rate of the closed periods), and its schedule's windows over the timeline.
// Problems (invalid schedule, no power figure) go into `note`; this never throws for bad specs.
MachineReport buildMachineReport(const api::ScheduledMachine& machine, const api::HostAgent* agent,
                                 const ReportOptions& options);

struct DayFigure {
  TimePoint dayStart;  // 00:00 UTC
  double hoursOff = 0;
  double savedWh = 0;
};
// Per UTC day of `timeline`: hours outside the machine's windows, from the accounting start
// (savings.since) on and before `now`, and the energy that saves at netWatts.
std::vector<DayFigure> dailyFigures(const MachineReport& machine, const ReportOptions& options);

struct ReportTotals {
  double hoursOff = 0;
  double energySavedWh = 0;
};
ReportTotals totals(const std::vector<MachineReport>& machines);

// Hours with one decimal and kWh with two, or 3 significant digits below 1 (0.000417 kWh), so a
// short off period never reads as zero. A machine without a power figure shows "-" and "no power
// figure"; the totals line counts such machines and the notes under the table say how to fix it.
std::string renderTable(const std::vector<MachineReport>& machines, const ReportOptions& options);
// Per machine: energySavedWh, kwhSaved, source, netWatts, cost and co2Kg are null without a
// power figure; total.withoutPowerFigure counts those machines.
std::string renderJson(const std::vector<MachineReport>& machines, const ReportOptions& options);
// One <g class="machine"> per machine, holding one <g class="bands"> of on/off rectangles and
// the saved energy per day.
std::string renderSvg(const std::vector<MachineReport>& machines, const ReportOptions& options);
std::string renderHtml(const std::vector<MachineReport>& machines, const ReportOptions& options);

// XML text/attribute escaping (& < > " ').
std::string escapeXml(const std::string& text);

}  // namespace fivespot::power
