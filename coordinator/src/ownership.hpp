#pragma once
// Whether this instance may act on a key: it leads (when leader election is on) and the key is in
// its shard (when sharding is on, with the hand-over settle rule of ShardAssignment). Informers run
// on every replica regardless, so a standby that takes over starts from warm caches.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fivespot/controller/instance_registry.hpp"
#include "fivespot/controller/leader_election.hpp"
#include "fivespot/controller/lease.hpp"

namespace fivespot::coordinator {

struct OwnershipConfig {
  bool leaderElection = false;
  controller::LeaderElectionConfig election;
  bool sharding = false;
  controller::InstanceRegistryConfig registry;
};

// Whether this instance may act on a key now.
enum class Access {
  Act,
  Settling,  // the key is this instance's, but the hand-over settle delay has not passed yet
  Denied,    // another instance's key, or not the leader
};

class Ownership {
 public:
  struct Callbacks {
    // Leadership or the shard changed: every key may need attention (called on the elector's or
    // registry's thread; must return promptly). `settleDelay` > 0: call again after it, when newly
    // owned keys become actionable.
    std::function<void(std::chrono::seconds settleDelay)> onOwnershipChanged;
    std::function<void()> onLostLeadership;
    std::function<void(bool leading)> onLeadershipChanged;
  };

  Ownership(controller::LeaseClient& leases, const Clock& clock, OwnershipConfig config, Callbacks callbacks);
  ~Ownership();
  Ownership(const Ownership&) = delete;
  Ownership& operator=(const Ownership&) = delete;

  void start();
  // Releases the leader Lease and deletes the instance Lease (clean shutdown).
  void stop();

  [[nodiscard]] bool isLeader() const;
  [[nodiscard]] bool mayAct(const std::string& key) const { return access(key) == Access::Act; }
  [[nodiscard]] Access access(const std::string& key) const;
  // How long a Settling key waits at most (the settle delay).
  [[nodiscard]] std::chrono::seconds settleDelay() const { return config_.registry.leaseDuration; }

 private:
  const OwnershipConfig config_;
  const Callbacks callbacks_;
  std::unique_ptr<controller::LeaderElector> elector_;
  std::unique_ptr<controller::ShardAssignment> shard_;
  std::unique_ptr<controller::InstanceRegistry> registry_;
};

}  // namespace fivespot::coordinator
