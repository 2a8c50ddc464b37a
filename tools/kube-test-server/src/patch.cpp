#include "fivespot/testserver/patch.hpp"

#include <map>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/testserver/api_error.hpp"

namespace fivespot::testserver {
namespace {

// The patchMergeKey of the list fields the product and kubectl patch on built-in types.
const std::map<std::string, std::string>& mergeKeys() {
  static const std::map<std::string, std::string> keys = {{"containers", "name"},
                                                          {"initContainers", "name"},
                                                          {"ephemeralContainers", "name"},
                                                          {"volumes", "name"},
                                                          {"env", "name"},
                                                          {"volumeMounts", "mountPath"},
                                                          {"ports", "containerPort"},
                                                          {"imagePullSecrets", "name"}};
  return keys;
}

nlohmann::json strategicMerge(nlohmann::json target, const nlohmann::json& patch);

bool allObjects(const nlohmann::json& list) {
  for (const auto& item : list)
    if (!item.is_object()) return false;
  return true;
}

nlohmann::json mergeListByKey(nlohmann::json target, const nlohmann::json& patch, const std::string& key) {
  for (const auto& element : patch) {
    const auto match = std::find_if(target.begin(), target.end(), [&](const nlohmann::json& existing) {
      return existing.contains(key) && element.contains(key) && existing[key] == element[key];
    });
    const bool remove = element.value("$patch", "") == "delete";
    if (match != target.end()) {
      if (remove) {
        target.erase(match);
      } else {
        *match = strategicMerge(*match, element);
      }
    } else if (!remove) {
      target.push_back(strategicMerge(nlohmann::json::object(), element));
    }
  }
  return target;
}

nlohmann::json strategicMerge(nlohmann::json target, const nlohmann::json& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = nlohmann::json::object();
  for (const auto& [name, value] : patch.items()) {
    if (!name.empty() && name[0] == '$') continue;  // $setElementOrder, $retainKeys, $patch: ordering hints
    if (value.is_null()) {
      target.erase(name);
      continue;
    }
    const auto key = mergeKeys().find(name);
    if (value.is_array() && key != mergeKeys().end() && target.contains(name) && target[name].is_array() &&
        allObjects(value)) {
      target[name] = mergeListByKey(target[name], value, key->second);
    } else if (value.is_object()) {
      target[name] = strategicMerge(target.contains(name) ? target[name] : nlohmann::json(), value);
    } else {
      target[name] = value;
    }
  }
  return target;
}

nlohmann::json parseJsonBody(const std::string& body) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw badRequest(std::string("error decoding patch: ") + e.what());
  }
}

}  // namespace

PatchKind patchKindFromContentType(const std::string& contentType) {
  const std::string mediaType = contentType.substr(0, contentType.find(';'));
  if (mediaType == "application/merge-patch+json") return PatchKind::Merge;
  if (mediaType == "application/json-patch+json") return PatchKind::Json;
  if (mediaType == "application/strategic-merge-patch+json") return PatchKind::StrategicMerge;
  if (mediaType == "application/apply-patch+yaml" || mediaType == "application/apply-patch+json")
    return PatchKind::Apply;
  throw unsupportedMediaType(contentType);
}

nlohmann::json applyPatch(PatchKind kind, const nlohmann::json& current, const std::string& body) {
  switch (kind) {
    case PatchKind::Merge: {
      nlohmann::json result = current;
      result.merge_patch(parseJsonBody(body));
      return result;
    }
    case PatchKind::Json:
      try {
        return current.patch(parseJsonBody(body));
      } catch (const nlohmann::json::exception& e) {
        throw ApiError(422, "Invalid",
                       std::string("the server rejected our request due to an error in our request: ") + e.what());
      }
    case PatchKind::StrategicMerge:
      return strategicMerge(current, parseJsonBody(body));
    case PatchKind::Apply: {
      nlohmann::json configuration;
      try {
        configuration = yamlToJson(body, "apply patch");
      } catch (const fivespot::Error& e) {
        throw badRequest(std::string("error decoding YAML: ") + e.what());
      }
      nlohmann::json result = current.is_null() ? nlohmann::json::object() : current;
      result.merge_patch(configuration);
      return result;
    }
  }
  throw badRequest("unknown patch type");
}

}  // namespace fivespot::testserver
