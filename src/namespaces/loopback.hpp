#pragma once
// A new network namespace starts with its loopback interface down. runc (its
// "loopback" network) and crun bring it up, so a container with no other
// network (podman --network none, a bare `run`) still reaches 127.0.0.1 and
// ::1; hull does the same.
#include "base/unique_fd.hpp"

namespace hull::ns {

// Inside the new network namespace: sets "lo" up. Returns the socket it
// used, one of the namespace's (ioctl SIOCGSKNS gives the namespace).
UniqueFd bring_loopback_up();

// Sets "lo" up through sock, a socket of the namespace, with system calls
// alone, for a thread whose process may be moving its own writable memory
// meanwhile (network_namespace_thread.hpp): no allocation, no exception.
// False with errno set and *failed the step that failed, for
// throw_loopback_failure to tell.
enum class LoopbackStep { Socket, ReadFlags, SetFlags };
bool set_loopback_up_raw(int sock, LoopbackStep* failed) noexcept;
[[noreturn]] void throw_loopback_failure(LoopbackStep failed, int err);

}  // namespace hull::ns
