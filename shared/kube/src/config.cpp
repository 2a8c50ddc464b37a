#include "fivespot/kube/config.hpp"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/kube/base64.hpp"

namespace fivespot::kube {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Where we are in a kubeconfig, so every error names the file and the field.
struct Source {
  std::string origin;   // file path or e.g. "secret default/foo-kubeconfig"
  std::string baseDir;  // relative paths resolve here; empty for text without a file

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw ConfigError("kubeconfig " + origin + ", field " + field, message);
  }
};

std::string optionalString(const Source& source, const json& object, const std::string& key, const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();  // YAML turned an unquoted numeric value into a number
  source.fail(path + "." + key, "must be a string");
}

std::string requiredString(const Source& source, const json& object, const std::string& key, const std::string& path) {
  std::string value = optionalString(source, object, key, path);
  if (value.empty()) source.fail(path + "." + key, "is missing");
  return value;
}

bool explicitTrue(const Source& source, const json& object, const std::string& key, const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return false;
  if (!it->is_boolean()) source.fail(path + "." + key, "must be true or false");
  return it->get<bool>();
}

std::string resolvePath(const Source& source, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || source.baseDir.empty()) return path;
  return (fs::path(source.baseDir) / path).lexically_normal().string();
}

std::string readReferencedFile(const Source& source, const std::string& field, const std::string& path) {
  const std::string resolved = resolvePath(source, path);
  try {
    return readFile(resolved);
  } catch (const ConfigError&) {
    source.fail(field, "cannot read file " + resolved);
  }
}

// "<key>-data" (base64 inline) wins over "<key>" (a file path), as in client-go.
std::string pemFromDataOrFile(const Source& source, const json& object, const std::string& key,
                              const std::string& path) {
  const std::string data = optionalString(source, object, key + "-data", path);
  if (!data.empty()) {
    auto decoded = base64Decode(data);
    if (!decoded) source.fail(path + "." + key + "-data", "is not valid base64");
    return *decoded;
  }
  const std::string file = optionalString(source, object, key, path);
  return file.empty() ? "" : readReferencedFile(source, path + "." + key, file);
}

// The `<section>[name=<name>].<section-singular>` entry of a named list.
const json& namedEntry(const Source& source, const json& root, const std::string& list, const std::string& item,
                       const std::string& name, const std::string& referencedBy) {
  const auto entries = root.find(list);
  if (entries != root.end() && entries->is_array()) {
    for (const auto& entry : *entries) {
      if (!entry.is_object() || optionalString(source, entry, "name", list) != name) continue;
      const auto body = entry.find(item);
      if (body == entry.end() || !body->is_object()) source.fail(list + "[name=" + name + "]." + item, "is missing");
      return *body;
    }
  }
  source.fail(referencedBy, "names \"" + name + "\", which is not in " + list);
}

void applyCluster(const Source& source, const json& cluster, const std::string& path, ClusterConfig& config) {
  config.server = requiredString(source, cluster, "server", path);
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    source.fail(path + ".server", "must be an http:// or https:// URL, got \"" + config.server + "\"");
  }
  config.caPem = pemFromDataOrFile(source, cluster, "certificate-authority", path);
  config.insecureSkipTlsVerify = explicitTrue(source, cluster, "insecure-skip-tls-verify", path);
  config.tlsServerName = optionalString(source, cluster, "tls-server-name", path);
}

void applyUser(const Source& source, const json& user, const std::string& path, ClusterConfig& config) {
  for (const char* unsupported : {"exec", "auth-provider"}) {
    if (user.contains(unsupported)) {
      source.fail(path + "." + unsupported, "credential plugins are not supported; use a token or client certificate");
    }
  }
  config.clientCertPem = pemFromDataOrFile(source, user, "client-certificate", path);
  config.clientKeyPem = pemFromDataOrFile(source, user, "client-key", path);
  if (config.clientCertPem.empty() != config.clientKeyPem.empty()) {
    source.fail(path, "client-certificate and client-key must be given together");
  }
  config.token = optionalString(source, user, "token", path);
  const std::string tokenFile = optionalString(source, user, "tokenFile", path);
  if (!tokenFile.empty()) {
    config.tokenFile = resolvePath(source, tokenFile);
    readReferencedFile(source, path + ".tokenFile", tokenFile);  // fail now, not on the first request
  }
  config.username = optionalString(source, user, "username", path);
  config.password = optionalString(source, user, "password", path);
}

