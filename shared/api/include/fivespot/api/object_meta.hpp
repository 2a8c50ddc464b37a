#pragma once
// metadata <-> ObjectMeta for 5-Spot's own kinds.
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "fivespot/api/types.hpp"

namespace fivespot::api {

// Throws ValidationError naming "<path>.<field>" when a field has the wrong type.
ObjectMeta parseObjectMeta(const nlohmann::json& metadata, const std::string& path = "metadata");
// Only non-empty fields, so the result can be sent to the API server as is.
nlohmann::json toJson(const ObjectMeta& meta);

}  // namespace fivespot::api
