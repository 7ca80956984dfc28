#pragma once
// Rootless mode: hull run by an ordinary user (docs/rootless.md). Decided as
// runc decides it: --rootless true/false, or by default (auto) whether the
// caller's effective uid is not 0. What changes: the state root defaults to
// $XDG_RUNTIME_DIR/hull, the id maps are written with newuidmap/newgidmap
// or as a single self-map (namespaces/user_namespace.hpp), cgroups are used
// only where the user may write them, and the cgroup tree inside a
// container without a cgroup namespace is read-only.
#include <string>
#include <string_view>

#include "spec/spec.hpp"

namespace hull {

// --rootless "auto", "true" or "false" (an unknown value is refused by the CLI).
bool rootless_mode(std::string_view flag);

// The state root without --root: $XDG_RUNTIME_DIR/hull in rootless mode
// where XDG_RUNTIME_DIR is set, else /run/hull.
std::string default_state_root(bool rootless);

// CVE-2023-25809: without a cgroup namespace a rootless container's
// /sys/fs/cgroup shows the host's hierarchy, parts of which the user may
// own (a delegated subtree): mounted read-only, as runc does.
void make_cgroup_mounts_readonly_without_cgroupns(spec::Spec& spec);

}  // namespace hull
