#include "agent_credentials_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_transport.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/kube/config.hpp"
#include "temp_dir.hpp"
#include "test_objects.hpp"

namespace fivespot::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const AgentOwner kOwner{"lab", "gpu-worker-01", "0b6c1e2a-1111-2222-3333-444455556666"};

// The objects exactly as docs/security.md ("Host mode: per-host credentials") writes them, with
// <name>, <namespace> and the uid filled in.
const char* kDocumentedMetadata = R"(
  name: 5spot-agent-gpu-worker-01
  namespace: lab
  labels:
    app.kubernetes.io/name: 5spot-agent
    app.kubernetes.io/component: agent
    app.kubernetes.io/part-of: 5spot
    5spot.finos.org/scheduled-machine: gpu-worker-01
  ownerReferences:
    - apiVersion: 5spot.finos.org/v1alpha1
      kind: ScheduledMachine
      name: gpu-worker-01
      uid: 0b6c1e2a-1111-2222-3333-444455556666
)";

json documented(const std::string& head, const std::string& tail) {
  return yamlToJson(head + "metadata:" + kDocumentedMetadata + tail, "docs/security.md");
}

TEST(AgentAccountName, PrefixesAndBoundsTheLength) {
  EXPECT_EQ(agentAccountName("gpu-worker-01"), "5spot-agent-gpu-worker-01");
  EXPECT_EQ(agentAccountName(std::string(241, 'a')).size(), 253U);
  EXPECT_THROW(agentAccountName(std::string(242, 'a')), ValidationError);
  EXPECT_THROW(agentAccountName(""), ValidationError);
}

TEST(BuildAgentObjects, ServiceAccountMatchesTheSecurityGuide) {
  EXPECT_EQ(buildAgentServiceAccount(kOwner),
            documented("apiVersion: v1\nkind: ServiceAccount\n", "automountServiceAccountToken: false\n"));
}

