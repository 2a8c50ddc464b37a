#pragma once
// What CAPI's Machine controller and a kubelet would do, as pure functions of the observed
// objects and the time. Test/demo tooling only: the product never links this.
//
// Machine controller (CAPI semantics, simplified): a new Machine gets CAPI's finalizer, a Ready
// Node named after the Machine, spec.providerID and status.nodeRef/phase Running. A deleted
// Machine loses its Node and its bootstrap and infrastructure objects, then its finalizer.
//
// Kubelet: pods bound to an existing Node start and become Ready; a terminating pod disappears
// once its grace period is over; pods bound to a Node that no longer exists are removed (pod GC).
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/common/clock.hpp"

namespace fivespot::sim {

using Json = nlohmann::json;

inline constexpr const char* kMachineFinalizer = "machine.cluster.x-k8s.io";

struct ObjectKey {
  std::string apiVersion;
  std::string kind;
  std::string namespace_;
  std::string name;
};

struct MachineStep {
  std::optional<Json> finalizersPatch;  // merge patch on the Machine's metadata
  std::optional<Json> createNode;       // Node object to create
  std::optional<Json> nodeStatusPatch;  // merge patch on the Node's status
  std::optional<Json> specPatch;        // merge patch on the Machine (providerID)
  std::optional<Json> statusPatch;      // merge patch on the Machine's status
  std::optional<std::string> deleteNode;
  std::vector<ObjectKey> deleteChildren;  // bootstrap + infrastructure objects
  [[nodiscard]] bool empty() const;
};

// `node` is the Node named after the Machine, when it exists.
MachineStep reconcileMachine(const Json& machine, const std::optional<Json>& node);

struct PodStep {
  std::optional<Json> statusPatch;     // start the pod: Running + Ready
  bool deleteNow = false;              // force-delete (grace period over, or node gone)
  std::optional<TimePoint> recheckAt;  // a terminating pod: look again then
};

// `nodeExists`: whether spec.nodeName names an existing Node. `graceScale` shrinks grace periods
// (0 = remove terminating pods at once) so tests and the demo run quickly.
PodStep reconcilePod(const Json& pod, bool nodeExists, TimePoint now, double graceScale);

// The Node object a kubelet would register for `nodeName`, labelled like the Machine.
Json nodeFor(const Json& machine, const std::string& nodeName);
Json readyNodeStatus(TimePoint now);

}  // namespace fivespot::sim
