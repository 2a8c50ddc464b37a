// The coordinator's RBAC (deploy/coordinator) against the calls it really makes: the real
// fivespot-coordinator runs as its ServiceAccount, with exactly the deployed Roles and bindings
// (renamed into the test namespace), through a machine's whole life. The API server enforces that
// RBAC (kube-test-server --authorization-mode=RBAC, or a real cluster), the coordinator counts its
// calls (five_spot_kube_requests_total), and the test compares the two sets.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "rbac_coverage.hpp"
#include "rbac_test_support.hpp"
#include "scenario.hpp"

namespace fivespot::testing {
namespace {

constexpr milliseconds kPhaseTimeout = seconds(30);
const std::string kServiceAccount = "5spot-coordinator";

// Grants the scenario does not call, each with why. Keep this list short and true: an entry that
// stops matching an unused grant fails the test (CoverageReport::staleExceptions).
const std::vector<UnusedGrantException> kUnusedGrants = {
    {{"5spot.finos.org", "scheduledmachines/finalizers", "update"},
     "checked by the OwnerReferencesPermissionEnforcement admission plugin when a child sets "
     "blockOwnerDeletion; never called"},
    {{"bootstrap.cluster.x-k8s.io", "kubeadmconfigs", "*"}, "kubeadm provider: the scenario uses k0smotron"},
    {{"bootstrap.cluster.x-k8s.io", "kubeadmconfigtemplates", "*"}, "kubeadm provider: the scenario uses k0smotron"},
    {{"infrastructure.cluster.x-k8s.io", "metal3machines", "*"}, "Metal3 provider: the scenario uses k0smotron"},
    {{"infrastructure.cluster.x-k8s.io", "metal3machinetemplates", "*"},
     "Metal3 provider: the scenario uses k0smotron"},
    {{"infrastructure.cluster.x-k8s.io", "byomachines", "*"}, "BYOH provider: the scenario uses k0smotron"},
    {{"infrastructure.cluster.x-k8s.io", "byomachinetemplates", "*"}, "BYOH provider: the scenario uses k0smotron"},
    {{"bootstrap.cluster.x-k8s.io", "k0sworkerconfigs", "delete"},
     "only for objects CAPI left behind after deleting the Machine; the simulator, like CAPI, deletes them itself"},
    {{"infrastructure.cluster.x-k8s.io", "remotemachines", "delete"},
     "only for objects CAPI left behind after deleting the Machine; the simulator, like CAPI, deletes them itself"},
    {{"coordination.k8s.io", "leases", "delete"},
     "an instance gives its Leases up on clean shutdown, after the test's last scrape"},
    {{"bootstrap.cluster.x-k8s.io", "k0sworkerconfigtemplates", "get"},
     "read only for bootstrapRef templates; the test CRDs have no template kinds (inline bootstrapSpec)"},
    {{"infrastructure.cluster.x-k8s.io", "remotemachinetemplates", "get"},
     "read only for infrastructureRef templates; the test CRDs have no template kinds (inline infrastructureSpec)"},
};

std::vector<Json> deployedRbac() {
  return manifestDocuments("deploy/coordinator",
                           {"serviceaccount.yaml", "clusterrole.yaml", "providers.yaml", "role.yaml"});
}

int metricsPortOf(ChildProcess& coordinator) {
  static const std::regex kServing(R"(serving metrics on :(\d+))");
  return loggedPort(coordinator, kServing);
}

bool drainBlockedBy(Scenario& s, const std::string& name, const std::string& pdb) {
  const auto sm = s.get(name);
  for (const auto& blocking : sm->value(Json::json_pointer("/status/drain/blockingPdbs"), Json::array())) {
    if (blocking.get<std::string>().starts_with(s.ns() + "/" + pdb + ": ")) return true;
  }
  return false;
}

TEST(CoordinatorRbac, DeployedRbacGrantsExactlyTheCallsOfAMachineLifeCycle) {
  // The built-in kube-test-server enforces the stored RBAC objects (ignored with a real cluster).
  ::setenv("KUBE_TEST_SERVER_AUTHORIZATION_MODE", "RBAC", 1);
  Scenario s("coordinator-rbac");
  ClusterScopedObjects clusterScopedObjects(s.client());
  const std::vector<Json> deployed = deployedRbac();
  installIsolated(s.client(), deployed, s.ns(), clusterScopedObjects);
  const std::string token = s.client().requestServiceAccountToken(s.ns(), kServiceAccount, std::chrono::hours(1));
  const std::string kubeconfig =
      writeTokenKubeconfig(s.env().kubeconfig(), token, kServiceAccount, s.env().workDir() + "/coordinator.kubeconfig");

  // The ServiceAccount really is restricted: RBAC is enforced, so every later 200 means something.
  kube::Client asCoordinator(kube::loadKubeconfigFile(kubeconfig));
  try {
    asCoordinator.list(kube::resources::secrets(), s.ns());
    FAIL() << "the coordinator's ServiceAccount may list Secrets: RBAC is not enforced";
  } catch (const kube::ApiError& e) {
    ASSERT_EQ(e.code(), 403) << e.what();
  }

  s.startSimulator();
  auto& coordinator =
      s.env().start("coordinator", {binaryPath("fivespot-coordinator"), "--kubeconfig", kubeconfig, "--instance-id",
                                    "rbac", "--watch-namespace", s.ns(), "--bind-address", "127.0.0.1",
                                    "--metrics-port", "0", "--health-port", "0", "--drain-poll-interval-secs", "1",
                                    // Sharding rather than leader election: its
                                    // instance Lease is read, created, renewed and
                                    // listed, which covers leader election's calls.
                                    "--enable-sharding", "--lease-namespace", s.ns(), "--lease-duration-secs", "4",
                                    "--lease-renew-deadline-secs", "3", "--lease-retry-period-secs", "1"});
  const int metricsPort = metricsPortOf(coordinator);
  // Why a phase was not reached: usually a call the RBAC refused.
  const auto refused = [&] {
    return "\nrefused calls:\n" + forbiddenCalls(kubeRequestSamples(scrapeMetrics(metricsPort)));
  };

  // Window opens: Machine (with its bootstrap and infrastructure objects) created, node Ready.
  s.create(s.scheduledMachine("worker", seconds(2)));
  ASSERT_TRUE(s.waitForPhase("worker", "Active", kPhaseTimeout)) << s.phase("worker") << refused();
  const std::string nodeName = s.get("worker")->value(Json::json_pointer("/status/nodeRef/name"), std::string());
  ASSERT_FALSE(nodeName.empty());

  // Secrets: the coordinator may read one only by name. A BMC whose credentials Secret is missing
  // makes it do so deterministically (a workload cluster's kubeconfig is read only while a Node is
  // not in the cache, which depends on timing), and the failure must be reported on the machine.
  Json bmc = s.scheduledMachine("bmc");
  bmc["spec"]["power"] = {{"redfish",
                           {{"endpoint", "https://127.0.0.1:1"},
                            {"systemId", "1"},
                            {"credentialsSecretRef", "bmc-credentials"},
                            {"insecureSkipTlsVerify", true}}}};
  s.create(bmc);
  ASSERT_TRUE(eventually(
      [&] {
        const auto sm = s.get("bmc");
        const auto message = sm->value(Json::json_pointer("/status/message"), std::string());
        return message.find("bmc-credentials") != std::string::npos;
      },
      kPhaseTimeout))
      << s.get("bmc")->dump(2) << refused();
  s.client().remove(kube::resources::scheduledMachines(), s.ns(), "bmc");

  // Window closes: cordon, drain through a PDB that first blocks, then allows; Machine deleted.
  s.createPod("web-0", nodeName, "web");
  ASSERT_TRUE(s.waitForPodsRunning({"web-0"}, kPhaseTimeout));
  s.createPdb("web", "web", 1);
  s.closeWindowIn("worker", seconds(1));
  ASSERT_TRUE(s.waitForPhase("worker", "Removing", kPhaseTimeout)) << s.phase("worker") << refused();
  ASSERT_TRUE(eventually([&] { return drainBlockedBy(s, "worker", "web"); }, kPhaseTimeout))
      << s.get("worker")->dump(2) << refused();
  s.setPdbMinAvailable("web", 0);
  ASSERT_TRUE(s.waitForPhase("worker", "UnScheduled", kPhaseTimeout)) << s.phase("worker") << refused();
  EXPECT_TRUE(s.machines("worker").empty());

  // Deletion: the finalizer is released once nothing is left.
  s.client().remove(kube::resources::scheduledMachines(), s.ns(), "worker");
  ASSERT_TRUE(eventually([&] { return !s.get("worker") && !s.get("bmc"); }, kPhaseTimeout))
      << s.phase("worker") << s.phase("bmc") << refused();

  const auto samples = kubeRequestSamples(scrapeMetrics(metricsPort));
  ASSERT_FALSE(samples.empty()) << "no five_spot_kube_requests_total samples";
  EXPECT_EQ(forbiddenCalls(samples), "") << "calls the deployed RBAC refused";

  const Permissions granted = grantedTo(deployed, "5spot-system", kServiceAccount);
  const Permissions used = usedPermissions(samples);
  const CoverageReport report = compareCoverage(granted, used, kUnusedGrants);
  EXPECT_TRUE(report.ok()) << describeCoverage(report, granted, used, "deploy/coordinator");
}

}  // namespace
}  // namespace fivespot::testing
