#pragma once
// How a program counts its Kubernetes API requests (five_spot_kube_requests_total of the
// coordinator, five_spot_agent_kube_requests_total of the agent): the same labels for both, so
// that the RBAC coverage tests read them alike.
#include <map>
#include <string>

#include "fivespot/kube/client.hpp"

namespace fivespot::kube {

// verb and group as RBAC names them; resource as "res" or "res/sub" (the path of a non-resource
// request); code: the HTTP status, or "<error>" when no answer came (status 0).
std::map<std::string, std::string> requestMetricLabels(const RequestInfo& request, int status);

}  // namespace fivespot::kube
