#include "fivespot/controller/leader_election.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::controller {
const char* toString(LeaseAction action) {
  switch (action) {
    case LeaseAction::Create:
      return "create";
    case LeaseAction::Acquire:
      return "acquire";
    case LeaseAction::Renew:
      return "renew";
    case LeaseAction::Wait:
      return "wait";
    case LeaseAction::Lost:
      return "lost";
  }
  return "unknown";
}

bool leaseExpired(const LeaseSpec& lease, TimePoint now) {
  if (!lease.renewTime) return true;  // never renewed: nobody can be relying on it
  return *lease.renewTime + lease.leaseDuration < now;
}

bool withinRenewDeadline(bool leading, TimePoint lastRenewal, TimePoint now, Duration renewDeadline) {
  return leading && now - lastRenewal <= renewDeadline;
}

LeaseAction decideLeaseAction(const ElectionView& view) {
  // Checked first: a leader that could not renew in time must stop acting before anyone else may
  // take over (renewDeadline < leaseDuration), even if the lease still names it.
  if (view.leading && !withinRenewDeadline(true, view.lastRenewal, view.now, view.renewDeadline)) {
    return LeaseAction::Lost;
  }
  if (!view.observed) return LeaseAction::Create;
  if (view.observed->holderIdentity == view.identity) return LeaseAction::Renew;
  if (view.observed->holderIdentity.empty() || leaseExpired(*view.observed, view.now)) return LeaseAction::Acquire;
  return view.leading ? LeaseAction::Lost : LeaseAction::Wait;
}

LeaseSpec leaseSpecFor(LeaseAction action, const std::optional<LeaseSpec>& observed, TimePoint now,
                       const std::string& identity, std::chrono::seconds leaseDuration) {
  LeaseSpec spec;
  spec.holderIdentity = identity;
  spec.leaseDuration = leaseDuration;
  spec.renewTime = now;
  switch (action) {
    case LeaseAction::Create:
      spec.acquireTime = now;
      spec.leaseTransitions = 0;
      break;
    case LeaseAction::Acquire:
      spec.acquireTime = now;
      spec.leaseTransitions = observed ? observed->leaseTransitions + 1 : 0;
      break;
    case LeaseAction::Renew:
      spec.acquireTime = observed && observed->acquireTime ? observed->acquireTime : std::optional<TimePoint>(now);
      spec.leaseTransitions = observed ? observed->leaseTransitions : 0;
      break;
    case LeaseAction::Wait:
    case LeaseAction::Lost:
      throw Error(ErrorKind::Internal, "leader election", std::string("no lease to write for ") + toString(action));
  }
  return spec;
}

LeaseSpec releasedLeaseSpec(const LeaseSpec& held, TimePoint now) {
  LeaseSpec spec;
  spec.holderIdentity.clear();
  spec.leaseDuration = std::chrono::seconds(1);
  spec.acquireTime = now;
  spec.renewTime = now;
  spec.leaseTransitions = held.leaseTransitions;
  return spec;
}

void LeaderElectionConfig::validate() const {
  const std::string context = "leader election lease " + leaseNamespace + "/" + leaseName;
  if (leaseNamespace.empty() || leaseName.empty()) throw ConfigError(context, "lease namespace and name are required");
  if (identity.empty()) throw ConfigError(context, "identity is required");
  if (retryPeriod <= Duration::zero()) throw ConfigError(context, "retryPeriod must be positive");
  if (renewDeadline <= retryPeriod) throw ConfigError(context, "renewDeadline must be longer than retryPeriod");
  if (leaseDuration <= renewDeadline) throw ConfigError(context, "leaseDuration must be longer than renewDeadline");
}

std::string defaultIdentity() {
  if (const char* pod = std::getenv("POD_NAME"); pod != nullptr && *pod != '\0') return pod;
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') {
    throw ConfigError("leader election identity", "POD_NAME is not set and the host name is unavailable");
  }
  return host.data();
}

LeaderElector::LeaderElector(LeaseClient& leases, const Clock& clock, LeaderElectionConfig config,
                             LeaderCallbacks callbacks, Waiter waiter)
    : leases_(leases),
      clock_(clock),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      waiter_(std::move(waiter)) {
  config_.validate();
}

