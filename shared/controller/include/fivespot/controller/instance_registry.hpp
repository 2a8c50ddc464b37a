#pragma once
// Instance registry on Leases, for sharding work across coordinator instances.
// Each instance keeps its own Lease "<prefix>-<instanceId>" labelled
// 5spot.finos.org/instance-registry=<prefix>, renewed every retryPeriod and deleted on clean
// shutdown. The live instances are the holders of labelled Leases whose renewTime + duration is
// still ahead of now. ShardAssignment turns the live set into key ownership (hash ring) and applies
// the hand-over rule (see ShardAssignment and docs/controller-runtime.md).
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fivespot/common/clock.hpp"
#include "fivespot/controller/hash_ring.hpp"
#include "fivespot/controller/lease.hpp"
#include "fivespot/controller/wait.hpp"

namespace fivespot::controller {

inline constexpr const char* kInstanceRegistryLabel = "5spot.finos.org/instance-registry";

struct InstanceRegistryConfig {
  std::string ns;
  std::string prefix;      // e.g. "fivespot-coordinator"
  std::string instanceId;  // unique per process, e.g. the pod name
  std::chrono::seconds leaseDuration{15};
  // An instance whose own renewals fail for this long drops itself from the members it reports
  // (so it owns nothing) before the others may consider it dead (leaseDuration).
  Duration renewDeadline = std::chrono::seconds(10);
  Duration retryPeriod = std::chrono::seconds(2);

  [[nodiscard]] std::string leaseName() const { return prefix + "-" + instanceId; }
  [[nodiscard]] std::string labelSelector() const { return std::string(kInstanceRegistryLabel) + "=" + prefix; }
  // Throws ConfigError unless names are set and leaseDuration > renewDeadline > retryPeriod > 0.
  void validate() const;
};

// The live instance ids (holders), sorted and unique: leases labelled for `prefix`, with a holder,
// and renewTime + leaseDuration > now.
[[nodiscard]] std::vector<std::string> liveInstances(const std::vector<Lease>& leases, const std::string& prefix,
                                                     TimePoint now);

class InstanceRegistry {
 public:
  // Called on the registry's thread (or the caller of refresh()) with the new live set.
  using MembershipCallback = std::function<void(const std::vector<std::string>& members)>;

  InstanceRegistry(LeaseClient& leases, const Clock& clock, InstanceRegistryConfig config,
                   MembershipCallback onMembershipChanged, Waiter waiter = realTimeWaiter());
  ~InstanceRegistry();
  InstanceRegistry(const InstanceRegistry&) = delete;
  InstanceRegistry& operator=(const InstanceRegistry&) = delete;

  // Runs refresh() every retryPeriod on its own thread.
  void start();
  // Stops the loop, joins it and deletes our Lease so that the others take over at once.
  void stop();

  // One round: renew our Lease, list the registry, publish the live set when it changed. API errors
  // are logged; the previous view is kept (minus ourselves once our renewals are overdue).
  void refresh();
  // Deletes our Lease (clean shutdown).
  void deregister();
  [[nodiscard]] std::vector<std::string> members() const;

 private:
  bool renewOwnLease(TimePoint now);
  void publish(std::vector<std::string> members);
  void run(std::stop_token token);

  LeaseClient& leases_;
  const Clock& clock_;
  const InstanceRegistryConfig config_;
  const MembershipCallback onMembershipChanged_;
  const Waiter waiter_;

  mutable std::mutex mutex_;
  std::vector<std::string> members_;
  std::optional<TimePoint> lastOwnRenewal_;
  std::jthread thread_;
};

// Which keys this instance may act on, given the live members.
//
// Hand-over rule (no two instances ever act on one key at once): when the membership changes, an
// instance stops acting on keys it no longer owns immediately, and starts acting on keys it newly
// owns only after a settle delay (one lease duration), by which time the previous owner has seen
// the change too (it refreshes every retryPeriod, and an instance that cannot refresh drops itself
// within renewDeadline < leaseDuration). A key counts as newly owned if any ring in force during
// the last settle delay gave it to someone else; at start-up every key is newly owned.
class ShardAssignment {
 public:
  ShardAssignment(std::string self, const Clock& clock, Duration settleDelay,
                  int virtualNodes = HashRing::kDefaultVirtualNodes);

  void setMembers(const std::vector<std::string>& members);
  // The key's owner under the current membership (whether or not it may act yet).
  [[nodiscard]] std::optional<std::string> owner(std::string_view key) const;
  // Whether this instance may act on the key now.
  [[nodiscard]] bool owns(std::string_view key) const;
  [[nodiscard]] std::vector<std::string> members() const;
  [[nodiscard]] const std::string& self() const noexcept { return self_; }

 private:
  struct PastRing {
    HashRing ring;
    TimePoint replacedAt;
  };

  const std::string self_;
  const Clock& clock_;
  const Duration settleDelay_;
  const int virtualNodes_;

  mutable std::mutex mutex_;
  HashRing current_;
  std::vector<PastRing> recent_;  // rings replaced within the last settle delay
};

}  // namespace fivespot::controller
