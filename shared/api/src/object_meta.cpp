#include "fivespot/api/object_meta.hpp"

#include <nlohmann/json.hpp>

#include "json_reader.hpp"

namespace fivespot::api {

using nlohmann::json;
namespace jr = json_reader;

ObjectMeta parseObjectMeta(const json& metadata, const std::string& path) {
  jr::requireObject(metadata, path);
  ObjectMeta meta;
  meta.name = jr::str(metadata, "name", path);
  meta.namespace_ = jr::str(metadata, "namespace", path);
  meta.uid = jr::str(metadata, "uid", path);
  meta.resourceVersion = jr::str(metadata, "resourceVersion", path);
  meta.generation = jr::integer(metadata, "generation", path, 0);
  meta.creationTimestamp = jr::str(metadata, "creationTimestamp", path);
  meta.deletionTimestamp = jr::str(metadata, "deletionTimestamp", path);
  meta.finalizers = jr::strings(metadata, "finalizers", path);
  meta.labels = jr::stringMap(metadata, "labels", path);
  meta.annotations = jr::stringMap(metadata, "annotations", path);
  return meta;
}

json toJson(const ObjectMeta& meta) {
  json out = json::object();
  const auto putIfSet = [&](const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
  };
  putIfSet("name", meta.name);
  putIfSet("namespace", meta.namespace_);
  putIfSet("uid", meta.uid);
  putIfSet("resourceVersion", meta.resourceVersion);
  if (meta.generation != 0) out["generation"] = meta.generation;
  putIfSet("creationTimestamp", meta.creationTimestamp);
  putIfSet("deletionTimestamp", meta.deletionTimestamp);
  if (!meta.finalizers.empty()) out["finalizers"] = meta.finalizers;
  if (!meta.labels.empty()) out["labels"] = meta.labels;
  if (!meta.annotations.empty()) out["annotations"] = meta.annotations;
  return out;
}

}  // namespace fivespot::api
