#include "kube_flags.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::cli {
namespace {

std::string environmentVariable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The client logs through spdlog's default logger, which writes to stdout; a kubeconfig or JSON on
// stdout must not be interleaved with log lines.
void logToStderr() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto logger = spdlog::stderr_color_mt("kubectl-5spot");
    logger->set_level(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
  });
}

}  // namespace

void addKubeFlags(CLI::App& command, KubeFlags& flags, NamespaceFlags namespaces) {
  command.add_option("--kubeconfig", flags.kubeconfig,
                     "path to the kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)");
  command.add_option("--context", flags.context, "kubeconfig context to use (default: current-context)");
  auto* ns = command.add_option("-n,--namespace", flags.namespace_, "namespace (default: the context's namespace)");
  if (namespaces == NamespaceFlags::SingleOrAll) {
    command.add_flag("-A,--all-namespaces", flags.allNamespaces, "all namespaces")->excludes(ns);
  }
}

KubeconfigLocation locateKubeconfig(const std::string& explicitPath, const ConfigEnvironment& environment) {
  if (!explicitPath.empty()) return {KubeconfigLocation::Kind::File, explicitPath, ""};
  std::string tried;
  if (!environment.kubeconfig.empty()) {
    std::size_t start = 0;
    while (start <= environment.kubeconfig.size()) {
      const std::size_t end = std::min(environment.kubeconfig.find(':', start), environment.kubeconfig.size());
      const std::string candidate = environment.kubeconfig.substr(start, end - start);
      if (!candidate.empty() && environment.fileExists(candidate)) {
        return {KubeconfigLocation::Kind::File, candidate, ""};
      }
      start = end + 1;
    }
    tried += "$KUBECONFIG=" + environment.kubeconfig + " (no such file); ";
  }
  if (!environment.serviceHost.empty()) return {KubeconfigLocation::Kind::InCluster, "", ""};
  tried += "in-cluster (KUBERNETES_SERVICE_HOST not set)";
  if (!environment.home.empty()) {
    const std::string homeConfig = (std::filesystem::path(environment.home) / ".kube" / "config").string();
    if (environment.fileExists(homeConfig)) return {KubeconfigLocation::Kind::File, homeConfig, ""};
    tried += "; " + homeConfig + " (no such file)";
  }
  return {KubeconfigLocation::Kind::None, "", tried};
}

ConfigEnvironment processEnvironment() {
  return ConfigEnvironment{
      environmentVariable("KUBECONFIG"),
      environmentVariable("KUBERNETES_SERVICE_HOST"),
      environmentVariable("HOME"),
      [](const std::string& path) { return std::filesystem::exists(path); },
  };
}

std::string kubeconfigClusterName(const nlohmann::json& kubeconfig, const std::string& context,
                                  const std::string& origin) {
  const std::string contextName = !context.empty() ? context : kubeconfig.value("current-context", std::string());
  if (contextName.empty())
    throw ConfigError("kubeconfig " + origin, "current-context is not set and no --context given");
  const auto contexts = kubeconfig.find("contexts");
  if (contexts != kubeconfig.end() && contexts->is_array()) {
    for (const auto& entry : *contexts) {
      if (!entry.is_object() || entry.value("name", std::string()) != contextName) continue;
      const auto body = entry.find("context");
      if (body != entry.end() && body->is_object() && body->contains("cluster") && (*body)["cluster"].is_string()) {
        return (*body)["cluster"].get<std::string>();
      }
      throw ConfigError("kubeconfig " + origin, "context " + contextName + " names no cluster");
    }
  }
  throw ConfigError("kubeconfig " + origin, "no context named " + contextName);
}

std::string effectiveNamespace(const KubeFlags& flags, const std::string& contextNamespace) {
  if (flags.allNamespaces) {
    if (!flags.namespace_.empty()) {
      throw ValidationError("--all-namespaces", flags.namespace_, "either -n/--namespace or -A, not both");
    }
    return "";
  }
  if (!flags.namespace_.empty()) return flags.namespace_;
  return contextNamespace.empty() ? "default" : contextNamespace;
}

KubeTarget resolveKubeTarget(const KubeFlags& flags) {
  const KubeconfigLocation location = locateKubeconfig(flags.kubeconfig, processEnvironment());
  KubeTarget target;
  switch (location.kind) {
    case KubeconfigLocation::Kind::File:
      target.config = kube::loadKubeconfigFile(location.path, flags.context);
      target.clusterName =
          kubeconfigClusterName(yamlToJson(readFile(location.path), location.path), flags.context, location.path);
      break;
    case KubeconfigLocation::Kind::InCluster:
      target.config = kube::inClusterConfig();
      target.clusterName = "in-cluster";
      break;
    case KubeconfigLocation::Kind::None:
      throw ConfigError("kubernetes config", "no configuration found; tried " + location.tried);
  }
  target.namespace_ = effectiveNamespace(flags, target.config.defaultNamespace);
  return target;
}

std::unique_ptr<kube::Client> makeClient(const KubeTarget& target) {
  kube::ClientOptions options;
  options.userAgent = "kubectl-5spot";
  // An interactive tool: fail within a reasonable time rather than wait out long Retry-After values.
  options.maxRetryAfter = std::chrono::seconds(10);
  return std::make_unique<kube::Client>(target.config, options);
}

void runClusterCommand(const std::function<int()>& body) {
  logToStderr();
  int code = kExitOk;
  try {
    code = body();
  } catch (const ValidationError& e) {
    std::cerr << "error: " << e.what() << "\n";
    code = kExitBadInput;
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    code = kExitBadInput;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    code = kExitFailure;
  }
  if (code != kExitOk) throw CLI::RuntimeError(code);
}

}  // namespace fivespot::cli
