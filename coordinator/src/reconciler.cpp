#include "reconciler.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "fivespot/api/conditions.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::coordinator {
namespace {

using Seconds = std::chrono::duration<double>;

std::string keyOf(const api::ScheduledMachine& sm) {
  return sm.metadata.namespace_ + "/" + sm.metadata.name;
}

bool settledOut(api::Phase phase) {
  return phase == api::Phase::UnScheduled || phase == api::Phase::Inactive;
}

bool leavesSettledPhase(const Observed& observed, const Decision& decision) {
  return decision.work != WorkKind::None || observed.sm.status.phase != decision.phase;
}

// Out of the cluster with nothing of it left: the next reconcile may skip reading the children.
bool settledWithoutChildren(const Observed& observed, const Decision& decision) {
  return decision.work == WorkKind::None && settledOut(decision.phase) && !observed.machine &&
         !observed.bootstrap.exists && !observed.infrastructure.exists;
}

}  // namespace

std::string failureReason(const std::exception& error) {
  if (const auto* api = dynamic_cast<const kube::ApiError*>(&error)) {
    return api->isForbidden() ? "Forbidden" : "APIError";
  }
  if (dynamic_cast<const kube::TransportError*>(&error) != nullptr) return "APIUnreachable";
  if (const auto* typed = dynamic_cast<const Error*>(&error)) {
    switch (typed->kind()) {
      case ErrorKind::Configuration:
        return "ConfigurationError";
      case ErrorKind::InvalidInput:
        return "InvalidObject";
      default:
        break;
    }
  }
  return "ReconcileFailed";
}

Reconciler::Reconciler(kube::Client& client, Observer& observer, Executor& executor, Admission& admission,
                       CoordinatorMetrics& metrics, controller::WorkQueue& queue, const Clock& clock,
                       ReconcilerOptions options)
    : client_(client),
      observer_(observer),
      executor_(executor),
      admission_(admission),
      metrics_(metrics),
      queue_(queue),
      clock_(clock),
      options_(options) {}

KeyMemory& Reconciler::memoryOf(const std::string& key) {
  std::lock_guard lock(memoryMutex_);
  return memory_[key];  // std::map: references stay valid while other keys come and go
}

void Reconciler::forgetKey(const std::string& key) {
  std::lock_guard lock(memoryMutex_);
  memory_.erase(key);
}

ReconcileResult Reconciler::reconcile(const std::string& key, const std::function<bool()>& mayAct) {
  const auto started = std::chrono::steady_clock::now();
  ReconcileResult result = ReconcileResult::Failed;
  result = run(key, memoryOf(key), mayAct);
  const Seconds took = std::chrono::steady_clock::now() - started;
  if (result != ReconcileResult::LostOwnership) {
    metrics_.recordReconcile(result == ReconcileResult::Failed ? "error" : "success", took);
  }
  if (result == ReconcileResult::Gone) forgetKey(key);
  return result;
}

