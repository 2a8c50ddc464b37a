#include "environment.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "fivespot/common/yaml_json.hpp"

namespace fivespot::testing {
namespace fs = std::filesystem;

std::string binaryPath(const std::string& name) {
  return std::string(FIVESPOT_BIN_DIR) + "/" + name;
}
std::string sourcePath(const std::string& relative) {
  return std::string(FIVESPOT_SOURCE_DIR) + "/" + relative;
}

namespace {

std::string makeWorkDir(const std::string& testName) {
  std::string name = testName;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  const fs::path base = fs::temp_directory_path() / "fivespot-it";
  fs::create_directories(base);
  std::string templ = (base / (name + "-XXXXXX")).string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
  return templ;
}

std::string uniqueSuffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid() % 100000) + "-" + std::to_string(counter++);
}

}  // namespace

TestEnvironment::TestEnvironment(const std::string& testName) : workDir_(makeWorkDir(testName)) {
  if (const char* external = std::getenv("FIVESPOT_TEST_KUBECONFIG"); external != nullptr && *external != '\0') {
    external_ = true;
    kubeconfig_ = external;
  } else {
    startOwnedServer();
  }
  client_ = std::make_unique<kube::Client>(kube::loadKubeconfigFile(kubeconfig_));
  if (external_) apply(sourcePath("crds"));
}

TestEnvironment::~TestEnvironment() {
  const bool failed = ::testing::Test::HasFailure();
  if (failed) std::cerr << logs();
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) (*it)->stop();
  processes_.clear();
  for (const auto& ns : namespaces_) {
    try {
      client_->remove(kube::resources::namespaces(), "", ns);
    } catch (const std::exception& e) {
      std::cerr << "cleanup: cannot delete namespace " << ns << ": " << e.what() << "\n";
    }
  }
  client_.reset();
  if (server_) server_->stop();
  if (!failed) {
    std::error_code ignored;
    fs::remove_all(workDir_, ignored);
  } else {
    std::cerr << "test artefacts kept in " << workDir_ << "\n";
  }
}

void TestEnvironment::startOwnedServer() {
  std::vector<std::string> argv{
      binaryPath("kube-test-server"),   "--port",    std::to_string(serverPort_), "--state-dir",
      workDir_ + "/apiserver",          "--crd-dir", sourcePath("crds"),          "--data-file",
      workDir_ + "/apiserver/data.json"};
  server_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, workDir_ + "/apiserver.log");
  const auto ready =
      server_->waitForLine([](const std::string& line) { return line.find("\"kubeconfig\"") != std::string::npos; },
                           std::chrono::seconds(30));
  if (!ready) throw std::runtime_error("kube-test-server did not start:\n" + server_->tail());
  const auto announcement = nlohmann::json::parse(*ready);
  serverPort_ = announcement.at("port").get<int>();
  kubeconfig_ = announcement.at("kubeconfig").get<std::string>();
}

void TestEnvironment::stopApiServer() {
  if (external_) throw std::logic_error("cannot stop an external cluster");
  server_->stop();
}

void TestEnvironment::startApiServer() {
  if (external_) throw std::logic_error("cannot start an external cluster");
  startOwnedServer();
}

std::string TestEnvironment::createNamespace(const std::string& prefix) {
  const std::string name = prefix + "-" + uniqueSuffix();
  client_->create(kube::resources::namespaces(), "",
                  {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  namespaces_.push_back(name);
  return name;
}

void TestEnvironment::apply(const std::string& path) {
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  for (const auto& file : files) {
    for (auto& object : yamlDocumentsToJson(readFile(file), file)) {
      const auto type = kube::resources::fromApiVersionKind(object.at("apiVersion"), object.at("kind"),
                                                            object["metadata"].contains("namespace"));
      const std::string ns = object["metadata"].value("namespace", "");
      const std::string name = object["metadata"].at("name");
      if (auto existing = client_->getIfExists(type, ns, name)) {
        object["metadata"]["resourceVersion"] = (*existing)["metadata"]["resourceVersion"];
        client_->update(type, ns, object);
      } else {
        client_->create(type, ns, object);
      }
    }
  }
}

ChildProcess& TestEnvironment::start(const std::string& logName, std::vector<std::string> argv,
                                     const std::map<std::string, std::string>& env) {
  processes_.push_back(std::make_unique<ChildProcess>(std::move(argv), env, workDir_ + "/" + logName + ".log"));
  return *processes_.back();
}

std::string TestEnvironment::logs() const {
  std::string out;
  if (server_) out += "---- kube-test-server (last lines) ----\n" + server_->tail(20);
  for (const auto& p : processes_) out += "---- " + p->logPath() + " (last lines) ----\n" + p->tail(60);
  return out;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto interval = std::chrono::milliseconds(25);
  for (;;) {
    try {
      if (condition()) return true;
    } catch (const std::exception&) {
      // not yet: the object may not exist or the server may be restarting
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);  // re-check interval of a bounded wait, not a wait for time to pass
    interval = std::min(interval * 2, std::chrono::milliseconds(250));
  }
}

}  // namespace fivespot::testing
