#include "process/exec_process.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <vector>

#include "base/error.hpp"
#include "base/log.hpp"
#include "base/phase_trace.hpp"
#include "process/capabilities.hpp"
#include "process/cwd.hpp"
#include "process/environment.hpp"
#include "process/exec.hpp"
#include "process/fds.hpp"
#include "process/home_env.hpp"
#include "process/hooks.hpp"
#include "process/identity.hpp"
#include "process/lsm.hpp"
#include "process/rlimits.hpp"
#include "process/scheduling.hpp"
#include "process/sealed_binary.hpp"
#include "process/self_protection.hpp"
#include "process/sysctl.hpp"
#include "process/terminal.hpp"
#include "seccomp/seccomp.hpp"

namespace hull::process {
namespace {

// CVE-2016-9962: while the init runs as root with the runtime's fds open, a
// process of the container (hull exec, or anything that can see the pid) must
// not ptrace it or open /proc/<pid>/fd. Non-dumpable does both. Changing the
// uid or shrinking capabilities resets dumpable to fs.suid_dumpable, which may
// be 2, so it is set again after each of those. execve resets it for the
// (non-setuid, readable) container binary.
void set_non_dumpable() {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) throw_errno("prctl(PR_SET_DUMPABLE, 0)");
}

std::vector<int> fds_to_keep(const ExecOptions& opts) {
  std::vector<int> keep;
  for (int i = 0; i < opts.preserve_fds; ++i) keep.push_back(3 + i);
  return keep;
}

// Everything that needs root and the full capability set, before the uid
// change: writes to /proc/sys and /proc/self, raising limits. Each one
// fails `create` with the field's name. A clone inherits each of them.
void apply_privileged_attributes(const spec::Spec& spec, const ExecOptions& opts) {
  const spec::Process& proc = *spec.process;
  // sysctls belong to the container's namespaces, set once by its init.
  if (spec.linux_ && !opts.is_exec) apply_sysctls(spec.linux_->sysctl);
  if (proc.oomScoreAdj && !opts.oom_score_adj_applied) apply_oom_score_adj(*proc.oomScoreAdj);
  // Exec's RLIMIT_NPROC would count against the helper's clone, and the
  // process may be under its filter by then: the runtime sets it.
  apply_rlimits(proc.rlimits, opts.cloned_after_identity ? RlimitsPart::AllButNproc : RlimitsPart::All);
  if (spec.linux_ && spec.linux_->personality) apply_personality(*spec.linux_->personality);
  if (spec.linux_ && spec.linux_->memoryPolicy) apply_memory_policy(*spec.linux_->memoryPolicy);
  if (proc.ioPriority && !opts.io_priority_applied) apply_io_priority(*proc.ioPriority);
}

// What the process sets on itself, not inherited through a clone the way
// the steps above are: its terminal (as its session's), its LSM exec label
// (written to its own /proc/self), its scheduler (a deadline task cannot
// clone; reset-on-fork would be lost) and its final CPU affinity. The
// init takes them as root; exec's process once cloned, as the user.
void apply_own_attributes(const spec::Spec& spec, const ExecOptions& opts) {
  const spec::Process& proc = *spec.process;
  if (proc.terminal)
    with_context("process.terminal", [&] {
      setup_terminal(opts.pty_master, opts.pty_slave, opts.console_socket_fd, proc.consoleSize,
                     opts.pty_output_as_written);
    });
  apply_lsm_labels(spec);
  if (proc.scheduler) apply_scheduler(*proc.scheduler);
  if (opts.is_exec && proc.execCPUAffinity && proc.execCPUAffinity->final)
    apply_cpu_affinity(*proc.execCPUAffinity->final, "process.execCPUAffinity.final");
}

}  // namespace

void apply_from_outside_user_namespace(const spec::Process& process, pid_t pid) {
  raise_rlimits_of(pid, process.rlimits);
  if (process.ioPriority) apply_io_priority(*process.ioPriority, pid);
}

