#include "fivespot/testserver/faults.hpp"

#include <algorithm>

namespace fivespot::testserver {
namespace {
bool matchesPattern(const std::string& pattern, const std::string& value) {
  return pattern.empty() || pattern == "*" || pattern == value;
}
}  // namespace

void FaultInjector::failNext(Failure failure) {
  std::lock_guard lock(mutex_);
  failures_.push_back(std::move(failure));
}

std::optional<int> FaultInjector::takeFailure(const std::string& verb, const std::string& resource) {
  std::lock_guard lock(mutex_);
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (!matchesPattern(it->verb, verb) || !matchesPattern(it->resource, resource)) continue;
    const int code = it->code;
    if (--it->remaining <= 0) failures_.erase(it);
    return code;
  }
  return std::nullopt;
}

void FaultInjector::clear() {
  std::lock_guard lock(mutex_);
  failures_.clear();
  delayMs_ = 0;
}

}  // namespace fivespot::testserver
