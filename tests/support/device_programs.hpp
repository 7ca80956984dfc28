#pragma once
// The cgroup v2 device programs of a cgroup directory, seen and changed from
// the test's side (BPF_PROG_QUERY, BPF_PROG_ATTACH): what a stale or foreign
// program beside the container's looks like.
#include <cstdint>
#include <string>
#include <vector>

namespace hull::itest {

// The ids of the device programs attached to dir itself (a failure, and
// none, if the query fails).
std::vector<uint32_t> device_programs(const std::string& dir);

// Attaches a program that allows every device (BPF_F_ALLOW_MULTI).
bool attach_allow_all(const std::string& dir);

}  // namespace hull::itest
