#pragma once
// Reaching a container's init safely across pid reuse: a pidfd taken only
// after checking the pid still has the start time recorded at create.
#include <sys/types.h>

#include <chrono>

#include "base/unique_fd.hpp"
#include "runtime/state_store.hpp"

namespace hull {

// A pidfd for the recorded init, or an empty fd when it is gone (or the pid
// now belongs to another process).
UniqueFd open_init_pidfd(const ContainerState& s);

// `what` names the target in errors: container "web".
void send_signal(int pidfd, int sig, const std::string& what);

// Waits until the process behind pidfd has exited, at most `timeout`:
// false if it has not by then. `what` names the wait in errors.
bool wait_for_exit(int pidfd, std::chrono::milliseconds timeout, const std::string& what);

}  // namespace hull
