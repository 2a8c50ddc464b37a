#pragma once
// `kubectl-5spot report`: the power savings per ScheduledMachine and in total, as a table or
// JSON, and optionally the week as an SVG/HTML timeline.
#include <CLI/CLI.hpp>

namespace fivespot::cli {

// Registers `report`. Exit codes as for every cluster command (kube_flags.hpp): 1 when the cluster
// refuses or cannot be reached, 2 for bad input (kubeconfig, an unwritable --svg/--html file).
void addReportCommand(CLI::App& app);

}  // namespace fivespot::cli
