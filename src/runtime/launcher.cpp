#include "runtime/launcher.hpp"

#include <linux/capability.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/procfs.hpp"
#include "base/sanitizers.hpp"
#include "cgroups/pids_limit.hpp"
#include "namespaces/user_namespace.hpp"
#include "process/capabilities.hpp"
#include "process/sealed_binary.hpp"
#include "runtime/sibling_clone.hpp"
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
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
}

namespace {
long clone3(clone_args& args) { return ::syscall(SYS_clone3, &args, sizeof args); }

constexpr uint64_t kNamespacesNeedingSysAdmin =
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;

bool lacks_sys_admin() {
  try {
    return !(process::held_capabilities().effective & (uint64_t{1} << CAP_SYS_ADMIN));
  } catch (const Error&) {
    return false;  // capget refused too: nothing known to say
  }
}

// Without CAP_SYS_ADMIN (hull run in a container given the default
// capabilities) the kernel's EPERM says nothing of why, and Docker's
// default profile answers clone3 ENOSYS then, which reads as an old kernel.
[[noreturn]] void throw_clone_refused(uint64_t flags, int into_cgroup_fd, const std::string& what) {
  const int err = errno;
  if (err == ENOSYS && lacks_sys_admin())
    throw_errno(ENOSYS, what +
                            ": hull's process lacks CAP_SYS_ADMIN, and a container engine's seccomp profile answers "
                            "clone3 so without it (Docker's default profile does): give the container CAP_SYS_ADMIN, "
                            "or a profile that allows clone3");
  if (err == EPERM && (flags & kNamespacesNeedingSysAdmin) && !(flags & CLONE_NEWUSER) && lacks_sys_admin())
    throw_errno(EPERM, what +
                           ": making its namespaces needs CAP_SYS_ADMIN, which hull's process lacks (inside a "
                           "container: give the container CAP_SYS_ADMIN, or use a user namespace)");
  errno = err;
  cgroups::throw_process_errno(what, into_cgroup_fd);
}

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(HULL_UNDER_ASAN)
#define HULL_CLONE_SHARING_MEMORY 1
// clone3 with CLONE_VM | CLONE_VFORK and no stack of its own: the child
// returns from the system call on our stack, suspended as we are until it
// execs or exits, and so must never return from here (into frames that are
// ours). It calls entry(arg) right away, below our frame; an entry that
// returns ends in exit_group(127). Our registers come back as they were
// (the kernel saved them); the child's frames only write below our stack
// pointer, 256 bytes down (past x86-64's red zone; arm64 has none) and
// 16-byte aligned. No errno: the result is returned raw (-errno on failure).
[[gnu::noinline]] long clone3_sharing_memory(clone_args& args, void (*entry)(void*) noexcept, void* arg) {
#if defined(__aarch64__)
  // entry and arg in x19 and x20, which the kernel hands back to the child
  // as they were; the call through x19 lands on the entry's BTI pad.
  register long x0 asm("x0") = reinterpret_cast<long>(&args);
  register long x1 asm("x1") = sizeof args;
  register long x8 asm("x8") = SYS_clone3;
  register void (*fn)(void*) noexcept asm("x19") = entry;
  register void* fn_arg asm("x20") = arg;
  asm volatile(
      "svc #0\n\t"
      "cbnz x0, 1f\n\t"
      "sub x9, sp, #256\n\t"
      "and sp, x9, #-16\n\t"
      "mov x29, xzr\n\t"
      "mov x0, x20\n\t"
      "blr x19\n\t"
      "mov x0, #127\n\t"
      "mov x8, %[exit_group]\n\t"
      "svc #0\n\t"
      "udf #0\n\t"
      "1:\n\t"
      : "+r"(x0)
      : "r"(x1), "r"(x8), "r"(fn), "r"(fn_arg), [exit_group] "i"(SYS_exit_group)
      : "x9", "memory");
  return x0;
#else
  long ret;
  register void (*fn)(void*) noexcept asm("r12") = entry;
  register void* fn_arg asm("r13") = arg;
  asm volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "sub $256, %%rsp\n\t"
      "and $-16, %%rsp\n\t"
      "xor %%ebp, %%ebp\n\t"
      "mov %%r13, %%rdi\n\t"
      "call *%%r12\n\t"
      "mov $127, %%edi\n\t"
      "mov %[exit_group], %%eax\n\t"
      "syscall\n\t"
      "ud2\n\t"
      "1:\n\t"
      : "=a"(ret)
      : "a"(SYS_clone3), "D"(&args), "S"(sizeof args), "r"(fn), "r"(fn_arg), [exit_group] "i"(SYS_exit_group)
      : "rcx", "r11", "memory");
  return ret;
#endif
}
#endif

