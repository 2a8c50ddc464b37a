#pragma once
// What the coordinator checks once before it starts its informers, so that a misconfigured
// cluster fails fast with a message that says how to fix it instead of retrying forever.
#include <string>

#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

// The cluster.x-k8s.io version to use for Machines: v1beta2 when served, else v1beta1. Throws
// ConfigError when the server serves neither (Cluster API is not installed).
std::string discoverCapiVersion(kube::Client& client);

// Lists one ScheduledMachine (in `watchNamespace`, or all namespaces) to prove the CRD is installed
// and readable. Throws ConfigError saying how to install the CRDs (404) or fix RBAC (403).
void requireScheduledMachineCrd(kube::Client& client, const std::string& watchNamespace);

}  // namespace fivespot::coordinator
