#include "app.hpp"
#include "json_access.hpp"

#include <spdlog/spdlog.h>

#include "admission.hpp"
#include "caches.hpp"
#include "controller.hpp"
#include "events.hpp"
#include "executor.hpp"
#include "fivespot/common/health.hpp"
#include "fivespot/common/metrics.hpp"
#include "fivespot/common/version.hpp"
#include "fivespot/controller/lease.hpp"
#include "fivespot/controller/workload_clients.hpp"
#include "metrics.hpp"
#include "node_access.hpp"
#include "observer.hpp"
#include "ownership.hpp"
#include "power_orders.hpp"
#include "reconciler.hpp"
#include "startup.hpp"

namespace fivespot::coordinator {
namespace {

using std::chrono::seconds;

// Per-key requeue back-off after a failed reconcile: 1 s doubling to 5 min, like the logic's.
constexpr controller::BackoffPolicy kRequeueBackoff{std::chrono::seconds(1), std::chrono::minutes(5), 0.1};

// Options of the management-cluster client. Workload-cluster clients (WorkloadClients, built from
// CAPI's <cluster>-kubeconfig Secrets) are not observed: they act with CAPI's credentials on
// another cluster, so five_spot_kube_requests_total is exactly what the coordinator's own RBAC
// (deploy/coordinator) must allow.
kube::ClientOptions clientOptions(const Options& o, CoordinatorMetrics& metrics) {
  kube::ClientOptions options;
  options.qps = o.kubeApiQps;
  options.burst = o.kubeApiBurst;
  options.userAgent = std::string("fivespot-coordinator/") + kVersion;
  options.requestObserver = [&metrics](const kube::RequestInfo& request, int status) {
    metrics.recordKubeRequest(request, status);
  };
  return options;
}

DecideOptions decideOptions(const Options& o) {
  DecideOptions options;
  options.killSwitchForceDelete = o.killSwitchForceDelete;
  options.drainTimeoutPolicy = o.drainTimeoutPolicy == "stay" ? DrainTimeoutPolicy::Stay : DrainTimeoutPolicy::Proceed;
  options.deletionTimeout = seconds(o.finalizerTimeoutSeconds);
  options.drainPollInterval = seconds(o.drainPollIntervalSeconds);
  return options;
}

OwnershipConfig ownershipConfig(const Options& o, const std::string& identity) {
  OwnershipConfig config;
  config.leaderElection = o.enableLeaderElection;
  config.election.leaseNamespace = o.leaseNamespace;
  config.election.leaseName = o.leaseName;
  config.election.identity = identity;
  config.election.leaseDuration = seconds(o.leaseDurationSeconds);
  config.election.renewDeadline = seconds(o.leaseRenewDeadlineSeconds);
  config.election.retryPeriod = seconds(o.leaseRetryPeriodSeconds);
  config.sharding = o.enableSharding;
  config.registry.ns = o.leaseNamespace;
  config.registry.prefix = o.leaseName + "-shard";
  config.registry.instanceId = identity;
  config.registry.leaseDuration = seconds(o.leaseDurationSeconds);
  config.registry.renewDeadline = seconds(o.leaseRenewDeadlineSeconds);
  config.registry.retryPeriod = seconds(o.leaseRetryPeriodSeconds);
  if (config.leaderElection) config.election.validate();
  if (config.sharding) config.registry.validate();
  return config;
}

}  // namespace

int run(const Options& o, ShutdownSignal& shutdown) {
  const Clock& clock = SystemClock::instance();
  const std::string identity = instanceIdentity(o);

  CoordinatorMetrics metrics(std::make_shared<prometheus::Registry>());
  MetricsServer metricsServer(bindAddress(o.bindAddress, o.metricsPort), metrics.registry());
  HealthServer health(bindAddress(o.bindAddress, o.healthPort));

  const kube::ClusterConfig cluster = kube::loadDefaultConfig(o.kubeconfig, o.context);
  spdlog::info("fivespot-coordinator {} ({}) starting: {}", kVersion, identity, cluster.describe());
  kube::Client client(cluster, clientOptions(o, metrics));
  const std::string capiVersion = discoverCapiVersion(client);
  requireScheduledMachineCrd(client, o.watchNamespace);

  controller::WorkQueue queue(clock, kRequeueBackoff);
  Caches caches(client, capiVersion, o.watchNamespace, [&queue](const std::string& key) { queue.add(key); });
  controller::WorkloadClients workloadClients(controller::secretReaderFor(client), controller::defaultClientFactory());
  NodeAccess nodes(client, caches, workloadClients);
  Observer observer(client, caches, nodes, capiVersion, decideOptions(o), clock);
  EventRecorder events(client, identity, clock);
  PowerOrders power(client, std::make_shared<power::UdpDatagramSender>());
  Executor executor(client, events, power, metrics, ExecutorOptions{o.evictionParallelism});
  Admission admission(ConcurrencyLimits{o.maxConcurrentAdds, o.maxConcurrentRemovals}, clock,
                      [&queue](const std::string& key) { queue.add(key); });
  ReconcilerOptions reconcilerOptions;
  reconcilerOptions.workloadNodePollInterval = seconds(o.workloadNodePollSeconds);
  Reconciler reconciler(client, observer, executor, admission, metrics, queue, clock, reconcilerOptions);

  std::unique_ptr<Ownership> ownership;
  Controller controller(
      queue, reconciler, caches, metrics,
      [&ownership](const std::string& key) { return ownership ? ownership->access(key) : Access::Denied; },
      seconds(o.leaseDurationSeconds));
  controller::KubeLeaseClient leases(client);
  Ownership::Callbacks callbacks;
  callbacks.onOwnershipChanged = [&controller](seconds settleDelay) {
    controller.enqueueAll();
    if (settleDelay.count() > 0) controller.enqueueAll(settleDelay);
    controller.refreshFleetMetrics();
  };
  callbacks.onLostLeadership = [&admission] { admission.reset(); };
  callbacks.onLeadershipChanged = [&metrics](bool leading) { metrics.setLeader(leading); };
  ownership = std::make_unique<Ownership>(leases, clock, ownershipConfig(o, identity), std::move(callbacks));

  caches.onScheduledMachinesChanged([&controller] { controller.refreshFleetMetrics(); });
  caches.onScheduledMachineDeleted([&metrics](const kube::Json& sm) {
    metrics.forgetMachine(textAt(sm, "/metadata/namespace"), textAt(sm, "/metadata/name"));
  });
  health.addReadinessCheck("informers", [&caches]() -> std::optional<std::string> {
    const auto pending = caches.unsynced();
    if (pending.empty()) return std::nullopt;
    return "informers not synced: " + fmt::format("{}", fmt::join(pending, ", "));
  });
  spdlog::info("serving metrics on :{} and health on :{}", metricsServer.port(), health.port());

  caches.start();
  while (!caches.synced()) {
    if (!waitFor(shutdown.token(), std::chrono::milliseconds(100))) break;
  }
  if (caches.synced()) {
    spdlog::info("informers synced ({} ScheduledMachines)", caches.scheduledMachineKeys().size());
    controller.start(o.workers);
    ownership->start();
  }
  while (waitFor(shutdown.token(), std::chrono::hours(1))) {
  }
  spdlog::info("shutting down: finishing reconciles in flight, releasing leases");
  controller.stop();
  ownership->stop();
  caches.stop();
  return 0;
}

}  // namespace fivespot::coordinator
