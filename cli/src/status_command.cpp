#include "status_command.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/kube/client.hpp"
#include "kube_flags.hpp"

namespace fivespot::cli {
namespace {

constexpr const char* kNone = "-";

std::string orNone(const std::string& text) {
  return text.empty() ? kNone : text;
}

std::string plural(long long count, const char* singular, const char* pluralForm) {
  return std::to_string(count) + " " + (count == 1 ? singular : pluralForm);
}

std::string drainCell(const api::DrainProgress& drain) {
  std::string cell = plural(drain.podsRemaining, "pod", "pods");
  if (!drain.blockingPdbs.empty()) {
    cell += ", " + plural(static_cast<long long>(drain.blockingPdbs.size()), "PDB", "PDBs");
  }
  return cell;
}

// "Off" while a power-off is acknowledged ("PoweringOff") is not a pending order; anything else that
// differs from the coordinator's order is shown as "<reported>-><desired>".
std::string powerCell(const std::string& reported, const std::string& desired) {
  const std::string shown = reported.empty() ? "Unknown" : reported;
  const bool settling = reported == api::kPowerStatePoweringOff && desired == api::kPowerStateOff;
  if (reported == desired || settling) return shown;
  return shown + "->" + desired;
}

std::string sinceCell(const std::string& rfc3339, TimePoint now) {
  const auto at = tryParseRfc3339(rfc3339);
  return at ? humanAge(now - *at) : std::string("<unknown>");
}

std::string agentCell(const api::HostAgentStatus& status, TimePoint now) {
  std::string cell = status.ready ? "ready" : "not ready";
  if (!status.lastHeartbeat.empty()) cell += ", " + sinceCell(status.lastHeartbeat, now);
  return cell;
}

nlohmann::json optionalJson(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json optionalJson(const std::optional<bool>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json stringOrNull(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json rowJson(const StatusRow& row) {
  const auto& v = row.values;
  nlohmann::json drain = nullptr;
  if (v.drain) {
    drain = {{"podsRemaining", v.drain->podsRemaining},
             {"blockingPdbs", v.drain->blockingPdbs},
             {"startedAt", stringOrNull(v.drain->startedAt)}};
  }
  nlohmann::json agent = nullptr;
  if (v.powerReported) {
    agent = {{"ready", optionalJson(v.agentReady)},
             {"lastHeartbeat", stringOrNull(v.lastHeartbeat)},
             {"powerState", stringOrNull(*v.powerReported)},
             {"desiredPower", optionalJson(v.powerDesired)}};
  }
  return {{"namespace", row.cells.namespace_},
          {"name", row.cells.name},
          {"phase", optionalJson(v.phase)},
          {"inWindow", optionalJson(v.inSchedule)},
          {"nextTransition", stringOrNull(v.nextTransition)},
          {"node", stringOrNull(v.node)},
          {"machine", stringOrNull(v.machine)},
          {"drain", drain},
          {"killSwitch", v.killSwitch},
          {"agent", agent},
          {"reason", stringOrNull(v.reason)},
          {"creationTimestamp", stringOrNull(v.creationTimestamp)}};
}

using Table = std::vector<std::vector<std::string>>;

std::vector<std::string> headerOf(bool showNamespace, bool wide) {
  std::vector<std::string> header;
  if (showNamespace) header.emplace_back("NAMESPACE");
  for (const char* column : {"NAME", "PHASE", "IN-WINDOW", "NEXT", "NODE", "DRAIN", "POWER", "AGE"}) {
    header.emplace_back(column);
  }
  if (wide) {
    for (const char* column : {"NEXT-AT", "MACHINE", "KILL-SWITCH", "AGENT", "REASON"}) header.emplace_back(column);
  }
  return header;
}

std::vector<std::string> cellsOf(const StatusRow::Cells& c, bool showNamespace, bool wide) {
  std::vector<std::string> cells;
  if (showNamespace) cells.push_back(c.namespace_);
  for (const std::string* cell : {&c.name, &c.phase, &c.inWindow, &c.next, &c.node, &c.drain, &c.power, &c.age}) {
    cells.push_back(*cell);
  }
  if (wide) {
    for (const std::string* cell : {&c.nextAt, &c.machine, &c.killSwitch, &c.agent, &c.reason}) {
      cells.push_back(*cell);
    }
  }
  return cells;
}

// kubectl's printer: columns left-aligned, three spaces apart, no trailing spaces.
std::string alignColumns(const Table& table) {
  std::vector<std::size_t> widths;
  for (const auto& line : table) {
    widths.resize(std::max(widths.size(), line.size()), 0);
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  std::string text;
  for (const auto& line : table) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text.append(widths[i] - line[i].size() + 3, ' ');
    }
    text += '\n';
  }
  return text;
}

std::string objectKey(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

// HostAgents by namespace/name. Missing read access is not fatal: the table is still useful
// without the agent columns, so it is said once on `err` and the columns stay empty.
std::map<std::string, api::HostAgent> readHostAgents(kube::Client& client, const StatusOptions& options,
                                                     std::ostream& err) {
  std::vector<nlohmann::json> objects;
  try {
    if (!options.name.empty()) {
      if (auto object = client.getIfExists(kube::resources::hostAgents(), options.namespace_, options.name)) {
        objects.push_back(std::move(*object));
      }
    } else {
      objects = client.listAll(kube::resources::hostAgents(), options.namespace_).items;
    }
  } catch (const kube::ApiError& e) {
    if (!e.isForbidden()) throw;
    err << "warning: cannot read HostAgents (" << e.serverMessage() << "); POWER and AGENT are left empty\n";
  }
  std::map<std::string, api::HostAgent> agents;
  for (const auto& object : objects) {
    try {
      auto agent = api::parseHostAgent(object);
      const std::string key = objectKey(agent.metadata.namespace_, agent.metadata.name);
      agents.emplace(key, std::move(agent));
    } catch (const ValidationError& e) {
      err << "warning: skipping a HostAgent that does not parse: " << e.what() << "\n";
    }
  }
  return agents;
}

std::vector<nlohmann::json> readScheduledMachines(kube::Client& client, const StatusOptions& options) {
  if (!options.name.empty())
    return {client.get(kube::resources::scheduledMachines(), options.namespace_, options.name)};
  return client.listAll(kube::resources::scheduledMachines(), options.namespace_).items;
}

}  // namespace

// ---- pure formatting ---------------------------------------------------------------------------

std::string humanAge(Duration d) {
  using std::chrono::duration_cast;
  const long long seconds = duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  const long long minutes = seconds / 60;
  if (minutes < 10) {
    const long long rest = seconds % 60;
    return std::to_string(minutes) + "m" + (rest == 0 ? "" : std::to_string(rest) + "s");
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  const long long hours = minutes / 60;
  if (hours < 8) {
    const long long rest = minutes % 60;
    return std::to_string(hours) + "h" + (rest == 0 ? "" : std::to_string(rest) + "m");
  }
  if (hours < 48) return std::to_string(hours) + "h";
  const long long days = hours / 24;
  if (hours < 24 * 8) {
    const long long rest = hours % 24;
    return std::to_string(days) + "d" + (rest == 0 ? "" : std::to_string(rest) + "h");
  }
  if (hours < 24 * 365 * 2) return std::to_string(days) + "d";
  const long long years = days / 365;
  if (hours < 24 * 365 * 8) {
    const long long rest = days % 365;
    return std::to_string(years) + "y" + (rest == 0 ? "" : std::to_string(rest) + "d");
  }
  return std::to_string(years) + "y";
}

std::string compactDuration(Duration d) {
  if (d < std::chrono::minutes(1)) {
    return std::to_string(std::chrono::ceil<std::chrono::seconds>(std::max(d, Duration::zero())).count()) + "s";
  }
  const long long minutes = std::chrono::ceil<std::chrono::minutes>(d).count();
  const long long days = minutes / (24 * 60);
  const long long hours = minutes / 60 % 24;
  const long long rest = minutes % 60;
  std::string text;
  if (days > 0) text += std::to_string(days) + "d";
  if (hours > 0) text += std::to_string(hours) + "h";
  if (rest > 0) text += std::to_string(rest) + "m";
  return text;
}

std::string relativeTime(TimePoint target, TimePoint now) {
  if (target >= now) return "in " + compactDuration(target - now);
  return compactDuration(now - target) + " ago";
}

StatusRow makeStatusRow(const api::ScheduledMachine& machine, const std::optional<api::HostAgent>& agent,
                        TimePoint now) {
  const auto& status = machine.status;
  StatusRow row;
  auto& v = row.values;
  const bool hasStatus = status.phase.has_value() || status.observedGeneration > 0;
  if (status.phase) v.phase = api::toString(*status.phase);
  if (hasStatus) v.inSchedule = status.inSchedule;
  v.nextTransition = status.nextTransition;
  v.node = status.nodeRef ? status.nodeRef->name : "";
  v.machine = status.machineRef ? status.machineRef->name : "";
  v.drain = status.drain;
  v.killSwitch = machine.spec.killSwitch;
  v.creationTimestamp = machine.metadata.creationTimestamp;
  v.reason = !status.removalReason.empty() ? status.removalReason : status.message;
  if (agent) {
    v.powerReported = agent->status.powerState;
    v.powerDesired = api::toString(agent->spec.desiredPower);
    v.agentReady = agent->status.ready;
    v.lastHeartbeat = agent->status.lastHeartbeat;
  }

  auto& c = row.cells;
  c.namespace_ = machine.metadata.namespace_;
  c.name = machine.metadata.name;
  c.phase = v.phase.value_or(kNone);
  c.inWindow = !v.inSchedule ? kNone : (*v.inSchedule ? "yes" : "no");
  c.next = kNone;
  c.nextAt = orNone(v.nextTransition);
  if (const auto next = tryParseRfc3339(v.nextTransition)) c.next = relativeTime(*next, now);
  c.node = orNone(v.node);
  c.drain = v.drain ? drainCell(*v.drain) : kNone;
  c.power = agent ? powerCell(*v.powerReported, *v.powerDesired) : kNone;
  c.age = sinceCell(v.creationTimestamp, now);
  c.machine = orNone(v.machine);
  c.killSwitch = v.killSwitch ? "on" : "off";
  c.agent = agent ? agentCell(agent->status, now) : kNone;
  c.reason = orNone(v.reason);
  return row;
}

StatusFormat parseStatusFormat(const std::string& text) {
  if (text == "table") return StatusFormat::Table;
  if (text == "wide") return StatusFormat::Wide;
  if (text == "json") return StatusFormat::Json;
  throw ValidationError("--output", text, "table, wide or json");
}

std::string renderStatusTable(const std::vector<StatusRow>& rows, bool showNamespace, bool wide) {
  Table table{headerOf(showNamespace, wide)};
  for (const auto& row : rows) table.push_back(cellsOf(row.cells, showNamespace, wide));
  return alignColumns(table);
}

std::string renderStatusJson(const std::vector<StatusRow>& rows) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(rowJson(row));
  return nlohmann::json{{"items", std::move(items)}}.dump(2) + "\n";
}

// ---- command -----------------------------------------------------------------------------------

int runStatus(kube::Client& client, const StatusOptions& options, TimePoint now, std::ostream& out, std::ostream& err) {
  const std::vector<nlohmann::json> objects = readScheduledMachines(client, options);
  const auto agents = readHostAgents(client, options, err);
  int exitCode = kExitOk;
  std::vector<StatusRow> rows;
  for (const auto& object : objects) {
    try {
      const api::ScheduledMachine machine = api::parseScheduledMachine(object);
      const auto agent = agents.find(objectKey(machine.metadata.namespace_, machine.metadata.name));
      rows.push_back(makeStatusRow(machine, agent == agents.end() ? std::nullopt : std::optional(agent->second), now));
    } catch (const ValidationError& e) {
      // One bad object must not hide the others; the exit code still says something was wrong.
      err << "error: a ScheduledMachine does not parse: " << e.what() << "\n";
      exitCode = kExitFailure;
    }
  }
  std::sort(rows.begin(), rows.end(), [](const StatusRow& a, const StatusRow& b) {
    return std::tie(a.cells.namespace_, a.cells.name) < std::tie(b.cells.namespace_, b.cells.name);
  });

  if (options.format == StatusFormat::Json) {
    out << renderStatusJson(rows);
  } else if (rows.empty()) {
    err << "No ScheduledMachines found"
        << (options.namespace_.empty() ? std::string() : " in namespace " + options.namespace_) << ".\n";
  } else {
    out << renderStatusTable(rows, options.namespace_.empty(), options.format == StatusFormat::Wide);
  }
  return exitCode;
}

void addStatusCommand(CLI::App& app) {
  struct Flags {
    KubeFlags kube;
    std::string name;
    std::string output = "table";
  };
  auto flags = std::make_shared<Flags>();
  auto* command =
      app.add_subcommand("status", "Show ScheduledMachines: phase, window, next transition, node, drain, power");
  command->add_option("NAME", flags->name, "one ScheduledMachine (default: all in the namespace)");
  addKubeFlags(*command, flags->kube, NamespaceFlags::SingleOrAll);
  command->add_option("-o,--output", flags->output, "table, wide or json")->capture_default_str();
  command->callback([flags] {
    runClusterCommand([&] {
      StatusOptions options;
      options.name = flags->name;
      options.format = parseStatusFormat(flags->output);
      if (flags->kube.allNamespaces && !flags->name.empty()) {
        throw ValidationError("NAME", flags->name, "a NAME only with a namespace (-n), not with -A");
      }
      const KubeTarget target = resolveKubeTarget(flags->kube);
      options.namespace_ = target.namespace_;
      const auto client = makeClient(target);
      return runStatus(*client, options, SystemClock::instance().now(), std::cout, std::cerr);
    });
  });
}

}  // namespace fivespot::cli
