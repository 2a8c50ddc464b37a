#pragma once
// The cluster an integration test runs against: by default a kube-test-server started on
// loopback for this test; when FIVESPOT_TEST_KUBECONFIG is set, that real cluster instead. Tests
// are written once and run unchanged on both; they only ever use the kubeconfig and the client.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fivespot/kube/client.hpp"
#include "process.hpp"

namespace fivespot::testing {

// Paths of the built binaries (set by CMake).
std::string binaryPath(const std::string& name);
std::string sourcePath(const std::string& relative);

class TestEnvironment {
 public:
  explicit TestEnvironment(const std::string& testName);
  ~TestEnvironment();
  TestEnvironment(const TestEnvironment&) = delete;
  TestEnvironment& operator=(const TestEnvironment&) = delete;

  [[nodiscard]] bool external() const noexcept { return external_; }
  [[nodiscard]] const std::string& kubeconfig() const noexcept { return kubeconfig_; }
  [[nodiscard]] const std::string& workDir() const noexcept { return workDir_; }
  kube::Client& client() { return *client_; }

  // A fresh namespace for this test (deleted, with everything in it, at the end).
  std::string createNamespace(const std::string& prefix);
  // Applies every document of a YAML file or directory of YAML files (create or replace).
  void apply(const std::string& path);

  // Starts a program under test with the environment's kubeconfig; its output is kept in
  // <workDir>/<logName>.log and printed on test failure.
  ChildProcess& start(const std::string& logName, std::vector<std::string> argv,
                      const std::map<std::string, std::string>& env = {});
  // Only with the built-in server: stop it (data kept) and start it again on the same port.
  void stopApiServer();
  void startApiServer();

  // Dumps the logs of every started process (call from a failing test).
  [[nodiscard]] std::string logs() const;

 private:
  void startOwnedServer();

  std::string workDir_;
  std::string kubeconfig_;
  bool external_ = false;
  int serverPort_ = 0;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<kube::Client> client_;
  std::vector<std::string> namespaces_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

// Re-evaluates `condition` (every 25 ms, backing off to 250 ms) until it holds or `timeout`
// passes. Returns whether it held. Exceptions from `condition` count as "not yet".
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace fivespot::testing
