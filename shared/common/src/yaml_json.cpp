#include "fivespot/common/yaml_json.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "fivespot/common/error.hpp"

namespace fivespot {
namespace {

nlohmann::json scalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  // A quoted scalar has tag "!"; a plain one "?" (resolve by the core schema).
  if (node.Tag() == "!") return text;
  static const std::regex kInt(R"(^[-+]?[0-9]+$)");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (std::regex_match(text, kInt)) {
    try {
      return std::stoll(text);
    } catch (const std::out_of_range&) {
      return text;
    }
  }
  if (std::regex_match(text, kFloat)) return std::stod(text);
  return text;
}

nlohmann::json toJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalarToJson(node);
    case YAML::NodeType::Sequence: {
      auto array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(toJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      auto object = nlohmann::json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = toJson(entry.second);
      return object;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<nlohmann::json> yamlDocumentsToJson(const std::string& yaml, const std::string& origin) {
  try {
    std::vector<nlohmann::json> documents;
    for (const auto& node : YAML::LoadAll(yaml)) {
      if (node.IsNull() || !node.IsDefined()) continue;
      documents.push_back(toJson(node));
    }
    return documents;
  } catch (const YAML::Exception& e) {
    throw ValidationError(origin, e.mark.is_null() ? "" : "line " + std::to_string(e.mark.line + 1),
                          "well-formed YAML (" + e.msg + ")");
  }
}

nlohmann::json yamlToJson(const std::string& yaml, const std::string& origin) {
  auto documents = yamlDocumentsToJson(yaml, origin);
  return documents.empty() ? nlohmann::json(nullptr) : std::move(documents.front());
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "cannot open file");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw ConfigError(path, "cannot read file");
  return content.str();
}

}  // namespace fivespot
