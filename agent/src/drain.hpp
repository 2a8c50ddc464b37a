#pragma once
// Drain confirmation: is the node free of workload?
//
// Node mode looks at the pods the API server has bound to the node. Host mode cannot list pods
// (its RBAC reaches only its own HostAgent), so it uses local evidence it can actually check: the
// kubelet's pod cgroups under /sys/fs/cgroup/kubepods* (systemd and cgroupfs drivers, cgroup v1
// and v2). That evidence cannot tell a DaemonSet pod from a workload pod, so host mode confirms only
// when no pod cgroup is left at all: before join, or once kubelet stopped its pods. On a joined
// node with DaemonSets, the node-mode agent is the one that can confirm.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace fivespot::agent {

struct DrainVerdict {
  bool confirmed = false;
  std::vector<std::string> remaining;  // what blocks confirmation ("ns/name", or cgroup paths)
  [[nodiscard]] std::string summary() const;
};

// A pod that may stay on a drained node: finished (Succeeded/Failed), a mirror (static) pod, or
// controlled by a DaemonSet, exactly the pods a kubectl-style drain skips.
bool podMayRemain(const nlohmann::json& pod);
// Pure: over the pods listed with fieldSelector spec.nodeName=<node>; pods bound elsewhere
// (a stale list) are ignored.
DrainVerdict evaluateNodePods(const std::vector<nlohmann::json>& pods, const std::string& nodeName);

// Pod cgroups (directories "pod<uid>" or "kubepods-...-pod<uid>.slice") under the kubepods
// hierarchies of `cgroupRoot` (an injectable root for tests).
std::vector<std::string> findPodCgroups(const std::string& cgroupRoot);
DrainVerdict evaluateHostPodCgroups(const std::vector<std::string>& podCgroups);

class LocalWorkloadEvidence {
 public:
  virtual ~LocalWorkloadEvidence() = default;
  virtual DrainVerdict check() = 0;
};

class CgroupWorkloadEvidence final : public LocalWorkloadEvidence {
 public:
  explicit CgroupWorkloadEvidence(std::string cgroupRoot) : root_(std::move(cgroupRoot)) {}
  DrainVerdict check() override { return evaluateHostPodCgroups(findPodCgroups(root_)); }

 private:
  std::string root_;
};

}  // namespace fivespot::agent
