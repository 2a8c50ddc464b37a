#pragma once
// Reading values out of a core/v1 Secret (base64 in .data, or plain text in .stringData).
#include <optional>
#include <string>
#include <string_view>

#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

// Standard base64 (RFC 4648, with or without padding). Throws ValidationError naming `field`.
std::string decodeBase64(std::string_view text, const std::string& field);
// The decoded value of `key`; std::nullopt when absent. `origin` ("ns/name") names it in errors.
std::optional<std::string> secretValue(const kube::Json& secret, const std::string& key, const std::string& origin);

}  // namespace fivespot::coordinator
