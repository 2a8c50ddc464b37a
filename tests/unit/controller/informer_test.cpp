#include "fivespot/controller/informer.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <variant>

#include "fivespot/kube/errors.hpp"

namespace fivespot::controller {
namespace {

using namespace std::chrono_literals;
using kube::Json;
using kube::WatchEvent;

constexpr auto kBound = 10s;  // upper bound for waits on the informer thread; never reached when passing

Json object(const std::string& name, const std::string& version, const std::string& node = "") {
  Json item = {{"metadata", {{"namespace", "ns"}, {"name", name}, {"resourceVersion", version}}}};
  if (!node.empty()) item["spec"]["nodeName"] = node;
  return item;
}

WatchEvent event(WatchEvent::Type type, Json item) {
  return WatchEvent{type, std::move(item)};
}

WatchEvent bookmark(const std::string& version) {
  return WatchEvent{WatchEvent::Type::Bookmark, {{"metadata", {{"resourceVersion", version}}}}};
}

WatchEvent gone() {
  return WatchEvent{WatchEvent::Type::Error, {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}}};
}

// A watch that plays its events, then either ends or blocks until cancelled.
class ScriptedWatch final : public kube::Watch {
 public:
  ScriptedWatch(std::deque<WatchEvent> events, bool endWhenDone)
      : events_(std::move(events)), endWhenDone_(endWhenDone) {}

  std::optional<WatchEvent> next() override {
    std::unique_lock lock(mutex_);
    if (!events_.empty()) {
      WatchEvent next = std::move(events_.front());
      events_.pop_front();
      return next;
    }
    if (!endWhenDone_) cancelledChanged_.wait(lock, [this] { return cancelled_; });
    return std::nullopt;
  }

  void cancel() override {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    cancelledChanged_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cancelledChanged_;
  std::deque<WatchEvent> events_;
  bool endWhenDone_;
  bool cancelled_ = false;
};

struct WatchScript {
  std::deque<WatchEvent> events;
  bool endWhenDone = true;
  std::exception_ptr failOnOpen;
};

// Scripted list pages and watch streams; once the scripts run out, watches block until cancelled.
class FakeListWatcher final : public ListWatcher {
 public:
  void addList(kube::ListResult page) {
    push(lists_, std::variant<kube::ListResult, std::exception_ptr>(std::move(page)));
  }
  void failList(std::exception_ptr error) { push(lists_, std::variant<kube::ListResult, std::exception_ptr>(error)); }
  void addWatch(WatchScript script) { push(watches_, std::move(script)); }

  kube::ListResult list(const kube::ListOptions& options) override {
    std::lock_guard lock(mutex_);
    listCalls_.push_back(options);
    changed_.notify_all();
    if (lists_.empty()) throw kube::TransportError("list", "no scripted list left");
    auto next = std::move(lists_.front());
    lists_.pop_front();
    if (auto* error = std::get_if<std::exception_ptr>(&next)) std::rethrow_exception(*error);
    return std::get<kube::ListResult>(std::move(next));
  }

  std::unique_ptr<kube::Watch> watch(const kube::WatchOptions& options) override {
    std::lock_guard lock(mutex_);
    watchCalls_.push_back(options);
    changed_.notify_all();
    WatchScript script{{}, false, nullptr};
    if (!watches_.empty()) {
      script = std::move(watches_.front());
      watches_.pop_front();
    }
    if (script.failOnOpen) std::rethrow_exception(script.failOnOpen);
    return std::make_unique<ScriptedWatch>(std::move(script.events), script.endWhenDone);
  }

  // Waits until the informer opened `count` watches; returns their options.
  std::vector<kube::WatchOptions> waitForWatches(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kBound, [&] { return watchCalls_.size() >= count; });
    return watchCalls_;
  }
  std::vector<kube::ListOptions> listCalls() {
    std::lock_guard lock(mutex_);
    return listCalls_;
  }

