#include "fivespot/controller/lease.hpp"

#include "fivespot/common/time_format.hpp"

namespace fivespot::controller {
namespace {

void setTime(kube::Json& spec, const char* field, const std::optional<TimePoint>& time) {
  if (time) spec[field] = formatRfc3339Micro(*time);
}

std::optional<TimePoint> readTime(const kube::Json& spec, const char* field) {
  const auto found = spec.find(field);
  if (found == spec.end() || !found->is_string()) return std::nullopt;
  return parseRfc3339(found->get<std::string>(), std::string("spec.") + field);
}

}  // namespace

kube::Json leaseToJson(const Lease& lease) {
  kube::Json object = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", lease.name}, {"namespace", lease.ns}}},
  };
  if (!lease.labels.empty()) object["metadata"]["labels"] = lease.labels;
  if (!lease.resourceVersion.empty()) object["metadata"]["resourceVersion"] = lease.resourceVersion;
  kube::Json spec = kube::Json::object();
  // An empty holder is written as "" (not omitted) so that a release is visible as such.
  spec["holderIdentity"] = lease.spec.holderIdentity;
  spec["leaseDurationSeconds"] = lease.spec.leaseDuration.count();
  spec["leaseTransitions"] = lease.spec.leaseTransitions;
  setTime(spec, "acquireTime", lease.spec.acquireTime);
  setTime(spec, "renewTime", lease.spec.renewTime);
  object["spec"] = std::move(spec);
  return object;
}

Lease leaseFromJson(const kube::Json& object) {
  Lease lease;
  const kube::Json metadata = object.value("metadata", kube::Json::object());
  lease.name = metadata.value("name", "");
  lease.ns = metadata.value("namespace", "");
  lease.resourceVersion = metadata.value("resourceVersion", "");
  if (const auto labels = metadata.find("labels"); labels != metadata.end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) lease.labels[key] = value.get<std::string>();
    }
  }
  const kube::Json spec = object.value("spec", kube::Json::object());
  lease.spec.holderIdentity = spec.value("holderIdentity", "");
  lease.spec.leaseDuration = std::chrono::seconds(spec.value("leaseDurationSeconds", 0));
  lease.spec.leaseTransitions = spec.value("leaseTransitions", 0);
  lease.spec.acquireTime = readTime(spec, "acquireTime");
  lease.spec.renewTime = readTime(spec, "renewTime");
  return lease;
}

}  // namespace fivespot::controller