ClusterConfig parseKubeconfig(const json& root, const Source& source, const std::string& requestedContext) {
  if (!root.is_object()) source.fail("(document)", "is not a YAML mapping");
  std::string contextName = requestedContext;
  if (contextName.empty()) contextName = optionalString(source, root, "current-context", "");
  if (contextName.empty()) source.fail("current-context", "is not set and no context was given");

  ClusterConfig config;
  config.contextName = contextName;
  const std::string contextPath = "contexts[name=" + contextName + "].context";
  const json& context = namedEntry(source, root, "contexts", "context", contextName,
                                   requestedContext.empty() ? "current-context" : "(requested context)");
  const std::string clusterName = requiredString(source, context, "cluster", contextPath);
  config.clusterName = clusterName;
  applyCluster(source, namedEntry(source, root, "clusters", "cluster", clusterName, contextPath + ".cluster"),
               "clusters[name=" + clusterName + "].cluster", config);
  const std::string userName = optionalString(source, context, "user", contextPath);
  if (!userName.empty()) {
    applyUser(source, namedEntry(source, root, "users", "user", userName, contextPath + ".user"),
              "users[name=" + userName + "].user", config);
  }
  const std::string ns = optionalString(source, context, "namespace", contextPath);
  if (!ns.empty()) config.defaultNamespace = ns;
  return config;
}

json parseYaml(const std::string& yaml, const std::string& origin) {
  try {
    return yamlToJson(yaml, origin);
  } catch (const ValidationError& e) {
    throw ConfigError("kubeconfig " + origin, e.what());
  }
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

std::string ClusterConfig::describe() const {
  std::string auth = "none";
  if (!clientCertPem.empty()) {
    auth = "client-cert";
  } else if (!tokenFile.empty()) {
    auth = "token-file";
  } else if (!token.empty()) {
    auth = "token";
  } else if (!username.empty()) {
    auth = "basic";
  }
  std::string ca = insecureSkipTlsVerify ? "insecure-skip-verify" : (caPem.empty() ? "system" : "inline");
  std::string text =
      "server=" + server + " context=" + (contextName.empty() ? "-" : contextName) + " auth=" + auth + " ca=" + ca;
  if (!tlsServerName.empty()) text += " tls-server-name=" + tlsServerName;
  return text;
}

ClusterConfig loadKubeconfigFile(const std::string& path, const std::string& context) {
  std::string text;
  try {
    text = readFile(path);
  } catch (const ConfigError&) {
    throw ConfigError("kubeconfig " + path, "cannot read file");
  }
  const Source source{path, fs::path(path).parent_path().string()};
  return parseKubeconfig(parseYaml(text, path), source, context);
}

ClusterConfig loadKubeconfigText(const std::string& yaml, const std::string& origin, const std::string& context) {
  const Source source{origin, ""};
  return parseKubeconfig(parseYaml(yaml, origin), source, context);
}

ClusterConfig inClusterConfig(const std::string& root) {
  const std::string host = environment("KUBERNETES_SERVICE_HOST");
  const std::string port = environment("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    throw ConfigError("in-cluster config", "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  ClusterConfig config;
  const bool ipv6 = host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  config.contextName = "in-cluster";
  config.tokenFile = (fs::path(root) / "token").string();
  try {
    if (readFile(config.tokenFile).empty()) throw ConfigError(config.tokenFile, "is empty");
    config.caPem = readFile((fs::path(root) / "ca.crt").string());
  } catch (const ConfigError& e) {
    throw ConfigError("in-cluster config", std::string("service-account file: ") + e.what());
  }
  const fs::path namespaceFile = fs::path(root) / "namespace";
  if (fs::exists(namespaceFile)) {
    std::string ns = readFile(namespaceFile.string());
    ns.erase(ns.find_last_not_of(" \t\r\n") + 1);
    if (!ns.empty()) config.defaultNamespace = ns;
  }
  return config;
}

ClusterConfig loadDefaultConfig(const std::string& explicitPath, const std::string& context) {
  if (!explicitPath.empty()) return loadKubeconfigFile(explicitPath, context);
  const std::string fromEnvironment = environment("KUBECONFIG");
  std::string tried;
  if (!fromEnvironment.empty()) {
    // client-go merges a ':'-separated list; we take its first existing file (merging is rarely used).
    std::size_t start = 0;
    while (start <= fromEnvironment.size()) {
      const std::size_t end = std::min(fromEnvironment.find(':', start), fromEnvironment.size());
      const std::string candidate = fromEnvironment.substr(start, end - start);
      if (!candidate.empty() && fs::exists(candidate)) return loadKubeconfigFile(candidate, context);
      start = end + 1;
    }
    tried += "$KUBECONFIG=" + fromEnvironment + " (no such file); ";
  }
  if (!environment("KUBERNETES_SERVICE_HOST").empty()) return inClusterConfig();
  tried += "in-cluster (KUBERNETES_SERVICE_HOST not set); ";
  const std::string home = environment("HOME");
  if (!home.empty()) {
    const fs::path homeConfig = fs::path(home) / ".kube" / "config";
    if (fs::exists(homeConfig)) return loadKubeconfigFile(homeConfig.string(), context);
    tried += homeConfig.string() + " (no such file)";
  }
  throw ConfigError("kubernetes config", "no configuration found; tried " + tried);
}

}  // namespace fivespot::kube
