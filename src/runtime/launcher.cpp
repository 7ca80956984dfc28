#include "runtime/launcher.hpp"

#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

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
}  // namespace

LaunchedChild launch(const LaunchRequest& r, const SyncChannel& runtime_end) {
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
  LaunchedChild child(static_cast<pid_t>(pid), UniqueFd(pidfd), into_cgroup);
  if (r.child_end) r.child_end->close();
  // The child exists, in the v2 cgroup at most, waiting for us: a kill here
  // must leave nothing that delete --force cannot remove.
  fault_point("launch-after-clone");
  if (r.place) r.place(child.pid(), into_cgroup);
  if (r.id_maps) ns::write_id_maps(child.pid(), r.id_maps->uidMappings, r.id_maps->gidMappings);
  if (r.after_id_maps) r.after_id_maps(child.pid());
  if (r.release_after_placement) runtime_end.send(SyncMsg::Continue);
  return child;
}

}  // namespace hull
