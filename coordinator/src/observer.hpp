#pragma once
// Builds the Observed input of decide() for one ScheduledMachine: the ScheduledMachine, its
// Machine, Node and HostAgent from the informer caches, its bootstrap/infrastructure objects and
// templates with direct reads (few and not worth a cluster-wide watch of every provider kind; skipped
// for a machine settled out of the cluster whose children are known absent), and
// the Pods on its Node on demand (fieldSelector spec.nodeName) while it drains, and Redfish
// PowerConsumedWatts when a reading is due (bmcReadingDue), and the HostAgent of a Wake-on-LAN relay.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "caches.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/coordinator/observed.hpp"
#include "node_access.hpp"

namespace fivespot::coordinator {

// What the I/O layer remembers about a key between reconciles (not in the API: lost on restart,
// where it is rebuilt within one drain poll).
struct KeyMemory {
  int consecutiveFailures = 0;
  std::vector<std::string> blockingPdbs;
  // The last reconcile completed with the machine settled out of the cluster and read that neither
  // the Machine nor the bootstrap/infrastructure objects exist. Only this process creates them, and
  // only in a decision that leaves the settled phase, so until then they need not be read again.
  bool childrenKnownAbsent = false;
  // The Reconciler's ownership epoch when childrenKnownAbsent was set: another instance may have
  // acted on the key since ownership last changed, so the flag holds only within one epoch.
  std::uint64_t childrenKnownAbsentEpoch = 0;
  // The last attempt to read PowerConsumedWatts from the BMC, successful or not: a failing BMC is
  // asked again only after DecideOptions::bmcPowerReadInterval.
  std::optional<TimePoint> lastBmcReadAttempt;
  // resourceVersions of the ScheduledMachine that this process's own writes replaced (the one a
  // reconcile decided on, and the one between a finalizer update and the status write). The
  // cache showing one of them has not caught up with those writes yet: deciding on it would repeat
  // what they recorded (e.g. a second drain-confirmation order). Waiting for the watch event of
  // the write is enough; a newer version from anyone clears the doubt.
  std::vector<std::string> supersededResourceVersions;
};

struct Observation {
  Observed observed;
  NodeLocation node;  // where the Node and its Pods live (meaningful when the Machine has a nodeRef)
  // false: the bootstrap/infrastructure objects were not read (see KeyMemory::childrenKnownAbsent)
  // and observed.bootstrap/infrastructure say "absent" from memory; readChildren() reads them.
  bool childrenRead = false;
};

class Observer {
 public:
  Observer(kube::Client& client, const Caches& caches, NodeAccess& nodes, std::string capiVersion,
           DecideOptions options, const Clock& clock);

  // std::nullopt when the ScheduledMachine is not in the cache (deleted). Throws kube errors,
  // ValidationError (an object that does not parse) and ConfigError (workload kubeconfig).
  // Records a BMC read attempt in `memory`.
  std::optional<Observation> observe(const std::string& key, KeyMemory& memory);
  // Fills observed.podsOnNode from the Node's cluster; no-op without a Node.
  void listPodsOnNode(Observation& observation);
  // Reads the bootstrap/infrastructure objects (and templates) that observe() skipped.
  void readChildren(Observation& observation);

 private:
  ChildView child(const std::string& ns, const std::string& apiVersion, const std::string& kind,
                  const std::string& name);
  std::optional<kube::Json> templateOf(const std::string& ns, const std::optional<api::ObjectReference>& ref);
  void observeChildren(Observed& observed);
  void observeMachineAndNode(const std::string& key, Observation& observation);
  void readBmcPowerIfDue(const std::string& key, Observed& observed, KeyMemory& memory);
  // The HostAgent of the node-mode agent on spec.power.wakeOnLan.relayNode, from the cache.
  void observeWakeRelay(Observed& observed);

  kube::Client& client_;
  const Caches& caches_;
  NodeAccess& nodes_;
  const std::string capiVersion_;
  const DecideOptions options_;
  const Clock& clock_;
};

}  // namespace fivespot::coordinator