TEST(BuildAgentObjects, RoleMatchesTheSecurityGuide) {
  EXPECT_EQ(buildAgentRole(kOwner), documented("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n", R"(
rules:
  - apiGroups: ["5spot.finos.org"]
    resources: ["hostagents"]
    resourceNames: ["gpu-worker-01"]
    verbs: ["get"]
  - apiGroups: ["5spot.finos.org"]
    resources: ["hostagents/status"]
    resourceNames: ["gpu-worker-01"]
    verbs: ["patch"]
)"));
}

TEST(BuildAgentObjects, RoleBindingMatchesTheSecurityGuide) {
  EXPECT_EQ(buildAgentRoleBinding(kOwner), documented("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n",
                                                      R"(
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: 5spot-agent-gpu-worker-01
subjects:
  - kind: ServiceAccount
    name: 5spot-agent-gpu-worker-01
    namespace: lab
)"));
}

json asStored(json object) {
  object["metadata"]["resourceVersion"] = "41";
  object["metadata"]["uid"] = "server-uid";
  return object;
}

TEST(MergeManagedObject, IdenticalObjectIsUnchanged) {
  json current = asStored(buildAgentRole(kOwner));
  const json before = current;
  EXPECT_FALSE(mergeManagedObject(current, buildAgentRole(kOwner)));
  EXPECT_EQ(current, before);
}

TEST(MergeManagedObject, RestoresRulesAndOwnerKeepsForeignLabelsAndReferences) {
  json current = asStored(buildAgentRole(kOwner));
  current["rules"][0]["verbs"] = {"get", "list", "watch", "delete"};
  current["metadata"]["labels"]["team"] = "infra";
  current["metadata"]["labels"].erase("app.kubernetes.io/part-of");
  current["metadata"]["ownerReferences"] = json::array({{{"kind", "Other"}, {"uid", "other"}}});
  EXPECT_TRUE(mergeManagedObject(current, buildAgentRole(kOwner)));
  EXPECT_EQ(current["rules"], buildAgentRole(kOwner)["rules"]);
  EXPECT_EQ(current["metadata"]["labels"]["team"], "infra");
  EXPECT_EQ(current["metadata"]["labels"]["app.kubernetes.io/part-of"], "5spot");
  ASSERT_EQ(current["metadata"]["ownerReferences"].size(), 2U);
  EXPECT_EQ(current["metadata"]["ownerReferences"][1]["uid"], kOwner.machineUid);
  EXPECT_EQ(current["metadata"]["resourceVersion"], "41") << "kept for optimistic concurrency";
}

TEST(MergeManagedObject, RefusesObjectsThatAreNotOurs) {
  json current = {{"kind", "ServiceAccount"}, {"metadata", {{"name", "5spot-agent-gpu-worker-01"}}}};
  EXPECT_THROW(mergeManagedObject(current, buildAgentServiceAccount(kOwner)), ConfigError);
  current["metadata"]["labels"] = {{"5spot.finos.org/scheduled-machine", "another-machine"}};
  EXPECT_THROW(mergeManagedObject(current, buildAgentServiceAccount(kOwner)), ConfigError);
}

TEST(MergeManagedObject, RefusesToChangeAnImmutableRoleRef) {
  json current = asStored(buildAgentRoleBinding(kOwner));
  current["roleRef"]["kind"] = "ClusterRole";
  try {
    mergeManagedObject(current, buildAgentRoleBinding(kOwner));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot change; delete it and run again"));
  }
}

AgentKubeconfig sampleKubeconfig() {
  AgentKubeconfig input;
  input.clusterName = "prod-cluster";
  input.server = "https://api.prod.example:6443";
  input.caPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
  input.namespace_ = "lab";
  input.accountName = "5spot-agent-gpu-worker-01";
  input.token = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2lnbmF0dXJl";
  return input;
}

TEST(BuildAgentKubeconfig, ParsesBackToServerCaTokenAndNamespace) {
  const std::string text = buildAgentKubeconfig(sampleKubeconfig());
  const kube::ClusterConfig config = kube::loadKubeconfigText(text, "generated");
  EXPECT_EQ(config.server, "https://api.prod.example:6443");
  EXPECT_EQ(config.caPem, sampleKubeconfig().caPem);
  EXPECT_EQ(config.token, sampleKubeconfig().token);
  EXPECT_EQ(config.defaultNamespace, "lab");
  EXPECT_EQ(config.contextName, "5spot-agent-gpu-worker-01");
  EXPECT_FALSE(config.insecureSkipTlsVerify);
}

TEST(BuildAgentKubeconfig, HasTheDocumentedShape) {
  const json kubeconfig = yamlToJson(buildAgentKubeconfig(sampleKubeconfig()), "generated");
  EXPECT_EQ(kubeconfig, yamlToJson(R"(
apiVersion: v1
kind: Config
clusters:
  - name: prod-cluster
    cluster:
      server: https://api.prod.example:6443
      certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmYWtlCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
contexts:
  - name: 5spot-agent-gpu-worker-01
    context:
      cluster: prod-cluster
      namespace: lab
      user: 5spot-agent-gpu-worker-01
current-context: 5spot-agent-gpu-worker-01
users:
  - name: 5spot-agent-gpu-worker-01
    user:
      token: eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2lnbmF0dXJl
)",
                                   "expected"));
}

TEST(BuildAgentKubeconfig, CarriesTlsSettingsOnlyWhenSet) {
  AgentKubeconfig input = sampleKubeconfig();
  input.caPem.clear();
  input.tlsServerName = "api.internal";
  input.insecureSkipTlsVerify = true;
  const json cluster = yamlToJson(buildAgentKubeconfig(input), "generated")["clusters"][0]["cluster"];
  EXPECT_FALSE(cluster.contains("certificate-authority-data"));
  EXPECT_EQ(cluster["tls-server-name"], "api.internal");
  EXPECT_EQ(cluster["insecure-skip-tls-verify"], true);
}

TEST(ParseTokenDuration, GoStyleHoursMinutesSeconds) {
  using namespace std::chrono_literals;
  EXPECT_EQ(parseTokenDuration("720h"), 720h);
  EXPECT_EQ(parseTokenDuration("8760h"), 8760h);
  EXPECT_EQ(parseTokenDuration("1h30m"), 90min);
  EXPECT_EQ(parseTokenDuration("10m"), 600s);
  EXPECT_EQ(parseTokenDuration("599s1s"), 600s);
  for (const char* bad : {"", "5m", "9m59s", "1d", "h", "10", "-1h", "1.5h", "1h 30m", "99999999999h"}) {
    EXPECT_THROW(parseTokenDuration(bad), ValidationError) << bad;
  }
}

TEST(JwtExpiry, ReadsTheExpClaim) {
  // payload {"exp":1799999999} as unpadded base64url
  EXPECT_EQ(jwtExpiry("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln"),
            TimePoint(std::chrono::seconds(1799999999)));
  EXPECT_FALSE(jwtExpiry("not-a-jwt").has_value());
  EXPECT_FALSE(jwtExpiry("a.!!!.c").has_value());
  EXPECT_FALSE(jwtExpiry("a.eyJzdWIiOiJ4In0.c").has_value());
}

TEST(WritePrivateFile, WritesMode0600AndReplacesAtomically) {
  kube::testing::TempDir dir;
  const std::string path = dir.write("agent.kubeconfig", "old, world-readable");
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  writePrivateFile(path, "secret\n");
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "secret\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "no temporary file left";
}

TEST(WritePrivateFile, MissingDirectoryIsAConfigError) {
  kube::testing::TempDir dir;
  EXPECT_THROW(writePrivateFile((dir.path() / "no" / "such" / "file").string(), "x"), ConfigError);
}

class RunAgentCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube::ClusterConfig config;
    config.server = "https://10.0.0.1:6443";
    config.caPem = "CA";
    client_ = std::make_unique<kube::Client>(config, kube::ClientOptions{}, transport_);
    request_.namespace_ = "lab";
    request_.machineName = "gpu-worker-01";
    request_.clusterName = "prod-cluster";
    request_.duration = std::chrono::hours(8760);
  }
  const kube::HttpRequest& sent(std::size_t i) const { return transport_->requests.at(i).request; }
  void respondTokenRequest() {
    transport_->respond(201,
                        json{{"status", {{"token", "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln"}}}}.dump());
  }

  std::shared_ptr<kube::testing::FakeTransport> transport_ = std::make_shared<kube::testing::FakeTransport>();
  std::unique_ptr<kube::Client> client_;
  AgentCredentialsRequest request_;
  std::ostringstream log_;
};