 private:
  template <typename T, typename V>
  void push(std::deque<T>& queue, V value) {
    std::lock_guard lock(mutex_);
    queue.push_back(std::move(value));
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::variant<kube::ListResult, std::exception_ptr>> lists_;
  std::deque<WatchScript> watches_;
  std::vector<kube::ListOptions> listCalls_;
  std::vector<kube::WatchOptions> watchCalls_;
};

// Handler calls as "add a", "update a 1->2", "delete b", in order.
class EventLog {
 public:
  void attach(Informer& informer) {
    informer.onAdd([this](const Json& o) { record("add " + name(o)); });
    informer.onUpdate([this](const Json& old, const Json& now) {
      record("update " + name(now) + " " + objectResourceVersion(old) + "->" + objectResourceVersion(now));
    });
    informer.onDelete([this](const Json& o) { record("delete " + name(o)); });
  }
  std::vector<std::string> waitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kBound, [&] { return entries_.size() >= count; });
    return entries_;
  }

 private:
  static std::string name(const Json& o) { return o["metadata"]["name"].get<std::string>(); }
  void record(std::string entry) {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> entries_;
};

// Records back-off delays instead of waiting them out.
struct RecordingWaiter {
  std::shared_ptr<std::vector<Duration>> delays = std::make_shared<std::vector<Duration>>();
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  Waiter waiter() {
    return [delays = delays, mutex = mutex](std::stop_token token, Duration delay) {
      std::lock_guard lock(*mutex);
      delays->push_back(delay);
      return !token.stop_requested();
    };
  }
  std::vector<Duration> recorded() const {
    std::lock_guard lock(*mutex);
    return *delays;
  }
};

kube::ListResult page(std::vector<Json> items, const std::string& version, const std::string& continueToken = "") {
  return kube::ListResult{std::move(items), version, continueToken};
}

TEST(Informer, ListsAllPagesThenWatchesFromTheListVersionAndResumesFromTheLastSeen) {
  FakeListWatcher source;
  source.addList(page({object("a", "5"), object("b", "6")}, "10", "page-2"));
  source.addList(page({object("c", "7")}, "ignored"));
  source.addWatch(
      {{event(WatchEvent::Type::Added, object("d", "11")), event(WatchEvent::Type::Modified, object("a", "12")),
        event(WatchEvent::Type::Deleted, object("b", "13")), bookmark("20")},
       true,
       nullptr});
  InformerOptions options;
  options.pageSize = 2;
  Informer informer(source, options, RecordingWaiter{}.waiter());
  EventLog log;
  log.attach(informer);
  informer.start();

  ASSERT_TRUE(informer.waitForSync({}, kBound));
  const auto events = log.waitFor(6);
  EXPECT_EQ(events, (std::vector<std::string>{"add a", "add b", "add c", "add d", "update a 5->12", "delete b"}));
  const auto watches = source.waitForWatches(2);
  ASSERT_GE(watches.size(), 2u);
  EXPECT_EQ(watches[0].resourceVersion, "10") << "watch from the list's snapshot";
  EXPECT_TRUE(watches[0].allowBookmarks);
  EXPECT_EQ(watches[1].resourceVersion, "20") << "resume from the bookmark after the stream ended";

  const auto lists = source.listCalls();
  ASSERT_EQ(lists.size(), 2u) << "no relist when a stream merely ends";
  EXPECT_EQ(lists[0].limit, 2);
  EXPECT_EQ(lists[1].continueToken, "page-2");

  EXPECT_EQ(informer.get("ns/a").value()["metadata"]["resourceVersion"], "12");
  EXPECT_EQ(informer.get("ns/b"), std::nullopt);
  auto keys = informer.keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"ns/a", "ns/c", "ns/d"}));
  EXPECT_EQ(informer.list().size(), 3u);
  informer.stop();
}

