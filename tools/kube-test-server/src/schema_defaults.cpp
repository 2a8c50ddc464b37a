#include "fivespot/testserver/schema_defaults.hpp"

#include <nlohmann/json.hpp>

namespace fivespot::testserver {

void applySchemaDefaults(nlohmann::json& value, const nlohmann::json& schema) {
  if (!schema.is_object()) return;
  if (value.is_object()) {
    if (const auto properties = schema.find("properties"); properties != schema.end() && properties->is_object()) {
      for (const auto& [name, propertySchema] : properties->items()) {
        if (!value.contains(name) && propertySchema.is_object() && propertySchema.contains("default")) {
          value[name] = propertySchema["default"];
        }
        // Recurse also into a value just defaulted: its own properties may carry defaults.
        if (value.contains(name)) applySchemaDefaults(value[name], propertySchema);
      }
    }
    if (const auto additional = schema.find("additionalProperties");
        additional != schema.end() && additional->is_object()) {
      const auto* properties = schema.contains("properties") ? &schema["properties"] : nullptr;
      for (auto& [name, item] : value.items()) {
        if (properties == nullptr || !properties->contains(name)) applySchemaDefaults(item, *additional);
      }
    }
  } else if (value.is_array()) {
    if (const auto items = schema.find("items"); items != schema.end()) {
      for (auto& item : value) applySchemaDefaults(item, *items);
    }
  }
}

}  // namespace fivespot::testserver
