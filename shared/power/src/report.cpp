#include "fivespot/power/report.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/power/savings.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace fivespot::power {
namespace {

using Json = nlohmann::json;
using Days = std::chrono::duration<int, std::ratio<86400>>;

constexpr std::chrono::hours kDay{24};

TimePoint startOfUtcDay(TimePoint t) {
  return std::chrono::floor<Days>(t);
}

std::chrono::system_clock::duration overlap(const TimeRange& a, const TimeRange& b) {
  const TimePoint start = std::max(a.start, b.start);
  const TimePoint end = std::min(a.end, b.end);
  return end > start ? end - start : std::chrono::system_clock::duration::zero();
}

double toHours(std::chrono::system_clock::duration d) {
  return std::chrono::duration<double, std::ratio<3600>>(d).count();
}

// Sorted, non-overlapping: a window counted twice would make off time negative.
std::vector<TimeRange> mergedWindows(std::vector<TimeRange> windows) {
  std::sort(windows.begin(), windows.end(), [](const TimeRange& a, const TimeRange& b) { return a.start < b.start; });
  std::vector<TimeRange> merged;
  for (const TimeRange& window : windows) {
    if (window.end <= window.start) continue;
    if (!merged.empty() && window.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, window.end);
    } else {
      merged.push_back(window);
    }
  }
  return merged;
}

double kwh(double wh) {
  return wh / 1000.0;
}

// A figure with `decimals` decimals, or with 3 significant digits when it is below 1: a test
// machine off for seconds, or a fleet's first hour, must not read as 0.00 kWh.
std::string figure(double value, int decimals) {
  if (value <= 0 || value >= 1) return fmt::format("{:.{}f}", value, decimals);
  const int leadingZeros = -static_cast<int>(std::floor(std::log10(value)));  // 0.0042 -> 3
  return fmt::format("{:.{}f}", value, std::max(decimals, leadingZeros + 2));
}

constexpr const char* kNoPowerFigure = "no power figure";
constexpr const char* kNoPowerFigureHint =
    "no power figure: set spec.power.idleWatts and spec.power.standbyWatts, let the agent read RAPL, or configure "
    "spec.power.redfish";

bool hasPowerFigure(const MachineReport& machine) {
  return machine.netWatts.has_value();
}

std::size_t countWithoutPowerFigure(const std::vector<MachineReport>& machines) {
  return static_cast<std::size_t>(std::count_if(machines.begin(), machines.end(),
                                                [](const MachineReport& machine) { return !hasPowerFigure(machine); }));
}

std::string qualifiedName(const MachineReport& machine) {
  return machine.ns + "/" + machine.name;
}

std::string sourceLabel(const MachineReport& machine) {
  if (!hasPowerFigure(machine)) return kNoPowerFigure;
  std::string label = machine.savings.source.empty() ? "-" : machine.savings.source;
  if (machine.standbyAssumed && !machine.savings.source.empty()) label += " (standby 0 W assumed)";
  return label;
}

