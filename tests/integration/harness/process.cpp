#include "process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace fivespot::testing {
namespace {

std::vector<std::string> environmentWith(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) merged[k] = v;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
                           std::string logPath)
    : logPath_(std::move(logPath)) {
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  auto envStrings = environmentWith(env);
  auto argvPtrs = cStrings(argv);
  auto envPtrs = cStrings(envStrings);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // A test that dies without unwinding (abort, a crash) must not leave servers and
    // coordinators running: the kernel kills the child with its parent. (The forking thread is
    // the one that counts; tests start their programs from the test's own thread.)
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    dup2(pipeFds[1], STDOUT_FILENO);
    dup2(pipeFds[1], STDERR_FILENO);
    const int devNull = open("/dev/null", O_RDONLY);
    if (devNull >= 0) dup2(devNull, STDIN_FILENO);
    setpgid(0, 0);  // its own group, so stop() also reaches its children
    execve(argvPtrs[0], argvPtrs.data(), envPtrs.data());
    const std::string message = "exec " + argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
  }
  close(pipeFds[1]);
  reader_ = std::thread([this, fd = pipeFds[0]] { pump(fd); });
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exitCode_) stop();
  if (reader_.joinable()) reader_.join();
}

void ChildProcess::pump(int fd) {
  std::ofstream log(logPath_, std::ios::app);
  std::string partial;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    log.write(buffer, n);
    log.flush();
    partial.append(buffer, static_cast<std::size_t>(n));
    std::size_t newline;
    std::lock_guard lock(mutex_);
    while ((newline = partial.find('\n')) != std::string::npos) {
      lines_.push_back(partial.substr(0, newline));
      partial.erase(0, newline + 1);
    }
    changed_.notify_all();
  }
  close(fd);
  std::lock_guard lock(mutex_);
  if (!partial.empty()) lines_.push_back(partial);
  outputClosed_ = true;
  changed_.notify_all();
}

void ChildProcess::reap(int status) {
  exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool ChildProcess::running() {
  if (exitCode_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) reap(status);
  return !exitCode_;
}

void ChildProcess::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (!exitCode_) {
    // A pidfd becomes readable when the process exits: wait on it rather than polling waitpid.
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      int r;
      do {
        r = poll(&p, 1, static_cast<int>(timeout.count()));
      } while (r < 0 && errno == EINTR);
      close(pidfd);
      if (r == 0) return std::nullopt;
    }
    int status = 0;
    if (waitpid(pid_, &status, pidfd >= 0 ? 0 : WNOHANG) == pid_) reap(status);
  }
  if (exitCode_) {
    // The exit can be seen before the reader thread has taken the last output from the pipe:
    // callers read lines() right after wait(), so wait for the end of the output too (bounded:
    // a grandchild that inherited the pipe may keep it open).
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return outputClosed_; });
  }
  return exitCode_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return *exitCode_;
  ::kill(-pid_, SIGTERM);
  ::kill(pid_, SIGTERM);
  if (auto code = wait(grace)) return *code;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reap(status);
  return *exitCode_;
}

std::optional<std::string> ChildProcess::waitForLine(const std::function<bool(const std::string&)>& match,
                                                     std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::size_t checked = 0;
  std::optional<std::string> found;
  changed_.wait_for(lock, timeout, [&] {
    for (; checked < lines_.size(); ++checked) {
      if (match(lines_[checked])) {
        found = lines_[checked];
        return true;
      }
    }
    return outputClosed_;
  });
  return found;
}

std::vector<std::string> ChildProcess::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string ChildProcess::tail(std::size_t count) const {
  std::lock_guard lock(mutex_);
  std::string out;
  const std::size_t from = lines_.size() > count ? lines_.size() - count : 0;
  for (std::size_t i = from; i < lines_.size(); ++i) out += lines_[i] + "\n";
  return out;
}

int freeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace fivespot::testing
