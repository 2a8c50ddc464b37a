#include "fivespot/controller/workload_clients.hpp"

#include <spdlog/spdlog.h>

#include "fivespot/common/error.hpp"
#include "fivespot/controller/informer.hpp"
#include "fivespot/kube/base64.hpp"

namespace fivespot::controller {
std::string kubeconfigSecretName(const std::string& clusterName) {
  return clusterName + "-kubeconfig";
}

std::string kubeconfigFromSecret(const kube::Json& secret) {
  const std::string context = "secret " + objectKey(secret);
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object() || !data->contains("value") || !(*data)["value"].is_string()) {
    throw ConfigError(context, "has no data.value (the kubeconfig Cluster API writes there)");
  }
  auto text = kube::base64Decode((*data)["value"].get<std::string>());
  if (!text || text->empty()) throw ConfigError(context, "data.value is not base64-encoded kubeconfig text");
  return *text;
}

WorkloadClients::WorkloadClients(SecretReader readSecret, ClientFactory makeClient)
    : readSecret_(std::move(readSecret)), makeClient_(std::move(makeClient)) {}

std::shared_ptr<kube::Client> WorkloadClients::get(const std::string& ns, const std::string& clusterName) {
  const std::string secretName = kubeconfigSecretName(clusterName);
  // Read outside the lock: one slow API call must not hold up the other clusters.
  const std::optional<kube::Json> secret = readSecret_(ns, secretName);
  if (!secret)
    throw ConfigError("secret " + ns + "/" + secretName,
                      "not found: cluster " + clusterName + " has no kubeconfig yet");
  const std::string version = objectResourceVersion(*secret);
  const auto key = std::make_pair(ns, clusterName);
  {
    std::lock_guard lock(mutex_);
    if (const auto found = entries_.find(key);
        found != entries_.end() && found->second.secretResourceVersion == version) {
      return found->second.client;
    }
  }
  kube::ClusterConfig config =
      kube::loadKubeconfigText(kubeconfigFromSecret(*secret), "secret " + ns + "/" + secretName);
  std::shared_ptr<kube::Client> client = makeClient_(config);
  spdlog::info("workload cluster {}/{}: client built from secret resourceVersion {} ({})", ns, clusterName, version,
               config.describe());
  std::lock_guard lock(mutex_);
  entries_[key] = Entry{version, client};
  return client;
}

void WorkloadClients::forget(const std::string& ns, const std::string& clusterName) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::make_pair(ns, clusterName));
}

std::size_t WorkloadClients::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace fivespot::controller
