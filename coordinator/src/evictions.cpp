#include "evictions.hpp"
#include "json_access.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace fivespot::coordinator {
namespace {

std::string labelValue(const kube::Json& labels, const std::string& key, bool& present) {
  const auto it = labels.find(key);
  present = it != labels.end() && it->is_string();
  return present ? it->get<std::string>() : std::string{};
}

bool expressionMatches(const kube::Json& expression, const kube::Json& labels) {
  if (!expression.is_object()) return false;
  const std::string key = expression.value("key", "");
  const std::string op = expression.value("operator", "");
  bool present = false;
  const std::string value = labelValue(labels, key, present);
  const kube::Json values = expression.value("values", kube::Json::array());
  const bool listed = std::any_of(values.begin(), values.end(), [&](const kube::Json& v) { return v == value; });
  if (op == "In") return present && listed;
  if (op == "NotIn") return !present || !listed;
  if (op == "Exists") return present;
  if (op == "DoesNotExist") return !present;
  return false;  // unknown operator: the API server would have rejected it
}

const PodRef* findPod(const std::vector<PodRef>& pods, std::size_t index) {
  return index < pods.size() ? &pods[index] : nullptr;
}

}  // namespace

bool selectorMatches(const kube::Json& selector, const kube::Json& labels) {
  if (!selector.is_object()) return false;
  const kube::Json noLabels = kube::Json::object();
  const kube::Json& have = labels.is_object() ? labels : noLabels;
  const kube::Json matchLabels = selector.value("matchLabels", kube::Json::object());
  if (!matchLabels.is_object()) return false;
  for (const auto& [key, value] : matchLabels.items()) {
    bool present = false;
    if (!value.is_string() || labelValue(have, key, present) != value.get<std::string>() || !present) return false;
  }
  const kube::Json expressions = selector.value("matchExpressions", kube::Json::array());
  if (!expressions.is_array()) return false;
  for (const auto& expression : expressions) {
    if (!expressionMatches(expression, have)) return false;
  }
  return true;
}

Evictor::Evictor(kube::Client& client, int parallelism) : client_(client), parallelism_(std::max(1, parallelism)) {}

Evictor::Result Evictor::evictOne(const PodRef& pod, std::string& blockedMessage) {
  kube::DeleteOptions options;
  options.preconditionUid = pod.uid;
  try {
    client_.evict(pod.namespace_, pod.name, options);
    return Result::Evicted;
  } catch (const kube::ApiError& error) {
    if (error.isNotFound() || error.isConflict()) return Result::Gone;  // conflict: UID precondition failed
    if (error.isTooManyRequests()) {
      blockedMessage = error.serverMessage();
      return Result::Blocked;
    }
    throw;
  }
}

EvictionRound Evictor::evict(const std::vector<PodRef>& pods, const std::vector<kube::Json>& podObjects) {
  EvictionRound round;
  std::mutex mutex;
  std::exception_ptr firstError;
  std::vector<std::pair<PodRef, std::string>> blocked;
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    while (const PodRef* pod = findPod(pods, next.fetch_add(1))) {
      std::string message;
      try {
        const Result result = evictOne(*pod, message);
        std::lock_guard lock(mutex);
        if (result == Result::Evicted) ++round.evicted;
        if (result == Result::Gone) ++round.gone;
        if (result == Result::Blocked) blocked.emplace_back(*pod, message);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!firstError) firstError = std::current_exception();
      }
    }
  };
  {
    const std::size_t threads = std::min<std::size_t>(static_cast<std::size_t>(parallelism_), pods.size());
    std::vector<std::jthread> pool;
    for (std::size_t i = 0; i + 1 < threads; ++i) pool.emplace_back(worker);
    if (threads > 0) worker();
  }
  round.blocked = blocked.size();
  if (firstError) std::rethrow_exception(firstError);
  round.blockingPdbs = describeBlocking(blocked, podObjects);
  return round;
}

std::vector<std::string> Evictor::describeBlocking(const std::vector<std::pair<PodRef, std::string>>& blocked,
                                                   const std::vector<kube::Json>& podObjects) {
  std::set<std::string> described;
  std::map<std::string, std::vector<kube::Json>> pdbsByNamespace;
  for (const auto& [pod, message] : blocked) {
    auto [it, inserted] = pdbsByNamespace.try_emplace(pod.namespace_);
    if (inserted) it->second = client_.list(kube::resources::podDisruptionBudgets(), pod.namespace_).items;
    kube::Json labels = kube::Json::object();
    for (const auto& object : podObjects) {
      if (textAt(object, "/metadata/uid") == pod.uid) labels = valueAt(object, "/metadata/labels", labels);
    }
    bool named = false;
    for (const auto& pdb : it->second) {
      if (!selectorMatches(valueAt(pdb, "/spec/selector", kube::Json()), labels)) continue;
      described.insert(pod.namespace_ + "/" + textAt(pdb, "/metadata/name") + ": " + message);
      named = true;
    }
    if (!named) described.insert(pod.namespace_ + "/" + pod.name + ": " + message);
  }
  return {described.begin(), described.end()};
}

std::size_t Evictor::forceDelete(const std::vector<PodRef>& pods) {
  std::size_t deleted = 0;
  for (const PodRef& pod : pods) {
    kube::DeleteOptions options;
    options.preconditionUid = pod.uid;
    try {
      if (client_.remove(kube::resources::pods(), pod.namespace_, pod.name, options)) ++deleted;
    } catch (const kube::ApiError& error) {
      if (!error.isConflict()) throw;  // conflict: a new pod with that name, not ours to delete
    }
  }
  return deleted;
}

}  // namespace fivespot::coordinator
