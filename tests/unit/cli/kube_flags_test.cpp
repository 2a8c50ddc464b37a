#include "kube_flags.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "fivespot/common/error.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace fivespot::cli {
namespace {

ConfigEnvironment environmentWith(std::string kubeconfig, std::string serviceHost, std::set<std::string> files) {
  return ConfigEnvironment{std::move(kubeconfig), std::move(serviceHost), "/home/op",
                           [files = std::move(files)](const std::string& path) { return files.count(path) > 0; }};
}

TEST(LocateKubeconfig, ExplicitPathWinsEvenIfMissing) {
  const auto location = locateKubeconfig("/tmp/given", environmentWith("/a", "10.0.0.1", {"/a"}));
  EXPECT_EQ(location.kind, KubeconfigLocation::Kind::File);
  EXPECT_EQ(location.path, "/tmp/given");
}

TEST(LocateKubeconfig, FirstExistingFileOfKubeconfigList) {
  const auto location = locateKubeconfig("", environmentWith("/missing:/b:/c", "", {"/b", "/c"}));
  EXPECT_EQ(location.kind, KubeconfigLocation::Kind::File);
  EXPECT_EQ(location.path, "/b");
}

TEST(LocateKubeconfig, InClusterBeforeHomeConfig) {
  const auto location = locateKubeconfig("", environmentWith("/missing", "10.0.0.1", {"/home/op/.kube/config"}));
  EXPECT_EQ(location.kind, KubeconfigLocation::Kind::InCluster);
}

TEST(LocateKubeconfig, HomeConfigLast) {
  const auto location = locateKubeconfig("", environmentWith("", "", {"/home/op/.kube/config"}));
  EXPECT_EQ(location.kind, KubeconfigLocation::Kind::File);
  EXPECT_EQ(location.path, "/home/op/.kube/config");
}

TEST(LocateKubeconfig, NothingFoundListsWhatWasTried) {
  const auto location = locateKubeconfig("", environmentWith("/missing", "", {}));
  EXPECT_EQ(location.kind, KubeconfigLocation::Kind::None);
  EXPECT_THAT(location.tried, ::testing::HasSubstr("$KUBECONFIG=/missing"));
  EXPECT_THAT(location.tried, ::testing::HasSubstr("/home/op/.kube/config (no such file)"));
}

const char* kKubeconfig = R"(
apiVersion: v1
kind: Config
current-context: admin@prod
clusters:
  - name: prod-cluster
    cluster: {server: "https://prod:6443"}
  - name: lab-cluster
    cluster: {server: "https://lab:6443"}
contexts:
  - name: admin@prod
    context: {cluster: prod-cluster, user: admin}
  - name: admin@lab
    context: {cluster: lab-cluster, user: admin}
  - name: broken
    context: {user: admin}
)";

TEST(KubeconfigClusterName, FollowsCurrentOrGivenContext) {
  const auto kubeconfig = yamlToJson(kKubeconfig, "test");
  EXPECT_EQ(kubeconfigClusterName(kubeconfig, "", "test"), "prod-cluster");
  EXPECT_EQ(kubeconfigClusterName(kubeconfig, "admin@lab", "test"), "lab-cluster");
  EXPECT_THROW(kubeconfigClusterName(kubeconfig, "nope", "test"), ConfigError);
  EXPECT_THROW(kubeconfigClusterName(kubeconfig, "broken", "test"), ConfigError);
  EXPECT_THROW(kubeconfigClusterName(nlohmann::json::object(), "", "test"), ConfigError);
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
