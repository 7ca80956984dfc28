#pragma once
// Putting a new process (hull exec) into an existing container's cgroups.
// Everything is opened up front, because the runtime joins the container's
// mount namespace before it clones the process, and the cgroupfs paths of the
// host may not exist there.
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"
#include "cgroups/cgroup_manager.hpp"

namespace hull::cgroups {

class Placement {
 public:
  // `sub` is hull exec --cgroup: "" (the container's cgroups), "path" (a
  // sub-cgroup in every hierarchy) or "controller:path" (only in the
  // hierarchy holding that controller, and the v2 one when it offers it).
  // The path is relative to the container's cgroup even with a leading "/"
  // ("/" is the container's cgroup, as with runc). Sub-cgroups must exist;
  // ".." is refused.
  Placement(const Paths& paths, const std::string& sub);

  // O_DIRECTORY fd of the v2 cgroup for clone3(CLONE_INTO_CGROUP), or -1.
  int clone_into_fd() const { return v2_dir_.get(); }
  // True when add() must run after the clone (v1 hierarchies exist).
  bool needs_placement_after_clone() const { return !v1_procs_.empty(); }
  // Writes pid to every v1 cgroup.procs (and v2's unless clone placed it).
  void add(pid_t pid, bool placed_in_v2) const;

 private:
  std::string v2_target_;
  UniqueFd v2_dir_, v2_procs_;
  std::vector<std::pair<std::string, UniqueFd>> v1_procs_;  // cgroup dir, its cgroup.procs
};

}  // namespace hull::cgroups
