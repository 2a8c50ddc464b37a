#include "executor.hpp"
#include "json_access.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "evictions.hpp"
#include "fivespot/api/conditions.hpp"
#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/coordinator/children.hpp"

namespace fivespot::coordinator {
namespace {

bool sameTaint(const kube::Json& taint, const api::Taint& t) {
  return taint.value("key", "") == t.key && taint.value("effect", "") == t.effect;
}

kube::Json& taintsOf(kube::Json& node) {
  kube::Json& spec = node["spec"];
  if (!spec.contains("taints") || !spec["taints"].is_array()) spec["taints"] = kube::Json::array();
  return spec["taints"];
}

}  // namespace

kube::Json withTaintAdded(kube::Json node, const api::Taint& taint) {
  kube::Json& taints = taintsOf(node);
  if (std::none_of(taints.begin(), taints.end(), [&](const kube::Json& t) { return sameTaint(t, taint); })) {
    taints.push_back(api::toJson(taint));
  }
  return node;
}

kube::Json withTaintRemoved(kube::Json node, const api::Taint& taint) {
  kube::Json& taints = taintsOf(node);
  taints.erase(std::remove_if(taints.begin(), taints.end(), [&](const kube::Json& t) { return sameTaint(t, taint); }),
               taints.end());
  return node;
}

// One execution of one decision: the visitor over the action variant.
class Executor::Run {
 public:
  Run(Executor& executor, const Observation& observation, Decision& decision, KeyMemory& memory)
      : x_(executor), o_(observation), sm_(observation.observed.sm), decision_(decision), memory_(memory) {}

  [[nodiscard]] const std::string& resourceVersion() const noexcept { return resourceVersion_; }

  void operator()(const action::AddFinalizer&) {
    updateScheduledMachine([](kube::Json& object) {
      kube::Json& finalizers = object["metadata"]["finalizers"];
      if (!finalizers.is_array()) finalizers = kube::Json::array();
      if (std::find(finalizers.begin(), finalizers.end(), api::kFinalizer) != finalizers.end()) return false;
      finalizers.push_back(api::kFinalizer);
      return true;
    });
  }

  void operator()(const action::RemoveFinalizer&) {
    try {
      updateScheduledMachine([](kube::Json& object) {
        kube::Json& finalizers = object["metadata"]["finalizers"];
        if (!finalizers.is_array()) return false;
        const auto it = std::find(finalizers.begin(), finalizers.end(), api::kFinalizer);
        if (it == finalizers.end()) return false;
        finalizers.erase(it);
        return true;
      });
    } catch (const kube::ApiError& error) {
      if (!error.isNotFound()) throw;  // gone already: nothing holds it any more
    }
  }

  void operator()(const action::CreateBootstrap& a) { createIfAbsent(a.object, kindType(a.object)); }
  void operator()(const action::CreateInfrastructure& a) { createIfAbsent(a.object, kindType(a.object)); }
  void operator()(const action::CreateMachine& a) {
    createIfAbsent(a.object, kube::resources::capiMachines(o_.observed.capiVersion));
  }

  void operator()(const action::ApplyTaints& a) {
    updateNode(a.node, [&](kube::Json& node) {
      kube::Json& spec = node["spec"];
      spec["taints"] = applyTaintPlan(spec.value("taints", kube::Json::array()), a.plan);
      return true;
    });
  }
  void operator()(const action::AddRemovalTaint& a) {
    updateNode(a.node, [](kube::Json& node) {
      node = withTaintAdded(std::move(node), removalTaint());
      return true;
    });
  }
  void operator()(const action::RemoveRemovalTaint& a) {
    updateNode(a.node, [](kube::Json& node) {
      node = withTaintRemoved(std::move(node), removalTaint());
      return true;
    });
  }
  void operator()(const action::Cordon& a) { setUnschedulable(a.node, true); }
  void operator()(const action::Uncordon& a) { setUnschedulable(a.node, false); }

