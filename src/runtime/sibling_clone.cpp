#include "runtime/sibling_clone.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.hpp"

namespace hull {

namespace {

struct Report {
  long pid = 0;
  int err = 0;
  char error[4000] = {};
};
static_assert(sizeof(Report) <= PIPE_BUF, "the whole report in one pipe write");

// The helper died after it cloned the process and before it reported the
// pid, or reported one that is not its clone: that process is our child
// all the same (CLONE_PARENT). Every child of ours is killed and reaped
// here: create and exec have no other child then (the helper is reaped,
// hooks come later), and the process may share every namespace with us
// (a container with a network namespace only), so nothing else marks it.
// Unreaped, a child's pid cannot be reused before the waitpid.
void kill_unreported_children() {
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream children(task.path() / "children");
    for (pid_t pid; children >> pid;) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    }
  }
}

}  // namespace

SiblingReport::SiblingReport() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("create the launch helper's pipe");
  read_end_.reset(fds[0]);
  write_end_.reset(fds[1]);
}

long SiblingReport::clone_sibling(uint64_t flags, Call& call) const noexcept {
  call = Call::Clone3;
  clone_args args{};
  args.flags = CLONE_PARENT | flags;  // exit_signal 0: the helper's (SIGCHLD) is used
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  // Under a filter that refuses clone3 (Docker's and podman's profiles
  // answer ENOSYS without CAP_SYS_ADMIN, older allow-lists EPERM: exec's
  // helper loads the filter first where the process has no
  // noNewPrivileges): clone(2), as fork does. Not for flags clone(2)
  // cannot carry: it reads the low byte as the exit signal, where
  // CLONE_NEWTIME (0x80) lies, and has no bits above 31. The init would be
  // born in the host's time namespace (review "rules", 109th round).
  constexpr uint64_t kNotForClone = CSIGNAL | ~uint64_t{0xffffffff};
  if (pid < 0 && (errno == ENOSYS || errno == EPERM) && !(flags & kNotForClone)) {
    call = Call::Clone;
    pid = ::syscall(SYS_clone, CLONE_PARENT | flags, 0, 0, 0, 0);
  }
  if (pid == 0) ::close(write_end_.get());
  return pid;
}

std::string SiblingReport::clone_error(Call call, const std::string& what) {
  return call == Call::Clone3
             ? "clone3 " + what
             : "clone " + what + " (clone(2), tried where clone3 is refused, as a seccomp filter refuses it)";
}

void SiblingReport::send(long pid, int err, std::string_view error) const noexcept {
  Report report;
  report.pid = pid > 0 ? pid : 0;
  report.err = err;
  error.copy(report.error, sizeof report.error - 1);
  (void)!::write(write_end_.get(), &report, sizeof report);
}

LaunchedChild SiblingReport::receive(pid_t helper, const char* what, bool helper_may_load_filter) {
  write_end_.reset();
  Report report;
  ssize_t n;
  do {
    n = ::read(read_end_.get(), &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  int status = 0;
  while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {}
  if (n != static_cast<ssize_t>(sizeof report)) {
    kill_unreported_children();
    // SIGSYS: a seccomp filter it loaded (exec's helper, runc's order
    // without noNewPrivileges) killed one of its last calls, or the filter
    // hull itself runs under one of its calls.
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
      throw Error(helper_may_load_filter
                      ? "launch helper: killed by SIGSYS: linux.seccomp kills a call it makes after loading the "
                        "filter (prctl, capset, clone3, clone, close or write), or the seccomp filter hull runs "
                        "under (its caller's) kills one of its calls"
                      : "launch helper: killed by SIGSYS: the seccomp filter hull runs under (its caller's) kills "
                        "one of its calls: let hull's calls through there",
                  ENOSYS);
    const std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                                : "exit status " + std::to_string(WEXITSTATUS(status));
    throw Error("launch helper: it died without a report (" + how + ")", EPIPE);
  }
  if (report.pid <= 0) throw Error(report.error, report.err);
  const pid_t pid = static_cast<pid_t>(report.pid);
  // The process inherits the pipe's write end until it closes it, in a pid
  // namespace where a ptracer may open it (runtime/exec.cpp) and write a
  // report first. So the pid is trusted only as a child of ours: with the
  // helper reaped, the process is our only child, and no other pid passes.
  siginfo_t info{};
  if (pid == helper || ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    kill_unreported_children();
    throw Error(std::string("launch helper: it reported pid ") + std::to_string(pid) + ", which is not " + what +
                    " (a forged report: something in its namespaces wrote to its pipe)",
                EPIPE);
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int err = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw_errno(err, std::string("pidfd_open ") + what);
  }
  return LaunchedChild(pid, UniqueFd(pidfd), false);
}

}  // namespace hull
