#pragma once
// The last stage of the container init: everything the spec says about the
// process (identity, env, cwd, rlimits, capabilities, no_new_privs, seccomp, ...),
// applied in the order that works, ending in execve.
#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "process/capabilities.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/spec.hpp"

namespace hull::process {

struct ExecOptions {
  // Blocks until `hull start` releases the container. Every setup step whose
  // failure should fail `create` must happen before it is called; execve (and
  // whatever must come last, like the seccomp filter) after it. Returns the
  // fd on which a failure after the barrier is reported, or -1: it is the
  // one runtime fd left open (CLOEXEC) until execve.
  std::function<int()> wait_for_start;
  // Fds the init must keep open across execve (stdio 0-2 are always kept;
  // --preserve-fds adds 3..3+N-1). Every other fd is closed before execve,
  // whoever opened it (hull, or the client that started hull).
  int preserve_fds = 0;
  // process.terminal: the pty from setup_rootfs (master goes to console_socket_fd
  // over SCM_RIGHTS, slave becomes the controlling terminal and stdio).
  int pty_master = -1, pty_slave = -1;
  int console_socket_fd = -1;  // connected AF_UNIX socket (--console-socket), or -1
  // The runtime proxies the pty to the caller's terminal (setup_terminal).
  bool pty_output_as_written = false;
  // true for `hull exec` (a process joining a running container): then
  // process.execCPUAffinity.final applies (the spec says it does not for the
  // init). The caller applies .initial itself, before joining the cgroup, with
  // process::apply_cpu_affinity (process/scheduling.hpp).
  bool is_exec = false;
  // Exec's process: prepare_container_process runs in the helper that
  // clones it (runtime/exec.cpp), where no container process can reach it,
  // so the process is born as the container's user with the container's
  // capabilities: in the container's pid namespace a process of it with
  // CAP_SYS_PTRACE in our user namespace may drive it before its execve
  // (found by review, 2026-12-07: it read a host file with the runtime's
  // CAP_DAC_READ_SEARCH). The steps only the process can take for itself
  // (its terminal as its session's, its LSM exec label, its scheduler)
  // wait for finish_container_process.
  bool cloned_after_identity = false;
  // fds 0-2 are an engine's (a detached create or exec): make them the
  // container user's (give_stdio_to), as runc does.
  bool stdio_to_user = false;
  // process.oomScoreAdj was written already: the init writes it before it
  // becomes a user namespace's root (runtime/container_init.cpp says why).
  bool oom_score_adj_applied = false;
  // process.ioPriority was set already, from outside the user namespace
  // (apply_from_outside_user_namespace).
  bool io_priority_applied = false;
  // linux.seccomp with SCMP_ACT_NOTIFY: an AF_UNIX stream socket already
  // connected to listenerPath (a host path: the runtime connects it). After
  // loading the filter the init sends the listener fd and the container
  // process state (built from container_state_json) over it, then shuts it
  // down, as config-linux.md requires. Kept open (CLOEXEC) until execve, also
  // when seccomp_listener delivers the fd over it: set it then too.
  int seccomp_listener_fd = -1;
  // linux.seccomp compiled by the runtime before the clone (from its cache:
  // seccomp/program_cache.hpp), in memory the clone copied or shares. Null:
  // compiled here.
  const seccomp::Program* seccomp_program = nullptr;
  // The kernel's last capability, learned by the runtime before the clone
  // (process::kernel_last_cap): where a caller's filter refuses
  // PR_CAPBSET_READ, only /proc/sys answers, and the container may have no
  // /proc. -1: learned here.
  int last_cap = -1;
  // Or, instead of seccomp_listener_fd: called with the listener fd (CLOEXEC,
  // gone at execve) right after loading, to deliver it some other way. Runs
  // under the filter, so the fd must go with `call` (the syscall the filter
  // leaves to the kernel: seccomp::Program::fd_send_call).
  std::function<void(int listener_fd, SendCall call)> seccomp_listener;
  // The container state as `hull state` prints it (pid as the runtime sees
  // it), for the seccomp agent and the startContainer hooks (for which the
  // init sets "pid" to the pid as the container sees it). Asked for only
  // when one of them needs it.
  std::function<std::string()> container_state_json;
};

// What a process of a user namespace cannot set for itself from inside
// it, set on `pid` (0: this process, before it joins one, for the clone it
// makes there) by a holder of the host's capabilities: its hard limits
// raised (CAP_SYS_RESOURCE) and its I/O priority (the realtime class needs
// CAP_SYS_ADMIN), as runc sets the limits from outside. The process's own
// steps then set its limits again, lowering what is lowered, and skip the
// I/O priority (ExecOptions::io_priority_applied).
void apply_from_outside_user_namespace(const spec::Process& process, pid_t pid);

// Runs in the init after setup_rootfs. Never returns: execs the process or
// throws hull::Error (the caller reports it to the parent and _exits).
// prepare_container_process, then finish_container_process.
[[noreturn]] void exec_container_process(const spec::Spec& spec, const ExecOptions& opts);

// What the steps up to the process's identity hand to those after it.
// Not copied: `filter` may point into `compiled_here`.
struct PreparedProcess {
  PreparedProcess() = default;
  PreparedProcess(const PreparedProcess&) = delete;
  PreparedProcess& operator=(const PreparedProcess&) = delete;

  CapabilitySets caps;
  // Held beyond `caps` until the step that needs them is done:
  // CAP_SYS_ADMIN to load the filter without noNewPrivileges, CAP_SYS_NICE
  // for the scheduler of a process cloned after its identity.
  uint64_t kept = 0;
  std::optional<seccomp::Program> compiled_here;
  const seccomp::Program* filter = nullptr;  // linux.seccomp, or null
  bool filter_loaded = false;
  std::vector<std::string> env;
  std::string binary;
  std::vector<int> keep;  // the preserved fds
  // Read where /proc/self/exe is in reach, for a program looked up later
  // (under a filter that may refuse openat2).
  std::optional<struct stat> runtime_binary;
};

// Every step up to the identity, the capabilities and no_new_privs (and,
// for the init, the filter loaded before the start): what needs the
// host's privileges.
void prepare_container_process(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& out);
// Exec's helper, once it holds nothing of the host's but what it reports
// with: the filter loaded where CAP_SYS_ADMIN was kept for it (without
// noNewPrivileges, as runc loads it), and that capability dropped.
void load_filter_before_clone(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& p);
// The rest, ending in execve; throws hull::Error.
[[noreturn]] void finish_container_process(const spec::Spec& spec, const ExecOptions& opts, PreparedProcess& p);

// A startContainer hook failed: the runtime destroys the container
// (runtime.md lifecycle step 7: "continue the lifecycle at step 12").
class StartContainerHookFailed : public Error {
 public:
  using Error::Error;
};

// Whether the process waits for start (ExecOptions::wait_for_start) under
// linux.seccomp: without process.noNewPrivileges the filter is loaded
// before the barrier, as runc loads it; with it, last.
inline bool filter_loaded_before_start(const spec::Spec& spec) {
  return spec.linux_ && spec.linux_->seccomp && spec.process && !spec.process->noNewPrivileges;
}

}  // namespace hull::process
