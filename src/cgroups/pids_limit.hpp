#pragma once
// A fork or clone of hull's own that the kernel refused with EAGAIN: most
// often the pids cgroup hull runs in (or one above it) is full, as under a
// service's TasksMax or a CI job's limit. The message says which.
#include <string>

namespace hull::cgroups {

// Throws what failed with errno's text; for EAGAIN it names the pids
// cgroup at its pids.max, or says that none is and RLIMIT_NPROC or the
// kernel's threads-max may be the limit.
[[noreturn]] void throw_process_errno(const std::string& what);

}  // namespace hull::cgroups
