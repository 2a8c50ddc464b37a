#include "fivespot/kube/client.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "rate_limiter.hpp"
#include "status.hpp"
#include "watch.hpp"

namespace fivespot::kube {
namespace {

using Millis = std::chrono::milliseconds;

// Percent-encodes a query value (RFC 3986: everything but unreserved characters).
std::string urlEncode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += {'%', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  return out;
}

// Builds "?a=1&b=2" from the parameters that are set.
class Query {
 public:
  Query& add(const std::string& key, const std::string& value) {
    if (!value.empty()) text_ += (text_.empty() ? "?" : "&") + key + "=" + urlEncode(value);
    return *this;
  }
  [[nodiscard]] const std::string& str() const { return text_; }

 private:
  std::string text_;
};

std::string describe(const HttpRequest& request) {
  return request.method + " " + request.target;
}

HttpRequest makeRequest(std::string method, std::string target, const Json* body = nullptr,
                        const std::string& contentType = "application/json") {
  HttpRequest request{std::move(method), std::move(target), {}, {}};
  if (body != nullptr) {
    request.body = body->dump();
    request.headers.emplace_back("Content-Type", contentType);
  }
  return request;
}

Json parseBody(const HttpResponse& response, const HttpRequest& request) {
  Json parsed = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    throw TransportError(describe(request), "answer " + std::to_string(response.status) + " is not JSON");
  }
  return parsed;
}

std::string metadataString(const Json& object, const char* key) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  const auto value = metadata->find(key);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : "";
}

std::string nameOf(const Json& object, const ResourceType& type) {
  std::string name = metadataString(object, "name");
  if (name.empty()) throw ValidationError("metadata.name", "", "the name of the " + type.kind + " to write");
  return name;
}

// The namespace a request addresses: none for cluster-scoped types, else the argument or the object's.
std::string namespaceFor(const ResourceType& type, const std::string& ns, const Json* object = nullptr) {
  if (!type.namespaced) return "";
  if (!ns.empty()) return ns;
  if (object != nullptr) {
    std::string fromObject = metadataString(*object, "namespace");
    if (!fromObject.empty()) return fromObject;
  }
  throw ValidationError("namespace", "", "a namespace for namespaced resource " + type.resource);
}

