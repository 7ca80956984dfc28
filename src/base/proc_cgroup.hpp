#pragma once
// /proc/<pid>/cgroup (cgroups(7)): one line per hierarchy the kernel has,
// "<id>:<hierarchy>:<path>". The hierarchy is its controllers ("cpu,cpuacct",
// "name=systemd") or "" for cgroup2; the path is relative to the hierarchy's
// root as the reader's cgroup namespace sees it.
#include <string_view>
#include <vector>

namespace hull {

struct ProcCgroupEntry {
  std::string_view hierarchy;
  std::string_view path;
};

// The entries of a /proc/<pid>/cgroup text, viewing it; lines without two
// colons are skipped.
std::vector<ProcCgroupEntry> parse_proc_cgroup(std::string_view text);

}  // namespace hull
