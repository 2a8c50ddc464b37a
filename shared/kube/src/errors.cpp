#include "fivespot/kube/errors.hpp"

namespace fivespot::kube {
namespace {

// How a caller should treat the failure, so generic code can branch on Error::kind().
ErrorKind kindFor(int code) {
  if (code == 404) return ErrorKind::NotFound;
  if (code == 410) return ErrorKind::Transient;  // expired resourceVersion: relist and carry on
  if (code == 409) return ErrorKind::Conflict;
  if (code == 429 || code >= 500) return ErrorKind::Transient;
  if (code == 401 || code == 403) return ErrorKind::Configuration;  // credentials or RBAC
  return ErrorKind::InvalidInput;
}

std::string compose(int code, const std::string& reason, const std::string& message) {
  std::string text = "HTTP " + std::to_string(code);
  if (!reason.empty()) text += " " + reason;
  if (!message.empty()) text += ": " + message;
  return text;
}

}  // namespace

ApiError::ApiError(int code, std::string reason, std::string message, std::string request,
                   std::optional<std::chrono::seconds> retryAfter)
    : Error(kindFor(code), std::move(request), compose(code, reason, message)),
      code_(code),
      reason_(std::move(reason)),
      message_(std::move(message)),
      retryAfter_(retryAfter) {}

}  // namespace fivespot::kube
