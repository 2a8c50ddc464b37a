#pragma once
// Prometheus metrics of the agent, read at scrape time from the agent loop's thread-safe state
// (so scraping never contends with the loop).
#include <prometheus/collectable.h>

#include <vector>

#include "agent.hpp"

namespace fivespot::agent {

class AgentMetrics final : public prometheus::Collectable {
 public:
  explicit AgentMetrics(const Agent& agent) : agent_(agent) {}
  // five_spot_agent_up, five_spot_agent_last_cycle_timestamp_seconds, five_spot_agent_heartbeat_ok
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Agent& agent_;
};

}  // namespace fivespot::agent
