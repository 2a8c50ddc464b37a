#pragma once
// The two calls an informer needs from the API server, behind an interface so that tests can
// script them.
#include <memory>
#include <string>

#include "fivespot/kube/client.hpp"

namespace fivespot::controller {

class ListWatcher {
 public:
  virtual ~ListWatcher() = default;
  // One page; options carry limit/continue/resourceVersion.
  virtual kube::ListResult list(const kube::ListOptions& options) = 0;
  virtual std::unique_ptr<kube::Watch> watch(const kube::WatchOptions& options) = 0;
};

// One resource type in one namespace ("" = all namespaces), optionally narrowed by selectors which
// override whatever the informer passes.
class KubeListWatcher final : public ListWatcher {
 public:
  KubeListWatcher(kube::Client& client, kube::ResourceType type, std::string ns, std::string labelSelector = "",
                  std::string fieldSelector = "");
  kube::ListResult list(const kube::ListOptions& options) override;
  std::unique_ptr<kube::Watch> watch(const kube::WatchOptions& options) override;

 private:
  kube::Client& client_;
  const kube::ResourceType type_;
  const std::string ns_;
  const std::string labelSelector_;
  const std::string fieldSelector_;
};

}  // namespace fivespot::controller
