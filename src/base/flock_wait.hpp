#pragma once
// An exclusive flock that, when another process holds it for long, says
// who: a command queued behind a create waiting in a slow createRuntime hook
// (or a stopped hull) otherwise waits in silence, with no bound.
#include <sys/types.h>

#include <chrono>
#include <string>

namespace hull {

// flock(fd, LOCK_EX), EINTR retried; throws naming `what`. Uncontended it
// costs the one flock call. Contended past `quiet`, a warning names `what`
// and the holder (flock_holder), once; the wait then goes on, unbounded, as
// runc's does. Uses SIGALRM and the real-time interval timer meanwhile
// (none where the caller blocks SIGALRM or runs that timer: a silent wait).
void lock_exclusive_naming_holder(int fd, const std::string& what,
                                  std::chrono::milliseconds quiet = std::chrono::seconds(1));

// The pid that holds a flock on the file fd refers to, as /proc/locks
// shows it; 0 when none is found.
pid_t flock_holder(int fd);

}  // namespace hull
