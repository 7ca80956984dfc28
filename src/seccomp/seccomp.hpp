#pragma once
// linux.seccomp: translation to libseccomp, compilation to a BPF program
// before the start barrier, and loading it as the last step before execve.
#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd_passing.hpp"
#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::seccomp {

// Name tables. Every function returns nullopt for a name it does not know.
// action_from_name: errno_ret applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE
// (EPERM when absent); any other action with an errno_ret is an error.
std::optional<uint32_t> action_from_name(std::string_view name, std::optional<uint32_t> errno_ret);
std::optional<int> operator_from_name(std::string_view name);   // enum scmp_compare
std::optional<uint32_t> arch_from_name(std::string_view name);  // SCMP_ARCH_* (0 = not in this libseccomp)
std::optional<unsigned> flag_from_name(std::string_view name);  // SECCOMP_FILTER_FLAG_*

// For `hull features`.
std::vector<std::string> known_actions();
std::vector<std::string> known_operators();
std::vector<std::string> known_archs();  // only those this libseccomp supports
std::vector<std::string> known_flags();
// Those of known_flags() the running kernel accepts (probed, nothing loaded).
std::vector<std::string> supported_flags();

// A compiled filter, ready for seccomp(2).
struct Program {
  std::vector<struct sock_filter> instructions;
  unsigned flags = 0;   // SECCOMP_FILTER_FLAG_* from the config
  bool notify = false;  // some rule (or the default) is SCMP_ACT_NOTIFY
  // What carries the listener fd once the filter is loaded: sendmmsg where a
  // rule hands sendmsg to the agent, which would wait for the very fd it
  // carries (runc takes the fd with pidfd_getfd instead).
  SendCall fd_send_call = SendCall::Sendmsg;
  struct sock_fprog fprog() const;
};

// Translates and compiles. Throws hull::Error naming the field
// (linux.seccomp.syscalls[3].args[0].op: ...). Syscall names libseccomp does
// not know are skipped with a warning, as are architectures it cannot handle.
Program compile(const spec::Seccomp& config);

// runc's -ENOSYS stub, to go in front of the compiled filter: on each of
// `arches` (SCMP_ARCH_*), a syscall numbered above the newest one `config`
// names returns ENOSYS. Empty when the default action lets syscalls through
// (allow, log, trace) or already is ENOSYS.
std::vector<struct sock_filter> enosys_stub(const spec::Seccomp& config, uint32_t default_action,
                                            const std::vector<uint32_t>& arches);

// seccomp(SECCOMP_SET_MODE_FILTER): the only syscall this makes, so it can be
// the last step before execve. Needs no_new_privs or CAP_SYS_ADMIN. Returns
// the notify listener fd when the program uses SCMP_ACT_NOTIFY.
UniqueFd load(const Program& program);

// Whether compile(config) makes a listener: some rule is SCMP_ACT_NOTIFY (a
// notify default action is refused by compile). Lets the runtime connect to
// listenerPath before it joins the container's mount namespace.
bool uses_notify(const spec::Seccomp& config);

// The container process state of config-linux.md, sent with the listener fd:
// {"ociVersion", "fds": ["seccompFd"], "pid", "metadata"?, "state"}.
// `state_json` is the runtime state (`hull state` output) with the host pid;
// "pid" is the init's (state.pid), or `process_pid` for an exec'd process.
std::string process_state_json(const std::string& state_json, const std::optional<std::string>& metadata,
                               std::optional<pid_t> process_pid = std::nullopt);

// Sends the listener fd and the process state over a connected
// AF_UNIX/SOCK_STREAM socket to listenerPath (one message with the fd, sent
// by `call`, then the rest of the payload), as the spec requires.
void send_to_listener(int socket, int listener_fd, const std::string& process_state, SendCall call = SendCall::Sendmsg);

// A default profile in the spirit of containerd's and podman's: EPERM for
// everything but an allow-list; syscalls that need a capability are allowed
// only when `capabilities` (the bounding set's names) has it.
spec::Seccomp default_profile(const std::vector<std::string>& capabilities = {});

}  // namespace hull::seccomp
