#include "fivespot/kube/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/base64.hpp"
#include "temp_dir.hpp"

namespace fivespot::kube {
namespace {

using testing::TempDir;

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr const char* kCert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
constexpr const char* kKey = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

std::string b64(const std::string& text) {
  return base64Encode(text);
}

// Two contexts: "admin" (inline data, current) and "dev" (file paths, token, namespace).
std::string twoContextKubeconfig() {
  return R"(apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: )" +
         b64(kCa) + R"(
- name: dev
  cluster:
    server: https://dev.example:443
    certificate-authority: certs/ca.crt
    insecure-skip-tls-verify: false
    tls-server-name: dev.example
users:
- name: admin
  user:
    client-certificate-data: )" +
         b64(kCert) + R"(
    client-key-data: )" +
         b64(kKey) + R"(
- name: developer
  user:
    client-certificate: certs/client.crt
    client-key: /ABSOLUTE/client.key
    tokenFile: token
contexts:
- name: admin
  context: {cluster: prod, user: admin}
- name: dev
  context: {cluster: dev, user: developer, namespace: team-a}
)";
}

// Runs `call` and returns the ConfigError message it throws.
template <typename Call>
std::string configErrorFrom(Call call) {
  try {
    call();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

TEST(KubeconfigTest, CurrentContextWithInlineData) {
  TempDir dir;
  const auto path = dir.write("config", twoContextKubeconfig());

  const ClusterConfig config = loadKubeconfigFile(path);

  EXPECT_EQ(config.contextName, "admin");
  EXPECT_EQ(config.clusterName, "prod");
  EXPECT_EQ(config.server, "https://10.0.0.1:6443");
  EXPECT_EQ(config.caPem, kCa);
  EXPECT_EQ(config.clientCertPem, kCert);
  EXPECT_EQ(config.clientKeyPem, kKey);
  EXPECT_FALSE(config.insecureSkipTlsVerify);
  EXPECT_EQ(config.defaultNamespace, "default");
}

TEST(KubeconfigTest, ExplicitContextWithFilePathsResolvedAgainstTheKubeconfigDirectory) {
  TempDir dir;
  dir.write("kube/certs/ca.crt", kCa);
  dir.write("kube/certs/client.crt", kCert);
  dir.write("kube/token", "secret-token\n");
  const std::string keyPath = dir.write("keys/client.key", kKey);
  std::string text = twoContextKubeconfig();
  text.replace(text.find("/ABSOLUTE/client.key"), std::string("/ABSOLUTE/client.key").size(), keyPath);
  const auto path = dir.write("kube/config", text);

  const ClusterConfig config = loadKubeconfigFile(path, "dev");

  EXPECT_EQ(config.contextName, "dev");
  EXPECT_EQ(config.clusterName, "dev");
  EXPECT_EQ(config.server, "https://dev.example:443");
  EXPECT_EQ(config.caPem, kCa);
  EXPECT_EQ(config.clientCertPem, kCert);
  EXPECT_EQ(config.clientKeyPem, kKey);
  EXPECT_EQ(config.tokenFile, (dir.path() / "kube/token").string());
  EXPECT_EQ(config.tlsServerName, "dev.example");
  EXPECT_EQ(config.defaultNamespace, "team-a");
}

// The cluster entry's name is what a generated kubeconfig copies (kubectl 5spot agent-credentials);
// it is the one the context points at, not the context's own name.
TEST(KubeconfigTest, ClusterNameIsTheEntryTheContextNames) {
  const std::string text =
      "current-context: admin@lab\n"
      "contexts: [{name: admin@lab, context: {cluster: lab-cluster}}, {name: ops, context: {cluster: prod}}]\n"
      "clusters: [{name: lab-cluster, cluster: {server: 'https://lab'}}, {name: prod, cluster: {server: "
      "'https://prod'}}]\n";
  EXPECT_EQ(loadKubeconfigText(text, "secret lab/lab-kubeconfig").clusterName, "lab-cluster");
  EXPECT_EQ(loadKubeconfigText(text, "secret lab/lab-kubeconfig", "ops").clusterName, "prod");
}

TEST(KubeconfigTest, MissingContextIsAConfigErrorNamingFileAndField) {
  TempDir dir;
  const auto path = dir.write("config", twoContextKubeconfig());
  const std::string message = configErrorFrom([&] { loadKubeconfigFile(path, "staging"); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("staging"), std::string::npos) << message;
  EXPECT_NE(message.find("contexts"), std::string::npos) << message;
}

TEST(KubeconfigTest, MissingReferencedFileNamesTheFieldAndResolvedPath) {
  TempDir dir;
  const auto path = dir.write("config", twoContextKubeconfig());
  const std::string message = configErrorFrom([&] { loadKubeconfigFile(path, "dev"); });
  EXPECT_NE(message.find("clusters[name=dev].cluster.certificate-authority"), std::string::npos) << message;
  EXPECT_NE(message.find((dir.path() / "certs/ca.crt").string()), std::string::npos) << message;
}

TEST(KubeconfigTest, InsecureSkipVerifyOnlyWhenExplicitlyTrue) {
  const std::string base = R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters:
- name: k
  cluster:
    server: https://k:6443
)";
  EXPECT_FALSE(loadKubeconfigText(base, "t").insecureSkipTlsVerify);
  EXPECT_FALSE(loadKubeconfigText(base + "    insecure-skip-tls-verify: false\n", "t").insecureSkipTlsVerify);
  EXPECT_TRUE(loadKubeconfigText(base + "    insecure-skip-tls-verify: true\n", "t").insecureSkipTlsVerify);
  const std::string message =
      configErrorFrom([&] { loadKubeconfigText(base + "    insecure-skip-tls-verify: \"yes\"\n", "t"); });
  EXPECT_NE(message.find("insecure-skip-tls-verify"), std::string::npos) << message;
}

TEST(KubeconfigTest, TokenAndBasicAuthAreRead) {
  const ClusterConfig config = loadKubeconfigText(R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://k:6443"}}]
users: [{name: u, user: {token: abc.def, username: alice, password: s3cret}}]
)",
                                                  "secret default/k-kubeconfig");
  EXPECT_EQ(config.token, "abc.def");
  EXPECT_EQ(config.username, "alice");
  EXPECT_EQ(config.password, "s3cret");
}

TEST(KubeconfigTest, ProblemsAreConfigErrorsNamingTheField) {
  const std::string head = "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n";
  const auto expectField = [](const std::string& text, const std::string& field) {
    const std::string message = configErrorFrom([&] { loadKubeconfigText(text, "origin-x"); });
    EXPECT_NE(message.find("origin-x"), std::string::npos) << message;
    EXPECT_NE(message.find(field), std::string::npos) << message;
  };
  expectField(head + "clusters: [{name: k, cluster: {}}]\nusers: [{name: u, user: {}}]\n",
              "clusters[name=k].cluster.server");
  expectField(head + "clusters: [{name: k, cluster: {server: ftp://k}}]\n", "clusters[name=k].cluster.server");
  expectField(head + "clusters: [{name: k, cluster: {server: 'https://k', certificate-authority-data: '***'}}]\n",
              "certificate-authority-data");
  expectField(head + "clusters: [{name: k, cluster: {server: 'https://k'}}]\n", "contexts[name=c].context.user");
  expectField(head +
                  "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
                  "users: [{name: u, user: {exec: {command: aws}}}]\n",
              "users[name=u].user.exec");
  expectField(head +
                  "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
                  "users: [{name: u, user: {client-certificate-data: " +
                  b64(kCert) + "}}]\n",
              "users[name=u].user");
  expectField("contexts: []\n", "current-context");
  expectField("current-context: [unclosed\n", "origin-x");
}

TEST(KubeconfigTest, DescribeNeverShowsSecrets) {
  ClusterConfig config;
  config.server = "https://k:6443";
  config.contextName = "c";
  config.token = "super-secret-token";
  config.clientKeyPem = kKey;
  config.password = "pw-123";
  const std::string text = config.describe();
  EXPECT_EQ(text, "server=https://k:6443 context=c auth=token ca=system");
  EXPECT_EQ(text.find("super-secret-token"), std::string::npos);
  EXPECT_EQ(text.find("pw-123"), std::string::npos);
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (const std::string& text : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64Decode(base64Encode(text)), text);
  }
  EXPECT_EQ(base64Decode("aGVs\nbG8="), "hello");
  EXPECT_FALSE(base64Decode("a").has_value());
  EXPECT_FALSE(base64Decode("ab$d").has_value());
  EXPECT_FALSE(base64Decode("ab=c").has_value());
}

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const std::string& name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name.c_str())) previous_ = old;
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
  ~ScopedEnv() {
    if (previous_) {
      ::setenv(name_.c_str(), previous_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

TEST(InClusterConfigTest, ReadsServiceAccountTreeAndEnvironment) {
  TempDir dir;
  dir.write("sa/token", "sa-token\n");
  dir.write("sa/ca.crt", kCa);
  dir.write("sa/namespace", "fivespot-system\n");
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");

  const ClusterConfig config = inClusterConfig((dir.path() / "sa").string());

  EXPECT_EQ(config.server, "https://10.96.0.1:443");
  EXPECT_EQ(config.caPem, kCa);
  EXPECT_EQ(config.tokenFile, (dir.path() / "sa/token").string());
  EXPECT_TRUE(config.token.empty());  // read (and re-read) from the file by the transport
  EXPECT_EQ(config.defaultNamespace, "fivespot-system");
  EXPECT_TRUE(config.clusterName.empty());  // no kubeconfig, so no cluster entry to name
  EXPECT_EQ(config.describe(), "server=https://10.96.0.1:443 context=in-cluster auth=token-file ca=inline");
}

TEST(InClusterConfigTest, BracketsAnIpv6Host) {
  TempDir dir;
  dir.write("token", "t");
  dir.write("ca.crt", kCa);
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
  EXPECT_EQ(inClusterConfig(dir.path().string()).server, "https://[fd00::1]:6443");
}

TEST(InClusterConfigTest, OutsideAClusterOrWithoutTokenIsAConfigError) {
  TempDir dir;
  {
    ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
    EXPECT_THROW(inClusterConfig(dir.path().string()), ConfigError);
  }
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  const std::string message = configErrorFrom([&] { inClusterConfig(dir.path().string()); });
  EXPECT_NE(message.find("token"), std::string::npos) << message;
}

TEST(DefaultConfigTest, ExplicitPathThenKubeconfigVariableThenHome) {
  TempDir dir;
  const std::string minimal =
      "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
      "clusters: [{name: k, cluster: {server: 'https://SERVER'}}]\n";
  auto withServer = [&](const std::string& server) {
    std::string text = minimal;
    return text.replace(text.find("SERVER"), 6, server);
  };
  const auto explicitPath = dir.write("explicit", withServer("explicit"));
  const auto envPath = dir.write("env", withServer("env"));
  dir.write("home/.kube/config", withServer("home"));
  ScopedEnv home("HOME", dir.path().string() + "/home");
  ScopedEnv serviceHost("KUBERNETES_SERVICE_HOST", std::nullopt);

  {
    ScopedEnv kubeconfig("KUBECONFIG", dir.path().string() + "/missing:" + envPath);
    EXPECT_EQ(loadDefaultConfig(explicitPath).server, "https://explicit");
    EXPECT_EQ(loadDefaultConfig().server, "https://env");
  }
  ScopedEnv kubeconfig("KUBECONFIG", std::nullopt);
  EXPECT_EQ(loadDefaultConfig().server, "https://home");
  ScopedEnv nowhere("HOME", dir.path().string() + "/nowhere");
  EXPECT_THROW(loadDefaultConfig(), ConfigError);
}

}  // namespace
}  // namespace fivespot::kube
