#include "metrics.hpp"

#include <prometheus/metric_family.h>

namespace fivespot::agent {
namespace {

prometheus::MetricFamily gauge(const char* name, const char* help, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  family.metric.push_back(metric);
  return family;
}

}  // namespace

std::vector<prometheus::MetricFamily> AgentMetrics::Collect() const {
  const auto lastCycle = std::chrono::duration<double>(agent_.lastCycle().time_since_epoch()).count();
  return {
      gauge("five_spot_agent_up", "1 while the agent runs", 1),
      gauge("five_spot_agent_last_cycle_timestamp_seconds", "When the agent loop last ran (Unix time)", lastCycle),
      gauge("five_spot_agent_heartbeat_ok", "1 when the last heartbeat reached the API server",
            agent_.lastReportSucceeded() ? 1 : 0),
  };
}

}  // namespace fivespot::agent