TEST(Informer, CacheDropsManagedFields) {
  FakeListWatcher source;
  Json listed = object("a", "5");
  listed["metadata"]["managedFields"] = Json::array({{{"manager", "kubectl"}, {"operation", "Apply"}}});
  Json watched = object("b", "6");
  watched["metadata"]["managedFields"] = listed["metadata"]["managedFields"];
  source.addList(page({listed}, "5"));
  source.addWatch({{event(WatchEvent::Type::Added, watched)}, false, nullptr});
  Informer informer(source, {}, RecordingWaiter{}.waiter());
  EventLog log;
  log.attach(informer);
  informer.start();
  ASSERT_TRUE(informer.waitForSync({}, kBound));
  log.waitFor(2);
  for (const char* key : {"ns/a", "ns/b"}) {
    const auto cached = informer.get(key);
    ASSERT_TRUE(cached) << key;
    EXPECT_FALSE((*cached)["metadata"].contains("managedFields")) << key;
    EXPECT_EQ((*cached)["metadata"]["name"], std::string(key).substr(3));
  }
  informer.stop();
}

TEST(Informer, GoneErrorEventRelistsAndEmitsOnlyTheDifferences) {
  FakeListWatcher source;
  source.addList(page({object("a", "1"), object("b", "1"), object("c", "1")}, "5"));
  source.addWatch({{gone()}, true, nullptr});
  source.addList(page({object("a", "1"), object("b", "2"), object("d", "1")}, "9"));
  Informer informer(source, {}, RecordingWaiter{}.waiter());
  EventLog log;
  log.attach(informer);
  informer.start();

  const auto events = log.waitFor(6);
  EXPECT_EQ(events, (std::vector<std::string>{"add a", "add b", "add c", "update b 1->2", "add d", "delete c"}));
  const auto watches = source.waitForWatches(2);
  ASSERT_GE(watches.size(), 2u);
  EXPECT_EQ(watches[1].resourceVersion, "9");
  EXPECT_EQ(informer.lastResourceVersion(), "9");
  informer.stop();
}

TEST(Informer, GoneFromOpeningTheWatchAlsoRelists) {
  FakeListWatcher source;
  source.addList(page({object("a", "1")}, "5"));
  source.addWatch({{}, true, std::make_exception_ptr(kube::ApiError(410, "Expired", "too old", "watch"))});
  source.addList(page({}, "8"));
  Informer informer(source, {}, RecordingWaiter{}.waiter());
  EventLog log;
  log.attach(informer);
  informer.start();

  EXPECT_EQ(log.waitFor(2), (std::vector<std::string>{"add a", "delete a"}));
  const auto watches = source.waitForWatches(2);
  ASSERT_GE(watches.size(), 2u);
  EXPECT_EQ(watches[1].resourceVersion, "8");
  informer.stop();
}

TEST(Informer, TransportErrorsBackOffWithJitterAndResumeWithoutRelisting) {
  FakeListWatcher source;
  source.addList(page({object("a", "1")}, "5"));
  source.addWatch({{}, true, std::make_exception_ptr(kube::TransportError("watch", "connection reset"))});
  source.addWatch({{}, true, std::make_exception_ptr(kube::TransportError("watch", "connection reset"))});
  RecordingWaiter waiter;
  Informer informer(source, {}, waiter.waiter());
  informer.start();

  const auto watches = source.waitForWatches(3);
  ASSERT_GE(watches.size(), 3u);
  for (const auto& options : watches) EXPECT_EQ(options.resourceVersion, "5");
  EXPECT_EQ(source.listCalls().size(), 1u);
  const auto delays = waiter.recorded();
  ASSERT_EQ(delays.size(), 2u);
  EXPECT_GE(delays[0], 800ms);
  EXPECT_LE(delays[0], 1600ms);
  EXPECT_GE(delays[1], 1600ms);
  EXPECT_LE(delays[1], 3200ms);
  informer.stop();
}