std::string dayLabel(TimePoint dayStart) {
  const date::year_month_day ymd{date::floor<date::days>(dayStart)};
  const date::weekday weekday{date::floor<date::days>(dayStart)};
  return fmt::format("{} {:02}-{:02}", date::format("%a", weekday), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

// One table row as cells; the totals row uses the same layout.
std::vector<std::string> rowCells(const std::string& name, const std::string& phase, double hoursOff, double wh,
                                  const std::string& source, const ReportOptions& options) {
  std::vector<std::string> cells{name, phase, figure(hoursOff, 1), figure(kwh(wh), 2), source};
  if (options.pricePerKwh) cells.push_back(figure(kwh(wh) * *options.pricePerKwh, 2));
  if (options.gramsCo2PerKwh) cells.push_back(figure(kwh(wh) * *options.gramsCo2PerKwh / 1000.0, 2));
  return cells;
}

// A machine without a power figure has no savings to show: dashes, not zeros that read as
// "saved nothing".
std::vector<std::string> unpricedRowCells(const std::string& name, const std::string& phase,
                                          const ReportOptions& options) {
  std::vector<std::string> cells{name, phase, "-", "-", kNoPowerFigure};
  if (options.pricePerKwh) cells.emplace_back("-");
  if (options.gramsCo2PerKwh) cells.emplace_back("-");
  return cells;
}

std::string totalLabel(const std::vector<MachineReport>& machines) {
  const std::size_t unpriced = countWithoutPowerFigure(machines);
  if (unpriced == 0) return fmt::format("TOTAL ({} machines)", machines.size());
  return fmt::format("TOTAL ({} machines, {} without a power figure)", machines.size(), unpriced);
}

}  // namespace

TimeRange lastWeek(TimePoint now) {
  return TimeRange{startOfUtcDay(now) - 6 * kDay, now};
}

namespace {

void appendNote(MachineReport& report, const std::string& note) {
  report.note += report.note.empty() ? note : "; " + note;
}

// The rate for the running off period as the report sees it. The CLI does not talk to BMCs: it
// uses the coordinator's last reading (status.bmcPower).
std::optional<SavingsRate> reportRate(const api::ScheduledMachine& machine, const api::HostAgent* agent,
                                      const StandbyPower& standby) {
  OnPowerReadings readings;
  if (agent != nullptr && agent->status.energy) readings.measuredWatts = measuredWatts(*agent->status.energy);
  if (machine.status.bmcPower) readings.bmcWatts = machine.status.bmcPower->consumedWatts;
  if (machine.spec.power) readings.declaredIdleWatts = machine.spec.power->idleWatts;
  const auto on = chooseOnPower(readings);
  if (on) return SavingsRate{*on, standby};
  // The coordinator's closed periods already encode (on - standby); reuse their average.
  const api::PowerSavings closed = machine.status.powerSavings.value_or(api::PowerSavings{});
  const auto source = parseOnPowerSource(closed.source);
  if (closed.hoursOff > 0 && source) {
    return SavingsRate{OnPower{closed.energySavedWh / closed.hoursOff, *source}, StandbyPower{0, standby.declared}};
  }
  return std::nullopt;
}

}  // namespace

MachineReport buildMachineReport(const api::ScheduledMachine& machine, const api::HostAgent* agent,
                                 const ReportOptions& options) {
  MachineReport report;
  report.ns = machine.metadata.namespace_;
  report.name = machine.metadata.name;
  report.phase = machine.status.phase ? toString(*machine.status.phase) : "";
  report.savings = machine.status.powerSavings.value_or(api::PowerSavings{});

  StandbyPower standby;
  try {
    standby = standbyFrom(machine.spec.power ? machine.spec.power->standbyWatts : std::nullopt);
  } catch (const ValidationError& error) {
    appendNote(report, error.what());
  }
  report.standbyAssumed = !standby.declared;
  if (const auto rate = reportRate(machine, agent, standby)) {
    report.netWatts = rate->netWatts();
    report.savings = savingsAsOf(report.savings, options.now, *rate);
  } else {
    appendNote(report, kNoPowerFigureHint);
  }

  try {
    const auto compiled = schedule::Schedule::compile(machine.spec.schedule);
    for (const schedule::Window& window : compiled.windows(options.timeline.start, options.timeline.end)) {
      report.onWindows.push_back(TimeRange{window.start, window.end});
    }
  } catch (const ValidationError& error) {
    appendNote(report, error.what());
  }
  return report;
}

std::vector<DayFigure> dailyFigures(const MachineReport& machine, const ReportOptions& options) {
  const auto accountingStart = tryParseRfc3339(machine.savings.since);
  const std::vector<TimeRange> windows = mergedWindows(machine.onWindows);
  std::vector<DayFigure> days;
  for (TimePoint day = startOfUtcDay(options.timeline.start); day < options.timeline.end; day += kDay) {
    DayFigure figure{day, 0, 0};
    // Savings count only while 5-Spot accounted them: after `since`, before `now`.
    TimeRange counted{std::max(day, options.timeline.start), std::min({day + kDay, options.timeline.end, options.now})};
    if (accountingStart) counted.start = std::max(counted.start, *accountingStart);
    if (accountingStart && counted.end > counted.start) {
      auto off = counted.end - counted.start;
      for (const TimeRange& window : windows) off -= overlap(counted, window);
      figure.hoursOff = toHours(off);
      figure.savedWh = figure.hoursOff * machine.netWatts.value_or(0);
    }
    days.push_back(figure);
  }
  return days;
}

ReportTotals totals(const std::vector<MachineReport>& machines) {
  ReportTotals sum;
  for (const MachineReport& machine : machines) {
    sum.hoursOff += machine.savings.hoursOff;
    sum.energySavedWh += machine.savings.energySavedWh;
  }
  return sum;
}

std::string renderTable(const std::vector<MachineReport>& machines, const ReportOptions& options) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"NAMESPACE/NAME", "PHASE", "HOURS OFF", "KWH SAVED", "SOURCE"};
  if (options.pricePerKwh) header.emplace_back("COST");
  if (options.gramsCo2PerKwh) header.emplace_back("CO2 KG");
  rows.push_back(header);
  for (const MachineReport& machine : machines) {
    const std::string phase = machine.phase.empty() ? "-" : machine.phase;
    rows.push_back(hasPowerFigure(machine) ? rowCells(qualifiedName(machine), phase, machine.savings.hoursOff,
                                                      machine.savings.energySavedWh, sourceLabel(machine), options)
                                           : unpricedRowCells(qualifiedName(machine), phase, options));
  }
  const ReportTotals sum = totals(machines);
  rows.push_back(rowCells(totalLabel(machines), "", sum.hoursOff, sum.energySavedWh, "", options));

  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool numeric = i >= 2 && i != 4;  // right-align the figures
      line += numeric ? fmt::format("{:>{}}", row[i], widths[i]) : fmt::format("{:<{}}", row[i], widths[i]);
      if (i + 1 < row.size()) line += "  ";
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  for (const MachineReport& machine : machines) {
    if (!machine.note.empty()) out += fmt::format("note: {}: {}\n", qualifiedName(machine), machine.note);
  }
  return out;
}

