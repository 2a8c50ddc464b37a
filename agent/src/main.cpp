// fivespot-agent: reports host readiness, confirms drains locally and powers the host off via logind.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "agent.hpp"
#include "checks.hpp"
#include "config.hpp"
#include "fivespot/common/cli.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/health.hpp"
#include "fivespot/common/logging.hpp"
#include "fivespot/common/metrics.hpp"
#include "fivespot/common/shutdown.hpp"
#include "fivespot/common/version.hpp"
#include "host_agent_api.hpp"
#include "logind.hpp"
#include "metrics.hpp"
#include "notify.hpp"
#include "wake_relay.hpp"
#include "wake_relay_kube.hpp"

namespace {

using namespace fivespot;
using namespace fivespot::agent;

struct Flags {
  std::string configPath = "/etc/5spot/agent.conf";
  std::string mode;
  std::string nodeName;
  std::string procRoot;
  std::string kubeconfig;
  std::string healthAddress;
  int healthPort = -1;
  bool once = false;
  cli::LoggingFlags logging;
};

void addFlags(CLI::App& app, Flags& flags) {
  app.add_option("--config", flags.configPath, "Agent configuration file (YAML)")
      ->envname("FIVESPOT_AGENT_CONFIG")
      ->capture_default_str();
  app.add_option("--mode", flags.mode, "host (systemd unit) or node (DaemonSet); overrides the file")
      ->envname("FIVESPOT_AGENT_MODE")
      ->check(CLI::IsMember({"host", "node"}));
  app.add_option("--node-name", flags.nodeName, "Node this agent runs on (node mode)")->envname("NODE_NAME");
  app.add_option("--proc-root", flags.procRoot, "Where the host's /proc is mounted")->envname("RECLAIM_PROC_ROOT");
  app.add_option("--kubeconfig", flags.kubeconfig, "Kubeconfig of the management cluster")->envname("KUBECONFIG");
  app.add_option("--health-port", flags.healthPort, "Port of /health and /ready (loopback unless configured)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--health-address", flags.healthAddress, "host:port of /health and /ready (default 127.0.0.1:8082)");
  app.add_flag("--once", flags.once, "Send one heartbeat and exit (0 when it was reported)");
  cli::addLoggingFlags(app, flags.logging);
}

ConfigOverrides toOverrides(const Flags& flags) {
  ConfigOverrides overrides;
  if (!flags.mode.empty()) overrides.mode = parseMode(flags.mode, "--mode");
  overrides.nodeName = flags.nodeName;
  overrides.procRoot = flags.procRoot;
  overrides.kubeconfig = flags.kubeconfig;
  overrides.healthAddress = flags.healthAddress;
  if (flags.healthPort >= 0) overrides.healthPort = flags.healthPort;
  overrides.once = flags.once;
  return overrides;
}

// "host:port" with the port actually bound (a configured port 0 picks a free one).
std::string boundAddress(const std::string& configured, std::uint16_t port) {
  return configured.substr(0, configured.rfind(':')) + ":" + std::to_string(port);
}

int runAgent(const AgentConfig& config, ShutdownSignal& shutdown) {
  SystemdNotifier notifier;
  notifier.status("starting");
  // Created before the API client, which counts its requests into it from the first one on.
  auto registry = std::make_shared<prometheus::Registry>();
  KubeRequestMetrics kubeRequests(*registry);
  const auto api = makeKubeHostAgentApi(config, kubeRequests);
  LogindPowerController power;
  SystemHostProbes probes;
  EnergyMeter energy(config.raplRoot);
  ProcScanner processes(config.procRoot, config.maxProcessesPerScan);
  CgroupWorkloadEvidence localWorkload(config.cgroupRoot);
  AgentSettings settings{
      config.mode,       config.nodeName, config.heartbeatInterval, config.reclaimScanInterval, std::chrono::seconds(1),
      config.maxBackoff, kVersion};
  Agent agent(settings, AgentParts{*api, power, [&] { return runReadinessChecks(config.checks, probes); }, energy,
                                   processes, localWorkload, notifier, SystemClock::instance()});
  // Node mode relays Wake-on-LAN for hosts on this node's segment (docs/power.md); host mode cannot
  // list other HostAgents (its Role names only its own).
  std::unique_ptr<WakeOrderSource> wakeOrders;
  power::UdpDatagramSender wakeSender;
  std::optional<WakeRelay> wakeRelay;
  if (config.mode == Mode::Node) {
    wakeOrders = makeKubeWakeOrderSource(config, kubeRequests);
    wakeRelay.emplace(config.nodeName, *wakeOrders, wakeSender, SystemClock::instance());
    agent.relayWakeOrders(*wakeRelay);
  }
  if (config.once) {
    agent.scanForReclaim();
    return agent.heartbeat().reported ? 0 : 1;
  }

  HealthServer health(config.healthAddress);
  const auto staleAfter = 3 * std::max(config.heartbeatInterval, config.maxBackoff);
  health.addLivenessCheck("agent-loop", [&]() -> std::optional<std::string> {
    if (SystemClock::instance().now() - agent.lastCycle() > staleAfter) return "the agent loop has not run recently";
    return std::nullopt;
  });
  health.addReadinessCheck("heartbeat", [&]() -> std::optional<std::string> {
    if (!agent.lastReportSucceeded()) return "the last heartbeat did not reach the API server";
    return std::nullopt;
  });
  std::unique_ptr<MetricsServer> metrics;
  if (!config.metricsAddress.empty()) {
    metrics = std::make_unique<MetricsServer>(config.metricsAddress, registry);
    metrics->registerCollectable(std::make_shared<AgentMetrics>(agent));
  }
  spdlog::info("fivespot-agent {} running in {} mode; health on {}{}", kVersion, toString(config.mode),
               boundAddress(config.healthAddress, health.port()),
               metrics ? "; metrics on " + boundAddress(config.metricsAddress, metrics->port()) : std::string());
  std::optional<std::chrono::microseconds> watchdogPing;
  if (notifier.watchdogPeriod()) watchdogPing = *notifier.watchdogPeriod() / 2;
  agent.run(shutdown.token(), watchdogPing);
  notifier.status("stopping");
  spdlog::info("fivespot-agent stopped (signal {})", shutdown.signalNumber());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"5-Spot agent: host readiness, drain confirmation and graceful power-off", "fivespot-agent"};
  cli::addVersionFlag(app, "fivespot-agent");
  Flags flags;
  addFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  try {
    logging::init(cli::toLoggingOptions(flags.logging, "agent"));
    ShutdownSignal shutdown;
    const ConfigOverrides overrides = toOverrides(flags);
    // The DaemonSet may run from flags and environment alone; the systemd unit needs its file.
    const bool fileRequired = overrides.mode.value_or(Mode::Host) == Mode::Host;
    const AgentConfig config = loadAgentConfig(flags.configPath, overrides, fileRequired);
    return runAgent(config, shutdown);
  } catch (const Error& e) {
    spdlog::error("{} error: {}", toString(e.kind()), e.what());
    return e.kind() == ErrorKind::Configuration ? 2 : 1;
  }
}
