// hull exec: another process in a running container. It is born in the
// container's pid namespace, where a container process with CAP_SYS_PTRACE
// in our user namespace (a container without a user namespace of its own,
// or one beside it in a pod's shared pid namespace) passes the kernel's
// ptrace check on it: it could open /proc/<pid>/fd/N of the process while
// it sets up, or write its memory. So the process holds no fd that reaches
// the host and shares no memory with a process outside: a helper, cloned
// into the container's cgroups but in our pid namespace (no container
// process sees it), closes every fd but the process's own and those it
// needs until the clone (ExecHelper::keep), joins the namespaces with one
// setns on the init's pidfd (atomic, and immune to pid reuse), takes every
// step that needs the host's privileges (identity as an effective uid,
// capabilities, cwd, limits, the filter where runc's order loads it), and
// clones the process as our child (CLONE_PARENT), a copy of its memory,
// born with the container's capabilities; it completes its uid and execs
// (Hundred-and-seventh round). (At the container's pids.max, where no clone
// into its cgroups is allowed, the helper stays in ours and the runtime
// moves the process in: see clone_process.)
//
//   hull exec                  helper                   exec'd process
//   ---------                  ------                   --------------
//   lock, check status (and that the cgroup is not frozen), read saved config
//   clone3 into the cgroup -->  v1 cgroups, close fds,
//                               setns(init pidfd, all)
//                               identity, caps, cwd, ..., (seccomp)
//                               clone3(CLONE_PARENT) --> the uid made whole, (seccomp)
//           <------------------ its pid; exits
//                     <------------------------------- SeccompListener + fd (notify profile only)
//   fd + process state -> listenerPath agent             execve
//                     <------------------------------- Error{errno, msg}  or  EOF at execve
//   unlock; pid file; attached: forward signals, wait
//
// The lock is held until the process has exec'd: a `pause` that froze the
// cgroup between the status check and the clone would freeze the process at
// birth, before execve, and `hull exec` would wait for it until a resume
// (found by the lifecycle model test). Only `exec --ignore-paused` into a
// paused container lets go before the clone: its process runs only once the
// container is resumed, and the resume must not wait for this exec.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/phase_trace.hpp"
#include "base/procfs.hpp"
#include "base/signal_mask.hpp"
#include "base/startup_environment.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/placement.hpp"
#include "cgroups/resctrl.hpp"
#include "namespaces/user_namespace.hpp"
#include "process/capabilities.hpp"
#include "process/exec_process.hpp"
#include "process/fds.hpp"
#include "process/rlimits.hpp"
#include "process/scheduling.hpp"
#include "process/sealed_binary.hpp"
#include "process/session_keyring.hpp"
#include "process/terminal_proxy.hpp"
#include "rootfs/console.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/exec_process_builder.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/launch_plan.hpp"
#include "runtime/launcher.hpp"
#include "runtime/operations.hpp"
#include "runtime/pid_file.hpp"
#include "runtime/sibling_clone.hpp"
#include "runtime/signal_forwarder.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/sync_channel.hpp"
#include "runtime/unix_socket.hpp"
#include "runtime/unsent_report.hpp"
#include "seccomp/program_cache.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/validate.hpp"

