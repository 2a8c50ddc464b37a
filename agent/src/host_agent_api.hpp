#pragma once
// Everything the agent needs from the Kubernetes API, as one small interface, so the agent loop is
// tested against an in-memory fake. The implementation over fivespot::kube::Client lives in
// kube_host_agent_api.cpp (the only agent file that knows about the Kubernetes client).
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "config.hpp"
#include "fivespot/api/types.hpp"

namespace fivespot::agent {

class KubeRequestMetrics;

class HostAgentApi {
 public:
  virtual ~HostAgentApi() = default;
  // This agent's HostAgent. Throws fivespot::Error (kube::ApiError/TransportError) on failure.
  virtual api::HostAgent get() = 0;
  // JSON merge patch on the status subresource of the same object.
  virtual void patchStatus(const nlohmann::json& mergePatch) = 0;
  // Pods bound to the node (fieldSelector spec.nodeName=<node>), all namespaces. Node mode only.
  virtual std::vector<nlohmann::json> listPodsOnNode(const std::string& nodeName) = 0;
};

// Host mode: the HostAgent named in the configuration, through the configured kubeconfig.
// Node mode: the HostAgent whose spec.nodeName is this node (found by listing, cached until it
// disappears), through the in-cluster service account unless a kubeconfig is given.
// Every request is counted in `requests`, which must outlive the returned object.
std::unique_ptr<HostAgentApi> makeKubeHostAgentApi(const AgentConfig& config, KubeRequestMetrics& requests);

}  // namespace fivespot::agent
