#pragma once
// What the host's cgroup setup looks like, detected once per process.
//
// Detection costs two statfs calls (/sys/fs/cgroup, /sys/fs/cgroup/unified),
// one read of /proc/self/cgroup, one statfs per v1 hierarchy listed there and
// one stat per hierarchy where the caller is below the root (is the mount the
// hierarchy's root?); only where it is not, one read of /proc/self/mountinfo.
// Everything else (cgroup.controllers of the v2 root) is read lazily, only when
// a resource needs it. Tests build a Host by hand over a temporary directory.
#include <map>
#include <optional>
#include <set>
#include <string>

namespace hull::cgroups {

enum class Mode {
  Unified,  // one cgroup2 mount at /sys/fs/cgroup
  Hybrid,   // v1 hierarchies under /sys/fs/cgroup/<name>, cgroup2 at /sys/fs/cgroup/unified
  Legacy,   // v1 hierarchies only
};
const char* to_string(Mode m);  // "unified", "hybrid", "legacy"

// Whether the v1 hierarchy named `hierarchy` ("cpu,cpuacct") holds `controller`.
bool hierarchy_holds(const std::string& hierarchy, const std::string& controller);

// One mounted v1 hierarchy.
struct V1Hierarchy {
  std::string mount;                  // "/sys/fs/cgroup/cpu,cpuacct"
  std::string own_path;               // the calling process's cgroup below `mount`, "/process_api/1e01..."
  std::set<std::string> controllers;  // {"cpu", "cpuacct"}; named ones as "name=systemd"
};

struct Host {
  Mode mode = Mode::Unified;
  // The cgroup2 mount ("" in legacy mode) and the caller's cgroup below it
  // (below the mount's root, where that is not the hierarchy's: base/cgroup_mount_root.hpp).
  std::string v2_mount;
  std::string v2_own_path = "/";
  // Controllers the v2 root offers (its cgroup.controllers). Unset until
  // first needed: see v2_available().
  mutable std::optional<std::set<std::string>> v2_controllers;
  // v1 hierarchies keyed by their /proc/self/cgroup name ("cpu", "cpu,cpuacct", "name=systemd").
  std::map<std::string, V1Hierarchy> v1;
  // The /proc/<pid>/cgroup text it was detected from: a process that has
  // moved since (the container's init) reads another.
  std::string detected_from;

  // The host of this process, detected on first use and cached.
  static const Host& current();
  // Detects from a cgroupfs root and a /proc/<pid>/cgroup text (a seam for tests).
  static Host detect(const std::string& cgroup_root, const std::string& proc_self_cgroup);

  // The v1 hierarchy holding `controller`, or nullptr.
  const V1Hierarchy* v1_for(const std::string& controller) const;
  // Whether any cgroup hierarchy is mounted (none: hull run in a container
  // given no /sys/fs/cgroup).
  bool mounted() const { return !v2_mount.empty() || !v1.empty(); }
  // Whether the v2 hierarchy can offer `controller`.
  bool v2_available(const std::string& controller) const;
  // "hybrid cgroups (v1: blkio, cpu, ...; v2: hugetlb)": the host's layout
  // for error messages about a missing controller.
  std::string describe() const;
};

}  // namespace hull::cgroups