  void operator()(const action::EvictPods& a) {
    Evictor evictor(nodeClient(), x_.options_.evictionParallelism);
    EvictionRound round;
    try {
      round = evictor.evict(a.pods, o_.observed.podsOnNode.value_or(std::vector<kube::Json>{}));
    } catch (const std::exception&) {
      x_.metrics_.recordEviction("error");
      throw;
    }
    for (std::size_t i = 0; i < round.evicted; ++i) x_.metrics_.recordEviction("evicted");
    for (std::size_t i = 0; i < round.gone; ++i) x_.metrics_.recordEviction("gone");
    for (std::size_t i = 0; i < round.blocked; ++i) x_.metrics_.recordEviction("blocked");
    x_.metrics_.setDrainBlockedPods(sm_.metadata.namespace_, sm_.metadata.name, round.blocked);
    memory_.blockingPdbs = round.blockingPdbs;
    if (decision_.status.drain) decision_.status.drain->blockingPdbs = round.blockingPdbs;
    if (round.blocked > 0) {
      spdlog::info("{}/{}: {} eviction(s) refused by a PodDisruptionBudget, retrying on the next drain poll",
                   sm_.metadata.namespace_, sm_.metadata.name, round.blocked);
    }
  }
  void operator()(const action::DeletePods& a) {
    Evictor evictor(nodeClient(), x_.options_.evictionParallelism);
    const std::size_t deleted = evictor.forceDelete(a.pods);
    spdlog::warn("{}/{}: kill switch force-deleted {} pod(s) on {}", sm_.metadata.namespace_, sm_.metadata.name,
                 deleted, a.node);
  }

  void operator()(const action::RequestDrainConfirmation& a) {
    orderAgent(a.generation, {{"drainConfirmationGeneration", a.generation}});
  }
  void operator()(const action::OrderAgentPowerOn& a) {
    orderAgent(a.generation, {{"desiredPower", "On"}, {"killSwitch", false}});
  }
  void operator()(const action::CreateHostAgent& a) { createIfAbsent(a.object, kube::resources::hostAgents()); }
  void operator()(const action::ProjectToAgent& a) {
    patchAgentSpec({{"nodeName", a.nodeName}, {"killIfCommands", a.killIfCommands}});
  }

  void operator()(const action::DeleteMachine& a) {
    const kube::ResourceType type = kube::resources::capiMachines(a.capiVersion);
    const std::string& ns = sm_.metadata.namespace_;
    try {
      if (a.excludeNodeDraining) {
        // Set before the delete so that CAPI never starts its own drain of a node we drained.
        x_.client_.patch(type, ns, a.name, kube::PatchType::Merge,
                         {{"metadata", {{"annotations", {{kExcludeNodeDrainingAnnotation, "true"}}}}}});
      }
      x_.client_.remove(type, ns, a.name);
    } catch (const kube::ApiError& error) {
      if (!error.isNotFound()) throw;
    }
  }

  void operator()(const action::DeleteChildren& a) {
    for (const ChildRef& child : a.children) {
      x_.client_.remove(kube::resources::fromApiVersionKind(child.apiVersion, child.kind), sm_.metadata.namespace_,
                        child.name);
    }
  }

  void operator()(const action::OrderPowerOn& a) {
    std::string done;
    if (a.wakeRelay) {
      orderWakeRelay(*a.wakeRelay);
      done = "Wake-on-LAN for " + a.wakeRelay->mac + " ordered from the agent on node " + a.wakeRelay->relayNode +
             " (order " + std::to_string(a.wakeRelay->generation) + ")";
    }
    const std::string direct = x_.power_.powerOn(sm_);
    if (!direct.empty()) done += (done.empty() ? "" : "; ") + direct;
    api::setCondition(decision_.status.conditions,
                      api::Condition{api::condition::kPoweredOn, api::kConditionUnknown, "PowerOnRequested",
                                     "power-on ordered: " + done, "", sm_.metadata.generation},
                      o_.observed.now);
  }

  void operator()(const action::OrderPowerOff& a) {
    if (a.generation > 0) {
      orderAgent(
          a.generation,
          {{"desiredPower", "Off"}, {"powerOffGeneration", a.generation}, {"killSwitch", a.withoutDrainConfirmation}});
      return;
    }
    const std::string done = x_.power_.gracefulShutdownViaBmc(sm_);
    if (!done.empty()) spdlog::info("{}/{}: {}", sm_.metadata.namespace_, sm_.metadata.name, done);
  }

