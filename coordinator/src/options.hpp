#pragma once
// Command-line and environment configuration of fivespot-coordinator. Flag names and environment
// variables follow upstream 5-Spot where it has them; the flag wins over the environment.
#include <CLI/CLI.hpp>
#include <string>

#include "fivespot/common/cli.hpp"

namespace fivespot::coordinator {

struct Options {
  std::string kubeconfig;  // empty: $KUBECONFIG, then in-cluster, then ~/.kube/config
  std::string context;
  std::string instanceId;      // default POD_NAME, then the host name
  std::string watchNamespace;  // empty: all namespaces

  bool enableLeaderElection = false;
  std::string leaseName = "5spot-leader";
  std::string leaseNamespace = "5spot-system";
  int leaseDurationSeconds = 15;
  int leaseRenewDeadlineSeconds = 10;
  int leaseRetryPeriodSeconds = 2;
  bool enableSharding = false;

  std::string bindAddress = "0.0.0.0";
  int metricsPort = 8080;
  int healthPort = 8081;

  int maxConcurrentAdds = 10;
  int maxConcurrentRemovals = 5;
  bool killSwitchForceDelete = false;
  int finalizerTimeoutSeconds = 600;
  int workers = 4;
  int evictionParallelism = 8;
  int drainPollIntervalSeconds = 5;
  std::string drainTimeoutPolicy = "proceed";  // proceed | stay
  int workloadNodePollSeconds = 10;
  // Sized for window edges, where every machine of a fleet may start its add in the same second
  // (about ten requests per machine through to Active); Karpenter, which adds nodes in bursts too,
  // defaults to 200/300. The API server's Priority and Fairness still protects it.
  double kubeApiQps = 200;
  int kubeApiBurst = 400;

  cli::LoggingFlags logging;
};

void addFlags(CLI::App& app, Options& options);
// The identity for leases and events: --instance-id, POD_NAME, then the host name.
std::string instanceIdentity(const Options& options);
// Checks relations between flags that CLI11 cannot express; throws ConfigError.
void validate(const Options& options);

}  // namespace fivespot::coordinator