LeaderElector::~LeaderElector() {
  stop();
}

void LeaderElector::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token token) { run(std::move(token)); });
}

void LeaderElector::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void LeaderElector::run(std::stop_token token) {
  while (!token.stop_requested()) {
    tryAcquireOrRenew();
    if (!waiter_(token, config_.retryPeriod)) break;
  }
  if (config_.releaseOnCancel) {
    release();
  } else {
    setLeading(false);
  }
}

bool LeaderElector::tryAcquireOrRenew() {
  bool leadingAfter = false;
  {
    std::lock_guard round(roundMutex_);
    leadingAfter = runRound(clock_.now());
  }
  setLeading(leadingAfter);
  return leadingAfter;
}

bool LeaderElector::runRound(TimePoint now) {
  const bool leading = leading_.load();
  std::optional<Lease> observed;
  try {
    observed = leases_.get(config_.leaseNamespace, config_.leaseName);
  } catch (const Error& error) {
    spdlog::warn("leader election: reading lease {}/{} failed: {}", config_.leaseNamespace, config_.leaseName,
                 error.what());
    return withinRenewDeadline(leading, lastRenewal_, now, config_.renewDeadline);
  }
  const ElectionView view{observed ? std::optional<LeaseSpec>(observed->spec) : std::nullopt,
                          now,
                          config_.identity,
                          leading,
                          lastRenewal_,
                          config_.renewDeadline};
  const LeaseAction action = decideLeaseAction(view);
  if (action == LeaseAction::Wait || action == LeaseAction::Lost) return false;
  if (attemptWrite(action, observed, now)) {
    lastRenewal_ = now;
    return true;
  }
  // A failed renewal keeps us leading until renewDeadline; the next rounds retry.
  return withinRenewDeadline(leading, lastRenewal_, now, config_.renewDeadline);
}

bool LeaderElector::attemptWrite(LeaseAction action, const std::optional<Lease>& observed, TimePoint now) {
  Lease lease = observed.value_or(Lease{config_.leaseNamespace, config_.leaseName, {}, "", {}});
  const std::optional<LeaseSpec> observedSpec = observed ? std::optional<LeaseSpec>(observed->spec) : std::nullopt;
  lease.spec = leaseSpecFor(action, observedSpec, now, config_.identity, config_.leaseDuration);
  try {
    if (action == LeaseAction::Create) {
      leases_.create(lease);
    } else {
      leases_.update(lease);
    }
    return true;
  } catch (const kube::ApiError& error) {
    if (error.code() == 409) {
      spdlog::debug("leader election: {} of lease {}/{} lost a race: {}", toString(action), lease.ns, lease.name,
                    error.what());
    } else {
      spdlog::warn("leader election: {} of lease {}/{} failed: {}", toString(action), lease.ns, lease.name,
                   error.what());
    }
  } catch (const Error& error) {
    spdlog::warn("leader election: {} of lease {}/{} failed: {}", toString(action), lease.ns, lease.name, error.what());
  }
  return false;
}

void LeaderElector::release() {
  {
    std::lock_guard round(roundMutex_);
    if (!leading_.load()) return;
    try {
      auto held = leases_.get(config_.leaseNamespace, config_.leaseName);
      if (held && held->spec.holderIdentity == config_.identity) {
        held->spec = releasedLeaseSpec(held->spec, clock_.now());
        leases_.update(*held);
        spdlog::info("leader election: released lease {}/{}", config_.leaseNamespace, config_.leaseName);
      }
    } catch (const Error& error) {
      // The lease then simply expires after leaseDuration.
      spdlog::warn("leader election: releasing lease {}/{} failed: {}", config_.leaseNamespace, config_.leaseName,
                   error.what());
    }
  }
  setLeading(false);
}

void LeaderElector::setLeading(bool leading) {
  if (leading_.exchange(leading) == leading) return;
  spdlog::info("leader election: {} {} lease {}/{}", config_.identity, leading ? "now leads with" : "stopped leading",
               config_.leaseNamespace, config_.leaseName);
  const auto& callback = leading ? callbacks_.onStartedLeading : callbacks_.onStoppedLeading;
  if (callback) callback();
}

}  // namespace fivespot::controller