namespace hull {

namespace {

// Only what belongs to the process: container-wide settings (sysctls) were
// applied by the init and must not be re-applied.
spec::Process process_from_file(const spec::Process& container, const std::string& file) {
  spec::Process p = spec::parse_process_json(read_file(file, spec::kMaxConfigSize), file);
  spec::validate_exec_process(p, file);
  return exec_process_from_file(container, std::move(p));
}

spec::Spec exec_spec(spec::Spec container, spec::Process process) {
  container.process = std::move(process);
  if (container.linux_) container.linux_->sysctl.clear();
  return container;
}

// What the exec process is given: a copy of the runtime's memory (the
// helper's clone), so its steps may change anything; its fd table holds
// only the fds named here, 0-2 (ExecHelper::stdio), the preserved ones, the
// pty the helper opened for process.terminal, and what a caller hands over
// for debugging and tests: the trace fd of
// HULL_TRACE_PHASES, the HULL_FAULT_LIST file of a hull_fault build
// (ExecHelper::keep).
struct ExecChild {
  const spec::Spec* spec;
  int preserve_fds;
  int console_socket;  // process.terminal: where the pty master goes
  SyncChannel* channel;
  const log::Relay* log_relay;  // its lines go there, not to the --log file
  // linux.seccomp, compiled by the runtime (null: none).
  const seccomp::Program* seccomp_program = nullptr;
  // Where the container's filter may refuse the channel's calls: set with
  // seccomp_program.
  const UnsentReport* unsent = nullptr;
  int last_cap = -1;                     // process::ExecOptions::last_cap
  bool stdio_to_user = false;            // ExecPlan::stdio.to_user
  bool oom_score_adj_inherited = false;  // process::LentOomScoreAdj, in the runtime
  // The container has a user namespace (joined by the helper): the host's
  // root is unmapped there, so a pty opened as it would be owned by the
  // overflow uid and could not be given to the process's user.
  bool in_user_namespace = false;
  bool proxied_terminal = false;  // ExecPlan::console is Proxy
  // Unless the container was created with --no-new-keyring: not the
  // caller's (the host session's keys), a new one of its own.
  bool new_keyring = true;
  // It waits for Continue until the runtime has written its pid where it
  // must be before its execve: the container's resctrl groups (as its
  // init), or its cgroups where it could not be born there (at pids.max);
  // or has set its RLIMIT_NPROC (nproc_from_outside).
  bool wait_for_placement = false;
};

// Left before the send, not after it fails: a filter may kill the process
// at the send (SCMP_ACT_KILL*, SCMP_ACT_TRAP). A report the channel carries
// is read first; the page is read only at the channel's end of file.
void report_set_up_error(const ExecChild& c, int err, const std::string& message) noexcept {
  if (c.unsent) c.unsent->leave(err, message);
  c.channel->send_error(err, message);
}

// What the helper makes ready for the process it clones, in its frame: the
// clone has a copy of it.
struct ExecSetUp {
  process::ExecOptions options;
  process::PreparedProcess prepared;
  rootfs::Pty pty;
};

// In the helper, after its joins: the options of the process's set-up.
void fill_exec_options(ExecChild& c, process::ExecOptions& eo) {
  eo.preserve_fds = c.preserve_fds;
  eo.is_exec = true;
  eo.cloned_after_identity = true;
  eo.stdio_to_user = c.stdio_to_user;
  eo.oom_score_adj_applied = c.oom_score_adj_inherited;
  eo.io_priority_applied = c.in_user_namespace;  // by the helper
  eo.seccomp_program = c.seccomp_program;
  eo.last_cap = c.last_cap;
  // A notify listener goes to the runtime, which knows this process's pid
  // as the agent sees it (runc's procSeccomp). It arrives before EOF: the
  // runtime expects it whenever seccomp::uses_notify says so.
  eo.seccomp_listener = [&c](int listener_fd, SendCall call) {
    c.channel->send_fd(SyncMsg::SeccompListener, listener_fd, call);
  };
  // Set-up is done: from here the process must outlive `hull exec`, which
  // returns at once with --detach (the kernel keeps the parent-death
  // signal across execve for a process whose credentials do not change).
  // Failures after it still go to `hull exec` over the channel.
  eo.wait_for_start = [&c] {
    keep_living_after_the_runtime(process::filter_loaded_before_start(*c.spec));
    return c.channel->fd();
  };
}

[[noreturn]] void exec_child_main(ExecChild& c, ExecSetUp& set_up) noexcept {
  // Non-dumpable from the first instruction, as the init: a container
  // process cannot ptrace us or open /proc/<pid>/fd (short of
  // CAP_SYS_PTRACE in our user namespace, against which we hold nothing of
  // the host's and no capability beyond the container's: the helper set
  // our identity).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  reset_signal_state();
  // Our parent is `hull exec` (CLONE_PARENT), not the helper.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Records of fds the helper closed for us: forgotten, not closed. procfs
  // is the container's /proc from here (or a private instance of its pid
  // namespace): the host's was one of the fds that reach the host.
  procfs::restore_shared_root_record({});
  process::restore_detached_mount_record(-1);
  c.log_relay->use_in_child();
  wipe_startup_environment();
  fault_point("exec-process-started");
  try {
    if (c.wait_for_placement) c.channel->expect(SyncMsg::Continue);
    // A session of its own, as runc's exec makes (nsexec's setsid), not the
    // caller's process group: a terminal's ^C reaches the process once, as
    // `hull exec` forwards it, not a second time from the terminal; a hangup
    // of the caller's terminal does not reach a detached exec; and CRIU,
    // which refuses a session leader outside the container's pid namespace,
    // can checkpoint the container with it.
    if (::setsid() < 0) throw_errno("setsid: a session of the exec process's own");
    process::finish_container_process(*c.spec, set_up.options, set_up.prepared);
  } catch (const Error& e) {
    report_set_up_error(c, e.code(), e.message());
  } catch (const std::exception& e) {
    report_set_up_error(c, 0, e.what());
  }
  ::_exit(127);
}

// In the helper, joined: everything of the process's set-up that needs the
// host's privileges, so that it is born with the container's.
void prepare_exec_process(ExecChild& c, ExecSetUp& set_up) {
  // Joined as root: the keyring is the container root's to grant.
  if (c.new_keyring) process::join_new_session_keyring(*c.spec);
  // Every CPU the container's cpuset allows (a move into it later, where
  // the clone could not place us, narrows a full mask to it), not the
  // mask of `hull exec`'s caller, unless process.execCPUAffinity says
  // otherwise (as crun).
  if (!c.spec->process->execCPUAffinity) process::reset_cpu_affinity();
  process::ExecOptions& eo = set_up.options;
  fill_exec_options(c, eo);
  if (c.spec->process->terminal) {
    // As runc's exec: root of the container's user namespace first, then
    // the pty is the container root's to chown. What needs the host's
    // root is done before: the cgroup files, oom_score_adj (inherited from
    // the runtime).
    if (c.in_user_namespace) ns::become_namespace_root();
    // After setns the root is the container's: the pty comes from its devpts.
    UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the container root");
    set_up.pty = rootfs::open_pty(root.get(), c.spec->process->user.uid);
    eo.pty_master = set_up.pty.master.get();
    eo.pty_slave = set_up.pty.slave.get();
    eo.console_socket_fd = c.console_socket;
    eo.pty_output_as_written = c.proxied_terminal;
  }
  process::prepare_container_process(*c.spec, eo, set_up.prepared);
}

// The helper runs in the runtime's memory where the launcher can
// (LaunchRequest::share_memory_until_exec: until its exit here), so it
// changes nothing of the runtime's but per-task kernel state and what it
// allocates: it closes fds by number (its own table), and the records of
// the runtime's it resets on the way (the detached mount's, procfs's) the
// launcher puts back; it waits for nothing but its placement.
struct ExecHelper {
  ExecChild* child;
  const SiblingReport* report;
  int init_pidfd;
  // Every namespace the container has, its cgroup namespace included: the
  // helper is in the container's cgroup by then (ExecPlan), or, at its
  // pids.max, the process is moved there before it runs anything.
  int setns_flags;
  // The fds the process is given (ExecChild), the report's, the init's
  // pidfd, and until the clone the host's procfs and the --log file: the
  // rest is closed before the joins.
  std::vector<int> keep;
  // v1 hierarchies cannot be entered at clone time: the helper moves itself
  // into them, so the process is born there. Null without v1 hierarchies.
  cgroups::V1SelfPlacement* v1_placement;
  // Set by the launcher where the clone left the helper outside the
  // container's v2 cgroup (LaunchRequest::child_waits_for_placement):
  // Continue comes once the runtime has placed it.
  bool wait_for_placement = false;
  // What fds 0-2 become before the clone: the pipes the runtime copies
  // (attached to a terminal without process.terminal: process::proxy_stdio),
  // /dev/null where the process gets a pty (the caller's may be the host's
  // terminal, to be read or written through /proc/<pid>/fd), or -1: the
  // caller's, which are the process's own.
  int stdio[3] = {-1, -1, -1};
};

[[noreturn]] void exec_helper_main(void* arg) noexcept {
  ExecHelper& h = *static_cast<ExecHelper*>(arg);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  h.report->run_helper([&h]() -> long {
    if (h.wait_for_placement) h.child->channel->expect(SyncMsg::Continue);
    if (h.v1_placement) h.v1_placement->move_self_leaving_files();
    process::close_fds_except(h.keep);
    // Closed just now, or never ours to close: forgotten (the launcher puts
    // our lender's record back).
    process::restore_detached_mount_record(-1);
    for (int i = 0; i < 3; ++i)
      if (h.stdio[i] >= 0 && ::dup2(h.stdio[i], i) < 0) throw_errno("take the stdio pipes");
    // Inherited by the process, set while the host's root still holds the
    // capabilities the kernel asks of them.
    if (h.child->in_user_namespace) process::apply_from_outside_user_namespace(*h.child->spec->process, 0);
    // A container without namespaces of its own is the host's (setns with none is EINVAL).
    if (h.setns_flags && ::setns(h.init_pidfd, h.setns_flags) < 0) throw_errno("join the container's namespaces");
    ::close(h.init_pidfd);
    fault_point("exec-helper-joined");
    ExecSetUp set_up;
    try {
      prepare_exec_process(*h.child, set_up);
      // What reaches the host stays with us: the host's procfs (open for
      // the set-up's reads of its own /proc/self) and the --log file, whose
      // number is the relay's pipe from here, so that the helper's last
      // lines (the capability sets it applies again after loading a
      // filter) reach the file as the process's do.
      procfs::close_shared_root();
      if (log::to_file() && ::dup3(h.child->log_relay->child_fd(), log::fd(), O_CLOEXEC) < 0)
        throw_errno("put the log relay's pipe in place of the --log file");
      process::load_filter_before_clone(*h.child->spec, set_up.options, set_up.prepared);
    } catch (const Error& e) {
      // The filter, loaded here, may refuse the report's write.
      if (h.child->unsent && set_up.prepared.filter_loaded) h.child->unsent->leave(e.code(), e.message());
      throw;
    }
    SiblingReport::Call call;
    const long pid = h.report->clone_sibling(0, call);
    if (pid == 0) exec_child_main(*h.child, set_up);
    if (pid < 0) throw_errno(SiblingReport::clone_error(call, "the exec process in the container's namespaces"));
    fault_point("exec-helper-cloned");
    return pid;
  });
}

// A process of the container may stop ours before its execve (the
// container's root may signal any process of its pid namespace): waiting
// for its EOF, we would hold the container's lock, and with it kill and
// delete --force, for as long as it stays stopped. So the waits watch for
// the stop (SIGCHLD, blocked before the clone so that none is lost) and let
// go of the lock then, as runc's kill works beside an exec its container
// stopped; a kill of the container ends the wait.
class StopWatch {
 public:
  StopWatch() {
    sigset_t chld;
    ::sigemptyset(&chld);
    ::sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &chld, nullptr);
    fd_.reset(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw_errno("signalfd for the exec process's stops");
  }

