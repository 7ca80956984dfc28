#pragma once
// Rootless mode: hull run by an ordinary user (docs/rootless.md). Decided as
// runc decides it: --rootless true/false, or by default (auto) whether the
// caller's effective uid is not 0 or it runs in a user namespace other than
// the initial one (uid 0 there is an ordinary user on the host: podman's
// rootless mode runs the runtime so). What changes: the state root defaults to
// $XDG_RUNTIME_DIR/hull, the id maps are written with newuidmap/newgidmap
// or as a single self-map (namespaces/user_namespace.hpp), cgroups are used
// only where the user may write them, and the cgroup tree inside a
// container without a cgroup namespace is read-only.
#include <string>
#include <string_view>

#include "base/user_namespace_map.hpp"
#include "spec/spec.hpp"

namespace hull {

// --rootless "auto", "true" or "false" (an unknown value is refused by the
// CLI). "auto": euid != 0, or euid 0 outside the initial user namespace.
bool rootless_mode(std::string_view flag);
bool rootless_mode(std::string_view flag, unsigned euid, bool initial_user_namespace);

// The state root without --root, decided as runc decides it (whatever
// --rootless says, so that every command of a user finds the same root):
// $XDG_RUNTIME_DIR/hull where XDG_RUNTIME_DIR is set and the caller is an
// ordinary user (euid != 0), or euid 0 in a user namespace whose $USER is
// not "root"; else /run/hull (the real root, and the root of a container or
// VM with a root-owned /run).
std::string default_state_root();
std::string default_state_root(unsigned euid, bool initial_user_namespace, const char* xdg_runtime_dir,
                               const char* user);

// An ordinary user (euid != 0) gets none of what a container needs outside
// a user namespace of its own (runc: "rootless container requires user
// namespaces"): refused before anything is made, naming the fix.
void require_a_user_namespace(const spec::Spec& spec, const std::string& config_path);

// CVE-2023-25809: without a cgroup namespace a rootless container's
// /sys/fs/cgroup shows the host's hierarchy, parts of which the user may
// own (a delegated subtree): mounted read-only, as runc does.
void make_cgroup_mounts_readonly_without_cgroupns(spec::Spec& spec);

}  // namespace hull
