#include "bench_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "fivespot/common/time_format.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::bench {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string programPath(const std::string& name) {
  // FIVESPOT_BENCH_BIN_DIR measures installed or separately built programs instead.
  if (const char* dir = std::getenv("FIVESPOT_BENCH_BIN_DIR"); dir != nullptr && *dir != '\0') {
    return (fs::path(dir) / name).string();
  }
  return (fs::read_symlink("/proc/self/exe").parent_path() / name).string();
}

std::string sourcePath(const std::string& relative) {
  return std::string(FIVESPOT_SOURCE_DIR) + "/" + relative;
}

std::string makeWorkDir(const std::string& name) {
  const fs::path base = fs::temp_directory_path() / "fivespot-bench";
  fs::create_directories(base);
  std::string templ = (base / (name + "-XXXXXX")).string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
  return templ;
}

namespace {

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

double cpuSecondsFromStat(const std::string& statLine, long ticksPerSecond) {
  // Fields after the command, which ends at the last ')': state is field 3, utime 14, stime 15.
  const auto close = statLine.rfind(')');
  if (close == std::string::npos) throw std::runtime_error("malformed /proc stat line: " + statLine);
  std::istringstream rest(statLine.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  constexpr std::size_t kUtime = 14 - 3;  // index within `fields`, which starts at field 3
  if (fields.size() <= kUtime + 1) throw std::runtime_error("short /proc stat line: " + statLine);
  const double ticks = std::stod(fields[kUtime]) + std::stod(fields[kUtime + 1]);
  return ticks / static_cast<double>(ticksPerSecond);
}

std::uint64_t kibFieldBytes(const std::string& procText, const std::string& field) {
  std::istringstream in(procText);
  const std::string prefix = field + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream fields(line.substr(prefix.size()));
    std::uint64_t kib = 0;
    fields >> kib;
    return kib * 1024;
  }
  throw std::runtime_error("no " + field + " in /proc (process gone or a zombie)");
}

ProcessUsage readProcessUsage(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  ProcessUsage usage;
  usage.cpuSeconds = cpuSecondsFromStat(readWholeFile(dir + "/stat"), sysconf(_SC_CLK_TCK));
  const std::string status = readWholeFile(dir + "/status");
  usage.rssBytes = kibFieldBytes(status, "VmRSS");
  usage.anonBytes = kibFieldBytes(status, "RssAnon");
  usage.fileBytes = kibFieldBytes(status, "RssFile");
  usage.pssBytes = kibFieldBytes(readWholeFile(dir + "/smaps_rollup"), "Pss");
  return usage;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) throw std::invalid_argument("percentile of an empty set");
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const auto index = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size()))) - 1;
  return values[index];
}

namespace {

// One plain HTTP/1.0 exchange with the coordinator's health/metrics server (loopback only).
std::optional<std::string> httpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buffer[8192];
      for (ssize_t got; (got = recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, got);
    }
  }
  close(fd);
  if (response.empty()) return std::nullopt;
  return response;
}

}  // namespace

int httpGetStatus(int port, const std::string& path) {
  const auto response = httpGet(port, path);
  if (!response || response->size() < 12) return 0;
  return std::atoi(response->c_str() + 9);  // "HTTP/1.1 200 OK"
}

std::string httpGetBody(int port, const std::string& path) {
  const auto response = httpGet(port, path);
  if (!response) return "";
  const auto bodyStart = response->find("\r\n\r\n");
  return bodyStart == std::string::npos ? "" : response->substr(bodyStart + 4);
}

std::optional<LoggedRequest> parseRequestLogLine(const std::string& line) {
  static const std::regex request(R"(\b(GET|POST|PUT|PATCH|DELETE) (/\S*) -> \d{3}$)");
  std::smatch match;
  if (!std::regex_search(line, match, request)) return std::nullopt;
  return LoggedRequest{match[1], match[2]};
}

bool isCollectionPath(const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  std::vector<std::string> segments;
  std::istringstream in(path);
  for (std::string segment; std::getline(in, segment, '/');) {
    if (!segment.empty()) segments.push_back(segment);
  }
  // /api/v1/<res> | /api/v1/namespaces/<ns>/<res> | /apis/<g>/<v>/<res> | /apis/<g>/<v>/namespaces/<ns>/<res>
  const std::size_t prefix = !segments.empty() && segments[0] == "api" ? 2 : 3;
  if (segments.size() <= prefix) return false;  // discovery
  const std::size_t rest = segments.size() - prefix;
  const bool namespaced = segments[prefix] == "namespaces" && rest >= 3;
  return namespaced ? rest == 3 : rest == 1;
}

