#pragma once
// Failures shaped exactly like kube-apiserver's: an HTTP code plus a metav1.Status body whose
// reason, message format and details clients (client-go, kubectl, our client) parse.
#include <nlohmann/json.hpp>
#include <string>

#include "fivespot/common/error.hpp"

namespace fivespot::testserver {

// The API group and plural resource an error is about, e.g. {"", "pods"} or {"policy", "poddisruptionbudgets"}.
struct GroupResource {
  std::string group;
  std::string resource;
  // "pods" or "machines.cluster.x-k8s.io", as the real server names resources in messages.
  [[nodiscard]] std::string qualified() const { return group.empty() ? resource : resource + "." + group; }
};

class ApiError : public fivespot::Error {
 public:
  ApiError(int code, std::string reason, const std::string& message, nlohmann::json details = nlohmann::json::object());
  [[nodiscard]] int code() const noexcept { return code_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  [[nodiscard]] const nlohmann::json& details() const noexcept { return details_; }
  // {kind: Status, apiVersion: v1, metadata: {}, status: Failure, message, reason, details, code}
  [[nodiscard]] nlohmann::json toStatus() const;

 private:
  int code_;
  std::string reason_;
  std::string message_;
  nlohmann::json details_;
};

// The StatusReason kube-apiserver uses for a bare HTTP code ("NotFound", "Conflict", ...).
std::string reasonForCode(int code);

ApiError notFound(const GroupResource& gr, const std::string& name);
ApiError alreadyExists(const GroupResource& gr, const std::string& name);
// "Operation cannot be fulfilled on pods \"x\": <why>"
ApiError conflict(const GroupResource& gr, const std::string& name, const std::string& why);
ApiError staleResourceVersion(const GroupResource& gr, const std::string& name);
// 422: "<Kind> \"name\" is invalid: <field>: <detail>"
ApiError invalid(const std::string& kind, const std::string& group, const std::string& name, const std::string& field,
                 const std::string& causeReason, const std::string& detail);
ApiError badRequest(const std::string& message);
ApiError expired(const std::string& message);  // 410 Gone, reason Expired
ApiError unauthorized();
ApiError methodNotAllowed(const std::string& verb, const GroupResource& gr);
ApiError unsupportedMediaType(const std::string& contentType);

}  // namespace fivespot::testserver
