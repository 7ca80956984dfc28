#pragma once
// Putting a new process (hull exec) into an existing container's cgroups.
// Everything is opened up front, in the host's mount namespace: the helper
// that places itself there (runtime/exec.cpp) uses these fds, then closes
// them before it joins the container's namespaces.
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
  // `subs` are hull exec's --cgroup values, as runc takes them: none (the
  // container's cgroups), one "path" (a sub-cgroup in every hierarchy), or
  // any number of "controller[,controller...]:path" (in the hierarchies
  // holding those controllers, and on a pure v2 host in its one hierarchy;
  // the others stay in the container's cgroup). A path is relative to the
  // container's cgroup even with a leading "/" ("/" is the container's
  // cgroup, as with runc). Sub-cgroups must exist; "..", a controller the
  // container has no cgroup of, and two paths for one hierarchy are
  // refused. `init_pid` (0: none) is the container's init, whose v2 cgroup
  // a process joins where the container's own takes none (add()).
  Placement(const Paths& paths, const std::vector<std::string>& subs, pid_t init_pid = 0);

  // O_DIRECTORY fd of the v2 cgroup for clone3(CLONE_INTO_CGROUP), or -1.
  int clone_into_fd() const { return v2_dir_.get(); }
  // The v1 hierarchies: the new process moves itself into them.
  V1SelfPlacement& v1() { return v1_; }
  // Writes pid to v2's cgroup.procs unless the clone placed it there. Where
  // the container's own cgroup takes no process (EBUSY: a container that
  // runs its own cgroup manager, systemd or a nested runtime, moved its
  // processes into sub-cgroups and enabled controllers for them, and the
  // kernel keeps processes out of a cgroup whose controllers are enabled
  // for its children), pid joins the init's cgroup below it, as runc's
  // exec does (without --cgroup).
  void add(pid_t pid, bool placed_in_v2) const;
  // Refuses, now and in add(), a cgroup other than the container's own
  // (whose freeze the caller checks, as a pause) that would freeze the new
  // process at birth: a sub-cgroup --cgroup names, or the init's cgroup
  // add() falls back to, frozen by the container itself. The exec would
  // wait for that process for ever, holding the container's lock.
  void refuse_frozen();

 private:
  void join_inits_cgroup(pid_t pid) const;

  Mode mode_ = Mode::Unified;
  pid_t init_pid_ = 0;  // 0: a sub-cgroup was named, or no init to follow
  std::string v2_target_;
  bool v2_sub_ = false;     // v2_target_ is a sub-cgroup --cgroup named
  std::string v1_freezer_;  // the v1 freezer sub-cgroup --cgroup named ("": none)
  bool refuse_frozen_ = false;
  UniqueFd v2_dir_;
  V1SelfPlacement v1_;
};

}  // namespace hull::cgroups
