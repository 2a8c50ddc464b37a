#include "kube_flags.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <mutex>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::cli {
namespace {

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
  KubeTarget target;
  target.config = kube::loadDefaultConfig(flags.kubeconfig, flags.context);
  target.clusterName = target.config.clusterName.empty() ? "in-cluster" : target.config.clusterName;
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