std::string renderJson(const std::vector<MachineReport>& machines, const ReportOptions& options) {
  auto money = [&](double wh) { return options.pricePerKwh ? Json(kwh(wh) * *options.pricePerKwh) : Json(nullptr); };
  auto co2 = [&](double wh) {
    return options.gramsCo2PerKwh ? Json(kwh(wh) * *options.gramsCo2PerKwh / 1000.0) : Json(nullptr);
  };
  Json items = Json::array();
  for (const MachineReport& machine : machines) {
    Json days = Json::array();
    for (const DayFigure& day : dailyFigures(machine, options)) {
      days.push_back({{"date", formatRfc3339(day.dayStart).substr(0, 10)},
                      {"hoursOff", day.hoursOff},
                      {"energySavedWh", day.savedWh}});
    }
    // Without a power figure the energy is unknown, not zero: null, and netWatts null says why.
    const bool priced = hasPowerFigure(machine);
    const double wh = machine.savings.energySavedWh;
    items.push_back({{"namespace", machine.ns},
                     {"name", machine.name},
                     {"phase", machine.phase},
                     {"hoursOff", machine.savings.hoursOff},
                     {"energySavedWh", priced ? Json(wh) : Json(nullptr)},
                     {"kwhSaved", priced ? Json(kwh(wh)) : Json(nullptr)},
                     {"source", priced ? Json(machine.savings.source) : Json(nullptr)},
                     {"netWatts", priced ? Json(*machine.netWatts) : Json(nullptr)},
                     {"standbyAssumed", machine.standbyAssumed},
                     {"since", machine.savings.since},
                     {"offSince", machine.savings.offSince},
                     {"cost", priced ? money(wh) : Json(nullptr)},
                     {"co2Kg", priced ? co2(wh) : Json(nullptr)},
                     {"note", machine.note},
                     {"days", days}});
  }
  const ReportTotals sum = totals(machines);
  Json report{{"generatedAt", formatRfc3339(options.now)},
              {"pricePerKwh", options.pricePerKwh ? Json(*options.pricePerKwh) : Json(nullptr)},
              {"gramsCo2PerKwh", options.gramsCo2PerKwh ? Json(*options.gramsCo2PerKwh) : Json(nullptr)},
              {"machines", items},
              {"total",
               {{"machines", machines.size()},
                {"withoutPowerFigure", countWithoutPowerFigure(machines)},
                {"hoursOff", sum.hoursOff},
                {"energySavedWh", sum.energySavedWh},
                {"kwhSaved", kwh(sum.energySavedWh)},
                {"cost", money(sum.energySavedWh)},
                {"co2Kg", co2(sum.energySavedWh)}}}};
  return report.dump(2) + "\n";
}

