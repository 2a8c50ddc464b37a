#include "fivespot/common/metrics.hpp"

#include <prometheus/exposer.h>

#include "fivespot/common/error.hpp"

namespace fivespot {

MetricsServer::MetricsServer(const std::string& bindAddress, std::shared_ptr<prometheus::Registry> registry) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(bindAddress, 2);
  } catch (const std::exception& e) {
    throw ConfigError("metrics listener " + bindAddress, std::string("cannot listen: ") + e.what());
  }
  exposer_->RegisterCollectable(registry);
}

MetricsServer::~MetricsServer() = default;

std::uint16_t MetricsServer::port() const {
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

void MetricsServer::registerCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  exposer_->RegisterCollectable(collectable);
  collectables_.push_back(std::move(collectable));
}

std::string bindAddress(const std::string& host, int port) {
  if (port < 0 || port > 65535) {
    throw ConfigError("port", "port " + std::to_string(port) + " is outside 0-65535");
  }
  return host + ":" + std::to_string(port);
}

}  // namespace fivespot