LaunchedChild finish_launch(const LaunchRequest& r, const SyncChannel& runtime_end, LaunchedChild child);

// LaunchRequest::join_in_helper: a helper forked from here joins, clones the
// child as our child and reports its pid (runtime/sibling_clone.hpp).
LaunchedChild clone_through_helper(const LaunchRequest& r) {
  SiblingReport report;
  pid_t helper = ::fork();
  if (helper < 0) cgroups::throw_process_errno("fork the launch helper");
  if (helper == 0) {
    report.run_helper([&r, &report]() -> long {
      r.join_in_helper();
      fault_point("launch-helper-joined");
      if (r.dumpable_child) ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
      SiblingReport::Call call;
      const long pid = report.clone_sibling(r.clone_flags, call);
      if (pid == 0) {
        r.entry(r.arg);
        ::_exit(127);
      }
      if (pid < 0) {
        const int err = errno;
        // clone(2), tried where clone3 is refused, cannot ask for one.
        const std::string why = (r.clone_flags & CLONE_NEWTIME) && (err == ENOSYS || err == EPERM)
                                    ? " (a new time namespace, which only clone3 can ask for: let clone3 through)"
                                    : "";
        throw_errno(err, "launch helper: " +
                             SiblingReport::clone_error(call, std::string(r.what) + " in the joined namespaces") + why);
      }
      fault_point("launch-helper-cloned");
      return pid;
    });
  }
  return report.receive(helper, r.what, false);
}
}  // namespace

LaunchedChild launch(const LaunchRequest& r, const SyncChannel& runtime_end) {
  if (r.join_in_helper) return finish_launch(r, runtime_end, clone_through_helper(r));
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
  long pid;
#ifdef HULL_CLONE_SHARING_MEMORY
  // Only where nothing is done for the child after the clone: it will have
  // exec'd by then, or wait for us forever. (A dumpable child would make
  // our memory dumpable too.)
  const bool nothing_after_clone =
      (into_cgroup || !r.place) && !r.id_maps && !r.after_id_maps && !r.release_after_placement;
  if (r.share_memory_until_exec && nothing_after_clone && !r.dumpable_child) {
    args.flags |= CLONE_VM | CLONE_VFORK;
    // Our records of process-wide fds are put back once the child is gone:
    // a number it stored there is an fd of its own table, not of ours.
    const procfs::SharedRootRecord procfs_root = procfs::shared_root_record();
    const int view_mount = process::detached_mount_record();
    pid = clone3_sharing_memory(args, r.entry, r.arg);
    procfs::restore_shared_root_record(procfs_root);
    process::restore_detached_mount_record(view_mount);
    args.flags &= ~static_cast<uint64_t>(CLONE_VM | CLONE_VFORK);
    if (pid < 0) {
      errno = static_cast<int>(-pid);
      pid = -1;
    }
  } else {
    pid = clone3(args);
  }
#else
  pid = clone3(args);
#endif
  if (pid < 0 && into_cgroup && (errno == EBUSY || errno == EOPNOTSUPP || errno == E2BIG || errno == EINVAL)) {
    // A cgroup the kernel will not clone into (e.g. domain-invalid): place it
    // after, so with a copy of our memory: we go on while it waits.
    args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    args.cgroup = 0;
    into_cgroup = false;
    if (r.child_waits_for_placement && r.place) {
      *r.child_waits_for_placement = true;
      // A cgroup namespace made now would be rooted at our cgroup: the
      // child makes it once placed.
      args.flags &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
    }
    pid = clone3(args);
  }
  if (r.dumpable_child && pid != 0) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (pid < 0) throw_clone_refused(args.flags, into_cgroup ? r.cgroup_fd : -1, std::string("clone3 ") + r.what);
  if (pid == 0) {
    r.entry(r.arg);
    ::_exit(127);  // entry points do not return; this is the last guard
  }
  return finish_launch(r, runtime_end, LaunchedChild(static_cast<pid_t>(pid), UniqueFd(pidfd), into_cgroup));
}

bool launches_sharing_memory() {
#ifdef HULL_CLONE_SHARING_MEMORY
  return true;
#else
  return false;
#endif
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
  const bool waits = r.release_after_placement || (r.child_waits_for_placement && *r.child_waits_for_placement);
  if (waits) runtime_end.send_to_waiting_peer(SyncMsg::Continue);
  return child;
}

}  // namespace

}  // namespace hull
