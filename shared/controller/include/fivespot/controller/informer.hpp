#pragma once
// An informer in the manner of client-go's reflector + indexer + shared informer:
//  - lists (paginated), then watches from the list's resourceVersion with bookmarks, keeping the
//    latest resourceVersion seen in events and bookmarks;
//  - when a watch ends it resumes from that resourceVersion; on 410 Gone (expired
//    resourceVersion) it lists again and emits the differences against its cache (adds, updates of
//    objects whose resourceVersion changed, deletes of objects no longer listed);
//  - transport and server errors are retried with capped exponential back-off plus jitter;
//  - a local cache keyed "namespace/name" (just "name" for cluster-scoped objects) with secondary
//    indexes. Objects are kept as MessagePack, not as JSON trees: a tree of a few-kilobyte object
//    is several times its size (a map node per member), which at 10,000 ScheduledMachines was most
//    of the coordinator's memory. Reads decode; they copied the tree before, at a similar cost.
// Threading: start() runs the loop on the informer's own thread, and event handlers are called on
// that thread, one at a time, in event order, without any lock held (they may read the cache).
// Handlers must not block for long: enqueue keys into a WorkQueue and return. The read functions
// are thread-safe. Register indexes and handlers before start().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "fivespot/controller/backoff.hpp"
#include "fivespot/controller/list_watch.hpp"
#include "fivespot/controller/wait.hpp"

namespace fivespot::controller {

// "namespace/name", or "name" when the object has no namespace.
[[nodiscard]] std::string objectKey(const kube::Json& object);
[[nodiscard]] std::string objectResourceVersion(const kube::Json& object);

struct InformerOptions {
  std::string name = "informer";  // in log lines, e.g. "scheduledmachines"
  std::int64_t pageSize = 500;
  std::chrono::seconds watchTimeout{300};
  // client-go's reflector back-off: 800 ms doubling to 30 s, plus up to 100% jitter.
  BackoffPolicy reconnectBackoff{std::chrono::milliseconds(800), std::chrono::seconds(30), 1.0};
};

class Informer {
 public:
  using IndexFunc = std::function<std::vector<std::string>(const kube::Json& object)>;
  using AddHandler = std::function<void(const kube::Json& object)>;
  using UpdateHandler = std::function<void(const kube::Json& oldObject, const kube::Json& newObject)>;
  using DeleteHandler = std::function<void(const kube::Json& lastKnown)>;

  explicit Informer(ListWatcher& source, InformerOptions options = {}, Waiter waiter = realTimeWaiter());
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Before start(); throw std::logic_error afterwards.
  void addIndex(const std::string& name, IndexFunc function);
  void onAdd(AddHandler handler);
  void onUpdate(UpdateHandler handler);
  void onDelete(DeleteHandler handler);

  void start();
  // Cancels the current watch and joins the thread. A list in flight finishes first (bounded by
  // the client's request timeout).
  void stop();

  // True once the first full list has been stored and its add events delivered.
  [[nodiscard]] bool hasSynced() const noexcept { return synced_.load(); }
  // Waits until synced, the token is stopped or the timeout passes; returns hasSynced().
  bool waitForSync(std::stop_token token, Duration timeout) const;

  [[nodiscard]] std::optional<kube::Json> get(const std::string& key) const;
  [[nodiscard]] std::vector<kube::Json> list() const;
  [[nodiscard]] std::vector<std::string> keys() const;
  // Objects whose index function returned `value`; throws std::invalid_argument for an unknown index.
  [[nodiscard]] std::vector<kube::Json> byIndex(const std::string& index, const std::string& value) const;
  // The resourceVersion the next watch would start from.
  [[nodiscard]] std::string lastResourceVersion() const;

 private:
  struct Delta {
    enum class Kind { Added, Updated, Deleted } kind;
    kube::Json oldObject;
    kube::Json newObject;
  };

  void run(std::stop_token token);
  void listAndReplace();
  kube::ListResult listAllPages();
  void watchUntilEnd(const std::stop_token& token);
  void cancelCurrentWatch();

  std::optional<Delta> applyEventLocked(const kube::WatchEvent& event);
  std::vector<Delta> replaceLocked(std::vector<kube::Json> items);
  // One cached object: its resourceVersion (compared on relist) and the object as MessagePack.
  struct Stored {
    std::string resourceVersion;
    std::vector<std::uint8_t> packed;
  };
  static Stored pack(const kube::Json& object);
  static kube::Json unpack(const Stored& stored);

  std::optional<kube::Json> storeLocked(const std::string& key, kube::Json object);
  std::optional<kube::Json> eraseLocked(const std::string& key);
  void indexLocked(const std::string& key, const kube::Json& object, bool add);
  void dispatch(const Delta& delta) const;
  void requireNotStarted(const char* what) const;

  ListWatcher& source_;
  const InformerOptions options_;
  const Waiter waiter_;

  std::vector<AddHandler> addHandlers_;
  std::vector<UpdateHandler> updateHandlers_;
  std::vector<DeleteHandler> deleteHandlers_;
  std::map<std::string, IndexFunc> indexFunctions_;

  mutable std::shared_mutex cacheMutex_;
  std::unordered_map<std::string, Stored> items_;
  // index name -> indexed value -> keys
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>> indices_;
  std::string resourceVersion_;

  std::atomic<bool> synced_{false};
  mutable std::mutex syncMutex_;
  mutable std::condition_variable_any syncChanged_;

  std::mutex watchMutex_;
  std::unique_ptr<kube::Watch> currentWatch_;

  std::mt19937_64 random_{std::random_device{}()};
  std::atomic<bool> started_{false};
  std::jthread thread_;
};

}  // namespace fivespot::controller
