// The agent's RBAC against the calls it really makes, for both of its identities:
//   - node mode: the DaemonSet's ServiceAccount with deploy/daemonset's RBAC (renamed into the test
//     namespace);
//   - host mode: the per-host ServiceAccount, Role and RoleBinding that the real
//     `kubectl 5spot agent-credentials` creates, with the kubeconfig it writes.
// The real fivespot-agent runs with only that token, through what it does in that mode (heartbeat,
// drain confirmation, power-off through a fake logind on a private D-Bus), while the API server
// enforces the RBAC (kube-test-server in RBAC mode, or a real cluster). The agent counts its calls
// (five_spot_agent_kube_requests_total) and the test compares them with the grants.
//
// Not covered: deploy/daemonset/node-identity-policy.yaml, the ValidatingAdmissionPolicy that ties
// a node-mode agent's status writes to its own node. kube-test-server stores admission policies
// but does not evaluate CEL, and the agent's test token is a TokenRequest token bound to no pod,
// so it carries no node claim; the policy is not installed here rather than pretended.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>

#include "rbac_coverage.hpp"
#include "rbac_test_support.hpp"
#include "scenario.hpp"

namespace fivespot::testing {
namespace {

namespace fs = std::filesystem;

constexpr milliseconds kTimeout = seconds(30);
const std::string kNodeModeServiceAccount = "5spot-agent";

// A host: a private system bus with the fake logind on it, which records Inhibit and PowerOff.
struct FakeHost {
  fs::path dir;
  std::string busAddress;
  ChildProcess* logind = nullptr;

  // True once logind recorded `call` ("Inhibit", "PowerOff").
  bool called(const std::string& call) const {
    return logind
        ->waitForLine(
            [&](const std::string& line) {
              return line.starts_with("{") && Json::parse(line, nullptr, false).value("call", "") == call;
            },
            kTimeout)
        .has_value();
  }
};

FakeHost startFakeHost(Scenario& s, const std::string& name) {
  FakeHost host;
  host.dir = fs::path(s.env().workDir()) / name;
  fs::create_directories(host.dir / "cgroup");  // no kubepods cgroups: nothing runs on the host
  fs::create_directories(host.dir / "powercap");
  const std::string socket = (host.dir / "system_bus_socket").string();
  ChildProcess& bus =
      s.env().start(name + "-dbus", {"/usr/bin/dbus-daemon", "--session", "--address=unix:path=" + socket, "--nofork",
                                     "--nopidfile", "--print-address=1"});
  host.busAddress =
      bus.waitForLine([](const std::string& line) { return line.starts_with("unix:"); }, kTimeout).value_or("");
  if (host.busAddress.empty()) throw std::runtime_error("dbus-daemon did not print its address");
  host.logind =
      &s.env().start(name + "-logind", {"/usr/bin/python3", sourcePath("tests/dbus/fake_login1.py"), "--address",
                                        host.busAddress, "--record", (host.dir / "logind.jsonl").string()});
  if (!host.logind->waitForLine([](const std::string& line) { return line == "READY"; }, kTimeout)) {
    throw std::runtime_error("the fake logind did not start");
  }
  return host;
}

// The agent's configuration: heartbeats every second, no readiness check that depends on the
// machine running the test, metrics on a free loopback port. `identity` holds the mode's keys.
fs::path writeAgentConfig(const FakeHost& host, const std::string& kubeconfig, Json identity) {
  Json config = {
      {"kubeconfig", kubeconfig},
      {"heartbeatIntervalSeconds", 1},
      {"maxBackoffSeconds", 2},
      {"checks", {{"clockSynchronized", false}, {"minFreeDiskBytes", 0}, {"containerRuntimeSockets", Json::array()}}},
      {"energy", {{"raplRoot", (host.dir / "powercap").string()}}},
      {"cgroupRoot", (host.dir / "cgroup").string()},
      {"healthAddress", "127.0.0.1:0"},
      {"metricsAddress", "127.0.0.1:0"}};
  config.update(identity);
  const fs::path path = host.dir / "agent.conf";
  std::ofstream(path) << config.dump(2) << '\n';  // JSON is YAML
  return path;
}

struct RunningAgent {
  ChildProcess* process = nullptr;
  int metricsPort = 0;

