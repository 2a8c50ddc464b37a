#include "startup.hpp"

#include <spdlog/spdlog.h>

#include "fivespot/common/error.hpp"

namespace fivespot::coordinator {

std::string discoverCapiVersion(kube::Client& client) {
  const auto version = client.preferredVersion("cluster.x-k8s.io", {"v1beta2", "v1beta1"});
  if (!version) {
    throw ConfigError("cluster.x-k8s.io",
                      "the API server serves neither cluster.x-k8s.io/v1beta2 nor v1beta1: install Cluster API "
                      "(clusterctl init) before starting the coordinator");
  }
  spdlog::info("using Cluster API cluster.x-k8s.io/{} for Machines", *version);
  return *version;
}

void requireScheduledMachineCrd(kube::Client& client, const std::string& watchNamespace) {
  try {
    kube::ListOptions options;
    options.limit = 1;
    client.list(kube::resources::scheduledMachines(), watchNamespace, options);
  } catch (const kube::ApiError& error) {
    if (error.isNotFound()) {
      throw ConfigError("scheduledmachines.5spot.finos.org",
                        "the ScheduledMachine CRD is not installed: kubectl apply -f crds/ (or the release's "
                        "crds.yaml), then restart the coordinator");
    }
    if (error.isForbidden()) {
      throw ConfigError("scheduledmachines.5spot.finos.org",
                        "not allowed to list ScheduledMachines (" + error.serverMessage() +
                            "): apply deploy/coordinator/ RBAC for this service account");
    }
    throw;
  }
}

}  // namespace fivespot::coordinator
