#include "fivespot/kube/request_metrics.hpp"

namespace fivespot::kube {

std::map<std::string, std::string> requestMetricLabels(const RequestInfo& request, int status) {
  std::string resource = request.path;
  if (request.resourceRequest) {
    resource = request.subresource.empty() ? request.resource : request.resource + "/" + request.subresource;
  }
  return {{"verb", request.verb},
          {"group", request.group},
          {"resource", std::move(resource)},
          {"code", status > 0 ? std::to_string(status) : "<error>"}};
}

}  // namespace fivespot::kube
