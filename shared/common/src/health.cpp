#include "fivespot/common/health.hpp"

#include <CivetServer.h>

#include "fivespot/common/error.hpp"

namespace fivespot {
namespace {

HealthServer::Result evaluate(const std::vector<std::pair<std::string, HealthServer::Check>>& checks) {
  HealthServer::Result result{true, ""};
  for (const auto& [name, check] : checks) {
    std::optional<std::string> failure;
    try {
      failure = check();
    } catch (const std::exception& e) {
      failure = std::string("check threw: ") + e.what();
    }
    if (failure) {
      result.ok = false;
      result.body += "[-] " + name + ": " + *failure + "\n";
    } else {
      result.body += "[+] " + name + " ok\n";
    }
  }
  result.body += result.ok ? "ok\n" : "failed\n";
  return result;
}

class EndpointHandler final : public CivetHandler {
 public:
  explicit EndpointHandler(std::function<HealthServer::Result()> evaluate) : evaluate_(std::move(evaluate)) {}
  bool handleGet(CivetServer* /*server*/, mg_connection* conn) override {
    const auto result = evaluate_();
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
              "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
              result.ok ? 200 : 503, result.ok ? "OK" : "Service Unavailable", result.body.size());
    mg_write(conn, result.body.data(), result.body.size());
    return true;
  }

 private:
  std::function<HealthServer::Result()> evaluate_;
};

}  // namespace

class HealthServer::Impl {
 public:
  Impl(const std::string& bindAddress, HealthServer& owner)
      : health_([&owner] { return owner.evaluateLiveness(); }), ready_([&owner] { return owner.evaluateReadiness(); }) {
    const std::vector<std::string> options{"listening_ports", bindAddress, "num_threads", "2"};
    try {
      server_ = std::make_unique<CivetServer>(options);
    } catch (const std::exception& e) {
      throw ConfigError("health listener " + bindAddress, std::string("cannot listen: ") + e.what());
    }
    server_->addHandler("/health", health_);
    server_->addHandler("/healthz", health_);
    server_->addHandler("/ready", ready_);
    server_->addHandler("/readyz", ready_);
  }
  [[nodiscard]] std::uint16_t port() const {
    const auto ports = server_->getListeningPorts();
    return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
  }

 private:
  EndpointHandler health_;
  EndpointHandler ready_;
  std::unique_ptr<CivetServer> server_;
};

HealthServer::HealthServer(const std::string& bindAddress) : impl_(std::make_unique<Impl>(bindAddress, *this)) {}

HealthServer::~HealthServer() = default;

void HealthServer::addLivenessCheck(std::string name, Check check) {
  std::lock_guard lock(mutex_);
  liveness_.emplace_back(std::move(name), std::move(check));
}

void HealthServer::addReadinessCheck(std::string name, Check check) {
  std::lock_guard lock(mutex_);
  readiness_.emplace_back(std::move(name), std::move(check));
}

std::uint16_t HealthServer::port() const {
  return impl_->port();
}

HealthServer::Result HealthServer::evaluateLiveness() const {
  std::lock_guard lock(mutex_);
  return evaluate(liveness_);
}

HealthServer::Result HealthServer::evaluateReadiness() const {
  std::lock_guard lock(mutex_);
  return evaluate(readiness_);
}

}  // namespace fivespot
