#include "observer.hpp"

#include <spdlog/spdlog.h>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/coordinator/children.hpp"
#include "fivespot/coordinator/savings_status.hpp"
#include "json_access.hpp"
#include "power_orders.hpp"

namespace fivespot::coordinator {
namespace {

// Whether the bootstrap/infrastructure reads can be skipped: nothing can have created them since
// the last reconcile found them absent (the status refs, which describe what exists, agree).
bool childrenKnownAbsent(const Observed& o, const KeyMemory& memory) {
  const auto& status = o.sm.status;
  const bool settledOut = status.phase == api::Phase::UnScheduled || status.phase == api::Phase::Inactive;
  return memory.childrenKnownAbsent && settledOut && !o.machine && !status.bootstrapRef && !status.infrastructureRef &&
         o.sm.metadata.deletionTimestamp.empty();
}

}  // namespace

Observer::Observer(kube::Client& client, const Caches& caches, NodeAccess& nodes, std::string capiVersion,
                   DecideOptions options, const Clock& clock)
    : client_(client),
      caches_(caches),
      nodes_(nodes),
      capiVersion_(std::move(capiVersion)),
      options_(options),
      clock_(clock) {}

std::optional<Observation> Observer::observe(const std::string& key, KeyMemory& memory) {
  const auto object = caches_.scheduledMachine(key);
  if (!object) return std::nullopt;
  Observation observation;
  Observed& o = observation.observed;
  o.sm = api::parseScheduledMachine(*object);
  o.capiVersion = capiVersion_;
  o.options = options_;
  o.now = clock_.now();
  o.consecutiveFailures = memory.consecutiveFailures;
  o.blockingPdbs = memory.blockingPdbs;
  if (const auto agent = caches_.hostAgent(key)) o.agent = api::parseHostAgent(*agent);
  observeWakeRelay(o);
  observeMachineAndNode(key, observation);
  if (!childrenKnownAbsent(o, memory)) readChildren(observation);
  readBmcPowerIfDue(key, o, memory);
  return observation;
}

void Observer::observeWakeRelay(Observed& o) {
  if (!o.sm.spec.power || !o.sm.spec.power->wakeOnLan) return;
  const std::string& node = o.sm.spec.power->wakeOnLan->relayNode;
  if (node.empty()) return;
  if (const auto relay = caches_.nodeModeHostAgent(node)) o.wakeRelayAgent = api::parseHostAgent(*relay);
}

void Observer::readBmcPowerIfDue(const std::string& key, Observed& o, KeyMemory& memory) {
  if (!bmcReadingDue(o.sm, memory.lastBmcReadAttempt, o.now, options_.bmcPowerReadInterval)) return;
  memory.lastBmcReadAttempt = o.now;
  try {
    o.bmcReading = readBmcPower(client_, o.sm, o.now);
    if (!o.bmcReading) spdlog::info("{}: the BMC reports no PowerConsumedWatts", key);
  } catch (const Error& error) {
    // The reading only refines a savings figure: an unreachable or misconfigured BMC must not stop
    // the schedule. Power-on reports the same problems in the PoweredOn condition.
    spdlog::warn("{}: cannot read PowerConsumedWatts from the BMC: {}", key, error.what());
  }
}

void Observer::readChildren(Observation& observation) {
  observeChildren(observation.observed);
  observation.childrenRead = true;
}

ChildView Observer::child(const std::string& ns, const std::string& apiVersion, const std::string& kind,
                          const std::string& name) {
  const auto object = client_.getIfExists(kube::resources::fromApiVersionKind(apiVersion, kind), ns, name);
  if (!object) return {};
  return {true, object->contains(kube::Json::json_pointer("/metadata/deletionTimestamp"))};
}

std::optional<kube::Json> Observer::templateOf(const std::string& ns, const std::optional<api::ObjectReference>& ref) {
  if (!ref || ref->apiVersion.empty() || ref->kind.empty() || ref->name.empty()) return std::nullopt;
  const std::string templateNamespace = ref->namespace_.empty() ? ns : ref->namespace_;
  return client_.getIfExists(kube::resources::fromApiVersionKind(ref->apiVersion, ref->kind), templateNamespace,
                             ref->name);
}

void Observer::observeChildren(Observed& o) {
  const auto& spec = o.sm.spec;
  const std::string& ns = o.sm.metadata.namespace_;
  // Only a valid one-of pair names a child; decide() reports the invalid spec.
  const bool bootstrapValid = spec.bootstrapRef.has_value() != spec.bootstrapSpec.has_value();
  const bool infrastructureValid = spec.infrastructureRef.has_value() != spec.infrastructureSpec.has_value();
  if (!bootstrapValid || !infrastructureValid) return;
  const ChildRef bootstrap = bootstrapChildRef(o.sm);
  const ChildRef infrastructure = infrastructureChildRef(o.sm);
  o.bootstrap = child(ns, bootstrap.apiVersion, bootstrap.kind, bootstrap.name);
  o.infrastructure = child(ns, infrastructure.apiVersion, infrastructure.kind, infrastructure.name);
  // Templates are needed only to create what is missing.
  if (!o.bootstrap.exists) o.bootstrapTemplate = templateOf(ns, spec.bootstrapRef);
  if (!o.infrastructure.exists) o.infrastructureTemplate = templateOf(ns, spec.infrastructureRef);
}

void Observer::observeMachineAndNode(const std::string& key, Observation& observation) {
  Observed& o = observation.observed;
  const std::string name = childName(o.sm);
  for (const auto& machine : caches_.machinesOf(key)) {
    if (textAt(machine, "/metadata/name") == name) o.machine = machineViewFromJson(machine);
  }
  if (!o.machine || o.machine->nodeName.empty()) return;
  observation.node = nodes_.locate(o.sm.metadata.namespace_, o.sm.spec.clusterName, o.machine->nodeName);
  if (const auto node = nodes_.getNode(observation.node, o.machine->nodeName)) o.node = nodeViewFromJson(*node);
}

void Observer::listPodsOnNode(Observation& observation) {
  Observed& o = observation.observed;
  if (!o.node || observation.node.client == nullptr) return;
  kube::ListOptions options;
  options.fieldSelector = "spec.nodeName=" + o.node->name;
  o.podsOnNode = observation.node.client->listAll(kube::resources::pods(), "", options).items;
}

}  // namespace fivespot::coordinator
