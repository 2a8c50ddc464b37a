#include "fivespot/testserver/store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::testserver {
namespace {

std::string metadataString(const nlohmann::json& object, const char* field) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  const auto value = meta->find(field);
  return value != meta->end() && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

Store::Store(std::size_t watchCacheSize, std::string dataFile)
    : watchCacheSize_(std::max<std::size_t>(watchCacheSize, 1)), dataFile_(std::move(dataFile)) {}

Store::Transaction::Transaction(Store& store) : store_(store), lock_(store.mutex_) {}

Store::Transaction::~Transaction() {
  if (dirty_) store_.changed_.notify_all();
}

std::optional<nlohmann::json> Store::Transaction::get(const std::string& resourceId, const std::string& ns,
                                                      const std::string& name) const {
  const auto type = store_.objects_.find(resourceId);
  if (type == store_.objects_.end()) return std::nullopt;
  const auto it = type->second.find({ns, name});
  if (it == type->second.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> Store::Transaction::list(const std::string& resourceId, const std::string& ns) const {
  std::vector<nlohmann::json> out;
  const auto type = store_.objects_.find(resourceId);
  if (type == store_.objects_.end()) return out;
  for (const auto& [key, object] : type->second)
    if (ns.empty() || key.first == ns) out.push_back(object);
  return out;
}

nlohmann::json Store::Transaction::create(const std::string& resourceId, nlohmann::json object) {
  object["metadata"]["resourceVersion"] = std::to_string(++store_.resourceVersion_);
  const Key key{metadataString(object, "namespace"), metadataString(object, "name")};
  store_.objects_[resourceId][key] = object;
  store_.record("ADDED", resourceId, object, nullptr);
  dirty_ = true;
  return object;
}

nlohmann::json Store::Transaction::update(const std::string& resourceId, nlohmann::json object) {
  object["metadata"]["resourceVersion"] = std::to_string(++store_.resourceVersion_);
  const Key key{metadataString(object, "namespace"), metadataString(object, "name")};
  auto& slot = store_.objects_[resourceId][key];
  nlohmann::json previous = std::move(slot);
  slot = object;
  store_.record("MODIFIED", resourceId, object, std::move(previous));
  dirty_ = true;
  return object;
}

nlohmann::json Store::Transaction::remove(const std::string& resourceId, nlohmann::json lastState) {
  // Like etcd's delete: the DELETED event carries the revision of the deletion.
  lastState["metadata"]["resourceVersion"] = std::to_string(++store_.resourceVersion_);
  store_.objects_[resourceId].erase({metadataString(lastState, "namespace"), metadataString(lastState, "name")});
  store_.record("DELETED", resourceId, lastState, nullptr);
  dirty_ = true;
  return lastState;
}

void Store::Transaction::commit() {
  if (dirty_) store_.persist();
}

void Store::record(std::string type, const std::string& resourceId, const nlohmann::json& object,
                   nlohmann::json previous) {
  events_.push_back(StoredEvent{resourceVersion_, std::move(type), resourceId, object, std::move(previous)});
  while (events_.size() > watchCacheSize_) {
    oldestWatchable_ = events_.front().resourceVersion;
    events_.pop_front();
  }
}

Store::WaitResult Store::waitForEvents(std::uint64_t after, std::uint64_t dropGeneration,
                                       std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline, [&] {
    return closed_ || dropGeneration_ != dropGeneration || resourceVersion_ > after || after < oldestWatchable_;
  });
  WaitResult result;
  result.resourceVersion = resourceVersion_;
  result.closed = closed_;
  result.dropped = dropGeneration_ != dropGeneration;
  if (after < oldestWatchable_) {
    result.expired = true;
    return result;
  }
  auto first = std::upper_bound(events_.begin(), events_.end(), after,
                                [](std::uint64_t rv, const StoredEvent& e) { return rv < e.resourceVersion; });
  result.events.assign(first, events_.end());
  return result;
}

std::uint64_t Store::oldestWatchableVersion() const {
  std::lock_guard lock(mutex_);
  return oldestWatchable_;
}

std::uint64_t Store::dropGeneration() const {
  std::lock_guard lock(mutex_);
  return dropGeneration_;
}

std::uint64_t Store::resourceVersion() const {
  std::lock_guard lock(mutex_);
  return resourceVersion_;
}

void Store::dropWatches() {
  std::lock_guard lock(mutex_);
  ++dropGeneration_;
  changed_.notify_all();
}

void Store::compact() {
  std::lock_guard lock(mutex_);
  events_.clear();
  oldestWatchable_ = resourceVersion_;
  changed_.notify_all();
}

void Store::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void Store::persist() const {
  if (dataFile_.empty()) return;
  nlohmann::json snapshot = {{"resourceVersion", resourceVersion_}, {"objects", nlohmann::json::object()}};
  for (const auto& [resourceId, objects] : objects_) {
    auto& items = snapshot["objects"][resourceId] = nlohmann::json::array();
    for (const auto& [key, object] : objects) items.push_back(object);
  }
  // Write-then-rename so that a process killed mid-write leaves the previous complete snapshot.
  const std::string temporary = dataFile_ + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << snapshot.dump();
    out.flush();
    if (!out) throw ConfigError("data file " + temporary, "cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, dataFile_, ec);
  if (ec) throw ConfigError("data file " + dataFile_, "cannot replace: " + ec.message());
}

void Store::load() {
  if (dataFile_.empty() || !std::filesystem::exists(dataFile_)) return;
  nlohmann::json snapshot;
  try {
    snapshot = nlohmann::json::parse(readFile(dataFile_));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError("data file " + dataFile_, std::string("not valid JSON: ") + e.what());
  }
  std::lock_guard lock(mutex_);
  objects_.clear();
  events_.clear();
  const nlohmann::json stored = snapshot.value("objects", nlohmann::json::object());
  for (const auto& [resourceId, items] : stored.items()) {
    for (const auto& object : items)
      objects_[resourceId][{metadataString(object, "namespace"), metadataString(object, "name")}] = object;
  }
  resourceVersion_ = snapshot.value("resourceVersion", std::uint64_t{0});
  // The event history is not persisted: watches from before the restart must relist (410).
  oldestWatchable_ = resourceVersion_;
  spdlog::info("loaded {} resource types at resourceVersion {} from {}", objects_.size(), resourceVersion_, dataFile_);
}

}  // namespace fivespot::testserver
