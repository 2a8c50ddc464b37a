#include "report_command.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/power/report.hpp"
#include "kube_flags.hpp"

namespace fivespot::cli {
namespace {

struct ReportFlags {
  KubeFlags kube;
  std::string output = "table";
  std::optional<double> pricePerKwh;
  std::optional<double> gramsCo2PerKwh;
  std::string svgFile;
  std::string htmlFile;
};

using AgentsByMachine = std::map<std::pair<std::string, std::string>, api::HostAgent>;

// HostAgents carry the measured RAPL average. A report still works without them (declared
// figures), so a denied or missing HostAgent API is a warning, not a failure.
AgentsByMachine fetchHostAgents(kube::Client& client, const std::string& ns) {
  AgentsByMachine agents;
  try {
    for (const auto& item : client.listAll(kube::resources::hostAgents(), ns).items) {
      try {
        api::HostAgent agent = api::parseHostAgent(item);
        agents.emplace(std::make_pair(agent.metadata.namespace_, agent.metadata.name), std::move(agent));
      } catch (const ValidationError& error) {
        std::cerr << "warning: skipping a HostAgent: " << error.what() << "\n";
      }
    }
  } catch (const kube::ApiError& error) {
    std::cerr << "warning: no measured power figures (cannot list HostAgents: " << error.what() << ")\n";
  }
  return agents;
}

// `ns` empty: every namespace.
std::vector<power::MachineReport> fetchMachineReports(kube::Client& client, const std::string& ns,
                                                      const power::ReportOptions& options) {
  const AgentsByMachine agents = fetchHostAgents(client, ns);
  std::vector<power::MachineReport> reports;
  for (const auto& item : client.listAll(kube::resources::scheduledMachines(), ns).items) {
    api::ScheduledMachine machine;
    try {
      machine = api::parseScheduledMachine(item);
    } catch (const ValidationError& error) {
      std::cerr << "warning: skipping a ScheduledMachine: " << error.what() << "\n";
      continue;
    }
    const auto agent = agents.find({machine.metadata.namespace_, machine.metadata.name});
    reports.push_back(power::buildMachineReport(machine, agent == agents.end() ? nullptr : &agent->second, options));
  }
  return reports;
}

void writeFile(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  file.close();
  if (!file) throw ConfigError(path, "cannot write the report file");
}

int runReport(const ReportFlags& flags) {
  const KubeTarget target = resolveKubeTarget(flags.kube);
  const auto client = makeClient(target);
  power::ReportOptions options;
  options.now = SystemClock::instance().now();
  options.timeline = power::lastWeek(options.now);
  options.pricePerKwh = flags.pricePerKwh;
  options.gramsCo2PerKwh = flags.gramsCo2PerKwh;

  const std::vector<power::MachineReport> reports = fetchMachineReports(*client, target.namespace_, options);
  std::cout << (flags.output == "json" ? power::renderJson(reports, options) : power::renderTable(reports, options));
  if (!flags.svgFile.empty()) writeFile(flags.svgFile, power::renderSvg(reports, options));
  if (!flags.htmlFile.empty()) writeFile(flags.htmlFile, power::renderHtml(reports, options));
  return kExitOk;
}

}  // namespace

void addReportCommand(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  auto* command = app.add_subcommand("report", "Energy saved by powering machines off outside their windows");
  addKubeFlags(*command, flags->kube, NamespaceFlags::SingleOrAll);
  command->add_option("-o,--output", flags->output, "table or json")->check(CLI::IsMember({"table", "json"}));
  command->add_option("--price-per-kwh", flags->pricePerKwh, "energy price per kWh: adds a cost column")
      ->check(CLI::PositiveNumber);
  command->add_option("--grams-co2-per-kwh", flags->gramsCo2PerKwh, "grid carbon intensity: adds a CO2 (kg) column")
      ->check(CLI::PositiveNumber);
  command->add_option("--svg", flags->svgFile, "also write the last 7 days as an SVG timeline to this file");
  command->add_option("--html", flags->htmlFile, "also write an HTML page (table and timeline) to this file");
  command->callback([flags] { runClusterCommand([&] { return runReport(*flags); }); });
}

}  // namespace fivespot::cli