TEST_F(RunAgentCredentialsTest, CreatesObjectsThenRequestsTokenAndBuildsKubeconfig) {
  transport_->respond(200, testing::scheduledMachineJson("gpu-worker-01", "lab").dump());
  for (int i = 0; i < 3; ++i) transport_->respond(201, "{}");
  respondTokenRequest();
  request_.server = "https://api.public.example:6443";
  const std::string text = runAgentCredentials(*client_, request_, log_);

  ASSERT_EQ(transport_->requests.size(), 5U);
  EXPECT_EQ(sent(1).target, "/api/v1/namespaces/lab/serviceaccounts");
  EXPECT_EQ(sent(2).target, "/apis/rbac.authorization.k8s.io/v1/namespaces/lab/roles");
  EXPECT_EQ(sent(3).target, "/apis/rbac.authorization.k8s.io/v1/namespaces/lab/rolebindings");
  const AgentOwner owner{"lab", "gpu-worker-01", "uid-gpu-worker-01"};
  EXPECT_EQ(json::parse(sent(1).body), buildAgentServiceAccount(owner));
  EXPECT_EQ(json::parse(sent(2).body), buildAgentRole(owner));
  EXPECT_EQ(json::parse(sent(3).body), buildAgentRoleBinding(owner));
  EXPECT_EQ(sent(4).target, "/api/v1/namespaces/lab/serviceaccounts/5spot-agent-gpu-worker-01/token");
  EXPECT_EQ(json::parse(sent(4).body)["spec"]["expirationSeconds"], 8760 * 3600);

  const kube::ClusterConfig config = kube::loadKubeconfigText(text, "generated");
  EXPECT_EQ(config.server, "https://api.public.example:6443");
  EXPECT_EQ(config.caPem, "CA");
  EXPECT_EQ(config.token, "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTk5OTk5OTl9.c2ln");
  EXPECT_EQ(yamlToJson(text, "generated")["clusters"][0]["name"], "prod-cluster");
  EXPECT_THAT(log_.str(), HasSubstr("serviceaccount/5spot-agent-gpu-worker-01 created\n"
                                    "role/5spot-agent-gpu-worker-01 created\n"
                                    "rolebinding/5spot-agent-gpu-worker-01 created\n"));
  EXPECT_THAT(log_.str(), HasSubstr("expires at 2027-01-15T07:59:59Z"));
}

