// Kept apart from lease.cpp so that code using only the JSON form does not pull in the client.
#include "fivespot/controller/lease.hpp"

namespace fivespot::controller {

std::optional<Lease> KubeLeaseClient::get(const std::string& ns, const std::string& name) {
  auto object = client_.getIfExists(kube::resources::leases(), ns, name);
  if (!object) return std::nullopt;
  return leaseFromJson(*object);
}

Lease KubeLeaseClient::create(const Lease& lease) {
  return leaseFromJson(client_.create(kube::resources::leases(), lease.ns, leaseToJson(lease)));
}

Lease KubeLeaseClient::update(const Lease& lease) {
  return leaseFromJson(client_.update(kube::resources::leases(), lease.ns, leaseToJson(lease)));
}

std::vector<Lease> KubeLeaseClient::list(const std::string& ns, const std::string& labelSelector) {
  kube::ListOptions options;
  options.labelSelector = labelSelector;
  const kube::ListResult result = client_.listAll(kube::resources::leases(), ns, options);
  std::vector<Lease> leases;
  leases.reserve(result.items.size());
  for (const auto& item : result.items) leases.push_back(leaseFromJson(item));
  return leases;
}

bool KubeLeaseClient::remove(const std::string& ns, const std::string& name) {
  return client_.remove(kube::resources::leases(), ns, name);
}

}  // namespace fivespot::controller
