#include "caches.hpp"
#include "json_access.hpp"

#include <algorithm>

#include "fivespot/api/types.hpp"

namespace fivespot::coordinator {
namespace {

constexpr const char* kByOwner = "owner";
constexpr const char* kByNode = "node";
constexpr const char* kByNodeModeAgent = "node-mode-agent";

std::vector<std::string> selfKey(const kube::Json& object) {
  return {controller::objectKey(object)};
}

std::vector<std::string> ownerOfMachine(const kube::Json& machine) {
  if (auto key = ownerKeyOfMachine(machine)) return {*key};
  return {};
}

}  // namespace

std::vector<std::string> newlyRelayedWakes(const kube::Json& before, const kube::Json& after) {
  const kube::Json old = valueAt(before, "/status/relayedWakes", kube::Json::array());
  std::vector<std::string> keys;
  for (const kube::Json& wake : valueAt(after, "/status/relayedWakes", kube::Json::array())) {
    const std::string target = wake.is_object() ? wake.value("hostAgent", "") : std::string{};
    if (!target.empty() && std::find(old.begin(), old.end(), wake) == old.end()) keys.push_back(target);
  }
  return keys;
}

std::optional<std::string> ownerKeyOfMachine(const kube::Json& machine) {
  const kube::Json labels = valueAt(machine, "/metadata/labels", kube::Json::object());
  const auto it = labels.find(api::kScheduledMachineLabel);
  if (it == labels.end() || !it->is_string() || it->get<std::string>().empty()) return std::nullopt;
  return textAt(machine, "/metadata/namespace") + "/" + it->get<std::string>();
}

Caches::Caches(kube::Client& client, const std::string& capiVersion, const std::string& watchNamespace, Enqueue enqueue)
    : enqueue_(std::move(enqueue)) {
  scheduledMachines_ =
      add("scheduledmachines", client, kube::resources::scheduledMachines(), watchNamespace, "").informer.get();
  hostAgents_ = add("hostagents", client, kube::resources::hostAgents(), watchNamespace, "").informer.get();
  machines_ =
      add("machines", client, kube::resources::capiMachines(capiVersion), watchNamespace, api::kScheduledMachineLabel)
          .informer.get();
  nodes_ = add("nodes", client, kube::resources::nodes(), "", "").informer.get();

  machines_->addIndex(kByOwner, ownerOfMachine);
  machines_->addIndex(kByNode, [](const kube::Json& machine) -> std::vector<std::string> {
    const std::string node = textAt(machine, "/status/nodeRef/name");
    if (node.empty()) return {};
    return {node};
  });

  hostAgents_->addIndex(kByNodeModeAgent, [](const kube::Json& agent) -> std::vector<std::string> {
    const std::string node = textAt(agent, "/spec/nodeName");
    if (node.empty() || textAt(agent, "/status/mode") != "node") return {};
    return {node};
  });

  routeTo(*scheduledMachines_, selfKey);
  routeTo(*hostAgents_, selfKey);
  // A relay's acknowledgement is in its own HostAgent: wake the machine it woke, too.
  hostAgents_->onUpdate([this](const kube::Json& before, const kube::Json& after) {
    for (const auto& key : newlyRelayedWakes(before, after)) enqueue_(key);
  });
  routeTo(*machines_, ownerOfMachine);
  routeTo(*nodes_, [this](const kube::Json& node) { return ownersOfNode(node); });
}

Caches::~Caches() {
  stop();
}

Caches::Source& Caches::add(const std::string& name, kube::Client& client, const kube::ResourceType& type,
                            const std::string& ns, const std::string& labelSelector) {
  Source source;
  source.name = name;
  source.listWatcher = std::make_unique<controller::KubeListWatcher>(client, type, ns, labelSelector);
  controller::InformerOptions options;
  options.name = name;
  source.informer = std::make_unique<controller::Informer>(*source.listWatcher, options);
  sources_.push_back(std::move(source));
  return sources_.back();
}

void Caches::routeTo(controller::Informer& informer,
                     std::function<std::vector<std::string>(const kube::Json&)> keysOf) {
  informer.onAdd([this, keysOf](const kube::Json& object) {
    for (const auto& key : keysOf(object)) enqueue_(key);
  });
  informer.onUpdate([this, keysOf](const kube::Json& before, const kube::Json& after) {
    // A Node's or Machine's owner can change (relabel, new nodeRef): wake both.
    auto keys = keysOf(after);
    for (const auto& key : keysOf(before)) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
    for (const auto& key : keys) enqueue_(key);
  });
  informer.onDelete([this, keysOf](const kube::Json& lastKnown) {
    for (const auto& key : keysOf(lastKnown)) enqueue_(key);
  });
}

void Caches::onScheduledMachinesChanged(ScheduledMachinesChanged callback) {
  scheduledMachines_->onAdd([callback](const kube::Json&) { callback(); });
  scheduledMachines_->onUpdate([callback](const kube::Json&, const kube::Json&) { callback(); });
  scheduledMachines_->onDelete([callback](const kube::Json&) { callback(); });
}

void Caches::onScheduledMachineDeleted(std::function<void(const kube::Json&)> callback) {
  scheduledMachines_->onDelete(std::move(callback));
}

std::vector<std::string> Caches::ownersOfNode(const kube::Json& node) const {
  std::vector<std::string> keys;
  for (const auto& machine : machines_->byIndex(kByNode, textAt(node, "/metadata/name"))) {
    if (auto key = ownerKeyOfMachine(machine)) keys.push_back(*key);
  }
  return keys;
}

void Caches::start() {
  for (auto& source : sources_) source.informer->start();
}

void Caches::stop() {
  for (auto& source : sources_) source.informer->stop();
}

bool Caches::synced() const {
  return unsynced().empty();
}

std::vector<std::string> Caches::unsynced() const {
  std::vector<std::string> names;
  for (const auto& source : sources_) {
    if (!source.informer->hasSynced()) names.push_back(source.name);
  }
  return names;
}

std::optional<kube::Json> Caches::scheduledMachine(const std::string& key) const {
  return scheduledMachines_->get(key);
}
std::vector<kube::Json> Caches::scheduledMachines() const {
  return scheduledMachines_->list();
}
std::vector<std::string> Caches::scheduledMachineKeys() const {
  return scheduledMachines_->keys();
}
std::optional<kube::Json> Caches::hostAgent(const std::string& key) const {
  return hostAgents_->get(key);
}
std::optional<kube::Json> Caches::nodeModeHostAgent(const std::string& node) const {
  const auto agents = hostAgents_->byIndex(kByNodeModeAgent, node);
  if (agents.empty()) return std::nullopt;
  return agents.front();
}
std::vector<kube::Json> Caches::machinesOf(const std::string& key) const {
  return machines_->byIndex(kByOwner, key);
}
std::optional<kube::Json> Caches::node(const std::string& name) const {
  return nodes_->get(name);
}

}  // namespace fivespot::coordinator
