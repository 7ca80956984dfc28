#include "process/exec_process.hpp"

#include <sys/prctl.h>

#include <vector>

#include "base/error.hpp"
#include "process/cwd.hpp"
#include "process/exec.hpp"
#include "process/fds.hpp"
#include "process/identity.hpp"
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

}  // namespace

void exec_container_process(const spec::Spec& spec, const ExecOptions& opts) {
  if (!spec.process) throw Error("config.json has no process to run");
  const spec::Process& proc = *spec.process;
  if (proc.args.empty()) throw Error("process.args is empty: nothing to run");

  set_non_dumpable();
  if (proc.terminal)
    with_context("process.terminal", [&] {
      setup_terminal(opts.pty_master, opts.pty_slave, opts.console_socket_fd, proc.consoleSize);
    });

  // As root first: the cwd may be a directory only root can enter (then the
  // container user starts there without being able to list it, as with runc).
  bool in_cwd = try_chdir(proc.cwd);

  with_context("process.user", [&] { set_identity(proc.user); });
  set_non_dumpable();
  set_umask(proc.user);

  if (!in_cwd) chdir_or_throw(proc.cwd);
  verify_cwd_inside_root(proc.cwd);

  // Looked up as the container user, in the container's PATH, before the
  // barrier: a missing binary or interpreter fails `create`, not `start`.
  std::string binary = find_executable(proc.args[0], proc.env);
  check_executable(binary);

  if (opts.wait_for_start) opts.wait_for_start();

  // After the barrier, so nothing it opened can leak either.
  std::vector<int> keep = fds_to_keep(opts);
  cloexec_all_fds_except(keep);

  exec_program(binary, proc.args, proc.env);
}

}  // namespace hull::process
