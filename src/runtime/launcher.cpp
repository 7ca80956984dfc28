#include "runtime/launcher.hpp"

#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "namespaces/user_namespace.hpp"
#include "runtime/unix_socket.hpp"

namespace hull {

ConsoleEnds open_console(ConsoleWiring wiring, const std::string& console_socket) {
  ConsoleEnds ends;
  if (wiring == ConsoleWiring::Socket) {
    ends.child = connect_unix(console_socket, "console socket");
  } else if (wiring == ConsoleWiring::Proxy) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("create the console socketpair");
    ends.receiver.reset(sv[0]);
    ends.child.reset(sv[1]);
  }
  return ends;
}

LaunchedChild::~LaunchedChild() {
  if (pid_ <= 0) return;
  // The child may be blocked waiting for Continue: it would never exit by
  // itself. The pidfd makes the kill immune to pid reuse.
  ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  ::waitpid(pid_, nullptr, 0);
}

namespace {
long clone3(clone_args& args) { return ::syscall(SYS_clone3, &args, sizeof args); }

LaunchedChild finish_launch(const LaunchRequest& r, const SyncChannel& runtime_end, LaunchedChild child);

// What the helper reports: the child's pid, or 0 and why not.
struct HelperReport {
  long pid = 0;
  char error[480] = {};
};

// The helper died after it cloned the child and before it reported the
// child's pid: that child is our child all the same (CLONE_PARENT), in the
// joined user namespace, blocked until we send it Continue. Our children in
// a user namespace other than ours are killed and reaped here (at launch we
// have no other child: the helper is reaped, hooks and exec come later), so
// a failed launch leaves no process. Unreaped, a child's pid cannot be reused
// before the waitpid.
void kill_unreported_children() {
  struct stat own {};
  if (::stat("/proc/self/ns/user", &own) < 0) return;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream children(task.path() / "children");
    for (pid_t pid; children >> pid;) {
      struct stat theirs {};
      const std::string ns = "/proc/" + std::to_string(pid) + "/ns/user";
      if (::stat(ns.c_str(), &theirs) < 0 || (theirs.st_ino == own.st_ino && theirs.st_dev == own.st_dev)) continue;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    }
  }
}

// LaunchRequest::join_in_helper: a helper forked from here joins, clones the
// child as our child (CLONE_PARENT; the exit signal is then the helper's,
// SIGCHLD) and reports its pid. The child is unreaped, so its pid is safe
// to open a pidfd on.
std::pair<pid_t, UniqueFd> clone_through_helper(const LaunchRequest& r) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("create the launch helper's pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t helper = ::fork();
  if (helper < 0) throw_errno("fork the launch helper");
  if (helper == 0) {
    HelperReport report;
    std::string error;
    try {
      r.join_in_helper();
      fault_point("launch-helper-joined");
      if (r.dumpable_child) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
      clone_args args{};
      args.flags = CLONE_PARENT | r.clone_flags;
      long pid = clone3(args);
      const int clone_errno = errno;
      if (pid == 0) {
        // Only the helper reports: its death must reach our read as EOF.
        write_end.reset();
        r.entry(r.arg);
        ::_exit(127);
      }
      if (pid > 0) fault_point("launch-helper-cloned");
      if (pid < 0)
        error = std::string("launch helper: clone3 ") + r.what +
                " in the joined user namespace: " + std::strerror(clone_errno);
      report.pid = pid > 0 ? pid : 0;
    } catch (const std::exception& e) {
      error = e.what();
    }
    error.copy(report.error, sizeof report.error - 1);
    ssize_t n = ::write(write_end.get(), &report, sizeof report);
    ::_exit(n == static_cast<ssize_t>(sizeof report) ? 0 : 1);
  }
  write_end.reset();
  HelperReport report;
  ssize_t n;
  do {
    n = ::read(read_end.get(), &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  int status = 0;
  while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {}
  if (n != static_cast<ssize_t>(sizeof report)) {
    kill_unreported_children();
    throw Error("launch helper: it died without a report (wait status " + std::to_string(status) + ")");
  }
  if (report.pid <= 0) throw Error(report.error);
  const pid_t pid = static_cast<pid_t>(report.pid);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int err = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw_errno(err, std::string("pidfd_open ") + r.what);
  }
  return {pid, UniqueFd(pidfd)};
}
}  // namespace

LaunchedChild launch(const LaunchRequest& r, const SyncChannel& runtime_end) {
  if (r.join_in_helper) {
    auto [pid, pidfd] = clone_through_helper(r);
    return finish_launch(r, runtime_end, LaunchedChild(pid, std::move(pidfd), false));
  }
  clone_args args{};
  int pidfd = -1;
  args.flags = CLONE_PIDFD | r.clone_flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  bool into_cgroup = r.cgroup_fd >= 0;
  if (into_cgroup) {
    // Straight into the container's v2 cgroup: not a single page is charged elsewhere.
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(r.cgroup_fd);
  }
  if (r.dumpable_child) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  long pid = clone3(args);
  if (pid < 0 && into_cgroup && (errno == EBUSY || errno == EOPNOTSUPP || errno == E2BIG || errno == EINVAL)) {
    // A cgroup the kernel will not clone into (e.g. domain-invalid): place it after.
    args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    args.cgroup = 0;
    into_cgroup = false;
    pid = clone3(args);
  }
  if (r.dumpable_child && pid != 0) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (pid < 0) throw_errno(std::string("clone3 ") + r.what);
  if (pid == 0) {
    r.entry(r.arg);
    ::_exit(127);  // entry points do not return; this is the last guard
  }
  return finish_launch(r, runtime_end, LaunchedChild(static_cast<pid_t>(pid), UniqueFd(pidfd), into_cgroup));
}

namespace {
// After the clone: the child's cgroups, id maps and release.
LaunchedChild finish_launch(const LaunchRequest& r, const SyncChannel& runtime_end, LaunchedChild child) {
  if (r.child_end) r.child_end->close();
  // The child exists, in the v2 cgroup at most, waiting for us: a kill here
  // must leave nothing that delete --force cannot remove.
  fault_point("launch-after-clone");
  if (r.place) r.place(child.pid(), child.in_cgroup());
  if (r.id_maps) ns::write_id_maps(child.pid(), r.id_maps->uidMappings, r.id_maps->gidMappings);
  if (r.after_id_maps) r.after_id_maps(child.pid());
  if (r.release_after_placement) runtime_end.send_to_waiting_peer(SyncMsg::Continue);
  return child;
}

}  // namespace

}  // namespace hull
