#include "fivespot/controller/list_watch.hpp"

namespace fivespot::controller {

KubeListWatcher::KubeListWatcher(kube::Client& client, kube::ResourceType type, std::string ns,
                                 std::string labelSelector, std::string fieldSelector)
    : client_(client),
      type_(std::move(type)),
      ns_(std::move(ns)),
      labelSelector_(std::move(labelSelector)),
      fieldSelector_(std::move(fieldSelector)) {}

kube::ListResult KubeListWatcher::list(const kube::ListOptions& options) {
  kube::ListOptions narrowed = options;
  narrowed.labelSelector = labelSelector_;
  narrowed.fieldSelector = fieldSelector_;
  return client_.list(type_, ns_, narrowed);
}

std::unique_ptr<kube::Watch> KubeListWatcher::watch(const kube::WatchOptions& options) {
  kube::WatchOptions narrowed = options;
  narrowed.labelSelector = labelSelector_;
  narrowed.fieldSelector = fieldSelector_;
  return client_.watch(type_, ns_, narrowed);
}

}  // namespace fivespot::controller
