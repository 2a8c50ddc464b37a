#include "rbac_test_support.hpp"

#include <fstream>
#include <iostream>

#include "fivespot/common/yaml_json.hpp"
#include "fivespot/kube/base64.hpp"
#include "fivespot/kube/http.hpp"

namespace fivespot::testing {
namespace {

const std::string kAggregationLabelPrefix = "5spot.finos.org/aggregate-to-";

// Renames aggregation label keys so that only this test's ClusterRoles aggregate together.
void isolateLabels(Json& labels, const std::string& ns) {
  if (!labels.is_object()) return;
  Json renamed = Json::object();
  for (auto& [key, value] : labels.items()) {
    renamed[key.starts_with(kAggregationLabelPrefix) ? key + "-" + ns : key] = value;
  }
  labels = std::move(renamed);
}

}  // namespace

std::vector<Json> manifestDocuments(const std::string& directory, const std::vector<std::string>& files) {
  std::vector<Json> documents;
  for (const auto& file : files) {
    const std::string path = sourcePath(directory + "/" + file);
    for (auto& document : yamlDocumentsToJson(readFile(path), path)) documents.push_back(std::move(document));
  }
  return documents;
}

bool clusterScoped(const Json& object) {
  const std::string kind = object.value("kind", "");
  return kind == "ClusterRole" || kind == "ClusterRoleBinding";
}

kube::ResourceType typeOf(const Json& object) {
  return kube::resources::fromApiVersionKind(object.at("apiVersion"), object.at("kind"), !clusterScoped(object));
}

Json isolate(Json object, const std::string& ns) {
  Json& metadata = object["metadata"];
  if (metadata.contains("namespace")) metadata["namespace"] = ns;
  if (clusterScoped(object)) metadata["name"] = metadata["name"].get<std::string>() + "-" + ns;
  if (metadata.contains("labels")) isolateLabels(metadata["labels"], ns);
  if (object.contains("roleRef") && object["roleRef"].value("kind", "") == "ClusterRole") {
    object["roleRef"]["name"] = object["roleRef"]["name"].get<std::string>() + "-" + ns;
  }
  if (object.contains("subjects")) {
    for (auto& subject : object["subjects"]) {
      if (subject.value("kind", "") == "ServiceAccount") subject["namespace"] = ns;
    }
  }
  if (object.contains("aggregationRule")) {
    for (auto& selector : object["aggregationRule"]["clusterRoleSelectors"]) {
      if (selector.contains("matchLabels")) isolateLabels(selector["matchLabels"], ns);
    }
  }
  return object;
}

ClusterScopedObjects::~ClusterScopedObjects() {
  for (const auto& [type, name] : created_) {
    try {
      client_.remove(type, "", name);
    } catch (const std::exception& e) {
      std::cerr << "cleanup: cannot delete " << type.kind << " " << name << ": " << e.what() << "\n";
    }
  }
}

void installIsolated(kube::Client& client, const std::vector<Json>& documents, const std::string& ns,
                     ClusterScopedObjects& cleanup) {
  for (const auto& document : documents) {
    const Json object = isolate(document, ns);
    client.create(typeOf(object), ns, object);
    if (clusterScoped(object)) cleanup.add(typeOf(object), object["metadata"]["name"]);
  }
}

std::string writeTokenKubeconfig(const std::string& adminKubeconfig, const std::string& token, const std::string& user,
                                 const std::string& path) {
  const kube::ClusterConfig admin = kube::loadKubeconfigFile(adminKubeconfig);
  Json cluster = {{"server", admin.server}};
  if (!admin.caPem.empty()) cluster["certificate-authority-data"] = kube::base64Encode(admin.caPem);
  if (admin.insecureSkipTlsVerify) cluster["insecure-skip-tls-verify"] = true;
  if (!admin.tlsServerName.empty()) cluster["tls-server-name"] = admin.tlsServerName;
  const Json kubeconfig = {{"apiVersion", "v1"},
                           {"kind", "Config"},
                           {"clusters", {{{"name", "test"}, {"cluster", cluster}}}},
                           {"users", {{{"name", user}, {"user", {{"token", token}}}}}},
                           {"contexts", {{{"name", "sa"}, {"context", {{"cluster", "test"}, {"user", user}}}}}},
                           {"current-context", "sa"}};
  std::ofstream(path) << kubeconfig.dump(2) << "\n";  // JSON is YAML
  return path;
}

int loggedPort(ChildProcess& process, const std::regex& pattern) {
  const auto line = process.waitForLine([&](const std::string& l) { return std::regex_search(l, pattern); },
                                        std::chrono::seconds(20));
  if (!line) throw std::runtime_error("the program did not log its port:\n" + process.tail());
  std::smatch match;
  std::regex_search(*line, match, pattern);
  return std::stoi(match[1]);
}

std::string scrapeMetrics(int port) {
  kube::ClusterConfig target;
  target.server = "http://127.0.0.1:" + std::to_string(port);
  const auto response =
      kube::makeHttpTransport(target)->send(kube::HttpRequest{"GET", "/metrics", {}, ""}, std::chrono::seconds(5));
  if (response.status != 200) throw std::runtime_error("/metrics answered " + std::to_string(response.status));
  return response.body;
}

std::string forbiddenCalls(const std::vector<RequestSample>& samples) {
  std::string out;
  for (const auto& s : samples) {
    if (s.code == "403" && s.count > 0) out += "  " + s.verb + " " + s.group + " " + s.resource + "\n";
  }
  return out;
}

std::string describeCoverage(const CoverageReport& report, const Permissions& granted, const Permissions& used,
                             const std::string& rbacSource) {
  std::string stale;
  for (const auto& e : report.staleExceptions) stale += "  " + e + "\n";
  return "used but not granted by " + rbacSource + ":\n" + describe(report.usedButNotGranted) +
         "granted but never used (and not excused):\n" + describe(report.grantedButNotUsed) + "stale exceptions:\n" +
         (stale.empty() ? "  (none)\n" : stale) + "granted:\n" + describe(granted) + "used:\n" + describe(used);
}

}  // namespace fivespot::testing
