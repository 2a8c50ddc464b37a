#pragma once
// Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics:
//  - a candidate takes the lease when it is absent, released (empty holder) or expired
//    (renewTime + leaseDurationSeconds < now on this elector's clock), counting a transition;
//  - the leader renews it every retryPeriod and stops leading if it could not renew for
//    renewDeadline (< leaseDuration, so it stops before anyone else may take over);
//  - every write carries the observed resourceVersion, so of two candidates only one wins; the
//    other gets 409 Conflict and stays a candidate;
//  - on clean shutdown the leader releases the lease (empty holder, 1 s duration) so that a
//    successor does not wait out the full lease duration.
// The decision is a pure function (decideLeaseAction); LeaderElector does the I/O through
// LeaseClient and runs the loop on its own thread.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "fivespot/common/clock.hpp"
#include "fivespot/controller/lease.hpp"
#include "fivespot/controller/wait.hpp"

namespace fivespot::controller {

enum class LeaseAction {
  Create,   // no lease yet: create it, held by us
  Acquire,  // released or expired: take it over
  Renew,    // ours: refresh renewTime
  Wait,     // someone else holds a live lease and we were not leading
  Lost,     // we were leading but no longer may: someone else holds it, or renewDeadline passed
};

const char* toString(LeaseAction action);

// What the elector knows when it decides.
struct ElectionView {
  std::optional<LeaseSpec> observed;  // std::nullopt: no Lease object
  TimePoint now;
  std::string identity;
  bool leading = false;
  TimePoint lastRenewal;  // of our own lease; meaningful while leading
  Duration renewDeadline = std::chrono::seconds(10);
};

[[nodiscard]] bool leaseExpired(const LeaseSpec& lease, TimePoint now);
[[nodiscard]] LeaseAction decideLeaseAction(const ElectionView& view);
// Whether a leader whose renewals fail may go on leading: only until renewDeadline has passed.
[[nodiscard]] bool withinRenewDeadline(bool leading, TimePoint lastRenewal, TimePoint now, Duration renewDeadline);
// The spec to write for Create, Acquire and Renew.
[[nodiscard]] LeaseSpec leaseSpecFor(LeaseAction action, const std::optional<LeaseSpec>& observed, TimePoint now,
                                     const std::string& identity, std::chrono::seconds leaseDuration);
// client-go's ReleaseOnCancel record: no holder, 1 s duration, transitions kept.
[[nodiscard]] LeaseSpec releasedLeaseSpec(const LeaseSpec& held, TimePoint now);

struct LeaderElectionConfig {
  std::string leaseNamespace;
  std::string leaseName;
  std::string identity;  // unique per process; see defaultIdentity()
  std::chrono::seconds leaseDuration{15};
  Duration renewDeadline = std::chrono::seconds(10);
  Duration retryPeriod = std::chrono::seconds(2);
  bool releaseOnCancel = true;
  // Throws ConfigError unless names are set and leaseDuration > renewDeadline > retryPeriod > 0.
  void validate() const;
};

// POD_NAME when set (the Deployment passes it through the downward API), else the host name.
[[nodiscard]] std::string defaultIdentity();

struct LeaderCallbacks {
  // Called on the elector's thread; must return promptly (start or stop workers, do not run them).
  std::function<void()> onStartedLeading;
  std::function<void()> onStoppedLeading;
};

class LeaderElector {
 public:
  LeaderElector(LeaseClient& leases, const Clock& clock, LeaderElectionConfig config, LeaderCallbacks callbacks,
                Waiter waiter = realTimeWaiter());
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Runs the acquire/renew loop on its own thread, one round every retryPeriod.
  void start();
  // Stops the loop and joins it; releases the lease first when leading and releaseOnCancel.
  void stop();

  [[nodiscard]] bool isLeader() const noexcept { return leading_.load(); }

  // One acquire-or-renew round (what the loop does each retryPeriod); returns isLeader() after it.
  // Errors talking to the API server are logged and count as a failed round.
  bool tryAcquireOrRenew();
  // Gives the lease up when we hold it and stops leading.
  void release();

 private:
  // Returns true when the lease was written with us as holder.
  // Reads the lease, decides and writes; returns whether we lead afterwards.
  bool runRound(TimePoint now);
  bool attemptWrite(LeaseAction action, const std::optional<Lease>& observed, TimePoint now);
  void setLeading(bool leading);
  void run(std::stop_token token);

  LeaseClient& leases_;
  const Clock& clock_;
  const LeaderElectionConfig config_;
  const LeaderCallbacks callbacks_;
  const Waiter waiter_;

  std::mutex roundMutex_;  // one round (or release) at a time
  std::atomic<bool> leading_{false};
  TimePoint lastRenewal_{};
  std::jthread thread_;
};

}  // namespace fivespot::controller
