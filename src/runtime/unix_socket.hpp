#pragma once
// Host paths the runtime connects to for a container (the console socket,
// the seccomp agent): connected by the runtime before the container's process
// changes its root or namespaces.
#include <sys/un.h>

#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace hull {

// The address of the socket `name` in the directory open as dirfd, through
// /proc/thread-self/fd/<dirfd>/: short whatever the directory's path
// (sun_path is 108 bytes). thread-self, not self: list's helper threads
// have fd tables of their own (base/parallel.hpp), where /proc/self/fd/<n>
// is the main thread's fd n, another file or none. Throws where even that
// is too long (a name near 100 bytes).
sockaddr_un unix_address_in(int dirfd, std::string_view name);

// A connected AF_UNIX stream socket; `what` names it in errors.
UniqueFd connect_unix(const std::string& path, const std::string& what);

// --pidfd-socket (runc 1.3 and later): one message carrying the process's
// pidfd (SCM_RIGHTS), its bytes the kind of process in runc's words:
// "standard" for a container's init, "setns" for an exec'd process. The
// caller signals and polls the process with it, immune to pid reuse.
// `path` (the flag's value) names the socket in errors.
void send_pidfd(int socket, int pidfd, std::string_view kind, const std::string& path);

}  // namespace hull
