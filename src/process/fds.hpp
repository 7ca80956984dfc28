#pragma once
// Which descriptors the container process inherits.
#include <span>

namespace hull::process {

// Closes every fd >= 3 except those in `keep` (whose CLOEXEC flag is
// cleared, so they do cross execve) and those in `until_exec` (the runtime's
// own, still needed before execve: marked CLOEXEC). Closed, not only marked
// close-on-exec: execve resolves its path (and a #! interpreter's) while
// CLOEXEC fds are still open, so "/proc/self/fd/N" would name a runtime or
// inherited fd (CVE-2024-21626 through exec).
void close_all_fds_except(std::span<const int> keep, std::span<const int> until_exec);

// Closes every fd >= 3 but those in `keep`, flags untouched: what a process
// holds is then what it was given, nothing more. Throws naming the range.
void close_fds_except(std::span<const int> keep);

// Closes every fd >= from but those in `keep`, flags untouched.
void close_fds_from_except(int from, std::span<const int> keep);

// --preserve-fds N and LISTEN_FDS pass fds 3 .. 3+count-1 to the container.
// Checked before hull opens any fd of its own: a number the caller left
// closed would otherwise be filled by one of hull's (its log file, a
// signalfd) and carried into the container. Throws naming the first
// missing fd.
void require_caller_fds(int count);

}  // namespace hull::process
