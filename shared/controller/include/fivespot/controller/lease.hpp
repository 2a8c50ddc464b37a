#pragma once
// coordination.k8s.io/v1 Leases as leader election and the instance registry use them, and the
// small I/O interface both go through (an in-memory fake in tests, the API server in production).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/common/clock.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::controller {

struct LeaseSpec {
  std::string holderIdentity;             // empty: released
  std::chrono::seconds leaseDuration{0};  // leaseDurationSeconds
  std::optional<TimePoint> acquireTime;
  std::optional<TimePoint> renewTime;
  int leaseTransitions = 0;
  bool operator==(const LeaseSpec&) const = default;
};

struct Lease {
  std::string ns;
  std::string name;
  std::map<std::string, std::string> labels;
  std::string resourceVersion;  // empty when not yet stored
  LeaseSpec spec;
};

// The Kubernetes JSON form (times as MicroTime, RFC 3339 with microseconds). fromJson throws
// ValidationError when a time field does not parse.
[[nodiscard]] kube::Json leaseToJson(const Lease& lease);
[[nodiscard]] Lease leaseFromJson(const kube::Json& object);

// The lease operations needed here. Writes throw kube::ApiError: 409 AlreadyExists from create()
// and 409 Conflict from update() when the stored resourceVersion moved on (someone else wrote).
class LeaseClient {
 public:
  virtual ~LeaseClient() = default;
  [[nodiscard]] virtual std::optional<Lease> get(const std::string& ns, const std::string& name) = 0;
  virtual Lease create(const Lease& lease) = 0;
  virtual Lease update(const Lease& lease) = 0;
  [[nodiscard]] virtual std::vector<Lease> list(const std::string& ns, const std::string& labelSelector) = 0;
  // False when it was already gone.
  virtual bool remove(const std::string& ns, const std::string& name) = 0;
};

class KubeLeaseClient final : public LeaseClient {
 public:
  explicit KubeLeaseClient(kube::Client& client) : client_(client) {}
  [[nodiscard]] std::optional<Lease> get(const std::string& ns, const std::string& name) override;
  Lease create(const Lease& lease) override;
  Lease update(const Lease& lease) override;
  [[nodiscard]] std::vector<Lease> list(const std::string& ns, const std::string& labelSelector) override;
  bool remove(const std::string& ns, const std::string& name) override;

 private:
  kube::Client& client_;
};

}  // namespace fivespot::controller
