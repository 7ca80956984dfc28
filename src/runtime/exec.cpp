// hull exec: another process in a running container. The runtime joins the
// init's namespaces with one setns on its pidfd (atomic, and immune to pid
// reuse), then clones the process so it is a child inside the container's
// pid namespace; the process applies its spec like the init and execs.
//
//   hull exec                                   exec'd process (clone3 child)
//   ---------                                   --------------------------
//   lock, check status, read saved config, unlock
//   setns(init pidfd, container namespaces)
//   clone3 ---------------------------------->  identity, caps, cwd, ... execve
//                     <------------------------ Error{errno, msg}  or  EOF at execve
//   pid file; attached: forward signals, wait
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "cgroups/placement.hpp"
#include "namespaces/namespaces.hpp"
#include "process/exec_process.hpp"
#include "process/scheduling.hpp"
#include "process/terminal_proxy.hpp"
#include "rootfs/console.hpp"
#include "runtime/unix_socket.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/exec_process_builder.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/operations.hpp"
#include "runtime/pid_file.hpp"
#include "runtime/signal_forwarder.hpp"
#include "runtime/sync_channel.hpp"

namespace hull {

namespace {

// Only what belongs to the process: container-wide settings (sysctls) were
// applied by the init and must not be re-applied.
spec::Spec exec_spec(spec::Spec container, spec::Process process) {
  container.process = std::move(process);
  if (container.linux_) container.linux_->sysctl.clear();
  return container;
}

// Every namespace the container has, created or joined: the exec'd process
// must see exactly what the init sees.
int container_namespace_flags(const spec::Spec& spec) {
  uint64_t flags = 0;
  for (const auto& n : spec.linux_->namespaces) flags |= ns::clone_flag(n.type);
  return static_cast<int>(flags);
}

struct ExecChild {
  const spec::Spec* spec;
  int preserve_fds;
  int console_socket;  // process.terminal: where the pty master goes
  SyncChannel* channel;
  // v1 hierarchies cannot be entered at clone time: the child waits until
  // the runtime has written it into them, so the program it execs never
  // runs outside the container's limits.
  bool wait_for_placement;
  // The init's pidfd when the container has its own cgroup namespace: the
  // child joins it only once it is in the container's cgroup. With cgroup2's
  // nsdelegate (systemd mounts it so) the kernel refuses CLONE_INTO_CGROUP
  // from a cgroup outside the caller's cgroup namespace (ENOENT).
  int cgroupns_of = -1;
};

[[noreturn]] void exec_child_main(ExecChild& c) {
  reset_signal_state();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  try {
    if (c.wait_for_placement) c.channel->expect(SyncMsg::Continue);
    if (c.cgroupns_of >= 0 && ::setns(c.cgroupns_of, CLONE_NEWCGROUP) < 0)
      throw_errno("join the container's cgroup namespace");
    process::ExecOptions eo;
    eo.preserve_fds = c.preserve_fds;
    eo.is_exec = true;
    // Set-up is done: from here the process must outlive `hull exec`, which
    // returns at once with --detach (the kernel keeps the parent-death
    // signal across execve for a process whose credentials do not change).
    eo.wait_for_start = [] { ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0); };
    rootfs::Pty pty;
    if (c.spec->process->terminal) {
      // After setns the root is the container's: the pty comes from its devpts.
      UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!root) throw_errno("open the container root");
      pty = rootfs::open_pty(root.get(), c.spec->process->user.uid);
      eo.pty_master = pty.master.get();
      eo.pty_slave = pty.slave.get();
      eo.console_socket_fd = c.console_socket;
    }
    process::exec_container_process(*c.spec, eo);
  } catch (const Error& e) {
    c.channel->send_error(e.code(), e.message());
  } catch (const std::exception& e) {
    c.channel->send_error(0, e.what());
  }
  ::_exit(127);
}

}  // namespace

