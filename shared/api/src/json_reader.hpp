#pragma once
// Typed field access with JSON paths in errors, for this module's parsers only.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::api::json_reader {

// "spec" + "priority" -> "spec.priority"; index -> "spec.nodeTaints[2]".
std::string child(const std::string& path, const std::string& key);
std::string item(const std::string& path, std::size_t index);

// The member, or nullptr when absent or null (null means "unset" in Kubernetes JSON).
const nlohmann::json* member(const nlohmann::json& object, const std::string& key);
void requireObject(const nlohmann::json& value, const std::string& path);

std::optional<std::string> optString(const nlohmann::json& object, const std::string& key, const std::string& path);
std::string str(const nlohmann::json& object, const std::string& key, const std::string& path,
                const std::string& fallback = "");
bool boolean(const nlohmann::json& object, const std::string& key, const std::string& path, bool fallback);
std::int64_t integer(const nlohmann::json& object, const std::string& key, const std::string& path,
                     std::int64_t fallback);
std::optional<double> optNumber(const nlohmann::json& object, const std::string& key, const std::string& path);
double number(const nlohmann::json& object, const std::string& key, const std::string& path, double fallback);
std::vector<std::string> strings(const nlohmann::json& object, const std::string& key, const std::string& path);
std::map<std::string, std::string> stringMap(const nlohmann::json& object, const std::string& key,
                                             const std::string& path);

}  // namespace fivespot::api::json_reader
