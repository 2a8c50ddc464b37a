// WakeOrderSource over fivespot::kube::Client: the HostAgents labelled for this relay node. Kept
// apart from kube_host_agent_api.cpp because the relay reads other machines' HostAgents, never
// its own, and writes nothing.
#include <spdlog/spdlog.h>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/kube/config.hpp"
#include "metrics.hpp"
#include "wake_relay.hpp"
#include "wake_relay_kube.hpp"

namespace fivespot::agent {
namespace {

class KubeWakeOrderSource final : public WakeOrderSource {
 public:
  KubeWakeOrderSource(kube::ClusterConfig cluster, KubeRequestMetrics& requests)
      : client_(std::move(cluster), clientOptions(requests)) {}

  std::vector<api::HostAgent> ordersFor(const std::string& node) override {
    kube::ListOptions options;
    options.labelSelector = std::string(api::kWakeRelayNodeLabel) + "=" + node;
    std::vector<api::HostAgent> orders;
    for (const auto& item : client_.listAll(kube::resources::hostAgents(), "", options).items) {
      try {
        orders.push_back(api::parseHostAgent(item));
      } catch (const ValidationError& e) {
        // One malformed object must not block the wakes of the others.
        spdlog::warn("ignoring HostAgent that does not parse while relaying wakes: {}", e.what());
      }
    }
    return orders;
  }

 private:
  static kube::ClientOptions clientOptions(KubeRequestMetrics& requests) {
    kube::ClientOptions options;
    options.qps = 1;  // one list per heartbeat
    options.burst = 2;
    options.userAgent = "fivespot-agent/wake-relay";
    options.requestTimeout = std::chrono::seconds(10);  // below the systemd watchdog, as the main client
    options.requestObserver = [&requests](const kube::RequestInfo& request, int status) {
      requests.record(request, status);
    };
    return options;
  }

  kube::Client client_;
};

}  // namespace

std::unique_ptr<WakeOrderSource> makeKubeWakeOrderSource(const AgentConfig& config, KubeRequestMetrics& requests) {
  return std::make_unique<KubeWakeOrderSource>(kube::loadDefaultConfig(config.kubeconfig), requests);
}

}  // namespace fivespot::agent
