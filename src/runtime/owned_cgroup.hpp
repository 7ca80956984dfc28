#pragma once
// The cgroup a state.json names, checked against the owner mark create put
// on it (cgroups/ownership.hpp) before anything destructive is done to it.
#include <optional>
#include <string>

#include "cgroups/cgroup_manager.hpp"
#include "cgroups/ownership.hpp"
#include "runtime/state_store.hpp"

namespace hull {

// What create marks the container's cgroup with: its id and the identity of
// its state directory, which a damaged state.json cannot change.
std::string cgroup_owner_tag(const ContainerDir& dir);
// The same for a container read without its lock (StateStore::peek).
std::string cgroup_owner_tag(const StateStore& store, const std::string& id);
// state.json private field: that tag, as create recorded it. Equal to the tag
// of the directory the file is in unless the file was copied from another
// container's state directory (which names that container's init and
// cgroup): see ContainerCgroup::ownership().
inline constexpr const char* kCgroupOwnerKey = "cgroupOwner";

// What a refusal over a damaged state.json tells the user to do: no hull
// command acts on what such a file names, delete --force included (it may
// be right, and the container's processes would run on without a record).
std::string forget_by_hand(const ContainerDir& dir);

// The container's cgroup for one command that holds the container's lock.
// The cgroup is loaded and its marks are read once, on first use, however
// many checks the command makes (delete --force makes four): while the lock
// is held no hull command changes them, and no container can (trusted.*
// needs CAP_SYS_ADMIN on the host). What an unmarked cgroup holds is looked
// at each time: processes come and go.
class ContainerCgroup {
 public:
  // dir and st must outlive this object.
  ContainerCgroup(const ContainerDir& dir, const ContainerState& st) : dir_(dir), st_(st) {}

  // Whether state.json names a cgroup at all.
  bool named() const { return !st_.cgroupPath.empty(); }

  // For an act on every process in it (kill --all, pause, resume, the thaw
  // after a kill): throws unless every directory carries this container's
  // mark (or, unmarked, holds the recorded init), naming the directory and
  // the state file not to trust.
  cgroups::Manager& owned();

  // The same for the acts that complete one on the recorded init (the thaw
  // after its SIGKILL, which a frozen init needs to act on it): no check when
  // the init vouches for the cgroup (init_vouches()).
  cgroups::Manager& init_cgroup();

  // Throws when the cgroup carries another container's mark: the check
  // delete makes before it kills anything. No cgroup: nothing to refuse.
  void refuse_foreign();

  // Whether the cgroup carries another container's mark. Of a stopped
  // container: one created since took it, which it may only once emptied,
  // so nothing of this one is left in it (not a damaged state.json).
  bool taken_by_another() { return named() && ownership() == cgroups::Ownership::Foreign; }

  // delete: kills what is left in the cgroup and removes it, when it is this
  // container's. An unmarked cgroup (a create killed between mkdir and mark,
  // or made by an older hull) is only removed when nothing runs in it (an
  // error naming the directory otherwise); one marked by another container
  // is left alone, with a warning.
  void destroy();

  // Whether pid runs in the container's (owned) cgroup; true when the
  // container has no cgroup. For signals to the recorded init: its pid and
  // start time come from state.json too.
  bool holds(pid_t pid);

  // Whether the recorded init, not in the container's cgroup by holds(),
  // is still its own: state.json is this state directory's own, the init the
  // same process by its start time, and in one hierarchy at least it runs
  // in a directory that carries this container's mark (moved to a sibling
  // cgroup in the others, or the cgroup renamed, by hand). A pid damaged to
  // name another container's init fails it: that one runs in cgroups marked
  // by its own container.
  bool init_moved_within_its_marks();

  // The processes in it and below, unchecked: it only reads. None where the
  // container has no cgroup.
  std::vector<pid_t> processes() { return named() ? manager().pids() : std::vector<pid_t>{}; }
  // Manager::wait_emptied, unchecked: it only reads. False where the
  // container has no cgroup.
  bool wait_emptied(std::chrono::steady_clock::time_point deadline, int also) {
    return named() && manager().wait_emptied(deadline, also);
  }

  // Whether its freezer holds a SIGKILL until thawed (v1's): the host's
  // layout, not the marks, so nothing is checked.
  bool sigkill_waits_for_thaw() { return manager().sigkill_waits_for_thaw(); }

 private:
  cgroups::Manager& manager();
  cgroups::Ownership ownership();
  // Whether state.json is this state directory's own (the tag create
  // recorded in it) and its init, the same process by its start time, runs
  // in exactly the directories it records (cgroups::runs_in_exactly): then
  // they are the container's for the acts on its init (the check before
  // delete's kill, the signal, the thaw after a SIGKILL, the removal once
  // it is gone) without their marks or cgroup.procs being read. Asked of
  // procfs, once: a read of /proc/<pid>/cgroup takes none of the locks that
  // removing a cgroup holds, where each mark read and cgroup.procs is a
  // lookup on cgroupfs, which waits for them on a node deleting containers
  // in parallel (bench/rounds.md, "Seventeenth round").
  bool init_vouches();
  // The recorded init's /proc/<pid>/cgroup, where state.json is this state
  // directory's own (the tag create recorded in it) and the init lives, the
  // same process by its start time.
  std::optional<std::string> own_init_cgroups();
  // Throws unless every directory carries this container's mark: before
  // processes other than the init are killed.
  void refuse_to_kill_unmarked();
  [[noreturn]] void refuse(const char* why) const;

  const ContainerDir& dir_;
  const ContainerState& st_;
  std::optional<cgroups::Manager> manager_;
  std::optional<cgroups::Ownership> ownership_;
  std::optional<bool> init_vouches_;
  std::string first_not_owned_;  // the directory ownership() names
};

}  // namespace hull
