#pragma once
// Typed errors. Every module throws a subclass of fivespot::Error that says what failed and where,
// so callers can tell a bad input from a transient fault without parsing messages.
#include <stdexcept>
#include <string>

namespace fivespot {

enum class ErrorKind {
  InvalidInput,   // the user's input is wrong; retrying will not help
  Configuration,  // the process is configured wrongly (flags, files)
  Transient,      // a fault that may go away (network, server busy)
  NotFound,
  Conflict,
  Internal,  // a bug: an invariant did not hold
};

const char* toString(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string context, const std::string& message);
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }
  // Where the error happened, e.g. "spec.schedule.hoursOfDay[1]" or "kubeconfig /root/.kube/config".
  [[nodiscard]] const std::string& context() const noexcept { return context_; }

 private:
  ErrorKind kind_;
  std::string context_;
};

// A field of user input that does not parse or validate.
class ValidationError : public Error {
 public:
  // field: JSON path of the field; token: the offending text; expected: the accepted forms.
  ValidationError(std::string field, std::string token, std::string expected);
  [[nodiscard]] const std::string& field() const noexcept { return context(); }
  [[nodiscard]] const std::string& token() const noexcept { return token_; }
  [[nodiscard]] const std::string& expected() const noexcept { return expected_; }

 private:
  std::string token_;
  std::string expected_;
};

class ConfigError : public Error {
 public:
  ConfigError(std::string context, const std::string& message)
      : Error(ErrorKind::Configuration, std::move(context), message) {}
};

}  // namespace fivespot
