#include "ownership.hpp"

#include <spdlog/spdlog.h>

namespace fivespot::coordinator {

Ownership::Ownership(controller::LeaseClient& leases, const Clock& clock, OwnershipConfig config, Callbacks callbacks)
    : config_(std::move(config)), callbacks_(std::move(callbacks)) {
  if (config_.leaderElection) {
    controller::LeaderCallbacks leader;
    leader.onStartedLeading = [this] {
      spdlog::info("became the leader ({}): acting on ScheduledMachines", config_.election.identity);
      callbacks_.onLeadershipChanged(true);
      callbacks_.onOwnershipChanged(std::chrono::seconds(0));
    };
    leader.onStoppedLeading = [this] {
      spdlog::warn("lost leadership ({}): standing by", config_.election.identity);
      callbacks_.onLeadershipChanged(false);
      callbacks_.onLostLeadership();
    };
    elector_ = std::make_unique<controller::LeaderElector>(leases, clock, config_.election, std::move(leader));
  }
  if (config_.sharding) {
    shard_ = std::make_unique<controller::ShardAssignment>(config_.registry.instanceId, clock,
                                                           config_.registry.leaseDuration);
    registry_ = std::make_unique<controller::InstanceRegistry>(
        leases, clock, config_.registry, [this](const std::vector<std::string>& members) {
          spdlog::info("live coordinator instances: {}", fmt::join(members, ", "));
          shard_->setMembers(members);
          callbacks_.onOwnershipChanged(config_.registry.leaseDuration + std::chrono::seconds(1));
        });
  }
}

Ownership::~Ownership() {
  stop();
}

void Ownership::start() {
  if (registry_) registry_->start();
  if (elector_) elector_->start();
  if (!elector_) callbacks_.onLeadershipChanged(true);
}

void Ownership::stop() {
  if (elector_) elector_->stop();
  if (registry_) registry_->stop();
}

bool Ownership::isLeader() const {
  return !elector_ || elector_->isLeader();
}

Access Ownership::access(const std::string& key) const {
  if (elector_ && !elector_->isLeader()) return Access::Denied;
  if (!shard_ || shard_->owns(key)) return Access::Act;
  return shard_->owner(key) == config_.registry.instanceId ? Access::Settling : Access::Denied;
}

}  // namespace fivespot::coordinator
