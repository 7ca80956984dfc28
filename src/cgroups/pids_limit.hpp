#pragma once
// A fork or clone of hull's own that the kernel refused with EAGAIN: most
// often the pids cgroup hull runs in (or one above it) is full, as under a
// service's TasksMax or a CI job's limit. The message says which.
#include <string>

namespace hull::cgroups {

// Throws what failed with errno's text; for EAGAIN it names the pids
// cgroup at its pids.max, or says that none is and RLIMIT_NPROC or the
// kernel's threads-max may be the limit. `into_cgroup_fd`: the v2 cgroup a
// clone3 with CLONE_INTO_CGROUP went into (the container's), or -1.
[[noreturn]] void throw_process_errno(const std::string& what, int into_cgroup_fd = -1);

}  // namespace hull::cgroups
