#pragma once
// The patch flavours kube-apiserver accepts, chosen by Content-Type.
#include <nlohmann/json.hpp>
#include <string>

namespace fivespot::testserver {

enum class PatchKind { Merge, Json, StrategicMerge, Apply };

// Throws ApiError 415 for an unknown patch Content-Type.
PatchKind patchKindFromContentType(const std::string& contentType);

// Applies `body` to `current`. Throws ApiError 400 when the body does not parse and 422 when a
// JSON patch operation fails. Strategic merge is approximated (see docs/test-server.md): a merge
// patch whose lists of containers/volumes/env/ports merge by their key, and "$"-directives dropped.
// Apply merges the (YAML or JSON) configuration as a merge patch.
nlohmann::json applyPatch(PatchKind kind, const nlohmann::json& current, const std::string& body);

}  // namespace fivespot::testserver
