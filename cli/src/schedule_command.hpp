#pragma once
// `kubectl-5spot schedule check|preview`: evaluate a schedule from flags or a ScheduledMachine file.
#include <CLI/CLI.hpp>

namespace fivespot::cli {

// Registers `schedule` with its `check` and `preview` subcommands. Bad input ends the process
// with exit code 2 and the validation message on stderr.
void addScheduleCommands(CLI::App& app);

}  // namespace fivespot::cli
