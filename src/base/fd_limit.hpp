#pragma once
// RLIMIT_NOFILE's soft limit raised to its hard one while a step holds an fd
// for each of many things (a config's read-only tmpfs and the copies binds
// make of them: rootfs/readonly_later.hpp; the bind trees the runtime
// clones for the init: rootfs/bind_trees.hpp), and put back once they are
// closed, so that what the container runs gets the limit hull started with.
// systemd starts services and sessions at a soft limit of 1024; Go programs
// (runc, containerd) raise theirs to the hard one at start-up.
//
// The limit found is kept process-wide: an init cloned after the runtime
// raised it inherits the raised limit and puts back the one the runtime
// found.
#include <cstddef>

namespace hull {

// Raises it, once, when a step holds `held` fds for its many things: past
// 64, which leave room under any soft limit a host starts with (a bind's
// copies, one for each queued mount, are counted before they are opened),
// and nothing, not a syscall, below. Where it cannot (the hard limit is the
// soft one), the step goes on under the limit it had.
void raise_fd_limit_holding(size_t held) noexcept;
// Puts back the soft limit raise_fd_limit_holding found, in this process or the one
// it was cloned from; nothing where none was raised.
void restore_fd_limit() noexcept;

}  // namespace hull