const char* contentTypeFor(PatchType patchType) {
  switch (patchType) {
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::JsonPatch:
      return "application/json-patch+json";
    case PatchType::StrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::Apply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

bool isSuccess(int status) {
  return status >= 200 && status < 300;
}

std::vector<std::string> pathSegments(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

// Whether the query string (without '?') sets watch=true or watch=1.
bool asksToWatch(const std::string& query) {
  std::size_t start = 0;
  while (start < query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string parameter = query.substr(start, end - start);
    if (parameter == "watch=true" || parameter == "watch=1") return true;
    start = end + 1;
  }
  return false;
}

std::string lowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string verbFor(const std::string& method, bool named, bool watch) {
  if (method == "GET" || method == "HEAD") return watch ? "watch" : named ? "get" : "list";
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return named ? "delete" : "deletecollection";
  return lowerCase(method);
}

}  // namespace

RequestInfo requestInfoFor(const std::string& method, const std::string& target) {
  const std::size_t queryStart = target.find('?');
  RequestInfo info;
  info.path = target.substr(0, queryStart);
  info.verb = lowerCase(method);
  std::vector<std::string> parts = pathSegments(info.path);
  std::size_t prefix = 0;
  if (parts.size() >= 3 && parts[0] == "api") {
    info.version = parts[1];
    prefix = 2;
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    prefix = 3;
  } else {
    return info;
  }
  parts.erase(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(prefix));
  // /namespaces/<ns>/<resource>... unless <resource> is a subresource of the Namespace itself.
  if (parts[0] == "namespaces" && parts.size() >= 2) {
    info.ns = parts[1];
    if (parts.size() > 2 && parts[2] != "status" && parts[2] != "finalize") {
      parts.erase(parts.begin(), parts.begin() + 2);
    }
  }
  info.resourceRequest = true;
  info.resource = parts[0];
  if (parts.size() >= 2) info.name = parts[1];
  if (parts.size() >= 3) info.subresource = parts[2];
  const bool watch = queryStart != std::string::npos && asksToWatch(target.substr(queryStart + 1));
  info.verb = verbFor(method, !info.name.empty(), watch);
  return info;
}

Json DeleteOptions::toJson() const {
  Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (gracePeriodSeconds) body["gracePeriodSeconds"] = *gracePeriodSeconds;
  if (!propagationPolicy.empty()) body["propagationPolicy"] = propagationPolicy;
  if (!preconditionUid.empty()) body["preconditions"]["uid"] = preconditionUid;
  if (!preconditionResourceVersion.empty()) body["preconditions"]["resourceVersion"] = preconditionResourceVersion;
  return body;
}

class Client::Impl {
 public:
  Impl(ClusterConfig config, ClientOptions options, std::shared_ptr<HttpTransport> transport)
      : config_(std::move(config)),
        options_(std::move(options)),
        transport_(transport ? std::move(transport) : makeHttpTransport(config_)),
        clock_(options_.clock != nullptr ? *options_.clock : SystemClock::instance()),
        sleep_(options_.sleep ? options_.sleep : [](Duration d) { std::this_thread::sleep_for(d); }),
        limiter_(options_.qps, options_.burst, clock_, sleep_) {}

  // Sends through the rate limiter; non-2xx answers become ApiError. Throttling answers that carry
  // Retry-After are retried after that delay when `retryThrottled`.
  HttpResponse execute(HttpRequest request, bool retryThrottled = true) {
    addStandardHeaders(request);
    for (int attempt = 0;; ++attempt) {
      const HttpResponse response = sendOnce(request);
      if (isSuccess(response.status)) return response;
      ApiError error = detail::decodeStatus(response, describe(request));
      if (!retryThrottled || attempt >= options_.maxRetriesOnThrottle || !shouldRetry(error)) throw error;
      const auto wait = std::min(*error.retryAfter(), options_.maxRetryAfter);
      spdlog::debug("kube {}: {} {}, retrying in {} s ({}/{})", describe(request), error.code(), error.reason(),
                    wait.count(), attempt + 1, options_.maxRetriesOnThrottle);
      sleep_(wait);
    }
  }

  std::unique_ptr<Watch> openWatch(HttpRequest request, Millis idleTimeout) {
    addStandardHeaders(request);
    limiter_.acquire();
    std::unique_ptr<HttpStream> stream;
    try {
      stream = transport_->openStream(request, idleTimeout);
    } catch (const TransportError&) {
      observe(request, 0);
      throw;
    }
    spdlog::debug("kube {} -> {} (watch)", describe(request), stream->status());
    observe(request, stream->status());
    if (stream->status() == 200) return detail::makeStreamWatch(std::move(stream), describe(request));
    HttpResponse failed{stream->status(), {}, {}};
    while (auto line = stream->readLine()) failed.body += *line + "\n";
    throw detail::decodeStatus(failed, describe(request));
  }

  ClusterConfig config_;
  ClientOptions options_;

 private:
  static bool shouldRetry(const ApiError& error) {
    return error.retryAfter().has_value() && (error.code() == 429 || error.code() >= 500);
  }

  void addStandardHeaders(HttpRequest& request) const {
    request.headers.emplace_back("Accept", "application/json");
    request.headers.emplace_back("User-Agent", options_.userAgent);
  }

  HttpResponse sendOnce(const HttpRequest& request) {
    limiter_.acquire();
    const auto start = std::chrono::steady_clock::now();
    try {
      HttpResponse response = transport_->send(request, options_.requestTimeout);
      spdlog::debug("kube {} -> {} in {} ms", describe(request), response.status, elapsedMs(start));
      observe(request, response.status);
      return response;
    } catch (const TransportError&) {
      spdlog::debug("kube {} -> no answer after {} ms", describe(request), elapsedMs(start));
      observe(request, 0);
      throw;
    }
  }

  void observe(const HttpRequest& request, int status) const {
    if (options_.requestObserver) options_.requestObserver(requestInfoFor(request.method, request.target), status);
  }

  static long long elapsedMs(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start).count();
  }

  std::shared_ptr<HttpTransport> transport_;
  const Clock& clock_;
  std::function<void(Duration)> sleep_;
  detail::TokenBucket limiter_;
};

Client::Client(ClusterConfig config, ClientOptions options, std::shared_ptr<HttpTransport> transport)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options), std::move(transport))) {}

Client::~Client() = default;

const ClusterConfig& Client::config() const noexcept {
  return impl_->config_;
}

HttpResponse Client::request(const HttpRequest& request) {
  return impl_->execute(request);
}

