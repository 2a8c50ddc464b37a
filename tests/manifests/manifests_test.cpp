// Checks the deployable artefacts without a cluster or Docker: every manifest parses and is a
// well-formed object, kustomizations point at real files, the coordinator runs hardened, RBAC is
// explicit, admission policies are bound and refer to fields the CRDs have, and the Dockerfiles
// copy binaries the CMake tree builds and install only the known runtime libraries.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "fivespot/common/yaml_json.hpp"
#include "source_tree.hpp"

namespace fivespot::manifests {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kRoot{FIVESPOT_SOURCE_DIR};

// Runtime packages of the images, from the toolchain handbook (reference/toolchain.md section 1,
// "Runtime .so packages ... plus tzdata"), which lives outside the repository; ca-certificates
// for API servers signed by a public CA. libcctz2 is listed there but nothing links cctz.
const std::set<std::string> kRuntimePackages = {"libcpprest2.10",
                                                "libspdlog1.10",
                                                "libfmt9",
                                                "libprometheus-cpp-core1.0",
                                                "libprometheus-cpp-pull1.0",
                                                "libcivetweb1",
                                                "libdate-tz3",
                                                "libyaml-cpp0.7",
                                                "libsystemd0",
                                                "libssl3",
                                                "libbrotli1",
                                                "tzdata",
                                                "ca-certificates"};

class Manifests : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    files_ = yamlFilesUnder(kRoot, {"deploy", "crds", "examples"});
    manifests_ = loadManifests(kRoot, files_);
  }
  static std::vector<Manifest> under(const std::string& prefix) {
    std::vector<Manifest> selected;
    std::copy_if(manifests_.begin(), manifests_.end(), std::back_inserter(selected),
                 [&](const Manifest& m) { return m.file.rfind(prefix, 0) == 0; });
    return selected;
  }
  // Files a kustomization applies as patches: partial objects, not workloads of their own.
  static bool isPatch(const Manifest& m) {
    for (const auto& k : manifests_) {
      if (!isKustomization(k.object)) continue;
      const auto dir = fs::path(k.file).parent_path();
      for (const auto& patch : k.object.value("patches", json::array())) {
        if (patch.contains("path") && (dir / patch["path"].get<std::string>()).lexically_normal() == fs::path(m.file)) {
          return true;
        }
      }
    }
    return false;
  }
  static const Manifest& coordinatorDeployment() {
    for (const auto& m : manifests_) {
      if (m.object.value("kind", "") == "Deployment" && m.object["metadata"].value("name", "") == "5spot-coordinator" &&
          !isPatch(m)) {
        return m;
      }
    }
    throw std::runtime_error("Deployment 5spot-coordinator not found under deploy/");
  }
  static const json& coordinatorPod() { return coordinatorDeployment().object["spec"]["template"]["spec"]; }
  static inline std::vector<std::string> files_;
  static inline std::vector<Manifest> manifests_;
};

std::string where(const Manifest& m) {
  return m.file + " document " + std::to_string(m.index);
}

TEST_F(Manifests, EveryDocumentIsAnObjectWithApiVersionKindAndName) {
  ASSERT_FALSE(under("deploy/").empty());
  for (const auto& m : manifests_) {
    SCOPED_TRACE(where(m));
    ASSERT_TRUE(m.object.is_object());
    EXPECT_TRUE(m.object.contains("apiVersion") && m.object["apiVersion"].is_string());
    EXPECT_TRUE(m.object.contains("kind") && m.object["kind"].is_string());
    if (isKustomization(m.object)) continue;  // kustomize files carry no metadata
    ASSERT_TRUE(m.object.contains("metadata") && m.object["metadata"].is_object());
    EXPECT_FALSE(m.object["metadata"].value("name", "").empty());
  }
}

TEST_F(Manifests, EveryDeployDirectoryHasAKustomizationListingExistingFiles) {
  for (const auto& m : under("deploy/")) {
    if (!isKustomization(m.object)) continue;
    const auto dir = (kRoot / m.file).parent_path();
    for (const auto& entry : kustomizationEntries(m.object)) {
      SCOPED_TRACE(m.file + " -> " + entry);
      const auto target = dir / entry;
      EXPECT_TRUE(fs::is_regular_file(target) || fs::is_regular_file(target / "kustomization.yaml"));
    }
  }
}

