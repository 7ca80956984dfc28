#pragma once
// The starter config.json that `hull spec` writes: runc's default spec with
// hull's hostname. It is a template to edit, not a policy: it runs `sh` on a
// terminal, in new namespaces, with the same small capability set runc uses.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace hull {

struct DefaultSpecOptions {
  // `hull spec --seccomp`: add linux.seccomp with hull's default profile
  // (seccomp::default_profile for the spec's capabilities: EPERM for all but
  // an allow-list, as Docker, containerd and podman do). Off by default, so
  // plain `hull spec` writes what `runc spec` writes.
  bool seccomp = false;
  // A new cgroup namespace: runc's template has one only where the host is
  // pure cgroup v2 (on v1 and hybrid hosts a cgroup namespace hides the
  // container's own place in the v1 hierarchies from tools that expect it).
  // Unset: decided by the host (/sys/fs/cgroup is a cgroup2 mount).
  std::optional<bool> cgroup_namespace;
  // `hull spec --rootless` (runc's ToRootless): a user namespace mapping the
  // caller's euid/egid to root, no network namespace (an unprivileged user
  // could not configure one), /sys bound from the host, no uid=/gid= mount
  // options (ids outside the map) and no linux.resources (no cgroup may be
  // delegated).
  bool rootless = false;
};

// Whether /sys/fs/cgroup is a cgroup2 mount (runc's IsCgroup2UnifiedMode).
bool host_is_pure_cgroup_v2();

// The default config.json as a JSON document, keys in runc's order.
nlohmann::ordered_json default_spec(const DefaultSpecOptions& o = {});

// The text `hull spec` writes: tab-indented like runc's, with a final newline.
std::string default_spec_text(const DefaultSpecOptions& o = {});

// Writes <bundle>/config.json, refusing to replace an existing file (the
// check and the create are one O_EXCL open). Throws hull::Error.
void write_default_spec(const std::string& bundle, const DefaultSpecOptions& o = {});

}  // namespace hull
