#pragma once
// Clients for workload clusters, built from Cluster API's "<clusterName>-kubeconfig" Secret (key
// "value", base64 in .data), cached per (namespace, cluster) and rebuilt when the Secret's
// resourceVersion changes (CAPI rotates the credentials in it).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "fivespot/kube/client.hpp"

namespace fivespot::controller {

// Reads a Secret from the management cluster; std::nullopt when it does not exist.
using SecretReader = std::function<std::optional<kube::Json>(const std::string& ns, const std::string& name)>;
// Builds a client from a workload cluster's configuration.
using ClientFactory = std::function<std::shared_ptr<kube::Client>(const kube::ClusterConfig& config)>;

[[nodiscard]] SecretReader secretReaderFor(kube::Client& management);
// kube::Client with default options and the production transport.
[[nodiscard]] ClientFactory defaultClientFactory();

[[nodiscard]] std::string kubeconfigSecretName(const std::string& clusterName);
// The kubeconfig text in a CAPI kubeconfig Secret. Throws ConfigError naming the Secret when the
// key is missing or not base64.
[[nodiscard]] std::string kubeconfigFromSecret(const kube::Json& secret);

class WorkloadClients {
 public:
  WorkloadClients(SecretReader readSecret, ClientFactory makeClient);

  // The client for the cluster, rebuilt when its Secret changed since the last call. Throws
  // ConfigError when the Secret is missing or holds no usable kubeconfig; kube errors from the read.
  std::shared_ptr<kube::Client> get(const std::string& ns, const std::string& clusterName);
  // Drops the cached client (e.g. after the cluster was deleted).
  void forget(const std::string& ns, const std::string& clusterName);
  [[nodiscard]] std::size_t size() const;

 private:
  struct Entry {
    std::string secretResourceVersion;
    std::shared_ptr<kube::Client> client;
  };

  const SecretReader readSecret_;
  const ClientFactory makeClient_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
};

}  // namespace fivespot::controller