  [[nodiscard]] std::vector<RequestSample> samples() const {
    return kubeRequestSamples(scrapeMetrics(metricsPort), kAgentRequestMetric);
  }
  // Why a step was not reached: usually a call the RBAC refused.
  [[nodiscard]] std::string refused() const {
    return "\nrefused calls:\n" + forbiddenCalls(samples()) + "agent log:\n" + process->tail();
  }
};

RunningAgent startAgent(Scenario& s, const FakeHost& host, const fs::path& config) {
  static const std::regex kMetricsPort(R"(metrics on \S*:(\d+))");
  RunningAgent agent;
  agent.process = &s.env().start("agent", {binaryPath("fivespot-agent"), "--config", config.string()},
                                 {{"DBUS_SYSTEM_BUS_ADDRESS", host.busAddress}});
  agent.metricsPort = loggedPort(*agent.process, kMetricsPort);
  return agent;
}

Json hostAgent(const std::string& name, const std::string& nodeName) {
  Json spec = {{"desiredPower", "On"}};
  if (!nodeName.empty()) spec["nodeName"] = nodeName;
  return {{"apiVersion", "5spot.finos.org/v1alpha1"},
          {"kind", "HostAgent"},
          {"metadata", {{"name", name}}},
          {"spec", spec}};
}

std::int64_t statusNumber(Scenario& s, const std::string& name, const char* field) {
  const auto agent = s.client().getIfExists(kube::resources::hostAgents(), s.ns(), name);
  if (!agent) return -1;
  return agent->value(Json::json_pointer(std::string("/status/") + field), std::int64_t{-1});
}

bool heartbeatReported(Scenario& s, const std::string& name, const std::string& mode) {
  const auto agent = s.client().getIfExists(kube::resources::hostAgents(), s.ns(), name);
  return agent && agent->value(Json::json_pointer("/status/mode"), std::string()) == mode &&
         agent->value(Json::json_pointer("/status/ready"), false) &&
         !agent->value(Json::json_pointer("/status/lastHeartbeat"), std::string()).empty();
}

// What the coordinator does at the end of a window, written by the test in its place.
void requestDrainConfirmation(Scenario& s, const std::string& name) {
  s.client().patch(kube::resources::hostAgents(), s.ns(), name, kube::PatchType::Merge,
                   {{"spec", {{"drainConfirmationGeneration", 1}, {"commandGeneration", 1}}}});
}
void orderPowerOff(Scenario& s, const std::string& name) {
  s.client().patch(kube::resources::hostAgents(), s.ns(), name, kube::PatchType::Merge,
                   {{"spec", {{"desiredPower", "Off"}, {"commandGeneration", 2}, {"powerOffGeneration", 2}}}});
}

// The power-off path: logind's delay lock and PowerOff, and the acknowledgement in status.
void powerOffThroughLogind(Scenario& s, const FakeHost& host, const RunningAgent& agent, const std::string& name) {
  orderPowerOff(s, name);
  ASSERT_TRUE(host.called("Inhibit")) << agent.refused();
  ASSERT_TRUE(host.called("PowerOff")) << agent.refused();
  ASSERT_TRUE(eventually([&] { return statusNumber(s, name, "powerOffAcknowledgedGeneration") == 2; }, kTimeout))
      << agent.refused();
}

// Every grant must be used: the agent's RBAC has no exception list.
void expectRbacMatchesCalls(const RunningAgent& agent, const Permissions& granted, const std::string& rbacSource) {
  const auto samples = agent.samples();
  ASSERT_FALSE(samples.empty()) << "no " << kAgentRequestMetric << " samples";
  EXPECT_EQ(forbiddenCalls(samples), "") << "calls " << rbacSource << " refused";
  const Permissions used = usedPermissions(samples);
  const CoverageReport report = compareCoverage(granted, used, {});
  EXPECT_TRUE(report.ok()) << describeCoverage(report, granted, used, rbacSource);
}

// Whether `call` is refused with 403 (another error propagates and fails the test).
bool forbidden(const std::function<void()>& call) {
  try {
    call();
    return false;
  } catch (const kube::ApiError& e) {
    if (e.code() == 403) return true;
    throw;
  }
}

TEST(AgentRbac, NodeModeDaemonSetRbacGrantsExactlyItsCalls) {
  if (!fs::exists("/usr/bin/dbus-daemon")) GTEST_SKIP() << "dbus-daemon is not installed";
  // The built-in kube-test-server enforces the stored RBAC objects (ignored with a real cluster).
  ::setenv("KUBE_TEST_SERVER_AUTHORIZATION_MODE", "RBAC", 1);
  Scenario s("agent-rbac-node");
  ClusterScopedObjects clusterScopedObjects(s.client());
  const std::vector<Json> deployed = manifestDocuments("deploy/daemonset", {"serviceaccount.yaml", "rbac.yaml"});
  installIsolated(s.client(), deployed, s.ns(), clusterScopedObjects);
  const std::string token =
      s.client().requestServiceAccountToken(s.ns(), kNodeModeServiceAccount, std::chrono::hours(1));
  const std::string kubeconfig = writeTokenKubeconfig(s.env().kubeconfig(), token, kNodeModeServiceAccount,
                                                      s.env().workDir() + "/agent.kubeconfig");

  // RBAC is enforced, so every later 200 means something.
  kube::Client asAgent(kube::loadKubeconfigFile(kubeconfig));
  EXPECT_TRUE(forbidden([&] { asAgent.list(kube::resources::secrets(), s.ns()); }));

  // A node name no other test or real node has: the agent lists HostAgents and pods cluster-wide.
  const std::string nodeName = s.ns() + "-worker";
  s.client().create(kube::resources::hostAgents(), s.ns(), hostAgent("worker", nodeName));
  const FakeHost host = startFakeHost(s, "node");
  const RunningAgent agent =
      startAgent(s, host, writeAgentConfig(host, kubeconfig, {{"mode", "node"}, {"nodeName", nodeName}}));
  ASSERT_TRUE(eventually([&] { return heartbeatReported(s, "worker", "node"); }, kTimeout)) << agent.refused();

  // Drain confirmation from the pods bound to the node: a workload pod blocks it until it is gone.
  const Json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", "web-0"}}},
                    {"spec", {{"nodeName", nodeName}, {"containers", {{{"name", "web"}, {"image", "nginx"}}}}}}};
  s.client().create(kube::resources::pods(), s.ns(), pod);
  requestDrainConfirmation(s, "worker");
  ASSERT_TRUE(agent.process->waitForLine(
      [](const std::string& line) { return line.find("drain generation 1 not confirmed yet") != std::string::npos; },
      kTimeout))
      << agent.refused();
  EXPECT_LT(statusNumber(s, "worker", "drainConfirmedGeneration"), 1);
  kube::DeleteOptions now;
  now.gracePeriodSeconds = 0;  // no kubelet runs on this node to finish a graceful deletion
  s.client().remove(kube::resources::pods(), s.ns(), "web-0", now);
  ASSERT_TRUE(eventually([&] { return statusNumber(s, "worker", "drainConfirmedGeneration") == 1; }, kTimeout))
      << agent.refused();

