#include "reclaim.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "fivespot/common/error.hpp"

namespace fivespot::agent {
namespace {

constexpr std::size_t kMaxCmdlineBytes = 4096;

std::string basename(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::optional<int> parsePid(const char* name) {
  if (*name == '\0') return std::nullopt;
  long value = 0;
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9' || value > 100'000'000) return std::nullopt;
    value = value * 10 + (*c - '0');
  }
  return static_cast<int>(value);
}

// Reads up to `limit` bytes; std::nullopt when the file cannot be opened (process gone).
std::optional<std::string> readBounded(const std::string& path, std::size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string content;
  std::array<char, 1024> buffer{};
  while (content.size() < limit) {
    const ssize_t count = ::read(fd, buffer.data(), std::min(buffer.size(), limit - content.size()));
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(count));
  }
  ::close(fd);
  return content;
}

}  // namespace

bool isCommandLinePattern(const std::string& pattern) {
  return pattern.find_first_of(" /") != std::string::npos;
}

bool matchesPattern(const std::string& pattern, const ProcessInfo& process) {
  if (pattern.empty()) return false;
  if (isCommandLinePattern(pattern)) return process.commandLine.find(pattern) != std::string::npos;
  const bool argv0Matches = !process.argv0.empty() && basename(process.argv0) == pattern;
  if (argv0Matches) return true;
  if (pattern.size() <= kCommLength) return process.comm == pattern;
  return false;  // a longer name matches the truncated comm only together with argv0 (above)
}

std::optional<ReclaimMatch> matchProcess(const std::vector<std::string>& patterns, const ProcessInfo& process) {
  for (const auto& pattern : patterns) {
    if (matchesPattern(pattern, process)) {
      return ReclaimMatch{pattern, process.pid, process.commandLine.empty() ? process.comm : process.commandLine};
    }
  }
  return std::nullopt;
}

void parseCmdline(const std::string& raw, ProcessInfo& process) {
  const auto firstNul = raw.find('\0');
  process.argv0 = raw.substr(0, firstNul);
  std::string line = raw;
  for (char& c : line) {
    if (c == '\0') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  process.commandLine = std::move(line);
}

std::optional<ReclaimMatch> ProcScanner::scan(const std::vector<std::string>& patterns) {
  lastScanned_ = 0;
  if (patterns.empty()) return std::nullopt;
  const std::unique_ptr<DIR, int (*)(DIR*)> directory(::opendir(procRoot_.c_str()), ::closedir);
  if (!directory) throw ConfigError("procRoot " + procRoot_, std::string("cannot open: ") + std::strerror(errno));
  while (const dirent* entry = ::readdir(directory.get())) {
    const auto pid = parsePid(entry->d_name);
    if (!pid) continue;
    if (lastScanned_ >= maxProcesses_) break;
    ++lastScanned_;
    const std::string base = procRoot_ + "/" + entry->d_name;
    auto comm = readBounded(base + "/comm", 64);
    if (!comm) continue;  // exited meanwhile
    if (!comm->empty() && comm->back() == '\n') comm->pop_back();
    ProcessInfo process{*pid, std::move(*comm), "", ""};
    if (const auto cmdline = readBounded(base + "/cmdline", kMaxCmdlineBytes)) parseCmdline(*cmdline, process);
    if (auto match = matchProcess(patterns, process)) return match;
  }
  return std::nullopt;
}

}  // namespace fivespot::agent
