// kubectl-5spot: the kubectl plugin for 5-Spot (status, schedule preview, savings report, kill switch).
#include "fivespot/common/cli.hpp"
#include "agent_credentials_command.hpp"
#include "kill_switch_command.hpp"
#include "report_command.hpp"
#include "schedule_command.hpp"
#include "status_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"kubectl plugin for 5-Spot ScheduledMachines", "kubectl-5spot"};
  fivespot::cli::addVersionFlag(app, "kubectl-5spot");
  fivespot::cli::addScheduleCommands(app);
  fivespot::cli::addReportCommand(app);
  fivespot::cli::addStatusCommand(app);
  fivespot::cli::addKillSwitchCommand(app);
  fivespot::cli::addAgentCredentialsCommand(app);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