  void operator()(const action::EmitEvent& a) {
    try {
      x_.events_.record(sm_, a.type, a.reason, a.message);
    } catch (const Error& error) {
      spdlog::warn("{}/{}: could not record Event {}: {}", sm_.metadata.namespace_, sm_.metadata.name, a.reason,
                   error.what());
    }
  }

 private:
  static kube::ResourceType kindType(const kube::Json& object) {
    return kube::resources::fromApiVersionKind(object.value("apiVersion", ""), object.value("kind", ""));
  }

  void createIfAbsent(const kube::Json& object, const kube::ResourceType& type) {
    try {
      x_.client_.create(type, sm_.metadata.namespace_, object);
    } catch (const kube::ApiError& error) {
      if (!error.isAlreadyExists()) throw;  // deterministic names: it is ours from an earlier attempt
    }
  }

  void updateScheduledMachine(const std::function<bool(kube::Json&)>& mutate) {
    const kube::Json written = kube::updateWithRetry(x_.client_, kube::resources::scheduledMachines(),
                                                     sm_.metadata.namespace_, sm_.metadata.name, mutate);
    resourceVersion_ = valueAt(written, "/metadata/resourceVersion", resourceVersion_);
  }

  kube::Client& nodeClient() const {
    if (o_.node.client == nullptr) throw std::logic_error("node action without a located Node");
    return *o_.node.client;
  }

  void updateNode(const std::string& name, const std::function<bool(kube::Json&)>& mutate) {
    kube::updateWithRetry(nodeClient(), kube::resources::nodes(), "", name, mutate);
  }

  void setUnschedulable(const std::string& name, bool unschedulable) {
    updateNode(name, [unschedulable](kube::Json& node) {
      const bool current = flagAt(node, "/spec/unschedulable");
      if (current == unschedulable) return false;
      node["spec"]["unschedulable"] = unschedulable;
      return true;
    });
  }

  // One order, one merge patch: the order's fields and commandGeneration = `generation`, which
  // decide() computed from the observed spec (docs/phases.md, "HostAgent orders"). Writing absolute
  // values keeps a repeated execution of the same decision idempotent.
  void orderAgent(std::int64_t generation, kube::Json specFields) {
    specFields["commandGeneration"] = generation;
    patchAgentSpec(std::move(specFields));
  }

  // The wake order goes into this machine's own HostAgent, with the relay node as a label so that
  // the relay lists only the orders addressed to it (docs/power.md, "Wake-on-LAN relay").
  void orderWakeRelay(const api::WakeOrder& order) {
    x_.client_.patch(kube::resources::hostAgents(), sm_.metadata.namespace_, sm_.metadata.name, kube::PatchType::Merge,
                     {{"metadata", {{"labels", {{api::kWakeRelayNodeLabel, order.relayNode}}}}},
                      {"spec", {{"commandGeneration", order.generation}, {"wake", api::toJson(order)}}}});
  }

  void patchAgentSpec(kube::Json specFields) {
    x_.client_.patch(kube::resources::hostAgents(), sm_.metadata.namespace_, sm_.metadata.name, kube::PatchType::Merge,
                     {{"spec", std::move(specFields)}});
  }

  Executor& x_;
  const Observation& o_;
  const api::ScheduledMachine& sm_;
  Decision& decision_;
  KeyMemory& memory_;
  std::string resourceVersion_;
};

Executor::Executor(kube::Client& client, EventRecorder& events, PowerOrders& power, CoordinatorMetrics& metrics,
                   ExecutorOptions options)
    : client_(client), events_(events), power_(power), metrics_(metrics), options_(options) {}

std::string Executor::execute(const Observation& observation, Decision& decision, KeyMemory& memory,
                              const std::function<bool()>& mayAct) {
  Run run(*this, observation, decision, memory);
  const std::string key = observation.observed.sm.metadata.namespace_ + "/" + observation.observed.sm.metadata.name;
  // Copy: the run may update decision.status, never the action list.
  const std::vector<Action> actions = decision.actions;
  for (const Action& next : actions) {
    if (!mayAct()) throw LostOwnership(key);
    std::visit(run, next);
  }
  return run.resourceVersion();
}

}  // namespace fivespot::coordinator