TestServer::TestServer(ServerOptions options) : options_(std::move(options)) {}

TestServer::~TestServer() {
  if (process_) process_->stop();
}

void TestServer::start() {
  std::vector<std::string> argv{programPath("kube-test-server"), "--port",    std::to_string(port_), "--state-dir",
                                options_.workDir + "/apiserver", "--crd-dir", sourcePath("crds")};
  for (const auto& dir : options_.extraCrdDirs) {
    argv.push_back("--crd-dir");
    argv.push_back(dir);
  }
  if (options_.persist) {
    argv.push_back("--data-file");
    argv.push_back(options_.workDir + "/apiserver/data.json");
  }
  if (options_.watchCacheSize > 0) {
    argv.push_back("--watch-cache-size");
    argv.push_back(std::to_string(options_.watchCacheSize));
  }
  if (options_.requestLog) {
    argv.push_back("--log-level");
    argv.push_back("debug");
  }
  process_ =
      std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, options_.workDir + "/apiserver.log");
  const auto ready = process_->waitForLine(
      [](const std::string& line) { return line.find("\"kubeconfig\"") != std::string::npos; }, 30s);
  if (!ready) throw std::runtime_error("kube-test-server did not start:\n" + process_->tail());
  const auto announcement = Json::parse(*ready);
  port_ = announcement.at("port").get<int>();
  kubeconfig_ = announcement.at("kubeconfig").get<std::string>();
}

void TestServer::stop() {
  if (process_) process_->stop();
  process_.reset();
}

RequestCounts TestServer::requestCounts() const {
  RequestCounts counts;
  if (!process_) return counts;
  for (const auto& line : process_->lines()) {
    const auto request = parseRequestLogLine(line);
    if (!request) continue;
    if (request->method != "GET") {
      ++counts.writes;
    } else if (request->target.find("watch=true") != std::string::npos ||
               request->target.find("watch=1") != std::string::npos) {
      ++counts.watches;
    } else {
      ++counts.reads;
      if (isCollectionPath(request->target)) ++counts.lists;
    }
  }
  return counts;
}

std::unique_ptr<kube::Client> benchClient(const std::string& kubeconfig) {
  kube::ClientOptions options;
  options.qps = 100000;
  options.burst = 100000;
  options.userAgent = "fivespot-bench";
  return std::make_unique<kube::Client>(kube::loadKubeconfigFile(kubeconfig), options);
}

void installTestCrds(kube::Client& client) {
  const std::string file = sourcePath("tests/integration/crds/k0smotron-test-crds.yaml");
  for (const auto& crd : yamlDocumentsToJson(readFile(file), file)) {
    try {
      client.create(kube::resources::fromApiVersionKind(crd.at("apiVersion"), crd.at("kind"), false), "", crd);
    } catch (const kube::ApiError& e) {
      if (e.code() != 409) throw;
    }
  }
}

void ensureNamespace(kube::Client& client, const std::string& name) {
  try {
    client.create(kube::resources::namespaces(), "",
                  {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  } catch (const kube::ApiError& e) {
    if (e.code() != 409) throw;
  }
}

CoordinatorProcess startCoordinator(const std::string& kubeconfig, const std::string& logPath,
                                    const std::vector<std::string>& extraArgs) {
  std::vector<std::string> argv{programPath("fivespot-coordinator"),
                                "--kubeconfig",
                                kubeconfig,
                                "--metrics-port",
                                "0",
                                "--health-port",
                                "0",
                                "--bind-address",
                                "127.0.0.1"};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  CoordinatorProcess coordinator;
  coordinator.process = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, logPath);
  static const std::regex ports(R"(serving metrics on :(\d+) and health on :(\d+))");
  const auto line =
      coordinator.process->waitForLine([](const std::string& text) { return std::regex_search(text, ports); }, 60s);
  if (!line) throw std::runtime_error("the coordinator did not announce its ports:\n" + coordinator.process->tail());
  std::smatch match;
  std::regex_search(*line, match, ports);
  coordinator.metricsPort = std::stoi(match[1]);
  coordinator.healthPort = std::stoi(match[2]);
  return coordinator;
}

std::unique_ptr<ChildProcess> startClusterSim(const std::string& kubeconfig, const std::string& logPath,
                                              double graceScale) {
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{programPath("fivespot-cluster-sim"), "--kubeconfig", kubeconfig, "--grace-scale",
                               std::to_string(graceScale)},
      std::map<std::string, std::string>{}, logPath);
}

