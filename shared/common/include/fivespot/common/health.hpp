#pragma once
// `/health` (liveness) and `/ready` (readiness) endpoints. Each answers 200 when every registered
// check passes and 503 with the failing checks' reasons otherwise, like controller-runtime's healthz.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fivespot {

class HealthServer {
 public:
  // Returns std::nullopt when healthy, otherwise the reason it is not.
  using Check = std::function<std::optional<std::string>()>;

  // bindAddress as "host:port"; port 0 picks a free one. Throws ConfigError when it cannot bind.
  explicit HealthServer(const std::string& bindAddress);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  void addLivenessCheck(std::string name, Check check);
  void addReadinessCheck(std::string name, Check check);
  [[nodiscard]] std::uint16_t port() const;

  struct Result {
    bool ok;
    std::string body;
  };
  [[nodiscard]] Result evaluateLiveness() const;
  [[nodiscard]] Result evaluateReadiness() const;

 private:
  class Impl;
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Check>> liveness_;
  std::vector<std::pair<std::string, Check>> readiness_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fivespot