namespace {

// The last step before execve: the filter sees as few of our syscalls as
// possible. Then the agent at listenerPath gets the notify fd.
void load_seccomp(const seccomp::Program& filter, const spec::Seccomp& config, const ExecOptions& opts) {
  UniqueFd listener = seccomp::load(filter);
  if (!filter.notify) return;
  with_context("linux.seccomp.listenerPath " + quote(config.listenerPath.value_or("")), [&] {
    if (opts.seccomp_listener) {
      opts.seccomp_listener(listener.get(), filter.fd_send_call);
      return;
    }
    std::string state = seccomp::process_state_json(opts.container_state_json(), config.listenerMetadata);
    seccomp::send_to_listener(opts.seccomp_listener_fd, listener.get(), state, filter.fd_send_call);
    // One state per connection, then closed (the spec). shutdown rather than
    // close: the caller owns the fd; execve closes it (it is CLOEXEC).
    ::shutdown(opts.seccomp_listener_fd, SHUT_RDWR);
  });
}

// Looked up as the container user with its capabilities (a user given
// CAP_DAC_OVERRIDE runs a file only root may execute, as execve lets it),
// in the container's PATH, before the barrier: a missing binary or
// interpreter fails `create`, not `start`. By the process itself: its
// /proc/self (/proc/self/exe, a preserved fd's /proc/self/fd/N) is what the
// path names.
void find_program(const spec::Spec& spec, PreparedProcess& p) {
  p.binary = find_executable(spec.process->args[0], p.env);
  check_executable(p.binary, p.keep, p.runtime_binary ? &*p.runtime_binary : nullptr);
}

constexpr uint64_t kSysAdmin = uint64_t{1} << CAP_SYS_ADMIN;
constexpr uint64_t kSysNice = uint64_t{1} << CAP_SYS_NICE;

// The filter loaded before the start, then the capability sets applied
// without the CAP_SYS_ADMIN kept to load it, where it was kept.
void load_seccomp_before_start(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& p) {
  load_seccomp(*p.filter, *spec.linux_->seccomp, opts);
  p.filter_loaded = true;
  if (!(p.kept & kSysAdmin)) return;
  p.kept &= ~kSysAdmin;
  with_context("drop CAP_SYS_ADMIN after loading the seccomp filter (does the profile allow capset and prctl?)",
               [&] { apply_capability_sets(p.caps, p.kept); });
}

// startContainer hooks run here, in the container, after `start` and before
// the user's program (runtime.md step 7), with the container's identity and
// capabilities already in place and under the seccomp filter, as runc does.
// Those without `env` get the program's environment.
void run_start_container_hooks(const spec::Spec& spec, const ExecOptions& opts, const std::vector<std::string>& env) {
  if (spec.hooks.startContainer.empty()) return;
  if (!opts.container_state_json) throw Error("startContainer hooks: the runtime gave the init no container state");
  // The state the runtime sent for createContainer says "creating"; these
  // run as part of start, of a created container (as runc reports it).
  std::string state = with_context("startContainer hooks",
                                   [&] { return state_seen_from_container(opts.container_state_json(), "created"); });
  try {
    run_hooks(spec.hooks.startContainer, "startContainer", state, HookFailure::Fail, {}, &env);
  } catch (const Error& e) {
    throw StartContainerHookFailed(e.message(), e.code());
  }
}

}  // namespace

void exec_container_process(const spec::Spec& spec, const ExecOptions& opts) {
  PreparedProcess p;
  prepare_container_process(spec, opts, p);
  finish_container_process(spec, opts, p);
}

