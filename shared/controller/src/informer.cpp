#include "fivespot/controller/informer.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::controller {
namespace {

// Nothing reads metadata.managedFields, which a real API server adds to every object and which is
// often as large as the rest of it: the cache does not keep it (client-go's and controller-runtime's
// caches drop it too).
void dropManagedFields(kube::Json& object) {
  const auto metadata = object.find("metadata");
  if (metadata != object.end() && metadata->is_object()) metadata->erase("managedFields");
}

// The watch's resourceVersion is too old (410 Gone): only a new list can continue.
class ResourceVersionExpired : public Error {
 public:
  explicit ResourceVersionExpired(const std::string& context)
      : Error(ErrorKind::Transient, context, "resourceVersion expired (410 Gone)") {}
};

std::string stringAt(const kube::Json& object, const char* field) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  const auto value = metadata->find(field);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : "";
}

// An Error event carries a metav1.Status.
kube::ApiError statusError(const kube::Json& status, const std::string& context) {
  const int code = status.is_object() ? status.value("code", 500) : 500;
  const std::string reason = status.is_object() ? status.value("reason", "") : "";
  const std::string message = status.is_object() ? status.value("message", "") : status.dump();
  return kube::ApiError(code, reason, message, context);
}

}  // namespace

std::string objectKey(const kube::Json& object) {
  const std::string ns = stringAt(object, "namespace");
  const std::string name = stringAt(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

std::string objectResourceVersion(const kube::Json& object) {
  return stringAt(object, "resourceVersion");
}

Informer::Informer(ListWatcher& source, InformerOptions options, Waiter waiter)
    : source_(source), options_(std::move(options)), waiter_(std::move(waiter)) {}

Informer::~Informer() {
  stop();
}

void Informer::requireNotStarted(const char* what) const {
  if (started_.load())
    throw std::logic_error(std::string("informer ") + options_.name + ": " + what + " after start()");
}

void Informer::addIndex(const std::string& name, IndexFunc function) {
  requireNotStarted("addIndex");
  indexFunctions_[name] = std::move(function);
  indices_[name];
}

void Informer::onAdd(AddHandler handler) {
  requireNotStarted("onAdd");
  addHandlers_.push_back(std::move(handler));
}

void Informer::onUpdate(UpdateHandler handler) {
  requireNotStarted("onUpdate");
  updateHandlers_.push_back(std::move(handler));
}

void Informer::onDelete(DeleteHandler handler) {
  requireNotStarted("onDelete");
  deleteHandlers_.push_back(std::move(handler));
}

void Informer::start() {
  if (started_.exchange(true)) return;
  thread_ = std::jthread([this](std::stop_token token) { run(std::move(token)); });
}

void Informer::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // the stop callback in run() cancels the watch
  thread_.join();
}

void Informer::cancelCurrentWatch() {
  std::lock_guard lock(watchMutex_);
  if (currentWatch_) currentWatch_->cancel();
}

void Informer::run(std::stop_token token) {
  const std::stop_callback cancelOnStop(token, [this] { cancelCurrentWatch(); });
  bool needList = true;
  int failures = 0;
  while (!token.stop_requested()) {
    try {
      if (needList) {
        listAndReplace();
        needList = false;
      }
      watchUntilEnd(token);
      failures = 0;
      continue;  // the stream ended cleanly: resume from the last resourceVersion
    } catch (const ResourceVersionExpired&) {
      spdlog::info("informer {}: resourceVersion {} expired, listing again", options_.name, lastResourceVersion());
      needList = true;
      continue;
    } catch (const kube::ApiError& error) {
      if (error.isGone()) {
        spdlog::info("informer {}: resourceVersion {} expired, listing again", options_.name, lastResourceVersion());
        needList = true;
        continue;
      }
      spdlog::warn("informer {}: {}", options_.name, error.what());
    } catch (const Error& error) {
      spdlog::warn("informer {}: {}", options_.name, error.what());
    }
    const Duration delay = jitteredBackoff(failures++, options_.reconnectBackoff,
                                           std::uniform_real_distribution<double>(0.0, 1.0)(random_));
    if (!waiter_(token, delay)) break;
  }
}

kube::ListResult Informer::listAllPages() {
  kube::ListOptions options;
  options.limit = options_.pageSize;
  kube::ListResult all;
  bool firstPage = true;
  for (;;) {
    kube::ListResult page;
    try {
      page = source_.list(options);
    } catch (const kube::ApiError& error) {
      // The continue token expired mid-way (410): like client-go, fall back to one unpaginated list.
      if (!error.isGone() || options.continueToken.empty()) throw;
      spdlog::info("informer {}: list continuation expired, listing without pagination", options_.name);
      return source_.list(kube::ListOptions{});
    }
    if (firstPage) all.resourceVersion = page.resourceVersion;  // the snapshot the pages belong to
    firstPage = false;
    for (auto& item : page.items) all.items.push_back(std::move(item));
    if (page.continueToken.empty()) return all;
    options.continueToken = page.continueToken;
  }
}

void Informer::listAndReplace() {
  kube::ListResult listed = listAllPages();
  std::vector<Delta> deltas;
  {
    std::unique_lock lock(cacheMutex_);
    deltas = replaceLocked(std::move(listed.items));
    resourceVersion_ = listed.resourceVersion;
  }
  spdlog::debug("informer {}: listed at resourceVersion {}, {} change(s)", options_.name, listed.resourceVersion,
                deltas.size());
  for (const Delta& delta : deltas) dispatch(delta);
  {
    std::lock_guard lock(syncMutex_);
    synced_ = true;
  }
  syncChanged_.notify_all();
}

void Informer::watchUntilEnd(const std::stop_token& token) {
  kube::WatchOptions options;
  options.resourceVersion = lastResourceVersion();
  options.allowBookmarks = true;
  options.timeout = options_.watchTimeout;
  {
    std::unique_ptr<kube::Watch> opened = source_.watch(options);
    std::lock_guard lock(watchMutex_);
    currentWatch_ = std::move(opened);
    // stop() may have run between opening and storing the watch; it could not cancel it then.
    if (token.stop_requested()) currentWatch_->cancel();
  }
  struct ResetWatch {
    Informer& informer;
    ~ResetWatch() {
      std::lock_guard lock(informer.watchMutex_);
      informer.currentWatch_.reset();
    }
  } resetWatch{*this};

  while (auto event = currentWatch_->next()) {
    if (event->type == kube::WatchEvent::Type::Error) {
      const kube::ApiError error = statusError(event->object, "watch " + options_.name);
      if (error.isGone()) throw ResourceVersionExpired("watch " + options_.name);
      throw error;
    }
    std::optional<Delta> delta;
    {
      std::unique_lock lock(cacheMutex_);
      delta = applyEventLocked(*event);
    }
    if (delta) dispatch(*delta);
  }
}

std::optional<Informer::Delta> Informer::applyEventLocked(const kube::WatchEvent& event) {
  const std::string version = objectResourceVersion(event.object);
  if (!version.empty()) resourceVersion_ = version;
  switch (event.type) {
    case kube::WatchEvent::Type::Added:
    case kube::WatchEvent::Type::Modified: {
      auto previous = storeLocked(objectKey(event.object), event.object);
      if (previous) return Delta{Delta::Kind::Updated, std::move(*previous), event.object};
      return Delta{Delta::Kind::Added, nullptr, event.object};
    }
    case kube::WatchEvent::Type::Deleted:
      eraseLocked(objectKey(event.object));
      return Delta{Delta::Kind::Deleted, event.object, nullptr};
    case kube::WatchEvent::Type::Bookmark:
    case kube::WatchEvent::Type::Error:
      break;
  }
  return std::nullopt;
}

std::vector<Informer::Delta> Informer::replaceLocked(std::vector<kube::Json> items) {
  std::vector<Delta> deltas;
  std::set<std::string> listed;
  for (auto& item : items) {
    std::string key = objectKey(item);
    listed.insert(key);
    const auto existing = items_.find(key);
    if (existing != items_.end() && existing->second.resourceVersion == objectResourceVersion(item)) continue;
    auto previous = storeLocked(key, item);
    if (previous) {
      deltas.push_back(Delta{Delta::Kind::Updated, std::move(*previous), std::move(item)});
    } else {
      deltas.push_back(Delta{Delta::Kind::Added, nullptr, std::move(item)});
    }
  }
  std::vector<std::string> vanished;
  for (const auto& [key, object] : items_) {
    if (!listed.contains(key)) vanished.push_back(key);
  }
  for (const std::string& key : vanished) {
    // Deleted while we were not watching: the last state we knew is all there is.
    if (auto lastKnown = eraseLocked(key))
      deltas.push_back(Delta{Delta::Kind::Deleted, std::move(*lastKnown), nullptr});
  }
  return deltas;
}

Informer::Stored Informer::pack(const kube::Json& object) {
  return Stored{objectResourceVersion(object), kube::Json::to_msgpack(object)};
}

kube::Json Informer::unpack(const Stored& stored) {
  return kube::Json::from_msgpack(stored.packed);
}

std::optional<kube::Json> Informer::storeLocked(const std::string& key, kube::Json object) {
  dropManagedFields(object);
  std::optional<kube::Json> previous = eraseLocked(key);
  indexLocked(key, object, true);
  items_.emplace(key, pack(object));
  return previous;
}

std::optional<kube::Json> Informer::eraseLocked(const std::string& key) {
  const auto found = items_.find(key);
  if (found == items_.end()) return std::nullopt;
  kube::Json previous = unpack(found->second);
  items_.erase(found);
  indexLocked(key, previous, false);
  return previous;
}

void Informer::indexLocked(const std::string& key, const kube::Json& object, bool add) {
  for (const auto& [name, function] : indexFunctions_) {
    auto& index = indices_[name];
    for (const std::string& value : function(object)) {
      if (add) {
        index[value].insert(key);
      } else if (const auto entry = index.find(value); entry != index.end()) {
        entry->second.erase(key);
        if (entry->second.empty()) index.erase(entry);
      }
    }
  }
}

void Informer::dispatch(const Delta& delta) const {
  switch (delta.kind) {
    case Delta::Kind::Added:
      for (const auto& handler : addHandlers_) handler(delta.newObject);
      break;
    case Delta::Kind::Updated:
      for (const auto& handler : updateHandlers_) handler(delta.oldObject, delta.newObject);
      break;
    case Delta::Kind::Deleted:
      for (const auto& handler : deleteHandlers_) handler(delta.oldObject);
      break;
  }
}

bool Informer::waitForSync(std::stop_token token, Duration timeout) const {
  std::unique_lock lock(syncMutex_);
  syncChanged_.wait_for(lock, token, timeout, [this] { return synced_.load(); });
  return synced_.load();
}

std::optional<kube::Json> Informer::get(const std::string& key) const {
  std::shared_lock lock(cacheMutex_);
  const auto found = items_.find(key);
  if (found == items_.end()) return std::nullopt;
  return unpack(found->second);
}

std::vector<kube::Json> Informer::list() const {
  std::shared_lock lock(cacheMutex_);
  std::vector<kube::Json> objects;
  objects.reserve(items_.size());
  for (const auto& [key, stored] : items_) objects.push_back(unpack(stored));
  return objects;
}

std::vector<std::string> Informer::keys() const {
  std::shared_lock lock(cacheMutex_);
  std::vector<std::string> result;
  result.reserve(items_.size());
  for (const auto& [key, stored] : items_) result.push_back(key);
  return result;
}

std::vector<kube::Json> Informer::byIndex(const std::string& index, const std::string& value) const {
  std::shared_lock lock(cacheMutex_);
  const auto found = indices_.find(index);
  if (found == indices_.end()) throw std::invalid_argument("informer " + options_.name + ": no index named " + index);
  std::vector<kube::Json> objects;
  const auto entry = found->second.find(value);
  if (entry == found->second.end()) return objects;
  for (const std::string& key : entry->second) objects.push_back(unpack(items_.at(key)));
  return objects;
}

std::string Informer::lastResourceVersion() const {
  std::shared_lock lock(cacheMutex_);
  return resourceVersion_;
}

}  // namespace fivespot::controller
