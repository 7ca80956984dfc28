#include "process/exec_process.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>

#include <vector>

#include "base/error.hpp"
#include "process/capabilities.hpp"
#include "process/cwd.hpp"
#include "process/exec.hpp"
#include "process/fds.hpp"
#include "process/identity.hpp"
#include "process/lsm.hpp"
#include "process/rlimits.hpp"
#include "process/scheduling.hpp"
#include "process/sysctl.hpp"
#include "process/terminal.hpp"

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
// change: writes to /proc/sys and /proc/self, raising limits, realtime
// scheduling. Each one fails `create` with the field's name.
void apply_privileged_attributes(const spec::Spec& spec, const ExecOptions& opts) {
  const spec::Process& proc = *spec.process;
  if (spec.linux_) apply_sysctls(spec.linux_->sysctl);
  apply_lsm_labels(spec);
  if (proc.oomScoreAdj) apply_oom_score_adj(*proc.oomScoreAdj);
  apply_rlimits(proc.rlimits);
  if (spec.linux_ && spec.linux_->personality) apply_personality(*spec.linux_->personality);
  if (spec.linux_ && spec.linux_->memoryPolicy) apply_memory_policy(*spec.linux_->memoryPolicy);
  if (proc.ioPriority) apply_io_priority(*proc.ioPriority);
  if (proc.scheduler) apply_scheduler(*proc.scheduler);
  if (opts.is_exec && proc.execCPUAffinity && proc.execCPUAffinity->final)
    apply_cpu_affinity(*proc.execCPUAffinity->final, "process.execCPUAffinity.final");
}

}  // namespace

void exec_container_process(const spec::Spec& spec, const ExecOptions& opts) {
  if (!spec.process) throw Error("config.json has no process to run");
  const spec::Process& proc = *spec.process;
  if (proc.args.empty()) throw Error("process.args is empty: nothing to run");

  set_non_dumpable();
  // Validation that needs no side effect first, so a bad config changes nothing.
  check_sysctls(spec);
  check_lsm_labels(spec);
  int last_cap = kernel_last_cap();
  CapabilitySets caps = capability_sets(proc.capabilities, last_cap);

  if (proc.terminal)
    with_context("process.terminal", [&] {
      setup_terminal(opts.pty_master, opts.pty_slave, opts.console_socket_fd, proc.consoleSize);
    });

  apply_privileged_attributes(spec, opts);

  // As root first: the cwd may be a directory only root can enter (then the
  // container user starts there without being able to list it, as with runc).
  bool in_cwd = try_chdir(proc.cwd);

  // Bounding set before the uid change (dropping needs CAP_SETPCAP), and
  // KEEPCAPS so the permitted set survives setresuid away from 0.
  drop_bounding_set(caps, last_cap);
  keep_caps_across_setuid();
  with_context("process.user", [&] { set_identity(proc.user); });
  set_non_dumpable();
  set_umask(proc.user);

  if (!in_cwd) chdir_or_throw(proc.cwd);
  verify_cwd_inside_root(proc.cwd);

  // Looked up as the container user, in the container's PATH, before the
  // barrier: a missing binary or interpreter fails `create`, not `start`.
  std::string binary = find_executable(proc.args[0], proc.env);
  check_executable(binary);

  apply_capability_sets(caps);
  if (proc.noNewPrivileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    throw_errno("prctl(PR_SET_NO_NEW_PRIVS) for process.noNewPrivileges");
  set_non_dumpable();

  if (opts.wait_for_start) opts.wait_for_start();

  // After the barrier, so nothing it opened can leak either.
  std::vector<int> keep = fds_to_keep(opts);
  cloexec_all_fds_except(keep);

  exec_program(binary, proc.args, proc.env);
}

}  // namespace hull::process
