#include "options.hpp"

#include "fivespot/common/error.hpp"
#include "fivespot/controller/leader_election.hpp"

namespace fivespot::coordinator {

void addFlags(CLI::App& app, Options& o) {
  app.add_option("--kubeconfig", o.kubeconfig,
                 "Path to a kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)")
      ->envname("KUBECONFIG");
  app.add_option("--context", o.context, "kubeconfig context to use (default: current-context)");
  app.add_option("--instance-id", o.instanceId,
                 "This instance's identity for leases and sharding (default: POD_NAME, then host name)")
      ->envname("POD_NAME");
  app.add_option("--watch-namespace", o.watchNamespace,
                 "Only handle ScheduledMachines in this namespace (default: all)")
      ->envname("WATCH_NAMESPACE");

  app.add_flag("--enable-leader-election", o.enableLeaderElection, "Only the holder of the leader Lease acts")
      ->envname("ENABLE_LEADER_ELECTION");
  app.add_option("--lease-name", o.leaseName, "Name of the leader Lease")->envname("LEASE_NAME")->capture_default_str();
  app.add_option("--lease-namespace", o.leaseNamespace, "Namespace of the leader and instance Leases")
      ->envname("POD_NAMESPACE")
      ->capture_default_str();
  app.add_option("--lease-duration-secs", o.leaseDurationSeconds, "Lease duration")
      ->envname("LEASE_DURATION_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--lease-renew-deadline-secs", o.leaseRenewDeadlineSeconds,
                 "Leader gives up if it cannot renew within this")
      ->envname("LEASE_RENEW_DEADLINE_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--lease-retry-period-secs", o.leaseRetryPeriodSeconds,
                 "Interval between lease acquire/renew attempts")
      ->envname("LEASE_RETRY_PERIOD_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("--enable-sharding", o.enableSharding,
               "Split ScheduledMachines across live instances with a consistent-hash ring")
      ->envname("ENABLE_SHARDING");

  app.add_option("--bind-address", o.bindAddress, "Address the metrics and health endpoints listen on")
      ->envname("BIND_ADDRESS")
      ->capture_default_str();
  app.add_option("--metrics-port", o.metricsPort, "Prometheus /metrics port (0: any free port)")
      ->envname("METRICS_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--health-port", o.healthPort, "/health and /ready port (0: any free port)")
      ->envname("HEALTH_PORT")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();

  app.add_option("--max-concurrent-adds", o.maxConcurrentAdds, "Machines being added at once (highest priority first)")
      ->envname("MAX_CONCURRENT_ADDS")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--max-concurrent-removals", o.maxConcurrentRemovals,
                 "Machines being removed at once (highest priority first)")
      ->envname("MAX_CONCURRENT_REMOVALS")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_flag("--kill-switch-force-delete", o.killSwitchForceDelete,
               "With the kill switch, delete pods instead of evicting them (ignores PodDisruptionBudgets)")
      ->envname("KILL_SWITCH_FORCE_DELETE");
  app.add_option("--finalizer-timeout-secs", o.finalizerTimeoutSeconds,
                 "Bound on cleanup when a ScheduledMachine is deleted; then the Machine is left to CAPI and the "
                 "finalizer released")
      ->envname("FINALIZER_TIMEOUT_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--workers", o.workers, "Reconcile worker threads")
      ->envname("WORKERS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--eviction-parallelism", o.evictionParallelism, "Evictions in flight at once per drained node")
      ->envname("EVICTION_PARALLELISM")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--drain-poll-interval-secs", o.drainPollIntervalSeconds,
                 "While draining: how often pods are listed again and refused evictions retried")
      ->envname("DRAIN_POLL_INTERVAL_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--drain-timeout-policy", o.drainTimeoutPolicy,
                 "At nodeDrainTimeout: proceed (delete the Machine anyway, like CAPI) or stay (keep draining, report)")
      ->envname("DRAIN_TIMEOUT_POLICY")
      ->check(CLI::IsMember({"proceed", "stay"}))
      ->capture_default_str();
  app.add_option("--workload-node-poll-secs", o.workloadNodePollSeconds,
                 "How often Nodes in workload clusters (not watched) are read while waiting on them")
      ->envname("WORKLOAD_NODE_POLL_SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--kube-api-qps", o.kubeApiQps, "Client-side request rate to the API server")
      ->envname("KUBE_API_QPS")
      ->check(CLI::Range(0.1, 10000.0))
      ->capture_default_str();
  app.add_option("--kube-api-burst", o.kubeApiBurst, "Client-side request burst")
      ->envname("KUBE_API_BURST")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();

  cli::addLoggingFlags(app, o.logging);
}

std::string instanceIdentity(const Options& o) {
  return o.instanceId.empty() ? controller::defaultIdentity() : o.instanceId;
}

void validate(const Options& o) {
  if (o.enableLeaderElection && o.enableSharding) {
    throw ConfigError("--enable-sharding",
                      "cannot be combined with --enable-leader-election: with sharding every instance acts on its "
                      "own share, with leader election only one instance acts");
  }
  const bool leases = o.enableLeaderElection || o.enableSharding;
  if (leases && o.leaseRenewDeadlineSeconds >= o.leaseDurationSeconds) {
    throw ConfigError("--lease-renew-deadline-secs", "must be shorter than --lease-duration-secs");
  }
  if (leases && o.leaseRetryPeriodSeconds >= o.leaseRenewDeadlineSeconds) {
    throw ConfigError("--lease-retry-period-secs", "must be shorter than --lease-renew-deadline-secs");
  }
}

}  // namespace fivespot::coordinator
