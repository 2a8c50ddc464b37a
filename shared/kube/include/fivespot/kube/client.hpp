#pragma once
// A Kubernetes API client modelled on client-go's dynamic client: objects are JSON values, typed
// errors (errors.hpp), client-side rate limiting, optimistic concurrency helpers, watches.
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fivespot/common/clock.hpp"
#include "fivespot/kube/config.hpp"
#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"
#include "fivespot/kube/resource.hpp"

namespace fivespot::kube {

using Json = nlohmann::json;

// One API request in the terms RBAC and audit use, resolved from its method and target the way
// kube-apiserver's RequestInfoFactory does.
struct RequestInfo {
  bool resourceRequest = false;  // false for discovery, /version, /healthz... (nonResourceURLs)
  std::string path;              // the target without its query
  std::string verb;              // get list watch create update patch delete deletecollection
  std::string group;             // "" for the core API
  std::string version;
  std::string ns;  // "" for cluster-scoped requests and requests across namespaces
  std::string resource;
  std::string subresource;
  std::string name;
};

// Resolves "GET /api/v1/namespaces/a/pods?watch=1" into {verb watch, resource pods, ns a}.
// A non-resource request keeps only path and verb (the lower-cased method).
RequestInfo requestInfoFor(const std::string& method, const std::string& target);

// Called once per HTTP exchange with the API server (every retry and watch opening included):
// `status` is the HTTP status, or 0 when no answer arrived (transport error). Runs on the calling
// thread, so it must be cheap, thread-safe and must not throw.
using RequestObserver = std::function<void(const RequestInfo& request, int status)>;

struct ClientOptions {
  double qps = 50;  // client-side token bucket, like client-go's --kube-api-qps
  int burst = 100;
  std::chrono::milliseconds requestTimeout{30'000};
  std::string userAgent = "fivespot";
  int maxRetriesOnThrottle = 5;            // 429 / 5xx with Retry-After are retried up to this many times
  std::chrono::seconds maxRetryAfter{60};  // a longer Retry-After is shortened to this
  // How the client reads time (rate limiter) and waits (rate limiter, Retry-After). Tests inject
  // a ManualClock and a recording sleeper; nullptr / empty mean SystemClock and sleep_for.
  const Clock* clock = nullptr;
  std::function<void(Duration)> sleep;
  // Sees every request this client makes (metrics). Empty: nothing is resolved or called.
  RequestObserver requestObserver;
};

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::int64_t limit = 0;  // 0: no limit
  std::string continueToken;
  std::string resourceVersion;
};

struct ListResult {
  std::vector<Json> items;
  std::string resourceVersion;
  std::string continueToken;
};

struct DeleteOptions {
  std::optional<std::int64_t> gracePeriodSeconds;
  std::string propagationPolicy;  // "", "Foreground", "Background", "Orphan"
  std::string preconditionUid;
  std::string preconditionResourceVersion;
  [[nodiscard]] Json toJson() const;
};

enum class PatchType { Merge, JsonPatch, StrategicMerge, Apply };

struct PatchOptions {
  std::string fieldManager;  // required for Apply
  bool force = false;        // Apply: take ownership of conflicting fields
};

struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;
  bool allowBookmarks = true;
  std::chrono::seconds timeout{300};  // server-side timeoutSeconds; the stream then ends cleanly
};

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type;
  Json object;  // for Error: the Status object
};

// One watch stream. next() blocks until an event, returns std::nullopt when the stream ends
// (server timeout or cancel). A 410 Gone arrives as an Error event (or ApiError from watch()).
class Watch {
 public:
  virtual ~Watch() = default;
  virtual std::optional<WatchEvent> next() = 0;
  virtual void cancel() = 0;
};

class Client {
 public:
  explicit Client(ClusterConfig config, ClientOptions options = {}, std::shared_ptr<HttpTransport> transport = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  [[nodiscard]] const ClusterConfig& config() const noexcept;

  Json get(const ResourceType& type, const std::string& ns, const std::string& name);
  std::optional<Json> getIfExists(const ResourceType& type, const std::string& ns, const std::string& name);
  ListResult list(const ResourceType& type, const std::string& ns, const ListOptions& options = {});
  // Follows `continue` until done; the result's resourceVersion is the first page's.
  ListResult listAll(const ResourceType& type, const std::string& ns, ListOptions options = {});
  Json create(const ResourceType& type, const std::string& ns, const Json& object);
  Json update(const ResourceType& type, const std::string& ns,
              const Json& object);  // PUT, 409 on stale resourceVersion
  Json updateStatus(const ResourceType& type, const std::string& ns, const Json& object);
  Json patch(const ResourceType& type, const std::string& ns, const std::string& name, PatchType patchType,
             const Json& patch, const PatchOptions& options = {});
  Json patchStatus(const ResourceType& type, const std::string& ns, const std::string& name, PatchType patchType,
                   const Json& patch, const PatchOptions& options = {});
  // Returns false when the object was already gone (404).
  bool remove(const ResourceType& type, const std::string& ns, const std::string& name,
              const DeleteOptions& options = {});
  // POST pods/<name>/eviction (policy/v1). Throws ApiError: 429 when a PDB blocks it (not retried
  // here: the caller owns the back-off), 404 when the pod is gone.
  void evict(const std::string& ns, const std::string& pod, const DeleteOptions& options = {});
  // POST serviceaccounts/<name>/token (authentication.k8s.io/v1 TokenRequest); returns the token.
  std::string requestServiceAccountToken(const std::string& ns, const std::string& serviceAccount,
                                         std::chrono::seconds expiration,
                                         const std::vector<std::string>& audiences = {});
  std::unique_ptr<Watch> watch(const ResourceType& type, const std::string& ns, const WatchOptions& options);

  // Discovery: versions of `group` the server serves, e.g. {"v1beta1","v1beta2"}; empty if none.
  std::set<std::string> servedVersions(const std::string& group);
  // The preferred of `candidates` (in order) that the server serves; std::nullopt if none.
  std::optional<std::string> preferredVersion(const std::string& group, const std::vector<std::string>& candidates);

  // Raw request for what the typed calls do not cover; throws ApiError on non-2xx.
  HttpResponse request(const HttpRequest& request);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Read-modify-write with optimistic concurrency: calls `mutate` with a fresh copy until the write
// is accepted or `attempts` 409 conflicts happened (then rethrows). `mutate` returns false to skip.
Json updateWithRetry(Client& client, const ResourceType& type, const std::string& ns, const std::string& name,
                     const std::function<bool(Json&)>& mutate, bool statusSubresource = false, int attempts = 5);

}  // namespace fivespot::kube
