#include "fivespot/power/report.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "fivespot/common/time_format.hpp"

namespace fivespot::power {
namespace {

TimePoint at(const char* rfc3339) {
  return parseRfc3339(rfc3339);
}

// Two machines: one that saved energy measured by RAPL on a 09-17 weekday schedule, one whose
// name needs escaping and that has never been off.
std::vector<MachineReport> fixture() {
  MachineReport worker;
  worker.ns = "lab";
  worker.name = "worker-1";
  worker.phase = "Active";
  worker.savings = api::PowerSavings{30, 3000, "measured", "2026-11-20T17:00:00Z", ""};
  worker.netWatts = 100;
  for (const char* day : {"2026-11-20", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"}) {
    const std::string date(day);
    worker.onWindows.push_back(TimeRange{at((date + "T09:00:00Z").c_str()), at((date + "T17:00:00Z").c_str())});
  }
  MachineReport odd;
  odd.ns = "a&b";
  odd.name = "<gpu>";
  odd.phase = "UnScheduled";
  odd.standbyAssumed = true;
  odd.note = "no power figure: declare spec.power.idleWatts";
  return {worker, odd};
}

ReportOptions options() {
  ReportOptions result;
  result.now = at("2026-11-26T12:00:00Z");
  result.timeline = lastWeek(result.now);
  result.pricePerKwh = 0.30;
  result.gramsCo2PerKwh = 400;
  return result;
}

TEST(Report, LastWeekIsSevenUtcDaysEndingNow) {
  const TimeRange week = lastWeek(at("2026-11-26T12:00:00Z"));
  EXPECT_EQ(week.start, at("2026-11-20T00:00:00Z"));
  EXPECT_EQ(week.end, at("2026-11-26T12:00:00Z"));
}

TEST(Report, DailyFiguresCountOffHoursSinceAccountingBeganUntilNow) {
  const std::vector<DayFigure> days = dailyFigures(fixture()[0], options());
  ASSERT_EQ(days.size(), 7u);
  EXPECT_DOUBLE_EQ(days[0].hoursOff, 7);   // Fri 20th: accounting from 17:00
  EXPECT_DOUBLE_EQ(days[1].hoursOff, 24);  // Sat
  EXPECT_DOUBLE_EQ(days[3].hoursOff, 16);  // Mon 09-17 on
  EXPECT_DOUBLE_EQ(days[3].savedWh, 1600);
  EXPECT_DOUBLE_EQ(days[6].hoursOff, 9);                                   // Thu 26th until 12:00, on since 09:00
  EXPECT_DOUBLE_EQ(dailyFigures(fixture()[1], options())[2].hoursOff, 0);  // never off
}

TEST(Report, TableHasPerMachineRowsTotalsCostAndCo2) {
  const std::string table = renderTable(fixture(), options());
  EXPECT_NE(table.find("NAMESPACE/NAME"), std::string::npos);
  EXPECT_NE(table.find("COST"), std::string::npos);
  EXPECT_NE(table.find("CO2 KG"), std::string::npos);
  // worker-1: 30.0 h, 3.00 kWh, 0.90 cost, 1.20 kg.
  const auto row = table.substr(table.find("lab/worker-1"));
  const std::string line = row.substr(0, row.find('\n'));
  for (const char* value : {"Active", "30.0", "3.00", "measured", "0.90", "1.20"}) {
    EXPECT_NE(line.find(value), std::string::npos) << value << " in " << line;
  }
  EXPECT_NE(table.find("TOTAL (2 machines, 1 without a power figure)"), std::string::npos) << table;
  EXPECT_NE(table.find("note: a&b/<gpu>: no power figure"), std::string::npos);
}

TEST(Report, TableSaysNoPowerFigureInsteadOfZero) {
  const std::string table = renderTable(fixture(), options());
  const auto row = table.substr(table.find("a&b/<gpu>"));
  const std::string line = row.substr(0, row.find('\n'));
  EXPECT_NE(line.find("no power figure"), std::string::npos) << line;
  EXPECT_EQ(line.find("0.00"), std::string::npos) << "unknown, not zero: " << line;
  EXPECT_NE(line.find(" - "), std::string::npos) << line;
}

TEST(Report, ShortOffPeriodsShowSignificantDigits) {
  std::vector<MachineReport> machines = fixture();
  machines.resize(1);
  machines[0].savings.hoursOff = 5.0 / 3600;             // off for 5 seconds
  machines[0].savings.energySavedWh = 145 * 5.0 / 3600;  // at 145 W: 0.201 Wh
  ReportOptions plain = options();
  plain.pricePerKwh.reset();
  plain.gramsCo2PerKwh.reset();
  const std::string table = renderTable(machines, plain);
  const auto row = table.substr(table.find("lab/worker-1"));
  const std::string line = row.substr(0, row.find('\n'));
  EXPECT_NE(line.find(" 0.00139 "), std::string::npos) << line;   // hours
  EXPECT_NE(line.find(" 0.000201 "), std::string::npos) << line;  // kWh
  EXPECT_NE(table.find("TOTAL (1 machines)"), std::string::npos) << table;
  // Fleet-sized figures keep their fixed decimals.
  machines[0].savings = api::PowerSavings{1234.56, 98765.4, "bmc", "2026-11-20T17:00:00Z", ""};
  const std::string fleet = renderTable(machines, plain);
  EXPECT_NE(fleet.find("1234.6"), std::string::npos) << fleet;
  EXPECT_NE(fleet.find("98.77"), std::string::npos) << fleet;
}

TEST(Report, JsonMarksAMachineWithoutPowerFigureExplicitly) {
  const auto json = nlohmann::json::parse(renderJson(fixture(), options()));
  const auto& odd = json["machines"][1];
  EXPECT_TRUE(odd["energySavedWh"].is_null());
  EXPECT_TRUE(odd["kwhSaved"].is_null());
  EXPECT_TRUE(odd["source"].is_null());
  EXPECT_TRUE(odd["netWatts"].is_null());
  EXPECT_TRUE(odd["cost"].is_null());
  EXPECT_NE(odd["note"].get<std::string>().find("no power figure"), std::string::npos);
  EXPECT_DOUBLE_EQ(json["machines"][0]["netWatts"].get<double>(), 100);
  EXPECT_EQ(json["total"]["withoutPowerFigure"], 1);
}

TEST(Report, JsonCarriesFiguresAndTotals) {
  const auto json = nlohmann::json::parse(renderJson(fixture(), options()));
  ASSERT_EQ(json["machines"].size(), 2u);
  const auto& worker = json["machines"][0];
  EXPECT_EQ(worker["namespace"], "lab");
  EXPECT_DOUBLE_EQ(worker["kwhSaved"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(worker["cost"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(worker["co2Kg"].get<double>(), 1.2);
  EXPECT_EQ(worker["source"], "measured");
  EXPECT_EQ(worker["days"].size(), 7u);
  EXPECT_EQ(worker["days"][3]["date"], "2026-11-23");
  EXPECT_DOUBLE_EQ(json["total"]["hoursOff"].get<double>(), 30);
  EXPECT_DOUBLE_EQ(json["total"]["energySavedWh"].get<double>(), 3000);

  ReportOptions plain = options();
  plain.pricePerKwh.reset();
  EXPECT_TRUE(nlohmann::json::parse(renderJson(fixture(), plain))["total"]["cost"].is_null());
}

api::ScheduledMachine scheduledMachine() {
  api::ScheduledMachine machine;
  machine.metadata.namespace_ = "lab";
  machine.metadata.name = "worker-1";
  machine.spec.schedule.daysOfWeek = {"mon-fri"};
  machine.spec.schedule.hoursOfDay = {"9-16"};  // whole hours, inclusive: 09:00-17:00
  machine.spec.power = api::PowerSpec{};
  machine.spec.power->idleWatts = 120;
  machine.spec.power->standbyWatts = 10;
  machine.status.phase = api::Phase::UnScheduled;
  machine.status.powerSavings = api::PowerSavings{12, 1320, "declared", "2026-11-24T17:00:00Z", "2026-11-25T17:00:00Z"};
  return machine;
}

ReportOptions optionsAt(const char* now) {
  ReportOptions result;
  result.now = at(now);
  result.timeline = lastWeek(result.now);
  return result;
}

TEST(MachineReportBuilder, CountsTheRunningPeriodAtTheDeclaredFigures) {
  const MachineReport report = buildMachineReport(scheduledMachine(), nullptr, optionsAt("2026-11-26T08:00:00Z"));
  EXPECT_EQ(report.phase, "UnScheduled");
  EXPECT_DOUBLE_EQ(report.savings.hoursOff, 12 + 15);
  EXPECT_DOUBLE_EQ(report.savings.energySavedWh, 1320 + 15 * 110);
  EXPECT_EQ(report.netWatts, 110);
  EXPECT_FALSE(report.standbyAssumed);
  EXPECT_TRUE(report.note.empty()) << report.note;
  // Mon 23rd to Thu 26th 09-17 in the timeline Fri 20th .. Thu 26th 08:00; Fri 20th's too.
  ASSERT_EQ(report.onWindows.size(), 4u);
  EXPECT_EQ(report.onWindows[0].start, at("2026-11-20T09:00:00Z"));
  EXPECT_EQ(report.onWindows[0].end, at("2026-11-20T17:00:00Z"));
}

TEST(MachineReportBuilder, PrefersTheAgentsMeasuredAverage) {
  api::HostAgent agent;
  agent.status.energy = api::EnergyReport{"rapl", 3.6e8, 100, "2026-11-25T09:00:00Z"};
  const MachineReport report = buildMachineReport(scheduledMachine(), &agent, optionsAt("2026-11-26T08:00:00Z"));
  EXPECT_DOUBLE_EQ(report.savings.energySavedWh, 1320 + 15 * 90);
  EXPECT_EQ(report.savings.source, "declared");  // the closed 12 h were declared: the weakest wins
}

TEST(MachineReportBuilder, FallsBackToTheClosedAverageAndNotesProblems) {
  api::ScheduledMachine machine = scheduledMachine();
  machine.spec.power.reset();
  machine.spec.schedule.hoursOfDay = {"25-3"};
  const MachineReport report = buildMachineReport(machine, nullptr, optionsAt("2026-11-26T08:00:00Z"));
  EXPECT_DOUBLE_EQ(report.savings.energySavedWh, 1320 + 15 * 110);  // 1320 Wh / 12 h
  EXPECT_TRUE(report.standbyAssumed);
  EXPECT_TRUE(report.onWindows.empty());
  EXPECT_NE(report.note.find("spec.schedule.hoursOfDay[0]"), std::string::npos) << report.note;

  machine.status.powerSavings = api::PowerSavings{0, 0, "", "2026-11-25T17:00:00Z", "2026-11-25T17:00:00Z"};
  const MachineReport unknown = buildMachineReport(machine, nullptr, optionsAt("2026-11-26T08:00:00Z"));
  EXPECT_DOUBLE_EQ(unknown.savings.hoursOff, 0);
  EXPECT_FALSE(unknown.netWatts.has_value());
  EXPECT_NE(unknown.note.find("no power figure: set spec.power.idleWatts and spec.power.standbyWatts"),
            std::string::npos)
      << unknown.note;
}

TEST(MachineReportBuilder, SaysSoWhenAMachineThatWasNeverOffHasNoPowerFigure) {
  api::ScheduledMachine machine = scheduledMachine();
  machine.spec.power.reset();
  machine.status.powerSavings.reset();
  machine.status.phase = api::Phase::Active;
  const MachineReport report = buildMachineReport(machine, nullptr, optionsAt("2026-11-26T10:00:00Z"));
  EXPECT_FALSE(report.netWatts.has_value());
  EXPECT_NE(report.note.find("no power figure"), std::string::npos) << report.note;
  const std::string table = renderTable({report}, optionsAt("2026-11-26T10:00:00Z"));
  const auto row = table.substr(table.find("lab/worker-1"));
  const std::string line = row.substr(0, row.find('\n'));
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(lab/worker-1 +Active +- +- +no power figure)"))) << table;
}

TEST(Report, EscapesXmlText) {
  EXPECT_EQ(escapeXml(R"(<a & 'b' "c">)"), "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;");
}

// Parses `document` with Python's XML parser (a real one, not a regex) and prints the number of
// <g class="bands"> groups and the data-machine attributes of the machine groups.
std::string parseWithPython(const std::string& document) {
  const auto path =
      std::filesystem::temp_directory_path() / ("power_report_test_" + std::to_string(::getpid()) + ".svg");
  std::ofstream(path) << document;
  const std::string command =
      "/usr/bin/python3 -c 'import sys, xml.dom.minidom as m\n"
      "d = m.parse(sys.argv[1])\n"
      "gs = d.getElementsByTagName(\"g\")\n"
      "print(len([g for g in gs if g.getAttribute(\"class\") == \"bands\"]))\n"
      "print(\"|\".join(g.getAttribute(\"data-machine\") for g in gs if g.getAttribute(\"class\") == \"machine\"))' " +
      path.string() + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  return status == 0 ? output : "python failed: " + output;
}

TEST(Report, SvgIsWellFormedWithOneBandGroupPerMachine) {
  const std::string svg = renderSvg(fixture(), options());
  EXPECT_EQ(parseWithPython(svg), "2\nlab/worker-1|a&b/<gpu>\n");
  EXPECT_NE(svg.find(">2.40 kWh<"), std::string::npos) << "Saturday: 24 h off at 100 W";
  EXPECT_NE(svg.find(">1.60 kWh<"), std::string::npos) << "Monday: 16 h off at 100 W";
}

TEST(Report, SvgDrawsOneOnBandPerWindowInTheTimeline) {
  const std::string svg = renderSvg(fixture(), options());
  std::size_t onBands = 0;
  for (auto at = svg.find("class=\"on\""); at != std::string::npos; at = svg.find("class=\"on\"", at + 1)) ++onBands;
  EXPECT_EQ(onBands, 5u);
}

TEST(Report, HtmlEmbedsTheTableAndTheSvg) {
  const std::string html = renderHtml(fixture(), options());
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("lab/worker-1"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b/&lt;gpu&gt;"), std::string::npos);
  EXPECT_EQ(html.find("a&b/<gpu>"), std::string::npos);
}

}  // namespace
}  // namespace fivespot::power
