#pragma once
// Reclaim (killIfCommands): find a running process that matches a listed pattern.
//
// Matching rules, per pattern:
// - A pattern with a space or '/' is a command-line pattern: it matches when it is a substring of
//   the full command line (argv joined by single spaces). "python3 train.py", "/opt/game/bin".
// - Otherwise it is a process name. It matches when it equals the kernel's comm, or the basename
//   of argv[0]. The kernel truncates comm to 15 characters, so a longer name matches comm by its
//   first 15 characters only when argv[0]'s basename also equals the whole name (a truncated comm
//   alone is ambiguous: "steamwebhelper-x" and "steamwebhelper-y" share it).
// Matching is case-sensitive and exact; the agent never kills anything.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::agent {

inline constexpr std::size_t kCommLength = 15;  // TASK_COMM_LEN - 1

struct ProcessInfo {
  int pid = 0;
  std::string comm;         // /proc/<pid>/comm without the newline
  std::string argv0;        // first NUL-separated field of /proc/<pid>/cmdline
  std::string commandLine;  // cmdline with NULs as spaces, trailing separators removed
};

struct ReclaimMatch {
  std::string pattern;
  int pid = 0;
  std::string commandLine;  // or comm when the cmdline is empty (kernel threads)
};

bool isCommandLinePattern(const std::string& pattern);
bool matchesPattern(const std::string& pattern, const ProcessInfo& process);
std::optional<ReclaimMatch> matchProcess(const std::vector<std::string>& patterns, const ProcessInfo& process);
// Parses the raw bytes of /proc/<pid>/cmdline into argv0 and commandLine.
void parseCmdline(const std::string& raw, ProcessInfo& process);

class ProcessScanner {
 public:
  virtual ~ProcessScanner() = default;
  virtual std::optional<ReclaimMatch> scan(const std::vector<std::string>& patterns) = 0;
};

// Scans <procRoot>/<pid>: numeric entries only, at most maxProcesses per scan, cmdline read up to
// 4 KiB; a process that exits mid-scan is skipped. Throws ConfigError when procRoot is missing.
class ProcScanner final : public ProcessScanner {
 public:
  ProcScanner(std::string procRoot, int maxProcesses) : procRoot_(std::move(procRoot)), maxProcesses_(maxProcesses) {}
  std::optional<ReclaimMatch> scan(const std::vector<std::string>& patterns) override;
  [[nodiscard]] int lastScanned() const noexcept { return lastScanned_; }

 private:
  std::string procRoot_;
  int maxProcesses_;
  int lastScanned_ = 0;
};

}  // namespace fivespot::agent
