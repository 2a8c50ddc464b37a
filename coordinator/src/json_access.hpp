#pragma once
// Reading fields of API objects that may be absent, without ever inserting into or asserting on a
// const JSON value (nlohmann's const operator[] asserts on a missing key).
#include <string>

#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

// The value at the JSON pointer, or `fallback` when absent.
inline kube::Json valueAt(const kube::Json& object, const char* pointer, kube::Json fallback) {
  const kube::Json::json_pointer path(pointer);
  return object.contains(path) ? object.at(path) : fallback;
}
// The string at the JSON pointer, "" when absent or not a string.
inline std::string textAt(const kube::Json& object, const char* pointer) {
  const kube::Json value = valueAt(object, pointer, kube::Json());
  return value.is_string() ? value.get<std::string>() : std::string{};
}
inline bool flagAt(const kube::Json& object, const char* pointer) {
  const kube::Json value = valueAt(object, pointer, kube::Json());
  return value.is_boolean() && value.get<bool>();
}

}  // namespace fivespot::coordinator
