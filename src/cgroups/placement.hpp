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
#include "cgroups/self_placement.hpp"

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
  // The v1 hierarchies: the new process moves itself into them.
  V1SelfPlacement& v1() { return v1_; }
  // Writes pid to v2's cgroup.procs unless the clone placed it there.
  void add(pid_t pid, bool placed_in_v2) const;

 private:
  std::string v2_target_;
  UniqueFd v2_dir_, v2_procs_;
  V1SelfPlacement v1_;
};

}  // namespace hull::cgroups
