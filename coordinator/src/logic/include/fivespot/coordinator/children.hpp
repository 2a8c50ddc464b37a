#pragma once
// The objects 5-Spot creates for a ScheduledMachine: a bootstrap config, an infrastructure machine
// and the CAPI Machine that ties them together. Names are deterministic (the ScheduledMachine's
// name, like upstream: different kinds, so no clash), so creation is create-if-absent and a
// coordinator restarted at any instant never makes a second Machine.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fivespot/api/types.hpp"

namespace fivespot::coordinator {

inline constexpr const char* kExcludeNodeDrainingAnnotation = "machine.cluster.x-k8s.io/exclude-node-draining";
inline constexpr const char* kCapiGroup = "cluster.x-k8s.io";

struct ChildRef {  // what a Machine's bootstrap.configRef / infrastructureRef points at
  std::string apiVersion;
  std::string kind;
  std::string name;
  bool operator==(const ChildRef&) const = default;
};

std::string childName(const api::ScheduledMachine& sm);

// The concrete objects, from the inline spec or cloned from the template (its spec.template.spec
// and spec.template.metadata, like a MachineSet). `tmpl` is the referenced template when the spec
// uses bootstrapRef / infrastructureRef. Throws ValidationError (field names the template) when the
// template is not a template.
nlohmann::json buildBootstrap(const api::ScheduledMachine& sm, const std::optional<nlohmann::json>& tmpl);
nlohmann::json buildInfrastructure(const api::ScheduledMachine& sm, const std::optional<nlohmann::json>& tmpl);
// What the Machine will reference, without needing the template (kind "XTemplate" -> "X").
ChildRef bootstrapChildRef(const api::ScheduledMachine& sm);
ChildRef infrastructureChildRef(const api::ScheduledMachine& sm);

// The CAPI Machine in the served version: "v1beta1" (ObjectReference refs) or "v1beta2"
// (ContractVersionedObjectReference refs: apiGroup, kind, name).
nlohmann::json buildMachine(const api::ScheduledMachine& sm, const std::string& capiVersion, const ChildRef& bootstrap,
                            const ChildRef& infrastructure);

// The HostAgent the coordinator creates for a ScheduledMachine (DESIGN.md section 5): same
// namespace and name, controlled by it (garbage-collected with it), spec desiredPower On, no order
// yet (all generations 0), and the projections nodeName/killIfCommands.
nlohmann::json buildHostAgent(const api::ScheduledMachine& sm, const std::string& nodeName);

// ownerReference to the ScheduledMachine. The Machine is controlled by it; the bootstrap and
// infrastructure objects are not (CAPI's Machine controller makes itself their controller, and an
// object may have only one), but still block the ScheduledMachine's deletion until they are gone.
nlohmann::json ownerReference(const api::ScheduledMachine& sm, bool controller);

}  // namespace fivespot::coordinator
