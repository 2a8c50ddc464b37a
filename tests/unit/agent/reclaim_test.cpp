#include "reclaim.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fivespot/common/error.hpp"
#include "temp_dir.hpp"

extern char** environ;

namespace fivespot::agent {
namespace {

ProcessInfo process(std::string comm, const std::string& cmdline) {
  ProcessInfo info{42, std::move(comm), "", ""};
  parseCmdline(cmdline, info);
  return info;
}

using namespace std::string_literals;

TEST(ReclaimMatcher, ParsesCmdline) {
  const auto info = process("python3", "/usr/bin/python3\0train.py\0--epochs\0003\0"s);
  EXPECT_EQ(info.argv0, "/usr/bin/python3");
  EXPECT_EQ(info.commandLine, "/usr/bin/python3 train.py --epochs 3");
}

TEST(ReclaimMatcher, NamesMatchCommOrArgv0BasenameExactly) {
  EXPECT_TRUE(matchesPattern("steam", process("steam", "/usr/games/steam\0"s)));
  EXPECT_TRUE(matchesPattern("steam", process("steam", ""s)));               // comm alone (no cmdline)
  EXPECT_TRUE(matchesPattern("steam", process("reaper", "/opt/steam\0"s)));  // argv0 basename
  EXPECT_FALSE(matchesPattern("steam", process("steamwebhelper", "/opt/steamwebhelper\0"s)));
  EXPECT_FALSE(matchesPattern("Steam", process("steam", "steam\0"s)));  // case-sensitive
  EXPECT_FALSE(matchesPattern("", process("steam", "steam\0"s)));
}

TEST(ReclaimMatcher, LongNamesNeedArgv0BecauseCommIsTruncated) {
  const std::string name = "steamwebhelper-gpu";  // 18 characters; comm keeps 15
  EXPECT_TRUE(matchesPattern(name, process("steamwebhelper-", "/opt/steam/steamwebhelper-gpu\0--x\0"s)));
  EXPECT_FALSE(matchesPattern(name, process("steamwebhelper-", "/opt/steam/steamwebhelper-cpu\0"s)));
  EXPECT_FALSE(matchesPattern(name, process("steamwebhelper-", ""s)));
}

TEST(ReclaimMatcher, PatternsWithSpaceOrSlashMatchTheCommandLine) {
  EXPECT_TRUE(isCommandLinePattern("python3 train.py"));
  EXPECT_TRUE(isCommandLinePattern("/opt/game/"));
  EXPECT_FALSE(isCommandLinePattern("steam"));
  const auto training = process("python3", "/usr/bin/python3\0train.py\0--epochs\0003\0"s);
  EXPECT_TRUE(matchesPattern("python3 train.py", training));  // a substring of "/usr/bin/python3 train.py"
  EXPECT_TRUE(matchesPattern("python3 train.py --epochs", process("python3", "python3\0train.py\0--epochs\0"s)));
  EXPECT_TRUE(matchesPattern("/usr/bin/python3 train.py", training));
  EXPECT_TRUE(matchesPattern("/opt/game/", process("game", "/opt/game/bin/run\0"s)));
  EXPECT_FALSE(matchesPattern("train.py", training));  // a bare name is never a substring match
}

TEST(ReclaimMatcher, FirstMatchingPatternIsReported) {
  const auto match = matchProcess({"blender", "steam"}, process("steam", "/usr/games/steam\0-silent\0"s));
  ASSERT_TRUE(match);
  EXPECT_EQ(match->pattern, "steam");
  EXPECT_EQ(match->commandLine, "/usr/games/steam -silent");
  EXPECT_EQ(match->pid, 42);
  EXPECT_FALSE(matchProcess({"blender"}, process("steam", "steam\0"s)));
}

class FakeProc : public ::testing::Test {
 protected:
  void addProcess(const std::string& pid, const std::string& comm, const std::string& cmdline) {
    dir_.write(pid + "/comm", comm + "\n");
    dir_.write(pid + "/cmdline", cmdline);
  }
  testing::TempDir dir_;
};

TEST_F(FakeProc, ScansNumericEntriesAndFindsTheMatch) {
  addProcess("1", "systemd", "/sbin/init\0"s);
  addProcess("77", "kthreadd", ""s);
  addProcess("4242", "steam", "/usr/games/steam\0-silent\0"s);
  dir_.write("self/comm", "steam\n");  // not a pid: skipped
  dir_.write("sys/kernel/x", "");
  ProcScanner scanner(dir_.path().string(), 1000);
  const auto match = scanner.scan({"steam"});
  ASSERT_TRUE(match);
  EXPECT_EQ(match->pid, 4242);
  EXPECT_EQ(match->commandLine, "/usr/games/steam -silent");
  EXPECT_FALSE(scanner.scan({"blender"}));
  EXPECT_EQ(scanner.lastScanned(), 3);
}

TEST_F(FakeProc, StopsAfterTheBound) {
  for (int pid = 100; pid < 150; ++pid) addProcess(std::to_string(pid), "idle", "idle\0"s);
  ProcScanner scanner(dir_.path().string(), 10);
  EXPECT_FALSE(scanner.scan({"steam"}));
  EXPECT_EQ(scanner.lastScanned(), 10);
}

TEST_F(FakeProc, SkipsProcessesThatVanishedAndRejectsAMissingRoot) {
  std::filesystem::create_directories(dir_.path() / "555");  // exited between readdir and read
  addProcess("556", "steam", "steam\0"s);
  ProcScanner scanner(dir_.path().string(), 1000);
  EXPECT_TRUE(scanner.scan({"steam"}));
  ProcScanner missing((dir_.path() / "absent").string(), 1000);
  EXPECT_THROW(missing.scan({"steam"}), ConfigError);
  EXPECT_FALSE(missing.scan({}));  // nothing to look for: no scan at all
}

// The real /proc: start a process whose argv[0] is a listed name and find it. The probe says
// "ready" once it runs (posix_spawn may return while exec is still setting up the new image, when
// cmdline reads empty), and exits when its stdin closes.
TEST(ProcScannerOnRealProc, FindsAStartedProcessByName) {
  const std::string name = "fivespot-reclaim-probe";
  int toChild[2];
  int fromChild[2];
  ASSERT_EQ(::pipe2(toChild, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(fromChild, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO);
  char* argv[] = {const_cast<char*>(name.c_str()), const_cast<char*>("-c"), const_cast<char*>("echo ready; read line"),
                  nullptr};
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(toChild[0]);
  ::close(fromChild[1]);
  char ready[6] = {};
  ASSERT_EQ(::read(fromChild[0], ready, 5), 5);
  ASSERT_STREQ(ready, "ready");

  ProcScanner scanner("/proc", 4'194'304);
  const auto match = scanner.scan({"not-running-anywhere", name});
  ::close(toChild[1]);  // the probe's `read` ends and it exits
  ::close(fromChild[0]);
  ::waitpid(pid, nullptr, 0);
  ASSERT_TRUE(match) << "scanned " << scanner.lastScanned() << " processes, pid " << pid;
  EXPECT_EQ(match->pid, pid);
  EXPECT_EQ(match->pattern, name);
  EXPECT_EQ(match->commandLine, name + " -c echo ready; read line");
}

}  // namespace
}  // namespace fivespot::agent
