#pragma once
// What the end-to-end benchmarks share: the programs they start (kube-test-server, the coordinator,
// the cluster simulator), process figures from /proc, percentiles, and the results table.
// Benchmarks print figures; they never decide pass/fail for CI (they are not tests).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/kube/client.hpp"
#include "process.hpp"  // tests/integration/harness: ChildProcess

namespace fivespot::bench {

using Json = nlohmann::json;
using testing::ChildProcess;

// A built program next to this benchmark (all executables land in <build>/bin).
std::string programPath(const std::string& name);
// A file of the source tree (crds/, tests/...).
std::string sourcePath(const std::string& relative);
// A fresh scratch directory under $TMPDIR/fivespot-bench.
std::string makeWorkDir(const std::string& name);

// ---- /proc figures ----
struct ProcessUsage {
  std::uint64_t rssBytes = 0;   // VmRSS: every resident page mapped, shared libraries' included
  std::uint64_t anonBytes = 0;  // RssAnon: heap, stacks, relocated data (the process's own)
  std::uint64_t fileBytes = 0;  // RssFile: resident pages of mapped files, mostly shared-library code
  std::uint64_t pssBytes = 0;   // Pss of smaps_rollup: shared pages divided by their sharers
  double cpuSeconds = 0;        // user + system
};
// Parses the utime/stime fields of /proc/<pid>/stat (the command may contain spaces and ')').
double cpuSecondsFromStat(const std::string& statLine, long ticksPerSecond);
// A "<field>:   <n> kB" line of /proc/<pid>/status or smaps_rollup, in bytes; throws
// std::runtime_error when absent.
std::uint64_t kibFieldBytes(const std::string& procText, const std::string& field);
ProcessUsage readProcessUsage(pid_t pid);

// ---- statistics ----
// Nearest-rank percentile (p in [0,100]) of `values`; throws on an empty set.
double percentile(std::vector<double> values, double p);

// ---- HTTP probes ----
// Status code of GET http://127.0.0.1:<port><path>, or 0 when nothing answers.
int httpGetStatus(int port, const std::string& path);
// Body of GET http://127.0.0.1:<port><path>; empty when nothing answers.
std::string httpGetBody(int port, const std::string& path);

// ---- the API test server ----
struct ServerOptions {
  std::string workDir;
  bool requestLog = false;  // --log-level debug: one line per request, counted by requestCounts()
  bool persist = false;     // --data-file (slow for thousands of writes: the whole store per write)
  std::vector<std::string> extraCrdDirs;
  // --watch-cache-size (0: the server's default, 1,000 events). The test server also expires list
  // continue tokens older than its event history, which a real API server keeps for etcd's
  // compaction interval (5 min): fleets of thousands need a history to match.
  std::size_t watchCacheSize = 0;
};

struct RequestCounts {
  std::size_t watches = 0;  // GET ...watch=true
  std::size_t reads = 0;    // other GETs (get and list)
  std::size_t lists = 0;    // GETs of a collection (reads without a name), a subset of reads
  std::size_t writes = 0;   // POST/PUT/PATCH/DELETE
  [[nodiscard]] std::size_t total() const { return watches + reads + writes; }
};
// Classifies one line of the server's request log ("GET /api/v1/pods?watch=true -> 200"); nullopt
// for other lines.
struct LoggedRequest {
  std::string method;
  std::string target;
};
std::optional<LoggedRequest> parseRequestLogLine(const std::string& line);
// Whether `target` names a collection (a list) rather than one object.
bool isCollectionPath(const std::string& target);

class TestServer {
 public:
  explicit TestServer(ServerOptions options);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  void start();  // waits for the JSON line; reuses the port after a restart
  void stop();
  [[nodiscard]] const std::string& kubeconfig() const noexcept { return kubeconfig_; }
  [[nodiscard]] int port() const noexcept { return port_; }
  // Requests logged so far (needs requestLog).
  [[nodiscard]] RequestCounts requestCounts() const;

 private:
  ServerOptions options_;
  std::unique_ptr<ChildProcess> process_;
  std::string kubeconfig_;
  int port_ = 0;
};

// A client for the benchmark's own traffic: no client-side rate limit in the way of set-up.
std::unique_ptr<kube::Client> benchClient(const std::string& kubeconfig);
// Creates the bootstrap/infrastructure CRDs (k0smotron kinds) the example machines use.
void installTestCrds(kube::Client& client);
// Namespace (no error when it exists).
void ensureNamespace(kube::Client& client, const std::string& name);

// ---- programs under measurement ----
struct CoordinatorProcess {
  std::unique_ptr<ChildProcess> process;
  int metricsPort = 0;
  int healthPort = 0;
};
// Starts fivespot-coordinator with --metrics-port 0 --health-port 0 and reads the ports from its log.
CoordinatorProcess startCoordinator(const std::string& kubeconfig, const std::string& logPath,
                                    const std::vector<std::string>& extraArgs = {});
std::unique_ptr<ChildProcess> startClusterSim(const std::string& kubeconfig, const std::string& logPath,
                                              double graceScale);
// Polls /ready until 200; returns the time it took, nullopt on timeout or exit.
std::optional<std::chrono::duration<double>> waitReady(CoordinatorProcess& coordinator, std::chrono::seconds timeout);

// ---- objects ----
// A ScheduledMachine with inline k0smotron bootstrap/infrastructure specs. `schedule` is the
// spec.schedule object.
Json scheduledMachine(const std::string& ns, const std::string& name, const std::string& clusterName,
                      const Json& schedule);
// Creates `sm` in its namespace.
void createScheduledMachine(kube::Client& client, const Json& sm);
// All week, all day, except [from, until): the window opens exactly at `until` (whole seconds).
Json scheduleOpeningAt(std::chrono::system_clock::time_point until);
// Out of window until a far future instant (no transition during a benchmark).
Json scheduleOutOfWindow();
std::string rfc3339Seconds(std::chrono::system_clock::time_point at);
double secondsSince(std::chrono::system_clock::time_point at, std::chrono::system_clock::time_point now);

// ---- report ----
struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  std::string goal;  // e.g. "< 1 s"; empty when none
  std::optional<bool> met;
};

class Report {
 public:
  explicit Report(std::string benchmark) : benchmark_(std::move(benchmark)) {}
  void add(Figure figure);
  void note(const std::string& text);  // something that could not be measured, and why
  // Prints a table, and one tab-separated "RESULT" line per figure for bench/run.sh's summary.
  void print() const;

 private:
  std::string benchmark_;
  std::vector<Figure> figures_;
  std::vector<std::string> notes_;
};

// Command line shared by the benchmarks: "--name value" pairs and "--flag".
class Args {
 public:
  Args(int argc, char** argv);
  [[nodiscard]] std::string get(const std::string& name, const std::string& fallback) const;
  [[nodiscard]] long getInt(const std::string& name, long fallback) const;
  [[nodiscard]] double getDouble(const std::string& name, double fallback) const;
  [[nodiscard]] bool has(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
};

// A benchmark's main(): parses the arguments, runs `run`, and on an exception prints
// "<name>: <error>" and returns 1.
int benchmarkMain(const char* name, int argc, char** argv, int (*run)(const Args&));

}  // namespace fivespot::bench
