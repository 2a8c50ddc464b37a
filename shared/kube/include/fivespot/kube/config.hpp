#pragma once
// How to reach and authenticate to an API server: from a kubeconfig or from in-cluster settings.
// Secrets (keys, tokens) are held here but never logged; describe() is safe to log.
#include <optional>
#include <string>

namespace fivespot::kube {

struct ClusterConfig {
  std::string server;  // "https://127.0.0.1:6443"
  std::string caPem;   // empty: system trust store
  std::string clientCertPem;
  std::string clientKeyPem;
  std::string token;                   // static bearer token
  std::string tokenFile;               // re-read when it changes (service-account token rotation)
  std::string username, password;      // basic auth (rare; kept for completeness of kubeconfig)
  bool insecureSkipTlsVerify = false;  // only when the kubeconfig says so explicitly
  std::string tlsServerName;
  std::string contextName;  // for messages
  std::string clusterName;  // the kubeconfig's cluster entry the context names; empty in-cluster
  std::string defaultNamespace = "default";

  // "server=https://… context=… auth=client-cert|token|token-file|none ca=inline|system"
  [[nodiscard]] std::string describe() const;
};

// Reads a kubeconfig file; uses `context` or current-context. Relative file paths inside it are
// resolved against the kubeconfig's directory. Throws ConfigError naming the file and field.
ClusterConfig loadKubeconfigFile(const std::string& path, const std::string& context = "");
// Same from YAML text (e.g. CAPI's <cluster>-kubeconfig Secret); `origin` names it in errors.
ClusterConfig loadKubeconfigText(const std::string& yaml, const std::string& origin, const std::string& context = "");
// KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}.
// `root` lets tests point at a fake tree. Throws ConfigError when not in a cluster.
ClusterConfig inClusterConfig(const std::string& root = "/var/run/secrets/kubernetes.io/serviceaccount");
// The usual order: explicit path, then $KUBECONFIG, then in-cluster, then ~/.kube/config.
ClusterConfig loadDefaultConfig(const std::string& explicitPath = "", const std::string& context = "");

}  // namespace fivespot::kube
