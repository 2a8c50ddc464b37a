#include "kube_flags.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fivespot/common/error.hpp"
#include "temp_dir.hpp"

namespace fivespot::cli {
namespace {

const char* kKubeconfig = R"(
apiVersion: v1
kind: Config
current-context: admin@prod
clusters:
  - name: prod-cluster
    cluster: {server: "https://prod:6443"}
  - name: lab-cluster
    cluster: {server: "https://lab:6443"}
users:
  - name: admin
    user: {token: admin-token}
contexts:
  - name: admin@prod
    context: {cluster: prod-cluster, user: admin}
  - name: admin@lab
    context: {cluster: lab-cluster, user: admin, namespace: lab-team}
  - name: broken
    context: {user: admin}
)";

// The kubeconfig is named explicitly, so $KUBECONFIG, in-cluster and ~/.kube/config are never read
// (their order is kube::loadDefaultConfig's, tested in tests/unit/kube).
TEST(ResolveKubeTarget, ClusterNameAndNamespaceFollowTheContext) {
  kube::testing::TempDir dir;
  KubeFlags flags;
  flags.kubeconfig = dir.write("config", kKubeconfig);

  const KubeTarget current = resolveKubeTarget(flags);
  EXPECT_EQ(current.clusterName, "prod-cluster");
  EXPECT_EQ(current.config.server, "https://prod:6443");
  EXPECT_EQ(current.namespace_, "default");

  flags.context = "admin@lab";
  const KubeTarget lab = resolveKubeTarget(flags);
  EXPECT_EQ(lab.clusterName, "lab-cluster");
  EXPECT_EQ(lab.namespace_, "lab-team");

  flags.namespace_ = "other";
  EXPECT_EQ(resolveKubeTarget(flags).namespace_, "other");
}

TEST(ResolveKubeTarget, UnusableConfigurationIsAConfigError) {
  kube::testing::TempDir dir;
  KubeFlags flags;
  flags.kubeconfig = dir.write("config", kKubeconfig);
  flags.context = "nope";
  EXPECT_THROW(resolveKubeTarget(flags), ConfigError);
  flags.context = "broken";
  EXPECT_THROW(resolveKubeTarget(flags), ConfigError);
  flags.context.clear();
  flags.kubeconfig = (dir.path() / "missing").string();
  EXPECT_THROW(resolveKubeTarget(flags), ConfigError);
}

TEST(EffectiveNamespace, FlagThenContextThenDefault) {
  KubeFlags flags;
  EXPECT_EQ(effectiveNamespace(flags, "team-a"), "team-a");
  EXPECT_EQ(effectiveNamespace(flags, ""), "default");
  flags.namespace_ = "lab";
  EXPECT_EQ(effectiveNamespace(flags, "team-a"), "lab");
}

TEST(EffectiveNamespace, AllNamespacesIsEmptyAndExcludesNamespace) {
  KubeFlags flags;
  flags.allNamespaces = true;
  EXPECT_EQ(effectiveNamespace(flags, "team-a"), "");
  flags.namespace_ = "lab";
  EXPECT_THROW(effectiveNamespace(flags, "team-a"), ValidationError);
}

TEST(AddKubeFlags, ParsesKubectlNamesAndRejectsBothScopes) {
  CLI::App app;
  KubeFlags flags;
  addKubeFlags(app, flags, NamespaceFlags::SingleOrAll);
  app.parse("--context ctx --kubeconfig /k -n lab", false);
  EXPECT_EQ(flags.kubeconfig, "/k");
  EXPECT_EQ(flags.context, "ctx");
  EXPECT_EQ(flags.namespace_, "lab");

  CLI::App both;
  KubeFlags bothFlags;
  addKubeFlags(both, bothFlags, NamespaceFlags::SingleOrAll);
  EXPECT_THROW(both.parse("-n lab -A", false), CLI::ExcludesError);
}

TEST(AddKubeFlags, SingleNamespaceCommandsHaveNoAllNamespacesFlag) {
  CLI::App app;
  KubeFlags flags;
  addKubeFlags(app, flags, NamespaceFlags::Single);
  EXPECT_THROW(app.parse("-A", false), CLI::ExtrasError);
}

TEST(RunClusterCommand, MapsErrorsToExitCodes) {
  const auto exitCodeOf = [](const std::function<int()>& body) {
    try {
      runClusterCommand(body);
      return 0;
    } catch (const CLI::RuntimeError& e) {
      return e.get_exit_code();
    }
  };
  EXPECT_EQ(exitCodeOf([] { return 0; }), 0);
  EXPECT_EQ(exitCodeOf([] { return 1; }), 1);
  EXPECT_EQ(exitCodeOf([]() -> int { throw ValidationError("NAME", "x", "y"); }), 2);
  EXPECT_EQ(exitCodeOf([]() -> int { throw ConfigError("kubeconfig", "missing"); }), 2);
  EXPECT_EQ(exitCodeOf([]() -> int { throw Error(ErrorKind::Transient, "get", "connection refused"); }), 1);
}

}  // namespace
}  // namespace fivespot::cli
