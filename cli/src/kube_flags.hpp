#pragma once
// Flags shared by every kubectl-5spot command that talks to a cluster (--kubeconfig, --context,
// -n/--namespace, -A/--all-namespaces), how they resolve to a cluster and a namespace, and how a
// command's failure becomes an exit code. kubectl passes a plugin its arguments unchanged, so each
// subcommand declares these flags itself, with kubectl's names and meaning.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "fivespot/kube/config.hpp"

namespace fivespot::kube {
class Client;
}

namespace fivespot::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the cluster refused or could not be reached
inline constexpr int kExitBadInput = 2;  // wrong arguments or input files; nothing was changed

struct KubeFlags {
  std::string kubeconfig;  // empty: $KUBECONFIG, in-cluster, ~/.kube/config (kubectl's order)
  std::string context;     // empty: the kubeconfig's current-context
  std::string namespace_;  // empty: the context's namespace, else "default"
  bool allNamespaces = false;
};

enum class NamespaceFlags { Single, SingleOrAll };

// Adds --kubeconfig, --context, -n/--namespace and, for SingleOrAll, -A/--all-namespaces.
void addKubeFlags(CLI::App& command, KubeFlags& flags, NamespaceFlags namespaces);

// Pure: the namespace a command works in; empty means all namespaces (-A). Throws ValidationError
// when -n and -A are both given.
std::string effectiveNamespace(const KubeFlags& flags, const std::string& contextNamespace);

struct KubeTarget {
  kube::ClusterConfig config;
  std::string clusterName;  // the kubeconfig's cluster entry; "in-cluster" for in-cluster config
  std::string namespace_;   // empty: all namespaces
};

// Reads the configuration the flags select, in kubectl's order (kube::loadDefaultConfig): the
// --kubeconfig path, the first existing file of $KUBECONFIG, in-cluster, ~/.kube/config. Throws
// ConfigError when there is none or it is invalid, ValidationError for -n with -A.
KubeTarget resolveKubeTarget(const KubeFlags& flags);
std::unique_ptr<kube::Client> makeClient(const KubeTarget& target);

// Runs a command body and turns its outcome into the process exit code: bad input (ValidationError,
// ConfigError) exits 2, any other error 1, both with "error: <message>" on stderr. The Kubernetes
// client's own logging goes to stderr (warnings only) so that stdout stays machine-readable.
// Throws CLI::RuntimeError for a non-zero code, which CLI11 turns into the exit code.
void runClusterCommand(const std::function<int()>& body);

}  // namespace fivespot::cli
