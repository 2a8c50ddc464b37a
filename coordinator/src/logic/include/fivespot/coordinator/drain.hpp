#pragma once
// Which pods a drain must evict, like `kubectl drain` and CAPI's drain: DaemonSet pods (their
// controller would recreate them at once), mirror pods (the kubelet owns them) and finished pods
// are left alone; pods already terminating are leaving on their own; everything else is evicted.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fivespot::coordinator {

struct PodRef {
  std::string namespace_;
  std::string name;
  std::string uid;  // eviction preconditions use it, so a recreated pod is never evicted by mistake
  bool operator==(const PodRef&) const = default;
};

struct IgnoredPod {
  PodRef pod;
  std::string reason;  // DaemonSet | MirrorPod | Finished | DrainSkipLabel
  bool operator==(const IgnoredPod&) const = default;
};

struct DrainSelection {
  std::vector<PodRef> toEvict;  // in list order; the I/O layer evicts them in parallel
  std::vector<PodRef> leaving;  // deletionTimestamp set: wait for them, do not evict again
  std::vector<IgnoredPod> ignored;
  [[nodiscard]] std::size_t remaining() const { return toEvict.size() + leaving.size(); }
};

// `pods` are the Pod objects bound to the node (spec.nodeName == node), as listed.
DrainSelection selectPodsToDrain(const std::vector<nlohmann::json>& pods);

}  // namespace fivespot::coordinator
