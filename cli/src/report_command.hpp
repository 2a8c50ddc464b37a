#pragma once
// `kubectl-5spot report`: the power savings per ScheduledMachine and in total, as a table or
// JSON, and optionally the week as an SVG/HTML timeline.
#include <CLI/CLI.hpp>

namespace fivespot::cli {

// Registers `report`. Cluster and input errors end the process with exit code 2 and the
// message on stderr.
void addReportCommand(CLI::App& app);

}  // namespace fivespot::cli
