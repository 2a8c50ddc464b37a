// fivespot-coordinator: watches ScheduledMachines and drives their CAPI Machines through windows.
#include <spdlog/spdlog.h>

#include "app.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/shutdown.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  using namespace fivespot;
  coordinator::Options options;
  CLI::App app{"5-Spot coordinator: adds bare-metal machines to CAPI clusters in their time windows",
               "fivespot-coordinator"};
  cli::addVersionFlag(app, "fivespot-coordinator");
  coordinator::addFlags(app, options);
  CLI11_PARSE(app, argc, argv);

  try {
    coordinator::validate(options);
    logging::init(cli::toLoggingOptions(options.logging, "coordinator"));
    ShutdownSignal shutdown;  // before any thread starts, so that they inherit the blocked signals
    return coordinator::run(options, shutdown);
  } catch (const Error& e) {
    spdlog::error("{} error: {}", toString(e.kind()), e.what());
    return e.kind() == ErrorKind::Configuration ? 2 : 1;
  }
}
