#include "fivespot/coordinator/children.hpp"

#include "fivespot/api/host_agent.hpp"
#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"

namespace fivespot::coordinator {
namespace {

using nlohmann::json;

constexpr std::string_view kTemplateSuffix = "Template";

std::string concreteKind(const std::string& templateKind) {
  return templateKind.ends_with(kTemplateSuffix) ? templateKind.substr(0, templateKind.size() - kTemplateSuffix.size())
                                                 : templateKind;
}

json baseMetadata(const api::ScheduledMachine& sm) {
  return {{"name", childName(sm)},
          {"namespace", sm.metadata.namespace_},
          {"labels", {{api::kScheduledMachineLabel, sm.metadata.name}, {api::kClusterNameLabel, sm.spec.clusterName}}}};
}

json fromInline(const api::ScheduledMachine& sm, const api::EmbeddedResource& resource) {
  json object = {{"apiVersion", resource.apiVersion},
                 {"kind", resource.kind},
                 {"metadata", baseMetadata(sm)},
                 {"spec", json::parse(resource.specJson)}};
  object["metadata"]["ownerReferences"] = json::array({ownerReference(sm, false)});
  return object;
}

json fromTemplate(const api::ScheduledMachine& sm, const json& tmpl, const std::string& field) {
  const json::json_pointer specPath("/spec/template/spec");
  if (!tmpl.is_object() || !tmpl.contains(specPath) || !tmpl.at(specPath).is_object()) {
    throw ValidationError(field, tmpl.is_object() ? tmpl.value("kind", "") : tmpl.dump(),
                          "a template object with spec.template.spec");
  }
  const std::string templateKind = tmpl.value("kind", "");
  json object = {{"apiVersion", tmpl.value("apiVersion", "")},
                 {"kind", concreteKind(templateKind)},
                 {"metadata", baseMetadata(sm)},
                 {"spec", tmpl.at(specPath)}};
  json& metadata = object["metadata"];
  const json::json_pointer metaPath("/spec/template/metadata");
  if (tmpl.contains(metaPath) && tmpl.at(metaPath).is_object()) {
    const json& templateMeta = tmpl.at(metaPath);
    // Template labels first, ours last: ours must win (the watch selects on them).
    if (templateMeta.contains("labels") && templateMeta["labels"].is_object()) {
      json labels = templateMeta["labels"];
      labels.update(metadata["labels"]);
      metadata["labels"] = std::move(labels);
    }
    if (templateMeta.contains("annotations") && templateMeta["annotations"].is_object()) {
      metadata["annotations"] = templateMeta["annotations"];
    }
  }
  const std::string group = api::apiGroupOf(tmpl.value("apiVersion", ""));
  metadata["annotations"]["cluster.x-k8s.io/cloned-from-name"] = tmpl.value(json::json_pointer("/metadata/name"), "");
  metadata["annotations"]["cluster.x-k8s.io/cloned-from-groupkind"] = templateKind + "." + group;
  metadata["ownerReferences"] = json::array({ownerReference(sm, false)});
  return object;
}

// The seed form's spec.machine names the host; k0smotron's RemoteMachine takes it as
// address/port/user. Other providers carry the host in their own template, so nothing is injected.
void injectHost(const api::ScheduledMachine& sm, json& infrastructure) {
  if (!sm.spec.machine || infrastructure.value("kind", "") != "RemoteMachine") return;
  json& spec = infrastructure["spec"];
  if (!spec.contains("address")) spec["address"] = sm.spec.machine->address;
  if (!spec.contains("port")) spec["port"] = sm.spec.machine->port;
  if (!spec.contains("user") && !sm.spec.machine->user.empty()) spec["user"] = sm.spec.machine->user;
}

json machineRef(const std::string& capiVersion, const ChildRef& ref, const std::string& ns) {
  if (capiVersion == "v1beta1") {
    return {{"apiVersion", ref.apiVersion}, {"kind", ref.kind}, {"name", ref.name}, {"namespace", ns}};
  }
  return {{"apiGroup", api::apiGroupOf(ref.apiVersion)}, {"kind", ref.kind}, {"name", ref.name}};
}

}  // namespace

std::string childName(const api::ScheduledMachine& sm) {
  return sm.metadata.name;
}

json ownerReference(const api::ScheduledMachine& sm, bool controller) {
  return {{"apiVersion", api::kApiVersion}, {"kind", api::kScheduledMachineKind}, {"name", sm.metadata.name},
          {"uid", sm.metadata.uid},         {"controller", controller},           {"blockOwnerDeletion", true}};
}

json buildHostAgent(const api::ScheduledMachine& sm, const std::string& nodeName) {
  api::HostAgent agent;
  agent.spec.desiredPower = api::PowerState::On;
  agent.spec.nodeName = nodeName;
  agent.spec.killIfCommands = sm.spec.killIfCommands;
  json object = api::toJson(agent);
  object.erase("status");  // the agent's to write, through the status subresource
  object["metadata"] = {{"name", sm.metadata.name},
                        {"namespace", sm.metadata.namespace_},
                        {"labels", {{api::kScheduledMachineLabel, sm.metadata.name}}},
                        {"ownerReferences", json::array({ownerReference(sm, true)})}};
  return object;
}

json buildBootstrap(const api::ScheduledMachine& sm, const std::optional<json>& tmpl) {
  if (sm.spec.bootstrapSpec) return fromInline(sm, *sm.spec.bootstrapSpec);
  if (!tmpl)
    throw ValidationError("spec.bootstrapRef", sm.spec.bootstrapRef ? sm.spec.bootstrapRef->name : "",
                          "an existing template");
  return fromTemplate(sm, *tmpl, "spec.bootstrapRef");
}

json buildInfrastructure(const api::ScheduledMachine& sm, const std::optional<json>& tmpl) {
  json object;
  if (sm.spec.infrastructureSpec) {
    object = fromInline(sm, *sm.spec.infrastructureSpec);
  } else {
    if (!tmpl) {
      throw ValidationError("spec.infrastructureRef", sm.spec.infrastructureRef ? sm.spec.infrastructureRef->name : "",
                            "an existing template");
    }
    object = fromTemplate(sm, *tmpl, "spec.infrastructureRef");
  }
  injectHost(sm, object);
  return object;
}

ChildRef bootstrapChildRef(const api::ScheduledMachine& sm) {
  if (sm.spec.bootstrapSpec) return {sm.spec.bootstrapSpec->apiVersion, sm.spec.bootstrapSpec->kind, childName(sm)};
  const api::ObjectReference& ref = sm.spec.bootstrapRef.value();
  return {ref.apiVersion, concreteKind(ref.kind), childName(sm)};
}

ChildRef infrastructureChildRef(const api::ScheduledMachine& sm) {
  if (sm.spec.infrastructureSpec) {
    return {sm.spec.infrastructureSpec->apiVersion, sm.spec.infrastructureSpec->kind, childName(sm)};
  }
  const api::ObjectReference& ref = sm.spec.infrastructureRef.value();
  return {ref.apiVersion, concreteKind(ref.kind), childName(sm)};
}

json buildMachine(const api::ScheduledMachine& sm, const std::string& capiVersion, const ChildRef& bootstrap,
                  const ChildRef& infrastructure) {
  json labels = json::object();
  for (const auto& [key, value] : sm.spec.machineTemplate.labels) labels[key] = value;
  labels[api::kScheduledMachineLabel] = sm.metadata.name;  // system labels last: they win
  labels[api::kClusterNameLabel] = sm.spec.clusterName;
  json metadata = {{"name", childName(sm)},
                   {"namespace", sm.metadata.namespace_},
                   {"labels", std::move(labels)},
                   {"ownerReferences", json::array({ownerReference(sm, true)})}};
  if (!sm.spec.machineTemplate.annotations.empty()) metadata["annotations"] = sm.spec.machineTemplate.annotations;
  const std::string& ns = sm.metadata.namespace_;
  return {{"apiVersion", std::string(kCapiGroup) + "/" + capiVersion},
          {"kind", "Machine"},
          {"metadata", std::move(metadata)},
          {"spec",
           {{"clusterName", sm.spec.clusterName},
            {"bootstrap", {{"configRef", machineRef(capiVersion, bootstrap, ns)}}},
            {"infrastructureRef", machineRef(capiVersion, infrastructure, ns)}}}};
}

}  // namespace fivespot::coordinator
