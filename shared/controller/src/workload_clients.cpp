#include "fivespot/controller/workload_clients.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>

#include "fivespot/common/error.hpp"
#include "fivespot/controller/informer.hpp"

namespace fivespot::controller {
namespace {

// RFC 4648 standard alphabet; whitespace ignored; std::nullopt on any other character.
std::optional<std::string> decodeBase64(const std::string& text) {
  static const std::array<std::int8_t, 256> kValues = [] {
    std::array<std::int8_t, 256> values{};
    values.fill(-1);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
      values[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return values;
  }();
  std::string decoded;
  std::uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const std::int8_t value = kValues[static_cast<unsigned char>(c)];
    if (value < 0 || padding) return std::nullopt;  // data after padding is malformed too
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return decoded;
}

}  // namespace

std::string kubeconfigSecretName(const std::string& clusterName) {
  return clusterName + "-kubeconfig";
}

std::string kubeconfigFromSecret(const kube::Json& secret) {
  const std::string context = "secret " + objectKey(secret);
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object() || !data->contains("value") || !(*data)["value"].is_string()) {
    throw ConfigError(context, "has no data.value (the kubeconfig Cluster API writes there)");
  }
  auto text = decodeBase64((*data)["value"].get<std::string>());
  if (!text || text->empty()) throw ConfigError(context, "data.value is not base64-encoded kubeconfig text");
  return *text;
}

WorkloadClients::WorkloadClients(SecretReader readSecret, ClientFactory makeClient)
    : readSecret_(std::move(readSecret)), makeClient_(std::move(makeClient)) {}

std::shared_ptr<kube::Client> WorkloadClients::get(const std::string& ns, const std::string& clusterName) {
  const std::string secretName = kubeconfigSecretName(clusterName);
  // Read outside the lock: one slow API call must not hold up the other clusters.
  const std::optional<kube::Json> secret = readSecret_(ns, secretName);
  if (!secret)
    throw ConfigError("secret " + ns + "/" + secretName,
                      "not found: cluster " + clusterName + " has no kubeconfig yet");
  const std::string version = objectResourceVersion(*secret);
  const auto key = std::make_pair(ns, clusterName);
  {
    std::lock_guard lock(mutex_);
    if (const auto found = entries_.find(key);
        found != entries_.end() && found->second.secretResourceVersion == version) {
      return found->second.client;
    }
  }
  kube::ClusterConfig config =
      kube::loadKubeconfigText(kubeconfigFromSecret(*secret), "secret " + ns + "/" + secretName);
  std::shared_ptr<kube::Client> client = makeClient_(config);
  spdlog::info("workload cluster {}/{}: client built from secret resourceVersion {} ({})", ns, clusterName, version,
               config.describe());
  std::lock_guard lock(mutex_);
  entries_[key] = Entry{version, client};
  return client;
}

void WorkloadClients::forget(const std::string& ns, const std::string& clusterName) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::make_pair(ns, clusterName));
}

std::size_t WorkloadClients::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace fivespot::controller
