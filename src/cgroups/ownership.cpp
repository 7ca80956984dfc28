#include "cgroups/ownership.hpp"

#include <cerrno>
#include <optional>
#include <vector>

#include "base/error.hpp"
#include "base/proc_cgroup.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {
namespace {

constexpr const char* kTrusted = "trusted.hull.owner";
constexpr const char* kUser = "user.hull.owner";

std::vector<std::string> dirs_of(const Paths& paths) {
  std::vector<std::string> dirs;
  if (!paths.v2.empty()) dirs.push_back(paths.v2);
  for (const auto& [hierarchy, dir] : paths.v1) dirs.push_back(dir);
  return dirs;
}

// The directory paths records for a hierarchy as /proc/<pid>/cgroup names it
// ("" for v2), or null.
const std::string* recorded_dir(const Paths& paths, std::string_view hierarchy) {
  if (hierarchy.empty()) return paths.v2.empty() ? nullptr : &paths.v2;
  auto it = paths.v1.find(std::string(hierarchy));
  return it == paths.v1.end() ? nullptr : &it->second;
}

// The mark on dir: nullopt when the directory is gone, "" when unmarked.
std::optional<std::string> read_mark(const std::string& dir) {
  for (const char* name : {kTrusted, kUser}) {
    char buf[512];
    ssize_t n = get_xattr(dir, name, buf, sizeof buf);
    if (n >= 0) return std::string(buf, static_cast<size_t>(n));
    if (errno == ENOENT) return std::nullopt;  // the directory, not the attribute (ENODATA)
    if (errno == ERANGE) return std::string("<oversized mark>");
    if (errno != ENODATA && errno != ENOTSUP && errno != EPERM && errno != EACCES)
      throw_errno("read the owner mark of cgroup " + dir);
  }
  return std::string();
}

}  // namespace

void mark_owner(const Paths& paths, std::string_view owner) {
  for (const std::string& dir : dirs_of(paths)) {
    if (set_xattr(dir, kTrusted, owner) == 0) continue;
    if (errno != EPERM || set_xattr(dir, kUser, owner) < 0)
      throw_errno("mark cgroup " + dir + " as the container's (setxattr)");
  }
}

Ownership ownership(const Paths& paths, std::string_view owner, std::string* dir) {
  Ownership result = Ownership::Owned;
  for (const std::string& d : dirs_of(paths)) {
    std::optional<std::string> mark = read_mark(d);
    if (!mark || *mark == owner) continue;
    if (dir && result == Ownership::Owned) *dir = d;
    if (!mark->empty()) {
      if (dir) *dir = d;
      return Ownership::Foreign;
    }
    result = Ownership::Unmarked;
  }
  return result;
}

bool runs_in_exactly(const Paths& paths, std::string_view proc_pid_cgroup) {
  size_t matched = 0;
  for (const ProcCgroupEntry& e : parse_proc_cgroup(proc_pid_cgroup)) {
    const std::string* dir = recorded_dir(paths, e.hierarchy);
    if (!dir) continue;
    if (*dir != standard_dir(paths.mode, e.hierarchy, e.path)) return false;
    ++matched;
  }
  return matched == paths.v1.size() + (paths.v2.empty() ? 0 : 1) && matched > 0;
}

bool runs_in_one_marked(const Paths& paths, std::string_view proc_pid_cgroup, std::string_view owner) {
  for (const ProcCgroupEntry& e : parse_proc_cgroup(proc_pid_cgroup)) {
    if (!recorded_dir(paths, e.hierarchy)) continue;
    if (read_mark(standard_dir(paths.mode, e.hierarchy, e.path)) == owner) return true;
  }
  return false;
}

}  // namespace hull::cgroups
