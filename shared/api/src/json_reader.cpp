#include "json_reader.hpp"

#include "fivespot/common/error.hpp"

namespace fivespot::api::json_reader {

using nlohmann::json;

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string item(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

const json* member(const json& object, const std::string& key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

void requireObject(const json& value, const std::string& path) {
  if (!value.is_object()) throw ValidationError(path, value.dump(), "an object");
}

std::optional<std::string> optString(const json& object, const std::string& key, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) throw ValidationError(child(path, key), value->dump(), "a string");
  return value->get<std::string>();
}

std::string str(const json& object, const std::string& key, const std::string& path, const std::string& fallback) {
  return optString(object, key, path).value_or(fallback);
}

bool boolean(const json& object, const std::string& key, const std::string& path, bool fallback) {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) throw ValidationError(child(path, key), value->dump(), "true or false");
  return value->get<bool>();
}

std::int64_t integer(const json& object, const std::string& key, const std::string& path, std::int64_t fallback) {
  const json* value = member(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer()) throw ValidationError(child(path, key), value->dump(), "an integer");
  return value->get<std::int64_t>();
}

std::optional<double> optNumber(const json& object, const std::string& key, const std::string& path) {
  const json* value = member(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) throw ValidationError(child(path, key), value->dump(), "a number");
  return value->get<double>();
}

double number(const json& object, const std::string& key, const std::string& path, double fallback) {
  return optNumber(object, key, path).value_or(fallback);
}

std::vector<std::string> strings(const json& object, const std::string& key, const std::string& path) {
  std::vector<std::string> result;
  const json* value = member(object, key);
  if (value == nullptr) return result;
  const std::string field = child(path, key);
  if (!value->is_array()) throw ValidationError(field, value->dump(), "a list of strings");
  for (std::size_t i = 0; i < value->size(); ++i) {
    const json& element = (*value)[i];
    if (!element.is_string()) throw ValidationError(item(field, i), element.dump(), "a string");
    result.push_back(element.get<std::string>());
  }
  return result;
}

std::map<std::string, std::string> stringMap(const json& object, const std::string& key, const std::string& path) {
  std::map<std::string, std::string> result;
  const json* value = member(object, key);
  if (value == nullptr) return result;
  const std::string field = child(path, key);
  if (!value->is_object()) throw ValidationError(field, value->dump(), "a map of strings");
  for (const auto& [k, v] : value->items()) {
    if (!v.is_string()) throw ValidationError(child(field, k), v.dump(), "a string");
    result.emplace(k, v.get<std::string>());
  }
  return result;
}

}  // namespace fivespot::api::json_reader
