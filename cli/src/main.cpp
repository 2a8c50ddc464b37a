// kubectl-5spot: the kubectl plugin for 5-Spot (status, schedule preview, savings report, kill switch).
#include "agent_credentials_command.hpp"
#include "fivespot/common/cli.hpp"
#include "kill_switch_command.hpp"
#include "kube_flags.hpp"
#include "report_command.hpp"
#include "schedule_command.hpp"
#include "status_command.hpp"

namespace {

// Prints what CLI11 has to say and picks the exit code. A command's own outcome arrives as
// CLI::RuntimeError and keeps its code (1: the cluster failed, 2: bad input); --help and --version
// exit 0; every other parser error (unknown flag, -n with -A, a value outside its set) is bad
// input, exit 2, so that scripts see one code for "wrong arguments" instead of CLI11's 100+ range.
int exitCode(const CLI::App& app, const CLI::ParseError& error) {
  const int code = app.exit(error);
  if (code == fivespot::cli::kExitOk || dynamic_cast<const CLI::RuntimeError*>(&error) != nullptr) return code;
  return fivespot::cli::kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kubectl plugin for 5-Spot ScheduledMachines", "kubectl-5spot"};
  fivespot::cli::addVersionFlag(app, "kubectl-5spot");
  fivespot::cli::addScheduleCommands(app);
  fivespot::cli::addReportCommand(app);
  fivespot::cli::addStatusCommand(app);
  fivespot::cli::addKillSwitchCommand(app);
  fivespot::cli::addAgentCredentialsCommand(app);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return exitCode(app, error);
  }
  return fivespot::cli::kExitOk;
}
