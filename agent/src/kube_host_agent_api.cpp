// HostAgentApi over fivespot::kube::Client: the only agent file that talks to Kubernetes.
#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/kube/client.hpp"
#include "host_agent_api.hpp"
#include "metrics.hpp"

namespace fivespot::agent {
namespace {

struct ObjectKey {
  std::string namespace_;
  std::string name;
};

class KubeHostAgentApi final : public HostAgentApi {
 public:
  KubeHostAgentApi(kube::ClusterConfig cluster, const AgentConfig& config, KubeRequestMetrics& requests)
      : client_(std::move(cluster), clientOptions(config, requests)), mode_(config.mode), nodeName_(config.nodeName) {
    if (config.mode == Mode::Host) key_ = ObjectKey{config.scheduledMachineNamespace, config.scheduledMachineName};
  }

  api::HostAgent get() override {
    const ObjectKey key = target();
    try {
      return api::parseHostAgent(client_.get(kube::resources::hostAgents(), key.namespace_, key.name));
    } catch (const kube::ApiError& e) {
      // Node mode: the HostAgent for this node may have been replaced; look it up again next time.
      if (e.isNotFound() && mode_ == Mode::Node) key_.reset();
      throw;
    }
  }

  void patchStatus(const nlohmann::json& mergePatch) override {
    const ObjectKey key = target();
    client_.patchStatus(kube::resources::hostAgents(), key.namespace_, key.name, kube::PatchType::Merge,
                        nlohmann::json{{"status", mergePatch}});
  }

  std::vector<nlohmann::json> listPodsOnNode(const std::string& nodeName) override {
    kube::ListOptions options;
    options.fieldSelector = "spec.nodeName=" + nodeName;
    options.limit = 500;
    return client_.listAll(kube::resources::pods(), "", options).items;
  }

 private:
  static kube::ClientOptions clientOptions(const AgentConfig& config, KubeRequestMetrics& requests) {
    kube::ClientOptions options;
    options.qps = 5;  // one agent per host: a small budget per host keeps the fleet gentle on the API
    options.burst = 10;
    options.userAgent = std::string("fivespot-agent/") + toString(config.mode);
    // Below the systemd watchdog (30 s) so a hung request cannot stop the pings.
    options.requestTimeout = std::chrono::seconds(10);
    options.requestObserver = [&requests](const kube::RequestInfo& request, int status) {
      requests.record(request, status);
    };
    return options;
  }

  // Node mode finds its HostAgent by spec.nodeName (set by the coordinator once the Node is known).
  ObjectKey target() {
    if (key_) return *key_;
    const auto list = client_.listAll(kube::resources::hostAgents(), "");
    for (const auto& item : list.items) {
      const auto agent = api::parseHostAgent(item);
      if (agent.spec.nodeName == nodeName_) {
        key_ = ObjectKey{agent.metadata.namespace_, agent.metadata.name};
        spdlog::info("node {} is reported through HostAgent {}/{}", nodeName_, key_->namespace_, key_->name);
        return *key_;
      }
    }
    throw kube::ApiError(404, "NotFound", "no HostAgent has spec.nodeName=" + nodeName_,
                         "list hostagents (node " + nodeName_ + ")");
  }

  kube::Client client_;
  Mode mode_;
  std::string nodeName_;
  std::optional<ObjectKey> key_;
};

}  // namespace

std::unique_ptr<HostAgentApi> makeKubeHostAgentApi(const AgentConfig& config, KubeRequestMetrics& requests) {
  kube::ClusterConfig cluster = kube::loadDefaultConfig(config.kubeconfig);
  spdlog::info("Kubernetes API: {}", cluster.describe());
  return std::make_unique<KubeHostAgentApi>(std::move(cluster), config, requests);
}

}  // namespace fivespot::agent
