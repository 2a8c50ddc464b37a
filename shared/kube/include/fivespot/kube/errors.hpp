#pragma once
// Errors from the Kubernetes API, decoded from its Status objects so callers can branch on them.
#include <chrono>
#include <optional>
#include <string>

#include "fivespot/common/error.hpp"

namespace fivespot::kube {

// The server answered with a non-success status. `reason` is the Status reason ("NotFound",
// "AlreadyExists", "Conflict", "Invalid", "TooManyRequests", "Expired", "Forbidden", ...).
class ApiError : public Error {
 public:
  ApiError(int code, std::string reason, std::string message, std::string request,
           std::optional<std::chrono::seconds> retryAfter = std::nullopt);

  [[nodiscard]] int code() const noexcept { return code_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
  [[nodiscard]] const std::string& serverMessage() const noexcept { return message_; }
  [[nodiscard]] std::optional<std::chrono::seconds> retryAfter() const noexcept { return retryAfter_; }

  [[nodiscard]] bool isNotFound() const noexcept { return code_ == 404; }
  [[nodiscard]] bool isAlreadyExists() const noexcept { return code_ == 409 && reason_ == "AlreadyExists"; }
  [[nodiscard]] bool isConflict() const noexcept { return code_ == 409 && reason_ != "AlreadyExists"; }
  [[nodiscard]] bool isGone() const noexcept { return code_ == 410; }
  [[nodiscard]] bool isInvalid() const noexcept { return code_ == 422; }
  [[nodiscard]] bool isTooManyRequests() const noexcept { return code_ == 429; }
  [[nodiscard]] bool isForbidden() const noexcept { return code_ == 403; }
  [[nodiscard]] bool isRetryable() const noexcept { return code_ == 429 || code_ >= 500; }

 private:
  int code_;
  std::string reason_;
  std::string message_;
  std::optional<std::chrono::seconds> retryAfter_;
};

// The request never got an HTTP answer: connect, TLS, timeout, broken stream. Always Transient.
class TransportError : public Error {
 public:
  TransportError(std::string request, const std::string& message)
      : Error(ErrorKind::Transient, std::move(request), message) {}
};

}  // namespace fivespot::kube
