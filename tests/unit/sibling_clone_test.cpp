// SiblingReport (runtime/sibling_clone.hpp): a helper's clone is our child,
// and the pid the helper reports is trusted only as that. The process
// inherits the report pipe for an instant, in a pid namespace where a
// ptracer may write a report first (found by review 2026-11-30: a forged
// pid made a failing `hull exec` SIGKILL a host process).
#include "runtime/sibling_clone.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.hpp"

namespace hull {
namespace {

// A process that is not a child of ours: forked by a child that exits.
pid_t orphan_sleeper() {
  int fds[2];
  if (::pipe(fds) < 0) return -1;
  pid_t middle = ::fork();
  if (middle == 0) {
    pid_t sleeper = ::fork();
    if (sleeper == 0) {
      ::pause();
      ::_exit(0);
    }
    (void)!::write(fds[1], &sleeper, sizeof sleeper);
    ::_exit(0);
  }
  pid_t sleeper = -1;
  (void)!::read(fds[0], &sleeper, sizeof sleeper);
  ::close(fds[0]);
  ::close(fds[1]);
  ::waitpid(middle, nullptr, 0);
  return sleeper;
}

TEST(SiblingReport, TheReportedCloneIsOurChild) {
  SiblingReport report;
  pid_t helper = ::fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) {
    report.run_helper([&report]() -> long {
      SiblingReport::Call call;
      const long pid = report.clone_sibling(0, call);
      if (pid == 0) {
        ::pause();
        ::_exit(0);
      }
      if (pid < 0) throw_errno("clone3");
      return pid;
    });
  }
  LaunchedChild child = report.receive(helper, "the clone", false);
  EXPECT_GT(child.pid(), 0);
  EXPECT_NE(child.pid(), helper);
  // Ours to wait for: not reaped yet, so WNOWAIT sees it.
  siginfo_t info{};
  EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOHANG | WNOWAIT), 0);
  // The destructor kills and reaps it.
}

TEST(SiblingReport, APidThatIsNotOurChildIsRefusedAndLeftAlone) {
  const pid_t victim = orphan_sleeper();
  ASSERT_GT(victim, 0);
  SiblingReport report;
  pid_t helper = ::fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) report.run_helper([victim]() -> long { return victim; });
  try {
    LaunchedChild child = report.receive(helper, "the clone", false);
    ADD_FAILURE() << "a forged pid was taken: " << child.pid();
    (void)child.release();  // never kill the victim through it
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("which is not the clone"), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), EPIPE);
  }
  EXPECT_EQ(::kill(victim, 0), 0) << "the victim was killed";
  ::kill(victim, SIGKILL);
}

TEST(SiblingReport, TheHelpersErrorIsThrownWithItsErrno) {
  SiblingReport report;
  pid_t helper = ::fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) report.run_helper([]() -> long { throw Error("join the namespaces", ESRCH); });
  try {
    report.receive(helper, "the clone", false);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "join the namespaces");
    EXPECT_EQ(e.code(), ESRCH);
  }
}

}  // namespace
}  // namespace hull
