#pragma once
// Fault injection for tests, driven over /fault/... by an admin: fail the next N requests that
// match a verb and resource, delay every request.
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::testserver {

class FaultInjector {
 public:
  struct Failure {
    std::string verb;      // "" or "*" matches any verb
    std::string resource;  // "" or "*" matches any; "pods" or "pods/eviction"
    int remaining = 1;
    int code = 500;
  };
  void failNext(Failure failure);
  // The code to fail this request with, consuming one of a matching failure's count.
  [[nodiscard]] std::optional<int> takeFailure(const std::string& verb, const std::string& resource);
  void setDelay(std::chrono::milliseconds delay) { delayMs_ = delay.count(); }
  [[nodiscard]] std::chrono::milliseconds delay() const { return std::chrono::milliseconds(delayMs_.load()); }
  void clear();

 private:
  std::mutex mutex_;
  std::vector<Failure> failures_;
  std::atomic<long long> delayMs_{0};
};

}  // namespace fivespot::testserver