std::optional<std::chrono::duration<double>> waitReady(CoordinatorProcess& coordinator, std::chrono::seconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (!coordinator.process->running()) return std::nullopt;
    if (httpGetStatus(coordinator.healthPort, "/ready") == 200) return std::chrono::steady_clock::now() - start;
    std::this_thread::sleep_for(20ms);  // probe interval: the resolution of the figure
  }
  return std::nullopt;
}

Json scheduledMachine(const std::string& ns, const std::string& name, const std::string& clusterName,
                      const Json& schedule) {
  return {{"apiVersion", "5spot.finos.org/v1alpha1"},
          {"kind", "ScheduledMachine"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"clusterName", clusterName},
            {"schedule", schedule},
            {"bootstrapSpec",
             {{"apiVersion", "bootstrap.cluster.x-k8s.io/v1beta1"},
              {"kind", "K0sWorkerConfig"},
              {"spec", {{"version", "v1.30.0+k0s.0"}}}}},
            {"infrastructureSpec",
             {{"apiVersion", "infrastructure.cluster.x-k8s.io/v1beta1"},
              {"kind", "RemoteMachine"},
              {"spec", {{"address", "192.0.2.10"}, {"port", 22}, {"user", "admin"}}}}},
            {"gracefulShutdownTimeout", "30s"},
            {"nodeDrainTimeout", "5m"}}}};
}

void createScheduledMachine(kube::Client& client, const Json& sm) {
  client.create(kube::resources::scheduledMachines(), sm["metadata"]["namespace"].get<std::string>(), sm);
}

std::string rfc3339Seconds(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::ostringstream out;
  out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

Json scheduleOpeningAt(std::chrono::system_clock::time_point until) {
  return {{"daysOfWeek", {"mon-sun"}},
          {"hoursOfDay", {"0-23"}},
          {"timezone", "UTC"},
          {"enabled", true},
          {"exclusions", {"2000-01-01T00:00:00Z/" + rfc3339Seconds(until)}}};
}

Json scheduleOutOfWindow() {
  return scheduleOpeningAt(std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 10));
}

double secondsSince(std::chrono::system_clock::time_point at, std::chrono::system_clock::time_point now) {
  return std::chrono::duration<double>(now - at).count();
}

void Report::add(Figure figure) {
  figures_.push_back(std::move(figure));
}

void Report::note(const std::string& text) {
  notes_.push_back(text);
}

void Report::print() const {
  std::cout << "\n== " << benchmark_ << " ==\n";
  std::cout << std::left << std::setw(44) << "figure" << std::right << std::setw(14) << "value"
            << "  " << std::left << std::setw(12) << "unit" << std::setw(18) << "goal"
            << "met\n";
  for (const auto& f : figures_) {
    std::ostringstream value;
    value << std::fixed << std::setprecision(f.value < 10 ? 3 : 1) << f.value;
    const std::string met = f.met ? (*f.met ? "yes" : "NO") : "-";
    std::cout << std::left << std::setw(44) << f.name << std::right << std::setw(14) << value.str() << "  " << std::left
              << std::setw(12) << f.unit << std::setw(18) << (f.goal.empty() ? "-" : f.goal) << met << "\n";
  }
  for (const auto& n : notes_) std::cout << "note: " << n << "\n";
  for (const auto& f : figures_) {
    std::cout << "RESULT\t" << benchmark_ << "\t" << f.name << "\t" << f.value << "\t" << f.unit << "\t"
              << (f.goal.empty() ? "-" : f.goal) << "\t" << (f.met ? (*f.met ? "yes" : "NO") : "-") << "\n";
  }
  for (const auto& n : notes_) std::cout << "NOTE\t" << benchmark_ << "\t" << n << "\n";
  std::cout.flush();
}

Args::Args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument " + arg);
    arg = arg.substr(2);
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      values_[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      values_[arg] = argv[++i];
    } else {
      values_[arg] = "";
    }
  }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}
long Args::getInt(const std::string& name, long fallback) const {
  return has(name) ? std::stol(values_.at(name)) : fallback;
}
double Args::getDouble(const std::string& name, double fallback) const {
  return has(name) ? std::stod(values_.at(name)) : fallback;
}
bool Args::has(const std::string& name) const {
  return values_.count(name) != 0;
}

int benchmarkMain(const char* name, int argc, char** argv, int (*run)(const Args&)) {
  try {
    return run(Args(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace fivespot::bench
