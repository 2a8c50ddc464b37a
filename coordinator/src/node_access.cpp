#include "node_access.hpp"

namespace fivespot::coordinator {

NodeAccess::NodeAccess(kube::Client& management, const Caches& caches, controller::WorkloadClients& workloadClients)
    : management_(management), caches_(caches), workloadClients_(workloadClients) {}

NodeLocation NodeAccess::locate(const std::string& ns, const std::string& clusterName, const std::string& nodeName) {
  if (!nodeName.empty() && caches_.node(nodeName)) return {&management_, false, nullptr};
  const bool hasWorkloadKubeconfig =
      !clusterName.empty() &&
      management_.getIfExists(kube::resources::secrets(), ns, controller::kubeconfigSecretName(clusterName));
  if (!hasWorkloadKubeconfig) return {&management_, false, nullptr};
  auto client = workloadClients_.get(ns, clusterName);
  kube::Client* raw = client.get();
  return {raw, true, std::move(client)};
}

std::optional<kube::Json> NodeAccess::getNode(const NodeLocation& where, const std::string& nodeName) {
  if (nodeName.empty()) return std::nullopt;
  if (!where.workloadCluster) return caches_.node(nodeName);
  return where.client->getIfExists(kube::resources::nodes(), "", nodeName);
}

}  // namespace fivespot::coordinator
