#pragma once
// The informers every replica runs (warm standby): ScheduledMachines, HostAgents, CAPI Machines
// labelled 5spot.finos.org/scheduled-machine, and the management cluster's Nodes. Every event is
// mapped to the key ("namespace/name") of the ScheduledMachine it concerns and handed to
// `enqueue`; reconciles read from these caches.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/controller/informer.hpp"
#include "fivespot/controller/list_watch.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

class Caches {
 public:
  using Enqueue = std::function<void(const std::string& key)>;
  // Called after every ScheduledMachine event (and its deletion), for metrics.
  using ScheduledMachinesChanged = std::function<void()>;

  Caches(kube::Client& client, const std::string& capiVersion, const std::string& watchNamespace, Enqueue enqueue);
  ~Caches();
  Caches(const Caches&) = delete;
  Caches& operator=(const Caches&) = delete;

  // Before start().
  void onScheduledMachinesChanged(ScheduledMachinesChanged callback);
  void onScheduledMachineDeleted(std::function<void(const kube::Json& lastKnown)> callback);

  void start();
  void stop();
  [[nodiscard]] bool synced() const;
  // The informers that have not synced yet, for /ready.
  [[nodiscard]] std::vector<std::string> unsynced() const;

  [[nodiscard]] std::optional<kube::Json> scheduledMachine(const std::string& key) const;
  [[nodiscard]] std::vector<kube::Json> scheduledMachines() const;
  [[nodiscard]] std::vector<std::string> scheduledMachineKeys() const;
  [[nodiscard]] std::optional<kube::Json> hostAgent(const std::string& key) const;
  // The HostAgent a node-mode agent on `node` reports through (status.mode node, spec.nodeName
  // `node`): a Wake-on-LAN relay's acknowledgements are in its status.
  [[nodiscard]] std::optional<kube::Json> nodeModeHostAgent(const std::string& node) const;
  // The Machine(s) labelled for the ScheduledMachine (normally at most one).
  [[nodiscard]] std::vector<kube::Json> machinesOf(const std::string& key) const;
  // A Node of the management cluster.
  [[nodiscard]] std::optional<kube::Json> node(const std::string& name) const;

 private:
  struct Source {
    std::string name;
    std::unique_ptr<controller::KubeListWatcher> listWatcher;
    std::unique_ptr<controller::Informer> informer;
  };
  Source& add(const std::string& name, kube::Client& client, const kube::ResourceType& type, const std::string& ns,
              const std::string& labelSelector);
  void routeTo(controller::Informer& informer, std::function<std::vector<std::string>(const kube::Json&)> keysOf);
  [[nodiscard]] std::vector<std::string> ownersOfNode(const kube::Json& node) const;

  const Enqueue enqueue_;
  std::vector<Source> sources_;
  controller::Informer* scheduledMachines_ = nullptr;
  controller::Informer* hostAgents_ = nullptr;
  controller::Informer* machines_ = nullptr;
  controller::Informer* nodes_ = nullptr;
};

// The targets ("namespace/name", also their ScheduledMachines' keys) whose acknowledgement in a
// relay's status.relayedWakes is new or changed from `before` to `after`.
[[nodiscard]] std::vector<std::string> newlyRelayedWakes(const kube::Json& before, const kube::Json& after);

// "namespace/name" of the ScheduledMachine a Machine belongs to, from its label; nullopt if none.
[[nodiscard]] std::optional<std::string> ownerKeyOfMachine(const kube::Json& machine);

}  // namespace fivespot::coordinator
