#pragma once
// Prometheus exposition (`/metrics`) on prometheus-cpp. Metric names carry the `five_spot_` prefix.
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Exposer;
}

namespace fivespot {

class MetricsServer {
 public:
  // bindAddress as "host:port"; port 0 picks a free one (see port()). Throws ConfigError when
  // the address cannot be bound.
  MetricsServer(const std::string& bindAddress, std::shared_ptr<prometheus::Registry> registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // Adds a collector computed at scrape time; the server keeps it alive.
  void registerCollectable(std::shared_ptr<prometheus::Collectable> collectable);

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

// "host:port" from a port flag; the flag values are validated here once for every binary.
std::string bindAddress(const std::string& host, int port);

}  // namespace fivespot
