#include "fivespot/testserver/api_error.hpp"

namespace fivespot::testserver {
namespace {

ErrorKind kindForCode(int code) {
  if (code == 404) return ErrorKind::NotFound;
  if (code == 409) return ErrorKind::Conflict;
  if (code == 429 || code == 503 || code == 504) return ErrorKind::Transient;
  if (code >= 500) return ErrorKind::Internal;
  return ErrorKind::InvalidInput;
}

nlohmann::json nameDetails(const GroupResource& gr, const std::string& name) {
  return {{"name", name}, {"group", gr.group}, {"kind", gr.resource}};
}

}  // namespace

ApiError::ApiError(int code, std::string reason, const std::string& message, nlohmann::json details)
    : Error(kindForCode(code), "kube-test-server", message),
      code_(code),
      reason_(std::move(reason)),
      message_(message),
      details_(std::move(details)) {}

nlohmann::json ApiError::toStatus() const {
  nlohmann::json status = {{"kind", "Status"},    {"apiVersion", "v1"},  {"metadata", nlohmann::json::object()},
                           {"status", "Failure"}, {"message", message_}, {"reason", reason_},
                           {"code", code_}};
  if (!details_.empty()) status["details"] = details_;
  return status;
}

std::string reasonForCode(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "BadRequest";
  }
}

ApiError notFound(const GroupResource& gr, const std::string& name) {
  return ApiError(404, "NotFound", gr.qualified() + " \"" + name + "\" not found", nameDetails(gr, name));
}

ApiError alreadyExists(const GroupResource& gr, const std::string& name) {
  return ApiError(409, "AlreadyExists", gr.qualified() + " \"" + name + "\" already exists", nameDetails(gr, name));
}

ApiError conflict(const GroupResource& gr, const std::string& name, const std::string& why) {
  return ApiError(409, "Conflict", "Operation cannot be fulfilled on " + gr.qualified() + " \"" + name + "\": " + why,
                  nameDetails(gr, name));
}

ApiError staleResourceVersion(const GroupResource& gr, const std::string& name) {
  return conflict(gr, name,
                  "the object has been modified; please apply your changes to the latest version and try again");
}

ApiError invalid(const std::string& kind, const std::string& group, const std::string& name, const std::string& field,
                 const std::string& causeReason, const std::string& detail) {
  nlohmann::json details = {{"name", name},
                            {"group", group},
                            {"kind", kind},
                            {"causes", {{{"reason", causeReason}, {"message", detail}, {"field", field}}}}};
  return ApiError(422, "Invalid", kind + " \"" + name + "\" is invalid: " + field + ": " + detail, std::move(details));
}

ApiError badRequest(const std::string& message) {
  return ApiError(400, "BadRequest", message);
}

ApiError expired(const std::string& message) {
  return ApiError(410, "Expired", message);
}

ApiError unauthorized() {
  return ApiError(401, "Unauthorized", "Unauthorized");
}

ApiError methodNotAllowed(const std::string& verb, const GroupResource& gr) {
  return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                  {{"group", gr.group}, {"kind", gr.resource}, {"causes", {{{"message", verb + " not allowed"}}}}});
}

ApiError unsupportedMediaType(const std::string& contentType) {
  return ApiError(415, "UnsupportedMediaType",
                  "the body of the request was in an unknown format - accepted media types include: "
                  "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml" +
                      std::string(contentType.empty() ? "" : " (got " + contentType + ")"));
}

}  // namespace fivespot::testserver
