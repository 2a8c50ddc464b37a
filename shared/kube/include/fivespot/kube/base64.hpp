#pragma once
// Base64 (RFC 4648, standard alphabet) for kubeconfig *-data fields, Secret data and basic auth.
#include <optional>
#include <string>

namespace fivespot::kube {

// Ignores whitespace (kubeconfigs wrap long values); std::nullopt when the text is not base64.
std::optional<std::string> base64Decode(const std::string& text);
std::string base64Encode(const std::string& bytes);

}  // namespace fivespot::kube
