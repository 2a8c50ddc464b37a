#pragma once
// Structural-schema defaulting as kube-apiserver does it for custom resources: every absent
// property with a `default` gets it, recursively, including inside defaulted objects, array
// items and additionalProperties maps.
#include <nlohmann/json_fwd.hpp>

namespace fivespot::testserver {

void applySchemaDefaults(nlohmann::json& value, const nlohmann::json& schema);

}  // namespace fivespot::testserver
