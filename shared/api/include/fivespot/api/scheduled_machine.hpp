#pragma once
// ScheduledMachine <-> JSON, and the semantic validation the API server cannot fully express.
// crds/scheduledmachine.yaml is the schema of record; tests check that both agree.
//
// Parsing is structural: it throws ValidationError naming the JSON path of the first field of the
// wrong type ("spec.nodeTaints[1].effect"), applies the CRD defaults and ignores unknown fields (the
// API server prunes them). validateSpec() then reports every semantic problem at once so that a user
// sees all of them in one condition instead of fixing them one by one.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fivespot/api/types.hpp"

namespace fivespot::api {

inline constexpr const char* kScheduledMachineKind = "ScheduledMachine";

ScheduledMachine parseScheduledMachine(const nlohmann::json& object);
ScheduledMachineSpec parseScheduledMachineSpec(const nlohmann::json& spec, const std::string& path = "spec");
ScheduledMachineStatus parseScheduledMachineStatus(const nlohmann::json& status, const std::string& path = "status");

// The whole object (apiVersion, kind, metadata, spec, status). Empty optional parts are omitted.
nlohmann::json toJson(const ScheduledMachine& machine);
nlohmann::json specToJson(const ScheduledMachineSpec& spec);
nlohmann::json statusToJson(const ScheduledMachineStatus& status);
// A JSON merge patch (RFC 7386) for the status subresource that turns `before` into `after`: only
// changed top-level fields, null for fields that disappeared. Empty object when nothing changed, so
// callers can skip the write (no self-triggered watch loop).
nlohmann::json statusMergePatch(const ScheduledMachineStatus& before, const ScheduledMachineStatus& after);

nlohmann::json toJson(const ObjectReference& ref);
ObjectReference parseObjectReference(const nlohmann::json& ref, const std::string& path);
nlohmann::json toJson(const Taint& taint);
Taint parseTaint(const nlohmann::json& taint, const std::string& path);

struct FieldProblem {
  std::string field;    // JSON path, e.g. "spec.nodeTaints[2].key"
  std::string message;  // what is wrong and what is accepted
  bool operator==(const FieldProblem&) const = default;
};

// Every semantic problem of the spec (empty when valid). Never throws for bad input.
std::vector<FieldProblem> validateSpec(const ScheduledMachineSpec& spec);
// validateSpec plus the rules that need the object itself (references stay in its namespace).
std::vector<FieldProblem> validateScheduledMachine(const ScheduledMachine& machine);
// "spec.priority: must be 0-100; spec.nodeDrainTimeout: ..." for conditions and events.
std::string describeProblems(const std::vector<FieldProblem>& problems);

// Key rules, shared with the coordinator (which must never write a reserved key itself).
// Label/annotation/taint keys: "[prefix/]name", prefix a DNS subdomain, name a qualified name.
bool isQualifiedKey(std::string_view key);
// Label values: empty or up to 63 characters [A-Za-z0-9._-], starting and ending alphanumeric.
bool isLabelValue(std::string_view value);
// Keys that users may not put on the Machine or the Node through machineTemplate / nodeTaints.
// See docs/api.md "Reserved keys" for the reasoning.
bool isReservedLabelKey(std::string_view key);
bool isReservedAnnotationKey(std::string_view key);
bool isReservedTaintKey(std::string_view key);

// API groups 5-Spot will create objects in (it holds RBAC for them; anything else is refused so a
// ScheduledMachine cannot be used to create arbitrary objects with the coordinator's rights).
bool isAllowedBootstrapGroup(std::string_view group);
bool isAllowedInfrastructureGroup(std::string_view group);
// "bootstrap.cluster.x-k8s.io/v1beta1" -> "bootstrap.cluster.x-k8s.io"; "" for core ("v1").
std::string apiGroupOf(std::string_view apiVersion);

}  // namespace fivespot::api
