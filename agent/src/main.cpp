// fivespot-agent: reports host readiness, confirms drains locally and powers the host off via logind.
#include <spdlog/spdlog.h>

#include "fivespot/common/cli.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/logging.hpp"
#include "fivespot/common/shutdown.hpp"

int main(int argc, char** argv) {
  using namespace fivespot;
  CLI::App app{"5-Spot agent: host readiness, drain confirmation and graceful power-off", "fivespot-agent"};
  cli::addVersionFlag(app, "fivespot-agent");
  std::string mode = "host";
  std::string configPath = "/etc/5spot/agent.conf";
  cli::LoggingFlags loggingFlags;
  app.add_option("--mode", mode, "host (systemd unit) or node (DaemonSet)")
      ->envname("FIVESPOT_AGENT_MODE")
      ->check(CLI::IsMember({"host", "node"}))
      ->capture_default_str();
  app.add_option("--config", configPath, "Agent configuration file")->envname("FIVESPOT_AGENT_CONFIG")->capture_default_str();
  cli::addLoggingFlags(app, loggingFlags);
  CLI11_PARSE(app, argc, argv);
  try {
    logging::init(cli::toLoggingOptions(loggingFlags, "agent"));
    ShutdownSignal shutdown;
    while (waitFor(shutdown.token(), std::chrono::hours(1))) {
    }
    return 0;
  } catch (const Error& e) {
    spdlog::error("{} error: {}", toString(e.kind()), e.what());
    return e.kind() == ErrorKind::Configuration ? 2 : 1;
  }
}
