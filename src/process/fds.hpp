#pragma once
// Which descriptors the container process inherits.
#include <span>

namespace hull::process {

// Marks every fd >= 3 close-on-exec except those in `keep` (whose CLOEXEC
// flag is cleared, so they do cross execve). One close_range(2) call.
void cloexec_all_fds_except(std::span<const int> keep);

}  // namespace hull::process
