#pragma once
// An in-memory Lease store with the API server's optimistic concurrency: every write bumps the
// resourceVersion, create of an existing name is 409 AlreadyExists, update with a stale
// resourceVersion is 409 Conflict. Thread-safe.
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "fivespot/controller/lease.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::controller::testing {

class FakeLeaseClient final : public LeaseClient {
 public:
  std::optional<Lease> get(const std::string& ns, const std::string& name) override {
    std::optional<Lease> found;
    std::function<void()> hook;
    {
      std::lock_guard lock(mutex_);
      failIfAsked("get");
      const auto entry = leases_.find(ns + "/" + name);
      if (entry != leases_.end()) found = entry->second;
      hook = std::exchange(afterNextGet_, nullptr);
    }
    // Lets a test interleave another writer between this read and the caller's write.
    if (hook) hook();
    return found;
  }

  Lease create(const Lease& lease) override {
    std::lock_guard lock(mutex_);
    failIfAsked("create");
    const std::string key = lease.ns + "/" + lease.name;
    if (leases_.contains(key)) throw kube::ApiError(409, "AlreadyExists", "lease exists", "POST " + key);
    Lease stored = lease;
    stored.resourceVersion = std::to_string(++version_);
    leases_[key] = stored;
    ++writes_;
    return stored;
  }

  Lease update(const Lease& lease) override {
    std::lock_guard lock(mutex_);
    failIfAsked("update");
    const std::string key = lease.ns + "/" + lease.name;
    const auto entry = leases_.find(key);
    if (entry == leases_.end()) throw kube::ApiError(404, "NotFound", "no lease", "PUT " + key);
    if (entry->second.resourceVersion != lease.resourceVersion) {
      throw kube::ApiError(409, "Conflict", "the object has been modified", "PUT " + key);
    }
    Lease stored = lease;
    stored.resourceVersion = std::to_string(++version_);
    entry->second = stored;
    ++writes_;
    return stored;
  }

  std::vector<Lease> list(const std::string& ns, const std::string& labelSelector) override {
    std::lock_guard lock(mutex_);
    failIfAsked("list");
    const auto equals = labelSelector.find('=');
    const std::string label = labelSelector.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : labelSelector.substr(equals + 1);
    std::vector<Lease> matching;
    for (const auto& [key, lease] : leases_) {
      if (lease.ns != ns) continue;
      const auto found = lease.labels.find(label);
      if (!labelSelector.empty() && (found == lease.labels.end() || found->second != value)) continue;
      matching.push_back(lease);
    }
    return matching;
  }

  bool remove(const std::string& ns, const std::string& name) override {
    std::lock_guard lock(mutex_);
    failIfAsked("delete");
    return leases_.erase(ns + "/" + name) > 0;
  }

  // Test controls.
  std::optional<Lease> stored(const std::string& ns, const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto entry = leases_.find(ns + "/" + name);
    if (entry == leases_.end()) return std::nullopt;
    return entry->second;
  }
  void put(Lease lease) {
    std::lock_guard lock(mutex_);
    lease.resourceVersion = std::to_string(++version_);
    leases_[lease.ns + "/" + lease.name] = std::move(lease);
  }
  void setUnreachable(bool unreachable) {
    std::lock_guard lock(mutex_);
    unreachable_ = unreachable;
  }
  void afterNextGet(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    afterNextGet_ = std::move(hook);
  }
  int writes() const {
    std::lock_guard lock(mutex_);
    return writes_;
  }

 private:
  void failIfAsked(const std::string& verb) const {
    if (unreachable_) throw kube::TransportError(verb + " lease", "connection refused");
  }

  mutable std::mutex mutex_;
  std::map<std::string, Lease> leases_;
  long version_ = 0;
  int writes_ = 0;
  bool unreachable_ = false;
  std::function<void()> afterNextGet_;
};

}  // namespace fivespot::controller::testing
