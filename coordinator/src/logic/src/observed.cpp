#include "fivespot/coordinator/observed.hpp"

#include "fivespot/coordinator/taints.hpp"

namespace fivespot::coordinator {
namespace {

using nlohmann::json;

std::string textAt(const json& object, const char* pointer) {
  const json::json_pointer path(pointer);
  if (!object.contains(path) || !object.at(path).is_string()) return {};
  return object.at(path).get<std::string>();
}

}  // namespace

MachineView machineViewFromJson(const json& machine) {
  MachineView view;
  view.deleting = !textAt(machine, "/metadata/deletionTimestamp").empty();
  view.phase = textAt(machine, "/status/phase");
  view.nodeName = textAt(machine, "/status/nodeRef/name");
  view.providerID = textAt(machine, "/spec/providerID");
  return view;
}

NodeView nodeViewFromJson(const json& node) {
  NodeView view;
  view.name = textAt(node, "/metadata/name");
  view.uid = textAt(node, "/metadata/uid");
  view.unschedulable = node.contains(json::json_pointer("/spec/unschedulable")) &&
                       node.at(json::json_pointer("/spec/unschedulable")).is_boolean() &&
                       node.at(json::json_pointer("/spec/unschedulable")).get<bool>();
  const json::json_pointer conditions("/status/conditions");
  if (node.contains(conditions) && node.at(conditions).is_array()) {
    for (const json& condition : node.at(conditions)) {
      if (condition.value("type", "") == "Ready") view.ready = condition.value("status", "") == "True";
    }
  }
  view.taints = taintsFromNodeJson(node);
  view.reclaimRequested = textAt(node, "/metadata/annotations/5spot.finos.org~1reclaim-requested") == "true";
  view.reclaimReason = textAt(node, "/metadata/annotations/5spot.finos.org~1reclaim-reason");
  return view;
}

}  // namespace fivespot::coordinator
