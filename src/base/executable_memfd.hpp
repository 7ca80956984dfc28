#pragma once
// A memfd that the kernel will execute: hull's sealed copy of its binary,
// CRIU's action script.
#include "base/unique_fd.hpp"

namespace hull {

// memfd_create(name, MFD_CLOEXEC | flags | MFD_EXEC): MFD_EXEC (Linux 6.3)
// says so where the kernel asks (vm.memfd_noexec); an older kernel refuses
// the flag (EINVAL) and executes a memfd anyway, so it is tried without.
// An empty UniqueFd and errno on failure.
UniqueFd executable_memfd(const char* name, unsigned flags = 0);

}  // namespace hull