void prepare_container_process(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& p) {
  if (!spec.process) throw Error("config.json has no process to run");
  const spec::Process& proc = *spec.process;
  if (proc.args.empty()) throw Error("process.args is empty: nothing to run");

  set_non_dumpable();
  log::debug([] {
    return std::string(
        runtime_binary_on_readonly_mount()
            ? "runtime binary is on a read-only mount: it cannot be reopened for writing (CVE-2019-5736)"
            : "runtime binary is on a writable mount: put it on a read-only one to close CVE-2019-5736 for good");
  });
  // Validation that needs no side effect first, so a bad config changes nothing.
  if (!opts.is_exec) check_sysctls(spec);
  check_lsm_labels(spec);
  const int last_cap = opts.last_cap >= 0 ? opts.last_cap : kernel_last_cap();
  p.caps = capability_sets(proc.capabilities, last_cap);
  leave_out_ungrantable(p.caps, held_capabilities().permitted);
  // Compiled before the barrier (by the runtime, before the clone, where it
  // passed it): a bad profile fails `create`.
  if (spec.linux_ && spec.linux_->seccomp) {
    p.filter = opts.seccomp_program;
    if (!p.filter) p.filter = &p.compiled_here.emplace(seccomp::compile(*spec.linux_->seccomp));
    if (p.filter->notify && !opts.seccomp_listener && (opts.seccomp_listener_fd < 0 || !opts.container_state_json))
      throw Error("linux.seccomp uses SCMP_ACT_NOTIFY but the runtime has no connection to listenerPath");
  }

  if (!opts.cloned_after_identity) apply_own_attributes(spec, opts);
  apply_privileged_attributes(spec, opts);

  // As root first: the cwd may be a directory only root can enter (then the
  // container user starts there without being able to list it, as with runc).
  bool in_cwd = try_chdir(proc.cwd);

  // Bounding set before the uid change (dropping needs CAP_SETPCAP), and
  // KEEPCAPS so the permitted set survives setresuid away from 0.
  drop_bounding_set(p.caps, last_cap);
  keep_caps_across_setuid();
  // Read as root, as runc does: the user may not be able to read passwd.
  p.env = env_with_home(unique_names(proc.env), proc.user.uid);
  if (opts.stdio_to_user) give_stdio_to(proc.user.uid);
  with_context("process.user", [&] { set_identity(proc.user, opts.cloned_after_identity); });
  set_non_dumpable();
  set_umask(proc.user);

  if (!in_cwd) chdir_or_throw(proc.cwd);
  verify_cwd_inside_root(proc.cwd);

  // Loading a filter needs no_new_privs or CAP_SYS_ADMIN. Without
  // noNewPrivileges, runc loads the filter before dropping capabilities, so
  // the profile also filters the uid change and capset (and breaks the
  // runtime when it denies one of them). We keep CAP_SYS_ADMIN in effective
  // and permitted until the filter is loaded instead, and drop it right
  // after: of the init's set-up, only capset and prctl run under the
  // filter (exec's process: see load_filter_before_clone). The
  // bounding set is already final, so the extra capability cannot reach the
  // container: execve recomputes every set from the ones set below.
  const uint64_t granted = p.caps.effective & p.caps.permitted;
  if (p.filter && !proc.noNewPrivileges && !(granted & kSysAdmin)) p.kept |= kSysAdmin;
  if (opts.cloned_after_identity && proc.scheduler && !(granted & kSysNice)) p.kept |= kSysNice;
  apply_capability_sets(p.caps, p.kept);
  p.keep = fds_to_keep(opts);
  if (!opts.cloned_after_identity)
    find_program(spec, p);
  else
    p.runtime_binary = runtime_binary_stat();
  if (proc.noNewPrivileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    throw_errno("prctl(PR_SET_NO_NEW_PRIVS) for process.noNewPrivileges");
  set_non_dumpable();

  // The last procfs access was above: the init waits holding no procfs fd,
  // nor the sealed view's mount fd (the runtime holds the last copies).
  release_detached_mounts();
  // Without noNewPrivileges, before the barrier, as runc loads it: the init
  // of a created container may wait there long, and a container process
  // with CAP_SYS_PTRACE (an `exec`, a sibling in a shared pid namespace)
  // could drive it there: with CAP_SYS_ADMIN beyond the config's, unfiltered,
  // it made mounts (a host cgroup hierarchy) and changed the hostname. So
  // the barrier and what follows run under the filter. With
  // noNewPrivileges, as late as possible, as runc: only the last steps run
  // under it (the init holds no capability beyond the config's meanwhile).
  if (filter_loaded_before_start(spec) && !opts.cloned_after_identity) load_seccomp_before_start(spec, opts, p);
}

void load_filter_before_clone(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& p) {
  // Where CAP_SYS_ADMIN was kept for it, so the process is never born
  // holding it; not a notify profile's: its agent gets the listener only
  // once the process exists, and the helper's last calls (capset, the
  // clone, its report) would wait for that agent.
  if (filter_loaded_before_start(spec) && (p.kept & kSysAdmin) && !p.filter->notify)
    load_seccomp_before_start(spec, opts, p);
}

void finish_container_process(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& p) {
  if (opts.cloned_after_identity) {
    // The uid the helper took as its effective one only, made whole: the
    // capabilities survive it (KEEPCAPS), the ambient ones are raised again.
    // Under the filter where the helper loaded it, as runc changes the uid:
    // only where there is a change left (not for root).
    if (!uid_complete(spec.process->user)) {
      keep_caps_across_setuid();
      with_context("process.user", [&] { complete_uid(spec.process->user); });
      apply_capability_sets(p.caps, p.kept);
      set_non_dumpable();
    }
    find_program(spec, p);
    apply_own_attributes(spec, opts);
    if (p.kept & kSysNice) {
      p.kept &= ~kSysNice;
      with_context("drop CAP_SYS_NICE after applying process.scheduler",
                   [&] { apply_capability_sets(p.caps, p.kept); });
    }
    if (filter_loaded_before_start(spec) && !p.filter_loaded) load_seccomp_before_start(spec, opts, p);
  }
  phase_mark("process_setup");
  int report_fd = opts.wait_for_start ? opts.wait_for_start() : -1;

  phase_mark("exec");  // the last mark: close_all_fds_except closes the trace fd
  // After the barrier, so nothing it opened can leak either.
  std::vector<int> until_exec{report_fd, opts.seccomp_listener_fd};
  close_all_fds_except(p.keep, until_exec);
  if (p.filter && !p.filter_loaded) load_seccomp(*p.filter, *spec.linux_->seccomp, opts);
  // Under the filter, as runc runs them: the hooks are held to the profile.
  if (!opts.is_exec) run_start_container_hooks(spec, opts, p.env);

  exec_program(p.binary, spec.process->args, p.env);
}

}  // namespace hull::process