ReconcileResult Reconciler::run(const std::string& key, KeyMemory& memory, const std::function<bool()>& mayAct) {
  std::optional<Observation> observation;
  try {
    const std::uint64_t epoch = ownershipEpoch_.load();
    if (memory.childrenKnownAbsentEpoch != epoch) memory.childrenKnownAbsent = false;
    observation = observer_.observe(key, memory);
    // Re-established only by a reconcile that completes settled (below).
    memory.childrenKnownAbsent = false;
    if (!observation) {
      admission_.settled(key, std::nullopt);
      queue_.forget(key);
      return ReconcileResult::Gone;
    }
    if (cacheBehindOwnWrite(observation->observed, memory)) {
      spdlog::debug("{}: the cache has not seen our last write yet; waiting for it", key);
      queue_.addAfter(key, options_.ownWriteWait);
      return ReconcileResult::Conflict;
    }
    Decision decision = decideWithPods(*observation);
    const Observed& observed = observation->observed;
    if (!admission_.tryStart(key, decision.work, observed.sm.spec.priority)) {
      spdlog::debug("{}: held back by the concurrency limits", key);
      queue_.addAfter(key, options_.admissionRetry);
      return ReconcileResult::HeldBack;
    }
    recordEdgeLag(observed, decision);
    const std::string observedVersion = observed.sm.metadata.resourceVersion;
    const std::string afterActions = executor_.execute(*observation, decision, memory, mayAct);
    const std::string beforeStatus = afterActions.empty() ? observedVersion : afterActions;
    const std::string written = writeStatus(observed, decision, beforeStatus);
    memory.supersededResourceVersions.clear();
    if (written != observedVersion) memory.supersededResourceVersions = {observedVersion, beforeStatus};
    recordDrainEnd(observed, decision);
    admission_.settled(key, decision.phase);
    memory.consecutiveFailures = 0;
    queue_.forget(key);
    requeue(key, *observation, decision, memory);
    memory.childrenKnownAbsent = settledWithoutChildren(observed, decision);
    memory.childrenKnownAbsentEpoch = epoch;
    return ReconcileResult::Done;
  } catch (const LostOwnership&) {
    spdlog::info("{}: stopped acting, this instance no longer owns it", key);
    return ReconcileResult::LostOwnership;
  } catch (const kube::ApiError& error) {
    if (error.isConflict() && observation) {
      // Our view was older than the object: decide again once the cache has caught up.
      spdlog::debug("{}: status write conflicted ({}); re-reconciling", key, error.serverMessage());
      queue_.addRateLimited(key);
      return ReconcileResult::Conflict;
    }
    if (!observation) throw;
    handleFailure(key, memory, *observation, error);
    return ReconcileResult::Failed;
  } catch (const ValidationError& error) {
    if (observation) {
      handleFailure(key, memory, *observation, error);
      return ReconcileResult::Failed;
    }
    // The object itself does not parse (a wrong JSON type that the CRD schema should have
    // rejected): say so in its status; retrying cannot help, an edit re-queues it.
    reportUnreadable(key, error);
    return ReconcileResult::Failed;
  } catch (const std::exception& error) {
    if (!observation) {
      spdlog::error("{}: cannot observe: {}", key, error.what());
      queue_.addRateLimited(key);
      return ReconcileResult::Failed;
    }
    handleFailure(key, memory, *observation, error);
    return ReconcileResult::Failed;
  }
}

Decision Reconciler::decideWithPods(Observation& observation) {
  Decision decision = decide(observation.observed);
  // Children skipped as known absent: any decision that leaves the settled phase (an add, a
  // removal, a phase change) is made again from a full read, so it never rests on the memory.
  if (!observation.childrenRead && leavesSettledPhase(observation.observed, decision)) {
    observer_.readChildren(observation);
    decision = decide(observation.observed);
  }
  // Pods are listed only when the decision is to drain (no cluster-wide pod informer).
  if (decision.phase == api::Phase::Removing && observation.observed.node && !observation.observed.podsOnNode) {
    observer_.listPodsOnNode(observation);
    decision = decide(observation.observed);
  }
  return decision;
}

void Reconciler::reportUnreadable(const std::string& key, const ValidationError& error) {
  const auto slash = key.find('/');
  const std::string ns = key.substr(0, slash);
  const std::string name = key.substr(slash + 1);
  const std::string message = std::string("the object cannot be read: ") + error.what();
  try {
    const auto object = client_.getIfExists(kube::resources::scheduledMachines(), ns, name);
    if (!object) return;
    const kube::Json status = object->value("status", kube::Json::object());
    kube::Json conditions = kube::Json::array();
    for (const auto& condition : status.value("conditions", kube::Json::array())) {
      if (condition.value("type", "") == "Ready") {
        // Already reported: writing again would only trigger another reconcile.
        if (condition.value("reason", "") == "InvalidSpec" && condition.value("message", "") == message) return;
        continue;
      }
      conditions.push_back(condition);
    }
    const auto generation = object->value("metadata", kube::Json::object()).value("generation", 0);
    conditions.push_back({{"type", "Ready"},
                          {"status", "False"},
                          {"reason", "InvalidSpec"},
                          {"message", message},
                          {"lastTransitionTime", formatRfc3339(clock_.now())},
                          {"observedGeneration", generation}});
    spdlog::warn("{}: {}", key, message);
    client_.patchStatus(kube::resources::scheduledMachines(), ns, name, kube::PatchType::Merge,
                        {{"status",
                          {{"phase", api::toString(api::Phase::Error)},
                           {"message", message},
                           {"observedGeneration", generation},
                           {"conditions", conditions}}}});
    queue_.forget(key);
  } catch (const kube::ApiError& apiError) {
    spdlog::warn("{}: cannot report that the object is unreadable: {}", key, apiError.what());
    queue_.addRateLimited(key);
  }
}