std::string escapeXml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string renderSvg(const std::vector<MachineReport>& machines, const ReportOptions& options) {
  constexpr double kLabelWidth = 240, kDayWidth = 130, kHeaderHeight = 40, kRowHeight = 46, kBandHeight = 18;
  const TimePoint firstDay = startOfUtcDay(options.timeline.start);
  const auto dayCount = static_cast<int>(std::chrono::ceil<Days>(options.timeline.end - firstDay).count());
  const double width = kLabelWidth + kDayWidth * dayCount + 10;
  const double height = kHeaderHeight + kRowHeight * static_cast<double>(machines.size()) + 30;
  const double pixelsPerHour = kDayWidth / 24.0;
  auto x = [&](TimePoint t) { return kLabelWidth + toHours(t - firstDay) * pixelsPerHour; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} {1:.0f}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      width, height);
  svg += fmt::format("<title>{}</title>\n",
                     escapeXml("5-Spot power timeline, UTC days ending " + formatRfc3339(options.now)));
  svg += "<g class=\"days\">\n";
  for (int d = 0; d < dayCount; ++d) {
    const double left = kLabelWidth + kDayWidth * d;
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"#999\"/>\n", left,
                       kHeaderHeight - 10, height - 30);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\">{}</text>\n", left + 4, kHeaderHeight - 16,
                       escapeXml(dayLabel(firstDay + d * kDay)));
  }
  svg += "</g>\n";
  for (std::size_t row = 0; row < machines.size(); ++row) {
    const MachineReport& machine = machines[row];
    const double top = kHeaderHeight + kRowHeight * static_cast<double>(row);
    svg += fmt::format("<g class=\"machine\" data-machine=\"{}\">\n", escapeXml(qualifiedName(machine)));
    svg += fmt::format("<text x=\"4\" y=\"{:.0f}\">{}</text>\n", top + 13, escapeXml(qualifiedName(machine)));
    svg += "<g class=\"bands\">\n";
    // The whole timeline as "off", then the windows drawn over it as "on".
    svg += fmt::format(
        "<rect class=\"off\" x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"#cfd8dc\"/>\n",
        x(options.timeline.start), top, x(options.timeline.end) - x(options.timeline.start), kBandHeight);
    for (const TimeRange& window : mergedWindows(machine.onWindows)) {
      const TimePoint start = std::max(window.start, options.timeline.start);
      const TimePoint end = std::min(window.end, options.timeline.end);
      if (end <= start) continue;
      svg += fmt::format(
          "<rect class=\"on\" x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"#43a047\"/>\n",
          x(start), top, x(end) - x(start), kBandHeight);
    }
    svg += "</g>\n<g class=\"saved\">\n";
    for (const DayFigure& day : dailyFigures(machine, options)) {
      const std::string saved = hasPowerFigure(machine) ? figure(kwh(day.savedWh), 2) + " kWh" : "-";
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" fill=\"#1b5e20\">{}</text>\n", x(day.dayStart) + 4,
                         top + kBandHeight + 16, saved);
    }
    svg += "</g>\n</g>\n";
  }
  svg += fmt::format(
      "<text x=\"4\" y=\"{:.0f}\" fill=\"#555\">green: in window (on); grey: off. Per-day kWh: hours off since "
      "accounting began x (on - standby).</text>\n",
      height - 10);
  svg += "</svg>\n";
  return svg;
}

std::string renderHtml(const std::vector<MachineReport>& machines, const ReportOptions& options) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>5-Spot power savings</title>\n"
      "<style>body{font-family:sans-serif}pre{background:#f5f5f5;padding:8px}</style></head>\n<body>\n"
      "<h1>5-Spot power savings</h1>\n";
  html += fmt::format("<p>As of {}.</p>\n<pre>{}</pre>\n", escapeXml(formatRfc3339(options.now)),
                      escapeXml(renderTable(machines, options)));
  html += renderSvg(machines, options);
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace fivespot::power