Json Client::get(const ResourceType& type, const std::string& ns, const std::string& name) {
  const auto request = makeRequest("GET", type.objectPath(namespaceFor(type, ns), name));
  return parseBody(impl_->execute(request), request);
}

std::optional<Json> Client::getIfExists(const ResourceType& type, const std::string& ns, const std::string& name) {
  try {
    return get(type, ns, name);
  } catch (const ApiError& e) {
    if (e.isNotFound()) return std::nullopt;
    throw;
  }
}

ListResult Client::list(const ResourceType& type, const std::string& ns, const ListOptions& options) {
  Query query;
  query.add("labelSelector", options.labelSelector)
      .add("fieldSelector", options.fieldSelector)
      .add("limit", options.limit > 0 ? std::to_string(options.limit) : "")
      .add("continue", options.continueToken)
      .add("resourceVersion", options.resourceVersion);
  const std::string scope = type.namespaced ? ns : "";
  const auto request = makeRequest("GET", type.collectionPath(scope) + query.str());
  const Json body = parseBody(impl_->execute(request), request);
  ListResult result;
  if (const auto items = body.find("items"); items != body.end() && items->is_array()) {
    result.items.assign(items->begin(), items->end());
  }
  result.resourceVersion = metadataString(body, "resourceVersion");
  result.continueToken = metadataString(body, "continue");
  return result;
}

ListResult Client::listAll(const ResourceType& type, const std::string& ns, ListOptions options) {
  ListResult all = list(type, ns, options);
  // Later pages are served from the first page's snapshot, so the first resourceVersion stands.
  options.resourceVersion.clear();
  while (!all.continueToken.empty()) {
    options.continueToken = all.continueToken;
    ListResult page = list(type, ns, options);
    std::move(page.items.begin(), page.items.end(), std::back_inserter(all.items));
    all.continueToken = page.continueToken;
  }
  return all;
}

Json Client::create(const ResourceType& type, const std::string& ns, const Json& object) {
  const auto request = makeRequest("POST", type.collectionPath(namespaceFor(type, ns, &object)), &object);
  return parseBody(impl_->execute(request), request);
}

Json Client::update(const ResourceType& type, const std::string& ns, const Json& object) {
  const auto request =
      makeRequest("PUT", type.objectPath(namespaceFor(type, ns, &object), nameOf(object, type)), &object);
  return parseBody(impl_->execute(request), request);
}

Json Client::updateStatus(const ResourceType& type, const std::string& ns, const Json& object) {
  const auto request =
      makeRequest("PUT", type.objectPath(namespaceFor(type, ns, &object), nameOf(object, type)) + "/status", &object);
  return parseBody(impl_->execute(request), request);
}

namespace {

HttpRequest makePatchRequest(const std::string& path, PatchType patchType, const Json& patch,
                             const PatchOptions& options) {
  if (patchType == PatchType::Apply && options.fieldManager.empty()) {
    throw ValidationError("fieldManager", "", "a field manager for server-side apply");
  }
  if (patchType == PatchType::JsonPatch && !patch.is_array()) {
    throw ValidationError("patch", patch.dump(), "a JSON Patch array of operations");
  }
  Query query;
  query.add("fieldManager", options.fieldManager);
  if (patchType == PatchType::Apply && options.force) query.add("force", "true");
  // Server-side apply takes YAML; JSON is YAML, so the same serialisation serves every type.
  return makeRequest("PATCH", path + query.str(), &patch, contentTypeFor(patchType));
}

}  // namespace

Json Client::patch(const ResourceType& type, const std::string& ns, const std::string& name, PatchType patchType,
                   const Json& patch, const PatchOptions& options) {
  const auto request = makePatchRequest(type.objectPath(namespaceFor(type, ns), name), patchType, patch, options);
  return parseBody(impl_->execute(request), request);
}

Json Client::patchStatus(const ResourceType& type, const std::string& ns, const std::string& name, PatchType patchType,
                         const Json& patch, const PatchOptions& options) {
  const auto request =
      makePatchRequest(type.objectPath(namespaceFor(type, ns), name) + "/status", patchType, patch, options);
  return parseBody(impl_->execute(request), request);
}