TEST(Informer, FailedFirstListIsRetriedAndSyncWaitsForIt) {
  FakeListWatcher source;
  source.failList(std::make_exception_ptr(kube::ApiError(503, "ServiceUnavailable", "etcd down", "list")));
  source.addList(page({object("a", "1")}, "5"));
  RecordingWaiter waiter;
  Informer informer(source, {}, waiter.waiter());
  EXPECT_FALSE(informer.hasSynced());
  informer.start();
  ASSERT_TRUE(informer.waitForSync({}, kBound));
  EXPECT_EQ(informer.keys(), std::vector<std::string>{"ns/a"});
  EXPECT_EQ(waiter.recorded().size(), 1u);
  informer.stop();
}

TEST(Informer, ExpiredContinueTokenFallsBackToOneUnpaginatedList) {
  FakeListWatcher source;
  source.addList(page({object("a", "1")}, "5", "next"));
  source.failList(std::make_exception_ptr(kube::ApiError(410, "Expired", "continue expired", "list")));
  source.addList(page({object("a", "1"), object("b", "1")}, "6"));
  InformerOptions options;
  options.pageSize = 1;
  Informer informer(source, options, RecordingWaiter{}.waiter());
  informer.start();
  ASSERT_TRUE(informer.waitForSync({}, kBound));
  EXPECT_EQ(informer.list().size(), 2u);
  const auto lists = source.listCalls();
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_EQ(lists[2].limit, 0);
  EXPECT_TRUE(lists[2].continueToken.empty());
  EXPECT_EQ(source.waitForWatches(1).at(0).resourceVersion, "6");
  informer.stop();
}

TEST(Informer, SecondaryIndexFollowsUpdatesAndDeletes) {
  FakeListWatcher source;
  source.addList(page({object("a", "1", "node-1"), object("b", "1", "node-1"), object("c", "1", "node-2")}, "5"));
  source.addWatch({{event(WatchEvent::Type::Modified, object("a", "6", "node-2")),
                    event(WatchEvent::Type::Deleted, object("b", "7", "node-1"))},
                   false,
                   nullptr});
  Informer informer(source, {}, RecordingWaiter{}.waiter());
  informer.addIndex("node", [](const Json& o) {
    std::vector<std::string> values;
    if (o.contains("spec")) values.push_back(o["spec"]["nodeName"].get<std::string>());
    return values;
  });
  EventLog log;
  log.attach(informer);
  informer.start();
  log.waitFor(5);

  EXPECT_TRUE(informer.byIndex("node", "node-1").empty());
  const auto onNode2 = informer.byIndex("node", "node-2");
  ASSERT_EQ(onNode2.size(), 2u);
  EXPECT_EQ(onNode2[0]["metadata"]["name"], "a");
  EXPECT_EQ(onNode2[1]["metadata"]["name"], "c");
  EXPECT_THROW((void)informer.byIndex("no-such-index", "x"), std::invalid_argument);
  informer.stop();
}

TEST(Informer, StopCancelsTheBlockedWatchAndJoins) {
  FakeListWatcher source;
  source.addList(page({}, "5"));
  Informer informer(source, {}, realTimeWaiter());
  informer.start();
  ASSERT_EQ(source.waitForWatches(1).size(), 1u);
  informer.stop();  // returns only if the blocked watch was cancelled
  EXPECT_TRUE(informer.hasSynced());
}

TEST(Informer, RegistrationAfterStartIsRejectedAndSyncWaitHonoursStop) {
  FakeListWatcher source;  // no list scripted: the first list keeps failing (and backs off)
  Informer informer(source, {}, realTimeWaiter());
  informer.start();
  EXPECT_THROW(informer.onAdd([](const Json&) {}), std::logic_error);
  EXPECT_THROW(informer.addIndex("x", [](const Json&) { return std::vector<std::string>{}; }), std::logic_error);
  std::stop_source stopped;
  stopped.request_stop();
  EXPECT_FALSE(informer.waitForSync(stopped.get_token(), kBound));
  informer.stop();
}

TEST(ObjectKey, NamespacedAndClusterScoped) {
  EXPECT_EQ(objectKey(object("a", "1")), "ns/a");
  EXPECT_EQ(objectKey(Json{{"metadata", {{"name", "node-1"}}}}), "node-1");
}

}  // namespace
}  // namespace fivespot::controller
