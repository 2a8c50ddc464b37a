#pragma once
// Where a machine's Node and its Pods live, and the client to reach them.
//
// Rule (docs/coordinator.md, "Node access"): a Node that the management cluster's Node informer
// knows is used there (CAPI management clusters that adopt their own workers, and the cluster
// simulator). Otherwise, when Cluster API's "<clusterName>-kubeconfig" Secret exists in the
// ScheduledMachine's namespace, the workload cluster is asked through a client built from it
// (controller::WorkloadClients, rebuilt when CAPI rotates the Secret). Otherwise the Node is
// looked for in the management cluster, where it is then simply not found (yet).
#include <memory>
#include <optional>
#include <string>

#include "caches.hpp"
#include "fivespot/controller/workload_clients.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

struct NodeLocation {
  kube::Client* client = nullptr;           // where to read and patch the Node and list its Pods
  bool workloadCluster = false;             // true: not watched; the reconciler polls while it waits
  std::shared_ptr<kube::Client> keepAlive;  // holds a workload client while in use
};

class NodeAccess {
 public:
  NodeAccess(kube::Client& management, const Caches& caches, controller::WorkloadClients& workloadClients);

  // Throws kube errors and ConfigError (unusable kubeconfig Secret).
  NodeLocation locate(const std::string& ns, const std::string& clusterName, const std::string& nodeName);
  // The Node from the location (cache for the management cluster); nullopt when absent.
  std::optional<kube::Json> getNode(const NodeLocation& where, const std::string& nodeName);

 private:
  kube::Client& management_;
  const Caches& caches_;
  controller::WorkloadClients& workloadClients_;
};

}  // namespace fivespot::coordinator
