#pragma once
// `kubectl-5spot status [NAME] [-n NS | -A] [-o table|wide|json]`: one line per ScheduledMachine,
// joined with its HostAgent (same namespace and name).
//
// The rows and their text are built by pure functions (tested without a cluster); runStatus() only
// reads the objects and prints.
#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::kube {
class Client;
}

namespace fivespot::cli {

// ---- pure formatting ---------------------------------------------------------------------------

// kubectl's age format (k8s.io/apimachinery duration.HumanDuration): "45s", "3m20s", "75m", "5h12m",
// "30h", "3d4h", "120d", "2y30d", "9y".
std::string humanAge(Duration d);
// A compact span rounded up to the minute ("3h12m", "2d4h30m"); under a minute in seconds ("45s").
std::string compactDuration(Duration d);
// "in 3h12m" for a future instant, "3h12m ago" for a past one (a coordinator that is behind).
std::string relativeTime(TimePoint target, TimePoint now);

// What one ScheduledMachine (and its HostAgent) looks like at `now`: the cells of the table, and the
// raw values behind them for -o json.
struct StatusRow {
  struct Cells {
    std::string namespace_;
    std::string name;
    std::string phase;     // "-" before the coordinator has written a status
    std::string inWindow;  // "yes" | "no" | "-"
    std::string next;      // "in 3h12m" | "-"
    std::string nextAt;    // RFC 3339 | "-"
    std::string node;      // "-" when none
    std::string drain;     // "3 pods, 1 PDB" while a drain is tracked, "-" otherwise
    std::string power;     // the agent's report; "On->Off" while an order is pending; "-" without agent
    std::string age;
    std::string machine;     // CAPI Machine name, "-" when none
    std::string killSwitch;  // "on" | "off"
    std::string agent;       // "ready, 12s" (heartbeat age) | "not ready, 5m" | "-" without agent
    std::string reason;      // removal reason, else status message, else "-"
  } cells;

  struct Values {
    std::optional<std::string> phase;
    std::optional<bool> inSchedule;
    std::string nextTransition;
    std::string node;
    std::optional<api::DrainProgress> drain;
    std::optional<std::string> powerReported;  // set when there is a HostAgent
    std::optional<std::string> powerDesired;
    bool killSwitch = false;
    std::string machine;
    std::optional<bool> agentReady;
    std::string lastHeartbeat;
    std::string creationTimestamp;
    std::string reason;
  } values;
};

StatusRow makeStatusRow(const api::ScheduledMachine& machine, const std::optional<api::HostAgent>& agent,
                        TimePoint now);

enum class StatusFormat { Table, Wide, Json };
// Throws ValidationError for anything but table, wide, json.
StatusFormat parseStatusFormat(const std::string& text);

// Columns aligned like kubectl (three spaces apart); NAMESPACE only when listing all namespaces.
std::string renderStatusTable(const std::vector<StatusRow>& rows, bool showNamespace, bool wide);
// {"items": [...]} with the raw values (RFC 3339 instants, numbers), stable for scripts.
std::string renderStatusJson(const std::vector<StatusRow>& rows);

// ---- command -----------------------------------------------------------------------------------

struct StatusOptions {
  std::string name;        // empty: every ScheduledMachine in the namespace(s)
  std::string namespace_;  // empty: all namespaces
  StatusFormat format = StatusFormat::Table;
};

// Reads the ScheduledMachines and HostAgents and prints the result to `out`; problems that do not
// stop the listing (an object that does not parse, HostAgents not readable) go to `err`.
// Returns the exit code; throws kube::ApiError when the ScheduledMachines cannot be read (404 for
// a named one).
int runStatus(kube::Client& client, const StatusOptions& options, TimePoint now, std::ostream& out, std::ostream& err);

void addStatusCommand(CLI::App& app);

}  // namespace fivespot::cli
