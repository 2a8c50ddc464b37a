#include "fivespot/controller/instance_registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::controller {

void InstanceRegistryConfig::validate() const {
  const std::string context = "instance registry " + ns + "/" + prefix;
  if (ns.empty() || prefix.empty()) throw ConfigError(context, "namespace and prefix are required");
  if (instanceId.empty()) throw ConfigError(context, "instance id is required");
  if (retryPeriod <= Duration::zero()) throw ConfigError(context, "retryPeriod must be positive");
  if (renewDeadline <= retryPeriod) throw ConfigError(context, "renewDeadline must be longer than retryPeriod");
  if (leaseDuration <= renewDeadline) throw ConfigError(context, "leaseDuration must be longer than renewDeadline");
}

std::vector<std::string> liveInstances(const std::vector<Lease>& leases, const std::string& prefix, TimePoint now) {
  std::vector<std::string> live;
  for (const Lease& lease : leases) {
    const auto label = lease.labels.find(kInstanceRegistryLabel);
    if (label == lease.labels.end() || label->second != prefix) continue;
    const LeaseSpec& spec = lease.spec;
    if (spec.holderIdentity.empty() || !spec.renewTime) continue;
    if (*spec.renewTime + spec.leaseDuration <= now) continue;
    live.push_back(spec.holderIdentity);
  }
  std::sort(live.begin(), live.end());
  live.erase(std::unique(live.begin(), live.end()), live.end());
  return live;
}

InstanceRegistry::InstanceRegistry(LeaseClient& leases, const Clock& clock, InstanceRegistryConfig config,
                                   MembershipCallback onMembershipChanged, Waiter waiter)
    : leases_(leases),
      clock_(clock),
      config_(std::move(config)),
      onMembershipChanged_(std::move(onMembershipChanged)),
      waiter_(std::move(waiter)) {
  config_.validate();
}

InstanceRegistry::~InstanceRegistry() {
  stop();
}

void InstanceRegistry::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token token) { run(std::move(token)); });
}

void InstanceRegistry::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void InstanceRegistry::run(std::stop_token token) {
  while (!token.stop_requested()) {
    refresh();
    if (!waiter_(token, config_.retryPeriod)) break;
  }
  deregister();
}

void InstanceRegistry::refresh() {
  const TimePoint now = clock_.now();
  const bool renewed = renewOwnLease(now);
  std::vector<std::string> live;
  try {
    live = liveInstances(leases_.list(config_.ns, config_.labelSelector()), config_.prefix, now);
  } catch (const Error& error) {
    spdlog::warn("instance registry {}: listing leases failed, keeping the previous view: {}", config_.prefix,
                 error.what());
    live = members();
  }
  if (renewed) {
    // Our own write may not be visible in the list yet (it was read right after).
    if (!std::binary_search(live.begin(), live.end(), config_.instanceId)) {
      live.insert(std::lower_bound(live.begin(), live.end(), config_.instanceId), config_.instanceId);
    }
  } else {
    const bool overdue = !lastOwnRenewal_ || now - *lastOwnRenewal_ > config_.renewDeadline;
    if (overdue) std::erase(live, config_.instanceId);
  }
  publish(std::move(live));
}

bool InstanceRegistry::renewOwnLease(TimePoint now) {
  try {
    auto own = leases_.get(config_.ns, config_.leaseName());
    Lease lease = own.value_or(Lease{config_.ns, config_.leaseName(), {}, "", {}});
    lease.labels[kInstanceRegistryLabel] = config_.prefix;
    lease.spec.holderIdentity = config_.instanceId;
    lease.spec.leaseDuration = config_.leaseDuration;
    lease.spec.renewTime = now;
    if (!own || !lease.spec.acquireTime) lease.spec.acquireTime = now;
    if (own) {
      leases_.update(lease);
    } else {
      leases_.create(lease);
    }
    lastOwnRenewal_ = now;
    return true;
  } catch (const Error& error) {
    spdlog::warn("instance registry {}: renewing lease {}/{} failed: {}", config_.prefix, config_.ns,
                 config_.leaseName(), error.what());
    return false;
  }
}

void InstanceRegistry::deregister() {
  try {
    leases_.remove(config_.ns, config_.leaseName());
    spdlog::info("instance registry {}: removed lease {}/{}", config_.prefix, config_.ns, config_.leaseName());
  } catch (const Error& error) {
    // The lease then expires after leaseDuration and the others take over then.
    spdlog::warn("instance registry {}: removing lease {}/{} failed: {}", config_.prefix, config_.ns,
                 config_.leaseName(), error.what());
  }
  publish({});
}

void InstanceRegistry::publish(std::vector<std::string> members) {
  {
    std::lock_guard lock(mutex_);
    if (members == members_) return;
    members_ = members;
  }
  spdlog::info("instance registry {}: {} live instance(s)", config_.prefix, members.size());
  if (onMembershipChanged_) onMembershipChanged_(members);
}

std::vector<std::string> InstanceRegistry::members() const {
  std::lock_guard lock(mutex_);
  return members_;
}

ShardAssignment::ShardAssignment(std::string self, const Clock& clock, Duration settleDelay, int virtualNodes)
    : self_(std::move(self)), clock_(clock), settleDelay_(settleDelay), virtualNodes_(virtualNodes) {}

void ShardAssignment::setMembers(const std::vector<std::string>& members) {
  HashRing next(members, virtualNodes_);
  std::lock_guard lock(mutex_);
  if (next.members() == current_.members()) return;
  const TimePoint now = clock_.now();
  std::erase_if(recent_, [&](const PastRing& past) { return past.replacedAt + settleDelay_ <= now; });
  // The ring before the first membership is empty (we owned nothing), so at start-up every key
  // waits out the settle delay like any other newly owned key.
  recent_.push_back(PastRing{std::move(current_), now});
  current_ = std::move(next);
}

std::optional<std::string> ShardAssignment::owner(std::string_view key) const {
  std::lock_guard lock(mutex_);
  return current_.owner(key);
}

bool ShardAssignment::owns(std::string_view key) const {
  std::lock_guard lock(mutex_);
  if (!current_.isOwner(self_, key)) return false;
  const TimePoint now = clock_.now();
  return std::all_of(recent_.begin(), recent_.end(), [&](const PastRing& past) {
    return past.replacedAt + settleDelay_ <= now || past.ring.isOwner(self_, key);
  });
}

std::vector<std::string> ShardAssignment::members() const {
  std::lock_guard lock(mutex_);
  return current_.members();
}

}  // namespace fivespot::controller
