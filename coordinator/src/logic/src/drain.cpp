#include "fivespot/coordinator/drain.hpp"

namespace fivespot::coordinator {
namespace {

using nlohmann::json;

std::string text(const json& object, const json::json_pointer& pointer) {
  if (!object.contains(pointer)) return {};
  const json& value = object.at(pointer);
  return value.is_string() ? value.get<std::string>() : std::string{};
}

bool ownedByDaemonSet(const json& pod) {
  const json::json_pointer refsPath("/metadata/ownerReferences");
  if (!pod.contains(refsPath) || !pod.at(refsPath).is_array()) return false;
  for (const json& ref : pod.at(refsPath)) {
    // Only the managing controller counts, as in kubectl: a DaemonSet merely listed as an owner
    // would not recreate the pod.
    const bool controller = ref.value("controller", false);
    if (controller && ref.value("kind", "") == "DaemonSet") return true;
  }
  return false;
}

// Returns the reason the pod is left alone, or "" when it must go.
std::string ignoreReason(const json& pod) {
  const std::string phase = text(pod, json::json_pointer("/status/phase"));
  if (phase == "Succeeded" || phase == "Failed") return "Finished";
  // Static pods are mirrored into the API; evicting the mirror does nothing, the kubelet owns it.
  if (!text(pod, json::json_pointer("/metadata/annotations/kubernetes.io~1config.mirror")).empty()) return "MirrorPod";
  if (ownedByDaemonSet(pod)) return "DaemonSet";
  // CAPI's own opt-out label (MachineDrainRules); honouring it keeps one behaviour for users.
  if (text(pod, json::json_pointer("/metadata/labels/cluster.x-k8s.io~1drain")) == "skip") return "DrainSkipLabel";
  return {};
}

}  // namespace

DrainSelection selectPodsToDrain(const std::vector<json>& pods) {
  DrainSelection selection;
  for (const json& pod : pods) {
    PodRef ref{text(pod, json::json_pointer("/metadata/namespace")), text(pod, json::json_pointer("/metadata/name")),
               text(pod, json::json_pointer("/metadata/uid"))};
    if (std::string reason = ignoreReason(pod); !reason.empty()) {
      selection.ignored.push_back({std::move(ref), std::move(reason)});
    } else if (!text(pod, json::json_pointer("/metadata/deletionTimestamp")).empty()) {
      selection.leaving.push_back(std::move(ref));
    } else {
      selection.toEvict.push_back(std::move(ref));
    }
  }
  return selection;
}

}  // namespace fivespot::coordinator
