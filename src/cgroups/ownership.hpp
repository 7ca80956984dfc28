#pragma once
// Which container a cgroup belongs to, recorded in the cgroup itself. A
// state.json is a file someone may damage or forge; a destructive act on the
// cgroup it names (kill --all, delete's kill-and-rmdir, pause) must not hit
// another container or a service. So create marks every directory of the
// container's cgroup with an extended attribute naming its owner (the
// container's state directory, by id and inode), and the acts check it.
// trusted.* needs CAP_SYS_ADMIN, so no container can forge it; a runtime
// without that capability (rootless, delegated cgroups) uses user.*, which
// needs write access to the directory.
#include <string>
#include <string_view>

#include "cgroups/cgroup_manager.hpp"

namespace hull::cgroups {

// Sets the owner attribute on every directory of paths. Throws naming the
// directory.
void mark_owner(const Paths& paths, std::string_view owner);

enum class Ownership {
  Owned,     // every existing directory carries `owner`
  Foreign,   // some directory carries another owner's mark
  Unmarked,  // some directory carries no mark (made by something else, or by an older hull)
};

// `dir`, when given, is set to the first directory that is not Owned.
Ownership ownership(const Paths& paths, std::string_view owner, std::string* dir = nullptr);

// Whether the process whose /proc/<pid>/cgroup text this is runs in exactly
// the directories of paths, every one of them, where they are in the
// standard layout: /sys/fs/cgroup/<hierarchy>/<path> for v1 (a named
// hierarchy's directory without "name="), /sys/fs/cgroup/<path> for a
// unified host's v2 and /sys/fs/cgroup/unified/<path> for a hybrid one's.
// The other evidence of ownership, beside the marks: the container's init
// is placed in its cgroup by create. False for anything else, a directory
// below one of them included.
bool runs_in_exactly(const Paths& paths, std::string_view proc_pid_cgroup);

// Whether that process runs, in one of the hierarchies of paths at least, in
// a directory marked `owner`: the recorded one, or where it was renamed to.
// What is left of the evidence once someone moved the init by hand (to a
// sibling cgroup, in some hierarchies) or renamed the container's cgroup.
bool runs_in_one_marked(const Paths& paths, std::string_view proc_pid_cgroup, std::string_view owner);

}  // namespace hull::cgroups