  // Returns once `fd` is readable or hung up; calls on_stop the first time
  // `pid` (our child) is found stopped on the way.
  template <class F>
  void wait_readable(int fd, pid_t pid, F&& on_stop) {
    for (;;) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {fd_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        throw_errno("poll the exec process's channel");
      }
      if (fds[0].revents) return;
      signalfd_siginfo si;
      while (::read(fd_.get(), &si, sizeof si) > 0) {}
      siginfo_t info{};
      if (!stopped_ && ::waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid) {
        stopped_ = true;
        on_stop();
      }
    }
  }

 private:
  UniqueFd fd_;
  bool stopped_ = false;
};

// Call from a catch block. The channel to the child broke (EPIPE or
// ECONNRESET) while we placed it or before its execve: it was killed with
// the container (a racing delete --force or kill), not a failure of its own.
[[noreturn]] void rethrow_explaining_a_kill(const Error& e) {
  if (e.code() != EPIPE && e.code() != ECONNRESET) throw;
  throw Error(
      "the exec process was killed before it started (the container was stopped or deleted meanwhile): " + e.message(),
      e.code());
}

// What exec reads and opens in the runtime's namespaces before it clones
// anything: the process's spec, where it goes, and what it is handed from
// the host (console, pidfd and agent sockets, the filter from the cache in
// the state root).
struct ExecInputs {
  spec::Spec spec;
  std::optional<PidFile> pid_file;
  std::optional<cgroups::Placement> cgroup;
  ExecPlan plan;
  ConsoleEnds console;
  UniqueFd pidfd_socket;
  UniqueFd seccomp_agent;  // connected only for a profile that hands syscalls to it
  std::optional<seccomp::CachedProgram> filter;

