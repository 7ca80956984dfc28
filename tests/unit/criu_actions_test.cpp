// CriuActions: the action script hull hands CRIU (--action-script), run here
// as CRIU runs it (its path, no arguments, the action and the init's pid in
// the environment), with hull's side served while it waits.
#include <poll.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/criu.hpp"

namespace hull {
namespace {

namespace fs = std::filesystem;

class CriuActionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hull-criu-actions.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    fs::remove_all(dir_);
  }

  // Runs the script as CRIU does, serving `a` until it exits; its exit status.
  static int run_script(CriuActions& a, const std::string& action, const std::string& pid) {
    pid_t child = ::fork();
    if (child == 0) {
      ::setenv("CRTOOLS_SCRIPT_ACTION", action.c_str(), 1);
      ::setenv("CRTOOLS_INIT_PID", pid.c_str(), 1);
      ::execl(a.script().c_str(), a.script().c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    for (int rounds = 0; rounds < 1000; ++rounds) {  // at most ~10 s
      struct pollfd p = {a.fd(), POLLIN, 0};
      if (::poll(&p, 1, 10) == 1) a.serve();
      pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    return -1;
  }

  std::string dir_;
  bool mounted_ = false;
};

TEST_F(CriuActionsTest, TheHandlerRunsWhileTheScriptWaitsAndGetsTheActionAndThePid) {
  std::vector<std::pair<std::string, pid_t>> seen;
  CriuActions a(dir_, {"setup-namespaces"},
                [&](const std::string& action, pid_t pid) { seen.emplace_back(action, pid); });
  struct stat st {};
  ASSERT_EQ(::stat(a.script().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(run_script(a, "setup-namespaces", "4242"), 0);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "setup-namespaces");
  EXPECT_EQ(seen[0].second, 4242);
  // An action not asked for is answered by the script alone.
  EXPECT_EQ(run_script(a, "post-restore", "4242"), 0);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_FALSE(a.failure());
}

TEST_F(CriuActionsTest, AHandlerErrorFailsTheScriptAndIsKept) {
  CriuActions a(dir_, {"setup-namespaces"}, [](const std::string&, pid_t) { throw Error("hook prestart[0] failed"); });
  EXPECT_EQ(run_script(a, "setup-namespaces", "17"), 1);
  ASSERT_TRUE(a.failure());
  try {
    std::rethrow_exception(a.failure());
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "hook prestart[0] failed");
  }
}

TEST_F(CriuActionsTest, NoPidIsAnErrorNotAHandlerCall) {
  bool called = false;
  CriuActions a(dir_, {"setup-namespaces"}, [&](const std::string&, pid_t) { called = true; });
  EXPECT_EQ(run_script(a, "setup-namespaces", ""), 1);
  EXPECT_FALSE(called);
  ASSERT_TRUE(a.failure());
}

TEST_F(CriuActionsTest, ADirectoryWithAQuoteInItsNameStillWorksAndNothingIsLeft) {
  std::string odd = dir_ + "/it's here";
  fs::create_directory(odd);
  {
    int calls = 0;
    CriuActions a(odd, {"setup-namespaces"}, [&](const std::string&, pid_t) { ++calls; });
    EXPECT_EQ(run_script(a, "setup-namespaces", "5"), 0);
    EXPECT_EQ(calls, 1);
  }
  EXPECT_TRUE(fs::is_empty(odd)) << "the script or its FIFOs were left";
}

// The state root on a noexec mount (Debian's and Ubuntu's /run, as
// initramfs-tools mounts it): the FIFOs work there, and the script, which
// CRIU execs, is not a file there. Needs root for the mount.
TEST_F(CriuActionsTest, TheScriptRunsWhenItsDirectoryIsOnANoexecMount) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  ASSERT_EQ(::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOEXEC | MS_NOSUID | MS_NODEV, "mode=0700"), 0);
  mounted_ = true;
  int calls = 0;
  CriuActions a(dir_, {"setup-namespaces"}, [&](const std::string&, pid_t) { ++calls; });
  EXPECT_EQ(run_script(a, "setup-namespaces", "5"), 0);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace hull
