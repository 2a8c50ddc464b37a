#include "metrics.hpp"

#include <prometheus/metric_family.h>

#include "fivespot/kube/client.hpp"
#include "fivespot/kube/request_metrics.hpp"

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

KubeRequestMetrics::KubeRequestMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("five_spot_agent_kube_requests_total")
                    .Help("Requests of the agent to the Kubernetes API server by RBAC verb, API group, resource and "
                          "HTTP status code (<error>: no answer)")
                    .Register(registry)) {}

void KubeRequestMetrics::record(const kube::RequestInfo& request, int status) {
  requests_.Add(kube::requestMetricLabels(request, status)).Increment();
}

}  // namespace fivespot::agent