TEST_F(Manifests, EveryManifestUnderDeployIsListedByItsDirectorysKustomization) {
  for (const auto& file : yamlFilesUnder(kRoot, {"deploy"})) {
    if (fs::path(file).filename() == "kustomization.yaml") continue;
    SCOPED_TRACE(file);
    const auto kustomizationFile = fs::path(file).parent_path() / "kustomization.yaml";
    ASSERT_TRUE(fs::is_regular_file(kRoot / kustomizationFile));
    const auto entries = kustomizationEntries(yamlToJson(readFile((kRoot / kustomizationFile).string())));
    EXPECT_NE(std::find(entries.begin(), entries.end(), fs::path(file).filename().string()), entries.end());
  }
}

TEST_F(Manifests, TopLevelKustomizationInstallsCoordinatorAgentAndAdmissionButNotMonitoring) {
  const auto top = yamlToJson(readFile((kRoot / "deploy/kustomization.yaml").string()));
  const auto entries = kustomizationEntries(top);
  for (const std::string wanted : {"coordinator", "daemonset", "admission"}) {
    EXPECT_NE(std::find(entries.begin(), entries.end(), wanted), entries.end()) << wanted;
  }
  // The Prometheus Operator CRDs may be absent: a default install must not need them.
  EXPECT_EQ(std::find(entries.begin(), entries.end(), "monitoring"), entries.end());
  for (const auto& m : manifests_) {
    const auto apiVersion = m.object.value("apiVersion", "");
    if (apiVersion.rfind("monitoring.coreos.com/", 0) == 0) {
      EXPECT_EQ(m.file.rfind("deploy/monitoring/", 0), 0U) << where(m);
    }
  }
}

TEST_F(Manifests, CoordinatorRunsAsNonRootWithReadOnlyRootAndNoPrivileges) {
  const auto& pod = coordinatorPod();
  EXPECT_EQ(pod["serviceAccountName"], "5spot-coordinator");
  EXPECT_NE(findManifest(manifests_, "ServiceAccount", "5spot-coordinator"), nullptr);
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["runAsUser"], 65532);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  ASSERT_EQ(pod["containers"].size(), 1U);
  const auto& container = pod["containers"][0];
  const auto& sc = container["securityContext"];
  EXPECT_EQ(sc["runAsNonRoot"], true);
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc.value("privileged", false), false);
  EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(sc["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_FALSE(sc["capabilities"].contains("add"));
  for (const char* kind : {"requests", "limits"}) {
    EXPECT_TRUE(container["resources"][kind].contains("cpu")) << kind;
    EXPECT_TRUE(container["resources"][kind].contains("memory")) << kind;
  }
  EXPECT_EQ(container["image"], "ghcr.io/finos/5spot-coordinator:v0.1.0");
}

TEST_F(Manifests, CoordinatorProbesHealthAndReadyOnTheHealthPortAndExposesMetrics) {
  const auto& container = coordinatorPod()["containers"][0];
  std::map<std::string, int> ports;
  for (const auto& port : container["ports"]) ports[port["name"].get<std::string>()] = port["containerPort"].get<int>();
  EXPECT_EQ(ports["health"], 8081);
  EXPECT_EQ(ports["metrics"], 8080);
  const auto probePort = [&](const json& probe) {
    const auto& port = probe["httpGet"]["port"];
    return port.is_string() ? ports[port.get<std::string>()] : port.get<int>();
  };
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"], "/health");
  EXPECT_EQ(probePort(container["livenessProbe"]), 8081);
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/ready");
  EXPECT_EQ(probePort(container["readinessProbe"]), 8081);
  const auto* service = findManifest(manifests_, "Service", "5spot-coordinator-metrics");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->object["spec"]["ports"][0]["targetPort"], "metrics");
}

