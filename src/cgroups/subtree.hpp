#pragma once
// The cgroups below a container's own: made by the container itself where
// it has a writable cgroup mount, so as many and as deep as it likes. A
// path to one may be longer than PATH_MAX (a few hundred levels of long
// names), where every call by path fails with ENAMETOOLONG: so the walk goes
// from directory descriptor to directory descriptor, one name at a time.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace hull::cgroups {

// A sub-cgroup reached by the walk: `names` are the directories from the top
// down to it, `top` the cgroup the walk started from.
struct SubCgroup {
  const std::string& top;
  const std::vector<std::string>& names;
  // For messages: the whole path where it is short, else the top, the
  // depth and the sub-cgroup's own name.
  std::string text() const;
  std::string text(const char* file) const { return text() + "/" + file; }
};

// Calls enter(fd, sub) for each cgroup below `top` (not `top` itself),
// parents before their children, with `fd` that cgroup's directory; and
// leave(parent_fd, sub) once all of a cgroup's children were visited, with
// its parent's directory (to remove it: unlinkat(parent_fd, name)). Either
// may be empty; either returning false ends the walk, which then returns
// false. One descriptor is open at a time: the walk climbs back by "..",
// which is the directory it came down from, as a cgroup cannot be moved to
// another parent (cgroup v1 renames within its parent only, v2 not at all).
// A sub-cgroup removed meanwhile is skipped; `top` missing is an empty walk.
using EnterSubCgroup = std::function<bool(int fd, const SubCgroup& sub)>;
using LeaveSubCgroup = std::function<bool(int parent_fd, const SubCgroup& sub)>;
bool walk_below(const std::string& top, const EnterSubCgroup& enter, const LeaveSubCgroup& leave = {});

// Whether the cgroup directory has sub-cgroups: kernfs counts a directory's
// subdirectories in its link count, so one stat tells, where listing it
// takes an open and reads. A directory that cannot be read says no.
bool has_sub_cgroups(const std::string& dir) noexcept;

}  // namespace hull::cgroups
