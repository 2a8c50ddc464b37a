#include "status.hpp"

#include <nlohmann/json.hpp>

namespace fivespot::kube::detail {
namespace {

// Status reasons the API server uses for each code (metav1.StatusReason), for answers without a
// Status body (proxies, load balancers, the odd aggregated API server).
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
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

std::optional<std::chrono::seconds> retryAfterHeader(const HttpResponse& response) {
  const auto header = response.headers.find("retry-after");
  if (header == response.headers.end()) return std::nullopt;
  try {
    std::size_t used = 0;
    const long seconds = std::stol(header->second, &used);
    if (used != header->second.size() || seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  } catch (const std::exception&) {
    return std::nullopt;  // an HTTP-date; the API server never sends one
  }
}

std::optional<std::chrono::seconds> retryAfterDetails(const nlohmann::json& status) {
  const auto details = status.find("details");
  if (details == status.end() || !details->is_object()) return std::nullopt;
  const auto seconds = details->find("retryAfterSeconds");
  if (seconds == details->end() || !seconds->is_number_integer() || seconds->get<long>() < 0) return std::nullopt;
  return std::chrono::seconds(seconds->get<long>());
}

std::string stringField(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 256;
  return body.size() <= kMax ? body : body.substr(0, kMax) + "...";
}

nlohmann::json parseStatus(const std::string& text) {
  auto status = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (status.is_object() && stringField(status, "kind") == "Status") return status;
  return nlohmann::json();
}

ApiError fromStatus(int code, const nlohmann::json& status, const std::string& rawBody, const std::string& request,
                    std::optional<std::chrono::seconds> retryAfter) {
  if (status.is_null()) return ApiError(code, reasonForCode(code), excerpt(rawBody), request, retryAfter);
  std::string reason = stringField(status, "reason");
  if (reason.empty()) reason = reasonForCode(code);
  if (!retryAfter) retryAfter = retryAfterDetails(status);
  return ApiError(code, std::move(reason), stringField(status, "message"), request, retryAfter);
}

}  // namespace

ApiError decodeStatus(const HttpResponse& response, const std::string& request) {
  return fromStatus(response.status, parseStatus(response.body), response.body, request, retryAfterHeader(response));
}

ApiError decodeStatusObject(int fallbackCode, const std::string& statusJson, const std::string& request) {
  const auto status = parseStatus(statusJson);
  int code = fallbackCode;
  if (const auto it = status.find("code"); it != status.end() && it->is_number_integer() && it->get<int>() > 0) {
    code = it->get<int>();
  }
  return fromStatus(code, status, statusJson, request, std::nullopt);
}

}  // namespace fivespot::kube::detail
