#include "simulation.hpp"

#include "fivespot/common/time_format.hpp"

namespace fivespot::sim {
namespace {

bool hasFinalizer(const Json& object, const std::string& finalizer) {
  const auto& meta = object.at("metadata");
  if (!meta.contains("finalizers")) return false;
  for (const auto& f : meta["finalizers"]) {
    if (f == finalizer) return true;
  }
  return false;
}

Json finalizersWithout(const Json& object, const std::string& finalizer) {
  Json remaining = Json::array();
  for (const auto& f : object["metadata"].value("finalizers", Json::array())) {
    if (f != finalizer) remaining.push_back(f);
  }
  return remaining;
}

bool isTerminating(const Json& object) {
  const auto& meta = object.at("metadata");
  return meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
}

// v1beta1: {apiVersion, kind, name, namespace}; v1beta2: {apiGroup, kind, name}.
std::optional<ObjectKey> referenced(const Json& ref, const std::string& ns) {
  if (!ref.is_object() || !ref.contains("kind") || !ref.contains("name")) return std::nullopt;
  ObjectKey key;
  key.kind = ref["kind"];
  key.name = ref["name"];
  key.namespace_ = ref.value("namespace", ns);
  if (ref.contains("apiVersion")) {
    key.apiVersion = ref["apiVersion"];
  } else if (ref.contains("apiGroup")) {
    key.apiVersion = ref["apiGroup"].get<std::string>() + "/";  // version resolved by discovery
  } else {
    return std::nullopt;
  }
  return key;
}

bool podReady(const Json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions")) return false;
  for (const auto& c : pod["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace

bool MachineStep::empty() const {
  return !finalizersPatch && !createNode && !nodeStatusPatch && !specPatch && !statusPatch && !deleteNode &&
         deleteChildren.empty();
}

Json readyNodeStatus(TimePoint now) {
  const std::string t = formatRfc3339(now);
  return {{"conditions", Json::array({{{"type", "Ready"},
                                       {"status", "True"},
                                       {"reason", "KubeletReady"},
                                       {"message", "kubelet is posting ready status (simulated)"},
                                       {"lastHeartbeatTime", t},
                                       {"lastTransitionTime", t}}})},
          {"nodeInfo", {{"kubeletVersion", "v1.32.0-sim"}, {"machineID", "sim"}}}};
}

Json nodeFor(const Json& machine, const std::string& nodeName) {
  Json labels = {{"kubernetes.io/hostname", nodeName}, {"5spot.finos.org/managed", "true"}};
  const auto& meta = machine.at("metadata");
  if (meta.contains("labels")) {
    for (const auto& [k, v] : meta["labels"].items()) labels[k] = v;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", nodeName}, {"labels", labels}}},
          {"spec", {{"providerID", "sim://" + nodeName}}}};
}

MachineStep reconcileMachine(const Json& machine, const std::optional<Json>& node) {
  MachineStep step;
  const std::string name = machine.at("metadata").at("name");
  const std::string ns = machine["metadata"].value("namespace", "");
  if (isTerminating(machine)) {
    if (!hasFinalizer(machine, kMachineFinalizer)) return step;  // the API server removes it
    if (node) step.deleteNode = name;
    const auto& spec = machine.value("spec", Json::object());
    if (spec.contains("bootstrap")) {
      if (auto ref = referenced(spec["bootstrap"].value("configRef", Json()), ns)) step.deleteChildren.push_back(*ref);
    }
    if (auto ref = referenced(spec.value("infrastructureRef", Json()), ns)) step.deleteChildren.push_back(*ref);
    step.finalizersPatch = Json{{"metadata", {{"finalizers", finalizersWithout(machine, kMachineFinalizer)}}}};
    return step;
  }
  if (!hasFinalizer(machine, kMachineFinalizer)) {
    auto finalizers = machine["metadata"].value("finalizers", Json::array());
    finalizers.push_back(kMachineFinalizer);
    step.finalizersPatch = Json{{"metadata", {{"finalizers", finalizers}}}};
  }
  if (!node) step.createNode = nodeFor(machine, name);
  const std::string providerID = "sim://" + name;
  if (machine.value("spec", Json::object()).value("providerID", "") != providerID) {
    step.specPatch = Json{{"spec", {{"providerID", providerID}}}};
  }
  const auto status = machine.value("status", Json::object());
  const bool hasNodeRef = status.contains("nodeRef") && status["nodeRef"].value("name", "") == name;
  if (!hasNodeRef || status.value("phase", "") != "Running") {
    step.statusPatch = Json{{"status",
                             {{"nodeRef", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", name}}},
                              {"phase", "Running"},
                              {"bootstrapReady", true},
                              {"infrastructureReady", true}}}};
  }
  return step;
}

PodStep reconcilePod(const Json& pod, bool nodeExists, TimePoint now, double graceScale) {
  PodStep step;
  const auto& spec = pod.value("spec", Json::object());
  const std::string nodeName = spec.value("nodeName", "");
  if (nodeName.empty()) return step;  // unscheduled: no kubelet owns it
  if (!nodeExists) {
    step.deleteNow = true;
    return step;
  }
  if (isTerminating(pod)) {
    const auto deadline = parseRfc3339(pod["metadata"]["deletionTimestamp"].get<std::string>());
    const auto grace = std::chrono::seconds(pod["metadata"].value("deletionGracePeriodSeconds", 0));
    // deletionTimestamp is when the grace period ends; scale the period that precedes it.
    const auto start = deadline - grace;
    const auto scaledEnd = start + std::chrono::duration_cast<Duration>(grace * graceScale);
    if (now >= scaledEnd) {
      step.deleteNow = true;
    } else {
      step.recheckAt = scaledEnd;
    }
    return step;
  }
  const std::string phase = pod.value("status", Json::object()).value("phase", "");
  if (phase == "Succeeded" || phase == "Failed") return step;
  if (!podReady(pod) || phase != "Running") {
    const std::string t = formatRfc3339(now);
    step.statusPatch = Json{
        {"status",
         {{"phase", "Running"},
          {"podIP", "10.0.0.1"},
          {"startTime", t},
          {"conditions", Json::array({{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", t}},
                                      {{"type", "ContainersReady"}, {"status", "True"}, {"lastTransitionTime", t}},
                                      {{"type", "PodScheduled"}, {"status", "True"}, {"lastTransitionTime", t}}})}}}};
  }
  return step;
}

}  // namespace fivespot::sim
