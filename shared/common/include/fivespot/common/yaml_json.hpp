#pragma once
// YAML documents (manifests, kubeconfigs, examples) as JSON values, with YAML 1.2 core-schema
// scalars: unquoted true/false/null/numbers become JSON types, quoted scalars stay strings.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace fivespot {

// The first document. Throws ValidationError (field = origin) on malformed YAML.
nlohmann::json yamlToJson(const std::string& yaml, const std::string& origin = "yaml");
// Every non-empty document of a multi-document stream ("---" separated).
std::vector<nlohmann::json> yamlDocumentsToJson(const std::string& yaml, const std::string& origin = "yaml");
std::string readFile(const std::string& path);  // throws ConfigError naming the path

}  // namespace fivespot
