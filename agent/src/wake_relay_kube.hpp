#pragma once
// The Kubernetes side of the Wake-on-LAN relay: lists the HostAgents labelled
// 5spot.finos.org/wake-relay-node=<node> (cluster-wide list, as node mode already may).
#include <memory>

#include "config.hpp"
#include "wake_relay.hpp"

namespace fivespot::agent {

class KubeRequestMetrics;

// Every request is counted in `requests` (with the main client's), which must outlive the source.
std::unique_ptr<WakeOrderSource> makeKubeWakeOrderSource(const AgentConfig& config, KubeRequestMetrics& requests);

}  // namespace fivespot::agent