int exec_in_container(const GlobalOptions& g, const ExecOptions& o) {
  validate_container_id(o.id);
  StateStore store(g.root);
  std::optional<ContainerDir> dir(store.open(o.id));
  ContainerState st = dir->read_state();
  require_transition(o.id, live_status(st), o.ignore_paused ? Operation::ExecPaused : Operation::Exec);

  return with_context("exec in container " + quote(o.id), [&]() -> int {
    spec::Spec container = load_saved_config(*dir);
    spec::Process process = o.process_file.empty()
                                ? build_exec_process(*container.process, o)
                                : spec::parse_process_json(read_file(o.process_file), o.process_file);
    spec::Spec spec = exec_spec(std::move(container), std::move(process));
    // As for create: a console socket if given, else (attached) our own
    // socketpair and a terminal proxy.
    UniqueFd console, console_receiver;
    if (spec.process->terminal) {
      if (!o.console_socket.empty()) {
        console = connect_unix(o.console_socket, "console socket");
      } else if (!o.detach) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("create the console socketpair");
        console_receiver.reset(sv[0]);
        console.reset(sv[1]);
      } else {
        throw Error("--tty with --detach needs --console-socket to hand the pty to");
      }
    }
    if (spec.process->execCPUAffinity && spec.process->execCPUAffinity->initial)
      process::apply_cpu_affinity(*spec.process->execCPUAffinity->initial, "process.execCPUAffinity.initial");
    std::optional<PidFile> pid_file;
    if (!o.pid_file.empty()) pid_file.emplace(o.pid_file);

    std::optional<cgroups::Placement> cgroup;
    if (!st.cgroupPath.empty()) cgroup.emplace(cgroups::Manager::load(st.cgroupPath).paths(), o.cgroup);
    else if (!o.cgroup.empty()) throw Error("--cgroup: the container has no cgroups");

    UniqueFd init = open_init_pidfd(st);
    if (!init) throw Error("the container's init has exited");
    // The process may run for long; other commands must not wait for it.
    fault_point("exec-after-open");
    dir.reset();

    std::optional<SignalForwarder> forwarder;
    if (!o.detach) forwarder.emplace();
    auto [runtime_end, child_end] = SyncChannel::make_pair();
    const int ns_flags = container_namespace_flags(spec);
    if (::setns(init.get(), ns_flags & ~CLONE_NEWCGROUP) < 0) throw_errno("join the container's namespaces");

    ExecChild child{&spec, o.preserve_fds, console.get(), &child_end, cgroup && cgroup->needs_placement_after_clone(),
                    (ns_flags & CLONE_NEWCGROUP) ? init.get() : -1};
    clone_args args{};
    int pidfd = -1;
    args.flags = CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    if (cgroup && cgroup->clone_into_fd() >= 0) {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = static_cast<uint64_t>(cgroup->clone_into_fd());
    }
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) throw_errno("clone3 the exec process");
    if (pid == 0) {
      runtime_end.close();
      exec_child_main(child);
    }
    UniqueFd proc(pidfd);
    fault_point("exec-after-clone");
    child_end.close();
    try {
      if (child.wait_for_placement) {
        cgroup->add(static_cast<pid_t>(pid), true);
        runtime_end.send(SyncMsg::Continue);
      }
      runtime_end.expect_eof();
    } catch (...) {
      // The child may be blocked waiting for Continue (placement failed):
      // it would never exit by itself, and waiting for it hung hull exec.
      ::syscall(SYS_pidfd_send_signal, proc.get(), SIGKILL, nullptr, 0);
      ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
      throw;
    }
    fault_point("exec-after-started");
    if (pid_file) pid_file->write(static_cast<pid_t>(pid));
    if (o.detach) return 0;
    if (console_receiver) {
      console.reset();
      process::ReceivedPty pty = process::receive_pty_master(console_receiver.get());
      process::proxy_terminal(pty.master.get(), {0, 1, proc.get()});
    }
    return forwarder->forward_until_exit(proc.get(), "exec process " + std::to_string(pid));
  });
}

}  // namespace hull