std::string Reconciler::writeStatus(const Observed& observed, const Decision& decision,
                                    const std::string& resourceVersion) {
  const kube::Json patch = decision.statusPatch(observed.sm.status);
  if (patch.empty()) return resourceVersion;
  const auto& meta = observed.sm.metadata;
  try {
    const kube::Json written =
        client_.patchStatus(kube::resources::scheduledMachines(), meta.namespace_, meta.name, kube::PatchType::Merge,
                            {{"metadata", {{"resourceVersion", resourceVersion}}}, {"status", patch}});
    return written.value(kube::Json::json_pointer("/metadata/resourceVersion"), resourceVersion);
  } catch (const kube::ApiError& error) {
    if (error.isNotFound()) return resourceVersion;  // deleted once our finalizer was released
    throw;
  }
}

bool Reconciler::cacheBehindOwnWrite(const Observed& observed, const KeyMemory& memory) {
  const auto& superseded = memory.supersededResourceVersions;
  return std::find(superseded.begin(), superseded.end(), observed.sm.metadata.resourceVersion) != superseded.end();
}

void Reconciler::requeue(const std::string& key, const Observation& observation, const Decision& decision,
                         const KeyMemory& memory) {
  std::optional<std::chrono::milliseconds> after = decision.requeueAfter;
  // Only while the drain is in progress (not timed out) with every eviction accepted.
  const api::Condition* drained = api::findCondition(decision.status.conditions, api::condition::kDrained);
  const bool draining = drained != nullptr && drained->reason == "Draining";
  const auto& drain = decision.status.drain;
  const bool podsTerminating = decision.phase == api::Phase::Removing && draining && observation.observed.podsOnNode &&
                               drain && drain->podsRemaining > 0 && memory.blockingPdbs.empty();
  if (podsTerminating && after && *after > options_.terminatingPodsPoll) after = options_.terminatingPodsPoll;
  const bool waitingOnRemoteNode = observation.node.workloadCluster &&
                                   (decision.phase == api::Phase::Scheduled || decision.phase == api::Phase::Removing);
  if (waitingOnRemoteNode && (!after || *after > options_.workloadNodePollInterval)) {
    after = options_.workloadNodePollInterval;
  }
  if (!after) return;
  if (*after <= std::chrono::milliseconds(0)) {
    queue_.add(key);
  } else {
    queue_.addAfter(key, *after);
  }
}

// Lag = when we act on a window edge - when the edge was. The edge is the nextTransition the
// previous reconcile wrote: if it has passed and this decision starts the add or the removal the
// edge asked for, we are acting on that edge now.
void Reconciler::recordEdgeLag(const Observed& observed, const Decision& decision) {
  const bool edgeWork = decision.work == WorkKind::Add ||
                        (decision.work == WorkKind::Removal && decision.status.removalReason == removal::kWindowClosed);
  if (!edgeWork) return;
  const auto edge = tryParseRfc3339(observed.sm.status.nextTransition);
  if (!edge || *edge > observed.now) return;
  metrics_.recordWindowEdgeLag(clock_.now() - *edge);
}

void Reconciler::recordDrainEnd(const Observed& observed, const Decision& decision) {
  if (observed.sm.status.phase != api::Phase::Removing || decision.phase == api::Phase::Removing) return;
  const auto& drain = observed.sm.status.drain;
  if (!drain) return;
  if (const auto started = tryParseRfc3339(drain->startedAt)) metrics_.recordDrainDuration(clock_.now() - *started);
  metrics_.setDrainBlockedPods(observed.sm.metadata.namespace_, observed.sm.metadata.name, 0);
}

void Reconciler::handleFailure(const std::string& key, KeyMemory& memory, const Observation& observation,
                               const std::exception& error) {
  ++memory.consecutiveFailures;
  Observed observed = observation.observed;
  observed.consecutiveFailures = memory.consecutiveFailures;
  const std::string reason = failureReason(error);
  spdlog::warn("{}: reconcile failed ({} in a row): {}: {}", key, memory.consecutiveFailures, reason, error.what());
  Decision failed = recordFailure(observed, reason, error.what());
  // Only the Warning event and the status; the failed actions are retried by the next decision.
  std::vector<Action> events;
  for (const Action& a : failed.actions) {
    if (std::holds_alternative<action::EmitEvent>(a)) events.push_back(a);
  }
  failed.actions = std::move(events);
  try {
    KeyMemory unused;
    executor_.execute(observation, failed, unused, [] { return true; });
    writeStatus(observed, failed, observed.sm.metadata.resourceVersion);
  } catch (const std::exception& statusError) {
    spdlog::warn("{}: could not report the failure in the status: {}", keyOf(observed.sm), statusError.what());
  }
  queue_.addRateLimited(key);
}

}  // namespace fivespot::coordinator
