// The production SecretReader and ClientFactory, apart from workload_clients.cpp so that code
// injecting its own does not pull in the client implementation.
#include "fivespot/controller/workload_clients.hpp"

namespace fivespot::controller {

SecretReader secretReaderFor(kube::Client& management) {
  return [&management](const std::string& ns, const std::string& name) {
    return management.getIfExists(kube::resources::secrets(), ns, name);
  };
}

ClientFactory defaultClientFactory() {
  return [](const kube::ClusterConfig& config) { return std::make_shared<kube::Client>(config); };
}

}  // namespace fivespot::controller
