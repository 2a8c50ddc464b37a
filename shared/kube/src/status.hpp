#pragma once
// Decoding of Kubernetes Status answers into ApiError (pure: no I/O).
#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"

namespace fivespot::kube::detail {

// A non-2xx answer as ApiError: reason/message from the Status body when it is one, otherwise the
// HTTP reason phrase and the start of the body; Retry-After from the header or Status details.
ApiError decodeStatus(const HttpResponse& response, const std::string& request);
// Same for a Status object delivered as a watch ERROR event.
ApiError decodeStatusObject(int fallbackCode, const std::string& statusJson, const std::string& request);

}  // namespace fivespot::kube::detail
