// fivespot-coordinator: watches ScheduledMachines and drives their CAPI Machines through windows.
#include <spdlog/spdlog.h>

#include <atomic>
#include <prometheus/gauge.h>

#include "fivespot/common/error.hpp"
#include "fivespot/common/health.hpp"
#include "fivespot/common/metrics.hpp"
#include "fivespot/common/shutdown.hpp"
#include "fivespot/common/version.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  using namespace fivespot;
  coordinator::Options options;
  CLI::App app{"5-Spot coordinator: adds bare-metal machines to CAPI clusters in their time windows", "fivespot-coordinator"};
  cli::addVersionFlag(app, "fivespot-coordinator");
  coordinator::addFlags(app, options);
  CLI11_PARSE(app, argc, argv);

  try {
    coordinator::validate(options);
    logging::init(cli::toLoggingOptions(options.logging, "coordinator"));
    ShutdownSignal shutdown;

    auto registry = std::make_shared<prometheus::Registry>();
    prometheus::BuildGauge().Name("five_spot_up").Help("1 while the coordinator runs").Register(*registry).Add({}).Set(1);
    MetricsServer metrics(bindAddress(options.bindAddress, options.metricsPort), registry);
    HealthServer health(bindAddress(options.bindAddress, options.healthPort));
    std::atomic<bool> controllerSynced{false};
    health.addReadinessCheck("informers", [&]() -> std::optional<std::string> {
      if (controllerSynced) return std::nullopt;
      return "informers have not synced";
    });
    spdlog::info("fivespot-coordinator {} serving metrics on :{} and health on :{}", kVersion, metrics.port(), health.port());

    while (waitFor(shutdown.token(), std::chrono::hours(1))) {
    }
    spdlog::info("shutting down");
    return 0;
  } catch (const Error& e) {
    spdlog::error("{} error: {}", toString(e.kind()), e.what());
    return e.kind() == ErrorKind::Configuration ? 2 : 1;
  }
}
