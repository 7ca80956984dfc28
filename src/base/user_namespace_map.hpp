#pragma once
// Which user namespace a process is in, read from its uid_map: the runtime
// asks on every command (rootless mode, runtime/rootless.hpp) and when a
// cgroup write is refused (cgroups/cgroup_manager.cpp).
#include <string_view>

namespace hull {

// Whether `uid_map` (the text of /proc/<pid>/uid_map) is the initial user
// namespace's: the one line mapping all 2^32-1 ids onto themselves. Any other
// map, a partial one like podman's "0 1000 1" plus a subordinate range, is a
// user namespace made by someone.
bool is_initial_user_namespace_map(std::string_view uid_map);

// The same for hull's own user namespace (/proc/self/uid_map); true where the
// file cannot be read (no /proc: nothing says otherwise, as runc assumes).
bool in_initial_user_namespace();

}  // namespace hull