TEST_F(RunAgentCredentialsTest, ExistingObjectsAreUpdatedOnlyWhenTheyDiffer) {
  const AgentOwner owner{"lab", "gpu-worker-01", "uid-gpu-worker-01"};
  const std::string alreadyExists = testing::statusJson(409, "AlreadyExists", "already exists");
  transport_->respond(200, testing::scheduledMachineJson("gpu-worker-01", "lab").dump());
  // ServiceAccount: exists and is identical -> no PUT.
  transport_->respond(409, alreadyExists);
  transport_->respond(200, asStored(buildAgentServiceAccount(owner)).dump());
  // Role: exists with a widened rule -> PUT with the documented rules.
  json widened = asStored(buildAgentRole(owner));
  widened["rules"][0]["verbs"] = {"*"};
  transport_->respond(409, alreadyExists);
  transport_->respond(200, widened.dump());
  transport_->respond(200, "{}");
  // RoleBinding: created.
  transport_->respond(201, "{}");
  respondTokenRequest();

  runAgentCredentials(*client_, request_, log_);
  ASSERT_EQ(transport_->requests.size(), 8U);
  EXPECT_EQ(sent(2).method, "GET");
  EXPECT_EQ(sent(5).method, "PUT");
  EXPECT_EQ(sent(5).target, "/apis/rbac.authorization.k8s.io/v1/namespaces/lab/roles/5spot-agent-gpu-worker-01");
  const json put = json::parse(sent(5).body);
  EXPECT_EQ(put["rules"], buildAgentRole(owner)["rules"]);
  EXPECT_EQ(put["metadata"]["resourceVersion"], "41");
  EXPECT_THAT(log_.str(), HasSubstr("serviceaccount/5spot-agent-gpu-worker-01 unchanged\n"
                                    "role/5spot-agent-gpu-worker-01 updated\n"
                                    "rolebinding/5spot-agent-gpu-worker-01 created\n"));
}

TEST_F(RunAgentCredentialsTest, MissingScheduledMachineStopsBeforeAnyWrite) {
  transport_->respond(404, testing::statusJson(404, "NotFound", "not found"));
  EXPECT_THROW(runAgentCredentials(*client_, request_, log_), kube::ApiError);
  EXPECT_EQ(transport_->requests.size(), 1U);
}

TEST_F(RunAgentCredentialsTest, TooLongNameIsRefusedBeforeAnyRequest) {
  request_.machineName = std::string(242, 'a');
  EXPECT_THROW(runAgentCredentials(*client_, request_, log_), ValidationError);
  EXPECT_TRUE(transport_->requests.empty());
}

}  // namespace
}  // namespace fivespot::cli