TEST_F(Manifests, CoordinatorIsHighlyAvailableWithLeaderElectionAndDownwardApiIdentity) {
  const auto* deployment = &coordinatorDeployment();
  EXPECT_EQ(deployment->object["spec"]["replicas"], 2);
  std::map<std::string, json> env;
  for (const auto& var : coordinatorPod()["containers"][0]["env"]) env[var["name"].get<std::string>()] = var;
  EXPECT_EQ(env["ENABLE_LEADER_ELECTION"]["value"], "true");
  EXPECT_EQ(env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name");
  EXPECT_EQ(env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.namespace");
  const auto* pdb = findManifest(manifests_, "PodDisruptionBudget", "5spot-coordinator");
  ASSERT_NE(pdb, nullptr);
  EXPECT_EQ(pdb->object["spec"]["minAvailable"], 1);
  EXPECT_EQ(pdb->object["spec"]["selector"]["matchLabels"], deployment->object["spec"]["selector"]["matchLabels"]);
}

TEST_F(Manifests, RbacRulesAreExplicitOneResourcePerRuleWithSortedVerbs) {
  const std::set<std::string> dangerousVerbs = {"*", "escalate", "bind", "impersonate"};
  std::size_t rules = 0;
  for (const auto& m : under("deploy/")) {
    const auto kind = m.object.value("kind", "");
    if (kind != "ClusterRole" && kind != "Role") continue;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& rule : m.object.value("rules", json::array())) {
      SCOPED_TRACE(where(m) + " rule " + rule.dump());
      ++rules;
      ASSERT_EQ(rule["apiGroups"].size(), 1U);
      ASSERT_EQ(rule["resources"].size(), 1U);
      const auto group = rule["apiGroups"][0].get<std::string>();
      const auto resource = rule["resources"][0].get<std::string>();
      EXPECT_NE(group, "*");
      EXPECT_EQ(resource.find('*'), std::string::npos);
      EXPECT_TRUE(seen.insert({group, resource}).second) << "(group, resource) repeated in one role";
      const auto verbs = rule["verbs"].get<std::vector<std::string>>();
      EXPECT_FALSE(verbs.empty());
      EXPECT_TRUE(std::is_sorted(verbs.begin(), verbs.end()));
      EXPECT_EQ(std::adjacent_find(verbs.begin(), verbs.end()), verbs.end());
      for (const auto& verb : verbs) EXPECT_EQ(dangerousVerbs.count(verb), 0U) << verb;
      EXPECT_FALSE(rule.contains("nonResourceURLs"));
      if (group.empty() && resource == "secrets") {
        // Credentials are read by known name only: nothing may list or watch Secrets.
        EXPECT_EQ(verbs, std::vector<std::string>{"get"});
      }
    }
  }
  EXPECT_GT(rules, 10U);
}

TEST_F(Manifests, BindingsReferToRolesAndServiceAccountsThatAreInstalled) {
  for (const auto& m : under("deploy/")) {
    const auto kind = m.object.value("kind", "");
    if (kind != "ClusterRoleBinding" && kind != "RoleBinding") continue;
    SCOPED_TRACE(where(m));
    const auto& roleRef = m.object["roleRef"];
    EXPECT_NE(findManifest(manifests_, roleRef["kind"].get<std::string>(), roleRef["name"].get<std::string>()),
              nullptr);
    for (const auto& subject : m.object["subjects"]) {
      ASSERT_EQ(subject["kind"], "ServiceAccount");
      const auto* sa = findManifest(manifests_, "ServiceAccount", subject["name"].get<std::string>());
      ASSERT_NE(sa, nullptr);
      EXPECT_EQ(sa->object["metadata"]["namespace"], subject["namespace"]);
    }
  }
}

TEST_F(Manifests, WorkloadsRunAsServiceAccountsThatAreInstalledAndBound) {
  for (const auto& m : under("deploy/")) {
    const auto kind = m.object.value("kind", "");
    if ((kind != "Deployment" && kind != "DaemonSet") || isPatch(m)) continue;
    SCOPED_TRACE(where(m));
    const auto account = m.object["spec"]["template"]["spec"].value("serviceAccountName", "");
    ASSERT_FALSE(account.empty()) << "workloads must not run as the namespace's default ServiceAccount";
    EXPECT_NE(findManifest(manifests_, "ServiceAccount", account), nullptr);
    const bool bound = std::any_of(manifests_.begin(), manifests_.end(), [&](const Manifest& b) {
      const auto bindingKind = b.object.value("kind", "");
      if (bindingKind != "ClusterRoleBinding" && bindingKind != "RoleBinding") return false;
      const auto& subjects = b.object["subjects"];
      return std::any_of(subjects.begin(), subjects.end(), [&](const json& s) { return s["name"] == account; });
    });
    EXPECT_TRUE(bound) << account;
  }
}

TEST_F(Manifests, EveryAdmissionPolicyIsV1AndBoundWithAnAction) {
  std::size_t policies = 0;
  for (const auto& m : under("deploy/")) {
    if (m.object.value("kind", "") != "ValidatingAdmissionPolicy") continue;
    ++policies;
    const auto name = m.object["metadata"]["name"].get<std::string>();
    SCOPED_TRACE(where(m));
    EXPECT_EQ(m.object["apiVersion"], "admissionregistration.k8s.io/v1");
    EXPECT_FALSE(m.object["spec"]["validations"].empty());
    const auto* binding = findManifest(manifests_, "ValidatingAdmissionPolicyBinding", name);
    ASSERT_NE(binding, nullptr);
    EXPECT_EQ(binding->object["apiVersion"], "admissionregistration.k8s.io/v1");
    EXPECT_EQ(binding->object["spec"]["policyName"], name);
    EXPECT_FALSE(binding->object["spec"]["validationActions"].empty());
  }
  EXPECT_GE(policies, 3U);
}

// The policies' CEL reads these fields; a renamed field would make every write fail the policy.
json schemaProperty(const json& crd, const std::vector<std::string>& path) {
  json node = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
  for (const auto& field : path) {
    if (!node.contains("properties") || !node["properties"].contains(field)) return nullptr;
    node = node["properties"][field];
  }
  return node;
}

TEST_F(Manifests, AdmissionPoliciesReadFieldsTheCrdsDefine) {
  const auto* hostAgents = findManifest(manifests_, "CustomResourceDefinition", "hostagents.5spot.finos.org");
  ASSERT_NE(hostAgents, nullptr);
  EXPECT_FALSE(schemaProperty(hostAgents->object, {"spec", "nodeName"}).is_null());
  const auto* scheduledMachines =
      findManifest(manifests_, "CustomResourceDefinition", "scheduledmachines.5spot.finos.org");
  if (scheduledMachines == nullptr) GTEST_SKIP() << "crds/ has no ScheduledMachine CRD yet";
  for (const auto& path : std::vector<std::vector<std::string>>{
           {"spec", "clusterName"}, {"spec", "machine", "address"}, {"status", "phase"}}) {
    EXPECT_FALSE(schemaProperty(scheduledMachines->object, path).is_null()) << path.back();
  }
}

// Dockerfiles ------------------------------------------------------------------------------------

struct Image {
  std::string dockerfile;
  std::string binary;
  std::string testName;
};

class Dockerfiles : public testing::TestWithParam<Image> {};

TEST_P(Dockerfiles, BuildStageBuildsTheBinaryTheRuntimeStageCopiesAndRuns) {
  const auto& image = GetParam();
  const auto instructions = parseDockerfile(readFile((kRoot / image.dockerfile).string()));
  const auto executables = cmakeExecutables(kRoot);
  ASSERT_EQ(executables.count(image.binary), 1U) << image.binary << " is not an add_executable() target";

  std::vector<std::string> froms;
  std::string copiedTo;
  bool builtTarget = false;
  for (const auto& in : instructions) {
    if (in.keyword == "FROM") froms.push_back(in.arguments);
    if (in.keyword == "RUN" && in.arguments.find("--target " + image.binary) != std::string::npos) builtTarget = true;
    if (in.keyword == "COPY" && in.arguments.rfind("--from=", 0) == 0) {
      const auto w = words(in.arguments);
      ASSERT_EQ(w.size(), 3U) << in.arguments;
      const auto source = fs::path(w[1]).filename().string();
      EXPECT_EQ(executables.count(source), 1U) << source << " is not an add_executable() target";
      EXPECT_EQ(source, image.binary);
      copiedTo = w[2];
    }
    if (in.keyword == "ENTRYPOINT") {
      EXPECT_EQ(words(in.arguments).at(0), copiedTo);
    }
  }
  EXPECT_TRUE(builtTarget);
  EXPECT_EQ(froms, (std::vector<std::string>{"debian:bookworm AS build", "debian:bookworm-slim AS runtime"}));
}

TEST_P(Dockerfiles, RuntimeStageInstallsOnlyKnownRuntimeLibrariesIncludingTimeZones) {
  const auto instructions = parseDockerfile(readFile((kRoot / GetParam().dockerfile).string()));
  bool inRuntime = false;
  std::set<std::string> installed;
  for (const auto& in : instructions) {
    if (in.keyword == "FROM") inRuntime = in.arguments.find("bookworm-slim") != std::string::npos;
    if (inRuntime && in.keyword == "RUN") {
      for (const auto& package : aptInstalledPackages(in.arguments)) installed.insert(package);
    }
  }
  for (const auto& package : installed) EXPECT_EQ(kRuntimePackages.count(package), 1U) << package;
  EXPECT_EQ(installed.count("tzdata"), 1U);
  EXPECT_EQ(installed.count("ca-certificates"), 1U);
  for (const auto& package : installed) EXPECT_EQ(package.find("-dev"), std::string::npos) << package;
}

TEST_P(Dockerfiles, CarriesOciLabels) {
  const auto instructions = parseDockerfile(readFile((kRoot / GetParam().dockerfile).string()));
  std::string labels;
  for (const auto& in : instructions) {
    if (in.keyword == "LABEL") labels += in.arguments + " ";
  }
  for (const char* key : {"org.opencontainers.image.source=", "org.opencontainers.image.title=",
                          "org.opencontainers.image.version=", "org.opencontainers.image.licenses=\"Apache-2.0\""}) {
    EXPECT_NE(labels.find(key), std::string::npos) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Images, Dockerfiles,
                         testing::Values(Image{"Dockerfile.coordinator", "fivespot-coordinator", "Coordinator"},
                                         Image{"Dockerfile.agent", "fivespot-agent", "Agent"}),
                         [](const testing::TestParamInfo<Image>& p) { return p.param.testName; });

TEST(CoordinatorImage, RunsAsTheSameNonRootUserAsTheDeployment) {
  std::string user;
  for (const auto& in : parseDockerfile(readFile((kRoot / "Dockerfile.coordinator").string()))) {
    if (in.keyword == "USER") user = in.arguments;
  }
  EXPECT_EQ(user, "65532:65532");
}

TEST(DockerIgnore, KeepsGitAndBuildTreesOutOfTheContext) {
  const auto words = manifests::words(readFile((kRoot / ".dockerignore").string()));
  for (const char* pattern : {".git", "build", "build-*"}) {
    EXPECT_NE(std::find(words.begin(), words.end(), pattern), words.end()) << pattern;
  }
}

// Parsing helpers -------------------------------------------------------------------------------

TEST(ParseDockerfile, JoinsContinuationsSkipsCommentsAndUppercasesKeywords) {
  const auto in = parseDockerfile("# c\nfrom a AS b\nRUN x \\\n  # inner\n  && y\nCOPY --from=b /s /d\n");
  ASSERT_EQ(in.size(), 3U);
  EXPECT_EQ(in[0].keyword, "FROM");
  EXPECT_EQ(in[1].arguments, "x && y");
  EXPECT_EQ(in[2].arguments, "--from=b /s /d");
}

TEST(AptInstalledPackages, DropsOptionsAndStopsAtTheNextCommand) {
  EXPECT_EQ(aptInstalledPackages("apt-get update && apt-get install -y --no-install-recommends a b && rm -rf x"),
            (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace fivespot::manifests
