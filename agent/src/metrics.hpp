#pragma once
// Prometheus metrics of the agent, read at scrape time from the agent loop's thread-safe state
// (so scraping never contends with the loop).
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <vector>

#include "agent.hpp"

namespace fivespot::kube {
struct RequestInfo;
}  // namespace fivespot::kube

namespace fivespot::agent {

class AgentMetrics final : public prometheus::Collectable {
 public:
  explicit AgentMetrics(const Agent& agent) : agent_(agent) {}
  // five_spot_agent_up, five_spot_agent_last_cycle_timestamp_seconds, five_spot_agent_heartbeat_ok
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Agent& agent_;
};

// five_spot_agent_kube_requests_total{verb,group,resource,code}: every HTTP exchange of the agent's
// Kubernetes client (kube::ClientOptions::requestObserver), in RBAC's terms, so that what the
// agent's RBAC must allow can be read off a running agent (tests/rbac/agent_rbac_test.cpp does).
// Named apart from the coordinator's five_spot_kube_requests_total so that a query over one never
// mixes in the other's calls (a fleet of agents next to one coordinator).
class KubeRequestMetrics {
 public:
  explicit KubeRequestMetrics(prometheus::Registry& registry);
  // status 0 = no answer (transport error), counted as code "<error>". Thread-safe, never throws.
  void record(const kube::RequestInfo& request, int status);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
};

}  // namespace fivespot::agent