  ASSERT_NO_FATAL_FAILURE(powerOffThroughLogind(s, host, agent, "worker"));

  expectRbacMatchesCalls(agent, grantedTo(deployed, "5spot-system", kNodeModeServiceAccount),
                         "deploy/daemonset/rbac.yaml");
}

TEST(AgentRbac, HostModeCredentialsFromTheCliGrantExactlyItsCalls) {
  if (!fs::exists("/usr/bin/dbus-daemon")) GTEST_SKIP() << "dbus-daemon is not installed";
  ::setenv("KUBE_TEST_SERVER_AUTHORIZATION_MODE", "RBAC", 1);
  Scenario s("agent-rbac-host");
  // The window opens long after the test: nothing acts on the machine but this test and the agent.
  s.create(s.scheduledMachine("gpu", std::chrono::hours(6)));
  s.client().create(kube::resources::hostAgents(), s.ns(), hostAgent("gpu", ""));
  s.client().create(kube::resources::hostAgents(), s.ns(), hostAgent("other", ""));

  // The real CLI creates the per-host ServiceAccount, Role and RoleBinding and writes the kubeconfig.
  const std::string kubeconfig = s.env().workDir() + "/gpu.kubeconfig";
  ChildProcess& cli =
      s.env().start("agent-credentials", {binaryPath("kubectl-5spot"), "agent-credentials", "gpu", "--kubeconfig",
                                          s.env().kubeconfig(), "-n", s.ns(), "--duration", "1h", "-o", kubeconfig});
  ASSERT_EQ(cli.wait(kTimeout), std::optional<int>(0)) << cli.tail();
  const std::string account = "5spot-agent-gpu";
  const std::vector<Json> generated = {
      s.client().get(kube::ResourceType{"rbac.authorization.k8s.io", "v1", "roles", "Role", true}, s.ns(), account),
      s.client().get(kube::ResourceType{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true}, s.ns(),
                     account)};

  // The Role names this host's objects only: another host's HostAgent is out of reach.
  kube::Client asAgent(kube::loadKubeconfigFile(kubeconfig));
  EXPECT_TRUE(forbidden([&] { asAgent.get(kube::resources::hostAgents(), s.ns(), "other"); }));
  EXPECT_TRUE(forbidden([&] {
    asAgent.patchStatus(kube::resources::hostAgents(), s.ns(), "other", kube::PatchType::Merge,
                        {{"status", {{"ready", true}}}});
  }));

  const FakeHost host = startFakeHost(s, "host");
  const RunningAgent agent =
      startAgent(s, host,
                 writeAgentConfig(host, kubeconfig,
                                  {{"mode", "host"}, {"scheduledMachine", {{"namespace", s.ns()}, {"name", "gpu"}}}}));
  ASSERT_TRUE(eventually([&] { return heartbeatReported(s, "gpu", "host"); }, kTimeout)) << agent.refused();

  // Host mode confirms from the host's pod cgroups (none here), without an API call of its own.
  requestDrainConfirmation(s, "gpu");
  ASSERT_TRUE(eventually([&] { return statusNumber(s, "gpu", "drainConfirmedGeneration") == 1; }, kTimeout))
      << agent.refused();

  ASSERT_NO_FATAL_FAILURE(powerOffThroughLogind(s, host, agent, "gpu"));

  expectRbacMatchesCalls(agent, grantedTo(generated, s.ns(), account), "the Role of kubectl 5spot agent-credentials");
}

}  // namespace
}  // namespace fivespot::testing
