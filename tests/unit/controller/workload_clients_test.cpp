#include "fivespot/controller/workload_clients.hpp"

#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::controller {
namespace {

using kube::Json;

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

std::string kubeconfig(const std::string& server, const std::string& token) {
  return "apiVersion: v1\nkind: Config\n"
         "clusters:\n- name: w\n  cluster:\n    server: " +
         server +
         "\n"
         "users:\n- name: admin\n  user:\n    token: " +
         token +
         "\n"
         "contexts:\n- name: admin@w\n  context:\n    cluster: w\n    user: admin\n"
         "current-context: admin@w\n";
}

Json secret(const std::string& version, const std::string& kubeconfigText) {
  return Json{{"metadata", {{"namespace", "team-a"}, {"name", "edge-kubeconfig"}, {"resourceVersion", version}}},
              {"data", {{"value", base64(kubeconfigText)}}}};
}

// Never used to send anything in these tests: a client is only built and compared.
class UnusedTransport final : public kube::HttpTransport {
 public:
  kube::HttpResponse send(const kube::HttpRequest& request, std::chrono::milliseconds) override {
    throw kube::TransportError(request.target, "no transport in this test");
  }
  std::unique_ptr<kube::HttpStream> openStream(const kube::HttpRequest& request, std::chrono::milliseconds) override {
    throw kube::TransportError(request.target, "no transport in this test");
  }
};

struct Fixture {
  std::map<std::string, Json> secrets;
  std::vector<kube::ClusterConfig> built;
  WorkloadClients clients{[this](const std::string& ns, const std::string& name) -> std::optional<Json> {
                            const auto found = secrets.find(ns + "/" + name);
                            if (found == secrets.end()) return std::nullopt;
                            return found->second;
                          },
                          [this](const kube::ClusterConfig& config) {
                            built.push_back(config);
                            return std::make_shared<kube::Client>(config, kube::ClientOptions{},
                                                                  std::make_shared<UnusedTransport>());
                          }};
};

TEST(KubeconfigFromSecret, DecodesWrappedBase64AndRejectsBadSecrets) {
  EXPECT_EQ(kubeconfigFromSecret(Json{{"data", {{"value", "aGVs\nbG8="}}}}), "hello");
  EXPECT_THROW((void)kubeconfigFromSecret(Json{{"data", {{"other", "aGVsbG8="}}}}), ConfigError);
  EXPECT_THROW((void)kubeconfigFromSecret(Json{{"data", {{"value", "not base64!"}}}}), ConfigError);
  EXPECT_THROW((void)kubeconfigFromSecret(Json::object()), ConfigError);
  EXPECT_EQ(kubeconfigSecretName("edge"), "edge-kubeconfig");
}

TEST(WorkloadClients, BuildsOnceAndReusesWhileTheSecretIsUnchanged) {
  Fixture f;
  f.secrets["team-a/edge-kubeconfig"] = secret("100", kubeconfig("https://10.0.0.1:6443", "first"));
  const auto first = f.clients.get("team-a", "edge");
  const auto again = f.clients.get("team-a", "edge");
  EXPECT_EQ(first, again);
  ASSERT_EQ(f.built.size(), 1u);
  EXPECT_EQ(f.built[0].server, "https://10.0.0.1:6443");
  EXPECT_EQ(f.built[0].token, "first");
  EXPECT_EQ(f.clients.size(), 1u);
}

TEST(WorkloadClients, RebuildsWhenTheSecretChanges) {
  Fixture f;
  f.secrets["team-a/edge-kubeconfig"] = secret("100", kubeconfig("https://10.0.0.1:6443", "first"));
  const auto first = f.clients.get("team-a", "edge");
  f.secrets["team-a/edge-kubeconfig"] = secret("101", kubeconfig("https://10.0.0.1:6443", "rotated"));
  const auto second = f.clients.get("team-a", "edge");
  EXPECT_NE(first, second);
  ASSERT_EQ(f.built.size(), 2u);
  EXPECT_EQ(f.built[1].token, "rotated");
  EXPECT_EQ(second->config().token, "rotated");
}

TEST(WorkloadClients, MissingSecretIsAConfigErrorAndForgetDropsTheClient) {
  Fixture f;
  EXPECT_THROW((void)f.clients.get("team-a", "edge"), ConfigError);
  f.secrets["team-a/edge-kubeconfig"] = secret("1", kubeconfig("https://10.0.0.1:6443", "t"));
  (void)f.clients.get("team-a", "edge");
  f.clients.forget("team-a", "edge");
  EXPECT_EQ(f.clients.size(), 0u);
  (void)f.clients.get("team-a", "edge");
  EXPECT_EQ(f.built.size(), 2u);
}

}  // namespace
}  // namespace fivespot::controller
