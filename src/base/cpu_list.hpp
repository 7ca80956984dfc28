#pragma once
// The kernel's list format for CPUs and memory nodes ("0-3,7"), as cpuset
// files and the runtime-spec's CPU lists write it.
#include <string_view>
#include <vector>

namespace hull {

// "0-3,7" -> {0,1,2,3,7}; "" -> {}. Throws on malformed lists, naming `what`.
std::vector<unsigned> parse_cpu_list(std::string_view list, std::string_view what);

}  // namespace hull