  const spec::Seccomp* profile() const {
    return spec.linux_ && spec.linux_->seccomp ? &*spec.linux_->seccomp : nullptr;
  }
};

ExecInputs open_exec_inputs(const ExecOptions& o, const ContainerDir& dir, const ContainerState& st, Status status,
                            const StateStore& store) {
  ExecInputs in;
  const bool into_paused = is_paused(status);
  spec::Spec container = load_saved_config(dir);
  spec::Process process = o.process_file.empty() ? build_exec_process(*container.process, o)
                                                 : process_from_file(*container.process, o.process_file);
  in.spec = exec_spec(std::move(container), std::move(process));
  const spec::Process& p = *in.spec.process;
  if (p.execCPUAffinity && p.execCPUAffinity->initial)
    process::apply_cpu_affinity(*p.execCPUAffinity->initial, "process.execCPUAffinity.initial");
  if (!o.pid_file.empty()) in.pid_file.emplace(o.pid_file);

  if (!st.cgroupPath.empty()) {
    cgroups::Manager cg = cgroups::Manager::load(st.cgroupPath);
    // The process would be frozen at birth and this exec would wait for it.
    if (!into_paused) refuse_frozen_cgroup(cg, status);
    in.cgroup.emplace(cg.paths(), o.cgroups, st.pid);
    if (!into_paused) in.cgroup->refuse_frozen();
  } else if (!o.cgroups.empty()) {
    throw Error("--cgroup: the container has no cgroups");
  }
  in.plan = plan_exec(in.spec, !o.console_socket.empty(), o.detach, !o.detach && process::a_terminal_among_stdio());
  // Proxied, the pty starts at the caller's window size: set by the child
  // before its execve, not by the proxy's first resize, which comes after
  // the program may have read a 0x0 window. Over a console socket, at the
  // process's consoleSize, as runc's exec starts it.
  if (in.plan.console == ConsoleWiring::Proxy) {
    struct winsize ws {};
    if (::ioctl(process::caller_terminal(), TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
      in.spec.process->consoleSize = spec::ConsoleSize{ws.ws_row, ws.ws_col};
  }
  // As for create: a console socket if given, else (attached) our own
  // socketpair and a terminal proxy.
  in.console = open_console(in.plan.console, o.console_socket);
  if (!o.pidfd_socket.empty()) in.pidfd_socket = connect_unix(o.pidfd_socket, "pidfd socket");
  // A host path: connected before joining the container's mount namespace.
  const spec::Seccomp* profile = in.profile();
  if (profile && profile->listenerPath && seccomp::uses_notify(*profile))
    in.seccomp_agent = connect_unix(*profile->listenerPath, "linux.seccomp.listenerPath");
  if (profile) in.filter = seccomp::compile_cached(*profile, store.seccomp_cache());
  return in;
}

// The notify listener of a profile that hands syscalls to an agent, sent
// with the process's state to listenerPath: one state per connection, then
// closed (config-linux.md); ours is the only copy (the helper closed its
// own before the clone).
void hand_listener_to_agent(ExecInputs& in, UniqueFd listener, const ContainerState& running, pid_t pid) {
  const spec::Seccomp& profile = *in.profile();
  with_context("linux.seccomp.listenerPath " + quote(*profile.listenerPath), [&] {
    seccomp::send_to_listener(in.seccomp_agent.get(), listener.get(),
                              seccomp::process_state_json(to_hook_state_json(running), profile.listenerMetadata, pid));
  });
  in.seccomp_agent.reset();
}

// Attached: the caller's stdio copied to and from the process's pipes or
// pty, signals forwarded, until it exits; its exit code.
int attach_until_exit(std::optional<process::StdioPipes>& pipes, int pty_receiver, SignalForwarder& forwarder, int proc,
                      pid_t pid) {
  const std::string what = "exec process " + std::to_string(pid);
  auto forward_pending = [&] { return forwarder.forward_pending(proc, what); };
  if (pipes) {
    for (UniqueFd& end : pipes->child) end.reset();
    process::proxy_stdio(*pipes, {0, 1, proc, forwarder.fd(), forward_pending});
  }
  if (pty_receiver >= 0) {
    process::ReceivedPty pty = process::receive_pty_master(pty_receiver);
    process::proxy_terminal(pty.master, {0, 1, proc, forwarder.fd(), forward_pending});
  }
  return forwarder.forward_until_exit(proc, what);
}

}  // namespace

int exec_container(const GlobalOptions& g, const ExecOptions& o) {
  validate_container_id(o.id);
  StateStore store(g.root);
  std::optional<ContainerDir> dir(store.open(o.id));
  ContainerState st = dir->read_state();
  const Status status = observed_status(st, dir->fd());
  require_transition(o.id, status, o.ignore_paused ? Operation::ExecPaused : Operation::Exec);
  const bool into_paused = is_paused(status);

  return with_context("exec in container " + quote(o.id), [&]() -> int {
    // Before setns: the exec process (and we, seen from a container sharing
    // our pid namespace) never run from the writable binary.
    process::run_from_sealed_binary();
    ExecInputs in = open_exec_inputs(o, *dir, st, status, store);
    UniqueFd init = open_init_pidfd(st);
    if (!init) throw Error("the container's init has exited");
    // A `run` killed between releasing its init and the init's execve let go
    // of the lock early (InitPlan::init_unsealed_until_exec): an init that
    // still runs the runtime's binary, unsealed, must not be joined.
    if (auto unsealed = st.extra.find(kUnsealedInitKey);
        unsealed != st.extra.end() && process::runs_binary(st.pid, unsealed->second))
      throw Error(
          "the container's init has not started its process yet (the `hull run` that made it stopped before it "
          "did): try again, or delete the container");
    fault_point("exec-after-open");
    if (into_paused) dir.reset();

    std::optional<SignalForwarder> forwarder;
    // Detached, the ending signals are held until the process is released:
    // hull ended by one once the process's set-up was done would leave it
    // running, with no pid file and a failed status. One before the
    // release kills it and fails the exec; one after is dropped, and the
    // exec succeeds, as runc's does.
    std::optional<SignalsHeldBack> held;
    if (!o.detach)
      forwarder.emplace();
    else
      held.emplace(kEndingSignals);
    // As for create (rootless, or a user namespace): the value ours for the
    // clone, inherited by the child.
    const bool oom_inherited =
        (g.unprivileged || (in.plan.setns_flags & CLONE_NEWUSER)) && in.spec.process->oomScoreAdj;
    std::optional<process::LentOomScoreAdj> oom_lent;
    if (oom_inherited) oom_lent.emplace(*in.spec.process->oomScoreAdj);
    // Opened here: the resctrl mount is the host's.
    std::optional<resctrl::TaskFiles> rdt_tasks;
    if (resctrl::Groups rdt = resctrl::Groups::recorded(st.extra, st.id); !rdt.empty())
      with_context("linux.intelRdt", [&] { rdt_tasks.emplace(rdt); });
    log::Relay log_relay;
    StopWatch stops;
    // RLIMIT_NPROC is set from here, as runc sets exec's limits, before the
    // process leaves root's uid: set in the helper it would count against
    // the clone, and the process may be under its filter (prlimit64
    // refused) once born.
    const bool nproc_from_outside = process::sets_nproc(in.spec.process->rlimits);

    ExecChild child{&in.spec, o.preserve_fds, in.console.child.get(),
                    nullptr,  &log_relay,     in.filter ? &in.filter->program : nullptr};
    std::optional<UnsentReport> unsent;
    if (in.filter) child.unsent = &unsent.emplace();
    child.stdio_to_user = in.plan.stdio.to_user;
    child.oom_score_adj_inherited = oom_inherited;
    child.in_user_namespace = (in.plan.setns_flags & CLONE_NEWUSER) != 0;
    child.proxied_terminal = in.plan.console == ConsoleWiring::Proxy;
    child.new_keyring = !st.extra.contains(kNoNewKeyringKey);
    child.last_cap = process::kernel_last_cap();
    std::optional<process::StdioPipes> pipes;
    if (in.plan.stdio.pipes) pipes.emplace(process::make_stdio_pipes());
    UniqueFd null;
    if (in.spec.process->terminal) {
      null.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!null) throw_errno("open /dev/null for the exec process's stdio until it has its pty");
    }
    // One try at the process, over a channel of its own (a try that failed
    // may have closed our copy of the child's end): the process and our end.
    // With `runtime_places`, the helper stays in our cgroups and we move the
    // process into the container's once it exists.
    // The helper's set-up reads its own /proc/self through it.
    procfs::open_shared_root();
    auto clone_process = [&](bool runtime_places) {
      auto [runtime_end, child_end] = SyncChannel::make_pair();
      SiblingReport report;
      child.channel = &child_end;
      child.wait_for_placement = runtime_places || rdt_tasks.has_value() || nproc_from_outside;
      ExecHelper helper{
          &child,
          &report,
          init.get(),
          in.plan.setns_flags,
          {child_end.fd(), in.console.child.get(), log_relay.child_fd(), report.write_fd(), init.get(),
           phase_trace_fd(), fault_list_fd(), procfs::shared_root_record().fd, log::to_file() ? log::fd() : -1},
          in.cgroup && !runtime_places && !in.cgroup->v1().empty() ? &in.cgroup->v1() : nullptr};
      for (int i = 0; i < o.preserve_fds; ++i) helper.keep.push_back(3 + i);
      for (int i = 0; i < 3; ++i) {
        helper.stdio[i] = pipes ? pipes->child[i].get() : null.get();
        helper.keep.push_back(helper.stdio[i]);
      }
      LaunchRequest req;
      req.what = "the exec process";
      req.cgroup_fd = in.cgroup && !runtime_places ? in.cgroup->clone_into_fd() : -1;
      req.entry = exec_helper_main;
      req.arg = &helper;
      req.child_end = &child_end;
      // Placement::add writes the v2 cgroup only, and only where the clone
      // could not put the helper there.
      if (req.cgroup_fd >= 0) {
        req.place = [&cgroup = in.cgroup](pid_t pid, bool in_cgroup) { cgroup->add(pid, in_cgroup); };
        req.child_waits_for_placement = &helper.wait_for_placement;
      }
      // The helper, in our memory, waits for nothing once placed; the process
      // it clones has a copy of it. Not where it joins a time namespace: the
      // kernel lets only a process whose memory is its own do that (EUSERS).
      req.share_memory_until_exec = !(in.plan.setns_flags & CLONE_NEWTIME);
      LaunchedChild cloned_helper = launch(req, runtime_end);
      const pid_t helper_pid = cloned_helper.pid();
      // Reaped by receive(), which kills the process too if the helper died
      // before it reported it.
      (void)cloned_helper.release();
      LaunchedChild process = report.receive(helper_pid, req.what, in.filter.has_value());
      return std::pair<LaunchedChild, SyncChannel>(std::move(process), std::move(runtime_end));
    };
    fault_point("exec-before-clone");
    std::optional<std::pair<LaunchedChild, SyncChannel>> launched;
    bool runtime_places = false;
    try {
      try {
        launched.emplace(clone_process(false));
      } catch (const Error& e) {
        // The container's pids.max is reached: neither the helper nor the
        // process could be cloned into its cgroups (EAGAIN). A move may go
        // past the limit (runc's exec moves its process in too): the
        // process is cloned in ours, then moved. So an admin can look into a container whose
        // pids a fork bomb or a leak used up; what it forks is still held.
        if (e.code() != EAGAIN || !in.cgroup) throw;
        runtime_places = true;
        launched.emplace(clone_process(true));
      }
    } catch (const Error& e) {
      // The helper loaded the filter (runc's order without
      // noNewPrivileges): it may have been killed at its report.
      if (unsent) unsent->throw_if_left();
      rethrow_explaining_a_kill(e);
    }
    oom_lent.reset();
    fault_point("exec-after-clone");
    SyncChannel& runtime_end = launched->second;
    const pid_t pid = launched->first.pid();
    if (runtime_places) {
      with_context("move the exec process into the container's cgroups (its pids.max is reached)", [&] {
        in.cgroup->v1().move(pid);
        in.cgroup->add(pid, false);
      });
    }
    if (rdt_tasks) with_context("linux.intelRdt", [&] { rdt_tasks->add(pid); });
    if (nproc_from_outside) process::apply_rlimits(in.spec.process->rlimits, process::RlimitsPart::NprocOnly, pid);
    if (child.wait_for_placement) {
      try {
        runtime_end.send_to_waiting_peer(SyncMsg::Continue);
      } catch (const Error& e) {
        rethrow_explaining_a_kill(e);
      }
    }
    auto let_go_of_the_lock = [&dir] { dir.reset(); };
    if (in.seccomp_agent) {
      stops.wait_readable(runtime_end.fd(), pid, let_go_of_the_lock);
      ContainerState running = st;
      running.status = status;
      hand_listener_to_agent(in, runtime_end.expect_fd(SyncMsg::SeccompListener), running, pid);
    }
    // EOF: the process reached execve (the channel is CLOEXEC).
    try {
      stops.wait_readable(runtime_end.fd(), pid, let_go_of_the_lock);
      runtime_end.expect_eof();
    } catch (const Error& e) {
      rethrow_explaining_a_kill(e);
    }
    if (unsent) unsent->throw_if_left();
    log_relay.copy_out();
    // The master went before execve: a --console-socket peer sees the
    // connection end now, not when the process exits.
    in.console.child.reset();
    // The process may run for long; other commands must not wait for it.
    dir.reset();
    // It runs now: the detached mounts' RCU wait overlaps with it.
    process::release_detached_mounts();
    // Before the release: a pidfd that cannot be sent or a pid file that
    // cannot be written fails the exec and kills its process, which the
    // caller could not otherwise find; the pidfd first, so that no pid file
    // names a killed process.
    if (held)
      if (const int sig = held->take_heeded())
        throw Error("the exec process was killed: " + signal_name(sig) + " ended `hull exec --detach` before it was " +
                    "released");
    if (in.pidfd_socket) send_pidfd(in.pidfd_socket.get(), launched->first.pidfd(), "setns", o.pidfd_socket);
    if (in.pid_file) in.pid_file->write(pid);
    UniqueFd proc = launched->first.release();
    fault_point("exec-after-started");
    if (o.detach) {
      while (held && held->take_heeded() != 0) {}
      return 0;
    }
    return attach_until_exit(pipes, in.console.receiver.get(), *forwarder, proc.get(), pid);
  });
}

}  // namespace hull
