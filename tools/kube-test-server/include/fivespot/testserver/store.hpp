#pragma once
// Generic object storage with one global, monotonically increasing resourceVersion and a bounded
// event log that feeds watches (the "watch cache"). A single mutex serialises every write, like
// etcd's single revision counter; watchers wait on a condition variable.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fivespot::testserver {

struct StoredEvent {
  std::uint64_t resourceVersion = 0;
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string resourceId;
  nlohmann::json object;
  nlohmann::json previous;  // the object before a MODIFIED, null otherwise
};

class Store {
 public:
  // dataFile: "" keeps everything in memory; otherwise every commit rewrites it atomically.
  Store(std::size_t watchCacheSize, std::string dataFile);

  // Holds the storage lock for one request's read-modify-write.
  class Transaction {
   public:
    explicit Transaction(Store& store);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    [[nodiscard]] std::optional<nlohmann::json> get(const std::string& resourceId, const std::string& ns,
                                                    const std::string& name) const;
    // Sorted by namespace then name; ns "" lists every namespace.
    [[nodiscard]] std::vector<nlohmann::json> list(const std::string& resourceId, const std::string& ns) const;
    [[nodiscard]] std::uint64_t currentResourceVersion() const { return store_.resourceVersion_; }
    [[nodiscard]] std::uint64_t oldestWatchableVersion() const { return store_.oldestWatchable_; }
    // Writes stamp metadata.resourceVersion with the next revision and record a watch event.
    nlohmann::json create(const std::string& resourceId, nlohmann::json object);
    nlohmann::json update(const std::string& resourceId, nlohmann::json object);
    nlohmann::json remove(const std::string& resourceId, nlohmann::json lastState);
    // Persists the data file when anything changed; throws ConfigError when it cannot be written.
    void commit();

   private:
    Store& store_;
    std::unique_lock<std::mutex> lock_;
    bool dirty_ = false;
  };

  Transaction begin() { return Transaction(*this); }

  struct WaitResult {
    std::vector<StoredEvent> events;
    std::uint64_t resourceVersion = 0;  // the store's revision when the wait ended
    bool expired = false;               // events after `after` are no longer kept
    bool dropped = false;               // dropWatches() happened since `dropGeneration`
    bool closed = false;
  };
  // Waits until an event newer than `after` exists (or until deadline / drop / close) and returns
  // every kept event newer than `after`.
  WaitResult waitForEvents(std::uint64_t after, std::uint64_t dropGeneration,
                           std::chrono::steady_clock::time_point deadline);
  // The oldest resourceVersion a watch may start from; older ones get 410 Expired.
  [[nodiscard]] std::uint64_t oldestWatchableVersion() const;
  [[nodiscard]] std::uint64_t dropGeneration() const;
  [[nodiscard]] std::uint64_t resourceVersion() const;

  void dropWatches();  // fault injection: every open watch ends abruptly
  void compact();      // fault injection: forget the event history
  void close();        // shutdown: wakes and ends every watch
  void load();         // reads the data file when it exists (call before serving)

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  void record(std::string type, const std::string& resourceId, const nlohmann::json& object, nlohmann::json previous);
  void persist() const;

  const std::size_t watchCacheSize_;
  const std::string dataFile_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::map<Key, nlohmann::json>> objects_;
  std::uint64_t resourceVersion_ = 0;
  std::deque<StoredEvent> events_;
  std::uint64_t oldestWatchable_ = 0;
  std::uint64_t dropGeneration_ = 0;
  bool closed_ = false;
};

}  // namespace fivespot::testserver
