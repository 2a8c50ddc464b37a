// kube-test-server: a loopback Kubernetes API server for tests and demos (never shipped).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "fivespot/common/cli.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/logging.hpp"
#include "fivespot/common/shutdown.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/testserver/api_error.hpp"
#include "fivespot/testserver/api_server.hpp"
#include "fivespot/testserver/http_server.hpp"
#include "fivespot/testserver/pki.hpp"

namespace {

struct Flags {
  std::uint16_t port = 0;
  std::string stateDir = "kube-test-server-state";
  std::vector<std::string> crdDirs;
  bool capi = true;
  std::string tokenFile;
  std::string authzFile;
  std::string authorizationMode = "AlwaysAllow";
  std::string dataFile;
  std::size_t watchCacheSize = 1000;
  int bookmarkIntervalSeconds = 60;
};

// Every CRD document in the YAML/JSON files of `dir` (other kinds are skipped).
std::vector<nlohmann::json> crdsIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<nlohmann::json> crds;
  for (const auto& file : files)
    for (auto& doc : fivespot::yamlDocumentsToJson(fivespot::readFile(file), file))
      if (doc.value("kind", "") == "CustomResourceDefinition") crds.push_back(std::move(doc));
  return crds;
}

void installCrds(fivespot::testserver::ApiServer& api, const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw fivespot::ConfigError("--crd-dir " + dir, "not a directory");
  for (const auto& crd : crdsIn(dir)) {
    try {
      api.installCrd(crd);
    } catch (const fivespot::testserver::ApiError& e) {
      throw fivespot::ConfigError("CRD in " + dir, e.message());
    }
  }
}

int run(const Flags& flags, fivespot::ShutdownSignal& shutdown) {
  using namespace fivespot::testserver;
  const std::string stateDir = std::filesystem::absolute(flags.stateDir).string();
  const Pki pki = ensurePki(stateDir);
  ApiServer api(ApiServerOptions{flags.watchCacheSize, std::chrono::seconds(flags.bookmarkIntervalSeconds),
                                 flags.dataFile, &fivespot::SystemClock::instance()});
  if (!flags.tokenFile.empty()) api.tokens().loadCsv(fivespot::readFile(flags.tokenFile), flags.tokenFile);
  if (!flags.authzFile.empty()) {
    api.setAuthorizer(Authorizer::fromJson(fivespot::yamlToJson(fivespot::readFile(flags.authzFile), flags.authzFile),
                                           flags.authzFile));
  }
  if (flags.authorizationMode == "RBAC") api.enableRbac();
  api.start();
  if (flags.capi) installCrds(api, KUBE_TEST_SERVER_CAPI_CRD_DIR);
  for (const auto& dir : flags.crdDirs) installCrds(api, dir);

  HttpServer server(api, HttpServerOptions{"127.0.0.1", flags.port, pki.ca.certificate, pki.server});
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const std::string kubeconfig = writeKubeconfig(stateDir + "/kubeconfig", url, pki.ca.certificate, pki.admin, "admin");
  server.start();
  std::cout << nlohmann::json{{"port", server.port()}, {"kubeconfig", kubeconfig}, {"url", url}}.dump() << std::endl;
  spdlog::info("serving on {} (kubeconfig {})", url, kubeconfig);
  while (fivespot::waitFor(shutdown.token(), std::chrono::hours(24))) {
  }
  spdlog::info("shutting down");
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fivespot::ShutdownSignal shutdown;
  CLI::App app{"Kubernetes API test server (loopback, for tests and demos)"};
  Flags flags;
  fivespot::cli::LoggingFlags logging;
  fivespot::cli::addLoggingFlags(app, logging);
  fivespot::cli::addVersionFlag(app, "kube-test-server");
  app.add_option("--port", flags.port, "Port on 127.0.0.1 (0 = any free port)");
  app.add_option("--state-dir", flags.stateDir, "Where certificates and the kubeconfig are written");
  app.add_option("--crd-dir", flags.crdDirs, "Directory of CRD YAML files to install at start (repeatable)");
  app.add_option("--capi", flags.capi, "Install the bundled Cluster API Machine CRDs")->default_val(true);
  app.add_option("--token-file", flags.tokenFile, "Static bearer tokens: token,user,uid,\"group1,group2\"");
  app.add_option("--authz-file", flags.authzFile, "Allow list (JSON or YAML); absent = allow every authenticated user");
  app.add_option("--authorization-mode", flags.authorizationMode,
                 "AlwaysAllow (every authenticated user, or the --authz-file list) or RBAC (the stored Roles, "
                 "ClusterRoles and bindings decide; --authz-file rules allow in addition)")
      ->check(CLI::IsMember({"AlwaysAllow", "RBAC"}))
      ->envname("KUBE_TEST_SERVER_AUTHORIZATION_MODE")
      ->capture_default_str();
  app.add_option("--data-file", flags.dataFile, "Persist storage here and reload it at start");
  app.add_option("--watch-cache-size", flags.watchCacheSize, "Events kept for watch resume; older versions get 410");
  app.add_option("--bookmark-interval", flags.bookmarkIntervalSeconds, "Seconds between watch BOOKMARK events");
  CLI11_PARSE(app, argc, argv);
  try {
    fivespot::logging::init(fivespot::cli::toLoggingOptions(logging, "kube-test-server"));
    return run(flags, shutdown);
  } catch (const fivespot::Error& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
