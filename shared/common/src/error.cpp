#include "fivespot/common/error.hpp"

namespace fivespot {

const char* toString(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidInput:
      return "InvalidInput";
    case ErrorKind::Configuration:
      return "Configuration";
    case ErrorKind::Transient:
      return "Transient";
    case ErrorKind::NotFound:
      return "NotFound";
    case ErrorKind::Conflict:
      return "Conflict";
    case ErrorKind::Internal:
      return "Internal";
  }
  return "Unknown";
}

namespace {
std::string compose(const std::string& context, const std::string& message) {
  return context.empty() ? message : context + ": " + message;
}
}  // namespace

Error::Error(ErrorKind kind, std::string context, const std::string& message)
    : std::runtime_error(compose(context, message)), kind_(kind), context_(std::move(context)) {}

ValidationError::ValidationError(std::string field, std::string token, std::string expected)
    : Error(ErrorKind::InvalidInput, std::move(field), "invalid value \"" + token + "\"; expected " + expected),
      token_(std::move(token)),
      expected_(std::move(expected)) {}

}  // namespace fivespot