bool Client::remove(const ResourceType& type, const std::string& ns, const std::string& name,
                    const DeleteOptions& options) {
  const Json body = options.toJson();
  const auto request = makeRequest("DELETE", type.objectPath(namespaceFor(type, ns), name), &body);
  try {
    impl_->execute(request);
    return true;
  } catch (const ApiError& e) {
    if (e.isNotFound()) return false;
    throw;
  }
}

void Client::evict(const std::string& ns, const std::string& pod, const DeleteOptions& options) {
  const Json body = {{"apiVersion", "policy/v1"},
                     {"kind", "Eviction"},
                     {"metadata", {{"name", pod}, {"namespace", ns}}},
                     {"deleteOptions", options.toJson()}};
  const auto request =
      makeRequest("POST", resources::pods().objectPath(namespaceFor(resources::pods(), ns), pod) + "/eviction", &body);
  impl_->execute(request, /*retryThrottled=*/false);
}

std::string Client::requestServiceAccountToken(const std::string& ns, const std::string& serviceAccount,
                                               std::chrono::seconds expiration,
                                               const std::vector<std::string>& audiences) {
  const Json body = {{"apiVersion", "authentication.k8s.io/v1"},
                     {"kind", "TokenRequest"},
                     {"spec", {{"audiences", audiences}, {"expirationSeconds", expiration.count()}}}};
  const auto request =
      makeRequest("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + serviceAccount + "/token", &body);
  const Json answer = parseBody(impl_->execute(request), request);
  const auto status = answer.find("status");
  if (status == answer.end() || !status->is_object() || !status->contains("token") || !(*status)["token"].is_string()) {
    throw TransportError(describe(request), "TokenRequest answer has no status.token");
  }
  return (*status)["token"].get<std::string>();
}

std::unique_ptr<Watch> Client::watch(const ResourceType& type, const std::string& ns, const WatchOptions& options) {
  Query query;
  query.add("watch", "1")
      .add("allowWatchBookmarks", options.allowBookmarks ? "true" : "")
      .add("resourceVersion", options.resourceVersion)
      .add("timeoutSeconds", options.timeout.count() > 0 ? std::to_string(options.timeout.count()) : "")
      .add("labelSelector", options.labelSelector)
      .add("fieldSelector", options.fieldSelector);
  const std::string scope = type.namespaced ? ns : "";
  // The server ends the stream after timeoutSeconds; the idle bound only catches a dead connection.
  const Millis idleTimeout = std::chrono::duration_cast<Millis>(options.timeout) + impl_->options_.requestTimeout;
  return impl_->openWatch(makeRequest("GET", type.collectionPath(scope) + query.str()), idleTimeout);
}

std::set<std::string> Client::servedVersions(const std::string& group) {
  std::set<std::string> versions;
  if (group.empty()) {
    const auto request = makeRequest("GET", "/api");
    const Json body = parseBody(impl_->execute(request), request);
    for (const auto& version : body.value("versions", Json::array())) {
      if (version.is_string()) versions.insert(version.get<std::string>());
    }
    return versions;
  }
  const auto request = makeRequest("GET", "/apis");
  const Json body = parseBody(impl_->execute(request), request);
  for (const auto& entry : body.value("groups", Json::array())) {
    if (!entry.is_object() || entry.value("name", "") != group) continue;
    for (const auto& version : entry.value("versions", Json::array())) {
      if (version.is_object() && version.contains("version") && version["version"].is_string()) {
        versions.insert(version["version"].get<std::string>());
      }
    }
  }
  return versions;
}

std::optional<std::string> Client::preferredVersion(const std::string& group,
                                                    const std::vector<std::string>& candidates) {
  const auto served = servedVersions(group);
  for (const auto& candidate : candidates) {
    if (served.contains(candidate)) return candidate;
  }
  return std::nullopt;
}

Json updateWithRetry(Client& client, const ResourceType& type, const std::string& ns, const std::string& name,
                     const std::function<bool(Json&)>& mutate, bool statusSubresource, int attempts) {
  for (int attempt = 1;; ++attempt) {
    Json object = client.get(type, ns, name);
    if (!mutate(object)) return object;
    try {
      return statusSubresource ? client.updateStatus(type, ns, object) : client.update(type, ns, object);
    } catch (const ApiError& e) {
      if (!e.isConflict() || attempt >= attempts) throw;
      spdlog::debug("kube: {} {}/{} changed under us (attempt {}/{}); re-reading", type.kind, ns, name, attempt,
                    attempts);
    }
  }
}

}  // namespace fivespot::kube
