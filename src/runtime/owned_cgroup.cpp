#include "runtime/owned_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "base/error.hpp"
#include "base/log.hpp"
#include "runtime/state_file.hpp"

namespace hull {
namespace {

// An unmarked cgroup (made by a hull from before the marks) counts as the
// container's when its recorded init, still the same process by its start
// time, runs in it: a damaged state.json naming another cgroup fails that.
// (ContainerCgroup::init_vouches() is the stricter test for this hull's
// states, which also record the owner tag.)
bool init_vouches_for(const cgroups::Manager& cg, const ContainerState& st) {
  if (st.pid <= 0) return false;
  std::optional<ProcStat> now = read_proc_stat(st.pid);
  if (!now || now->state == 'Z' || (st.initStartTime && now->start_time != st.initStartTime)) return false;
  return cg.holds(st.pid);
}

std::string owner_tag(const std::string& id, const struct stat& dir) {
  return "hull container " + id + " state " + std::to_string(dir.st_dev) + ":" + std::to_string(dir.st_ino);
}

}  // namespace

std::string cgroup_owner_tag(const ContainerDir& dir) {
  struct stat st {};
  if (::fstat(dir.fd(), &st) < 0) throw_errno("stat " + dir.path());
  return owner_tag(dir.id(), st);
}

std::string cgroup_owner_tag(const StateStore& store, const std::string& id) {
  auto [base, dir] = store.dir_lookup(id);
  struct stat st {};
  if (::fstatat(base, dir.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat " + store.root() + "/" + id);
  return owner_tag(id, st);
}

std::string forget_by_hand(const ContainerDir& dir) {
  return "if so, `rm -r " + dir.path() + "` forgets the container and touches none of its processes or cgroups";
}

cgroups::Manager& ContainerCgroup::manager() {
  if (manager_) return *manager_;
  try {
    manager_.emplace(cgroups::Manager::load(st_.cgroupPath));
  } catch (const Error& e) {
    // A state.json that parses but whose cgroup record does not: as damaged
    // as one that does not parse (delete --force removes the state only).
    throw CorruptState("corrupt state file " + dir_.path() + "/state.json: its cgroupPath: " + e.message());
  }
  return *manager_;
}

std::optional<std::string> ContainerCgroup::own_init_cgroups() {
  // This state directory's own file: a copy of another container's (its
  // pid, start time and cgroup agreeing with each other and the kernel)
  // carries that directory's tag. A state of an older hull carries none.
  auto recorded = st_.extra.find(kCgroupOwnerKey);
  if (recorded == st_.extra.end() || recorded->second != cgroup_owner_tag(dir_)) return std::nullopt;
  if (st_.pid <= 0 || st_.initStartTime == 0) return std::nullopt;
  // Read before the start time is checked: a process that has the recorded
  // start time after the read is the one whose cgroups were read (no pid is
  // reused while its process lives).
  std::optional<std::string> cgroups = read_proc_cgroup(st_.pid);
  if (!cgroups) return std::nullopt;
  std::optional<ProcStat> now = read_proc_stat(st_.pid, false);
  if (!now || now->state == 'Z' || now->state == 'X' || now->start_time != st_.initStartTime) return std::nullopt;
  return cgroups;
}

bool ContainerCgroup::init_vouches() {
  if (init_vouches_) return *init_vouches_;
  std::optional<std::string> cgroups = own_init_cgroups();
  init_vouches_ = cgroups && cgroups::runs_in_exactly(manager().paths(), *cgroups);
  return *init_vouches_;
}

bool ContainerCgroup::init_moved_within_its_marks() {
  if (!named()) return false;
  std::optional<std::string> cgroups = own_init_cgroups();
  return cgroups && cgroups::runs_in_one_marked(manager().paths(), *cgroups, cgroup_owner_tag(dir_));
}

cgroups::Ownership ContainerCgroup::ownership() {
  if (!ownership_) ownership_ = cgroups::ownership(manager().paths(), cgroup_owner_tag(dir_), &first_not_owned_);
  return *ownership_;
}

void ContainerCgroup::refuse(const char* why) const {
  throw Error("cgroup " + first_not_owned_ + " " + why + ": refusing to act on it (is " + dir_.path() +
                  "/state.json damaged? " + forget_by_hand(dir_) + ")",
              EPERM);
}

cgroups::Manager& ContainerCgroup::owned() {
  switch (ownership()) {
    case cgroups::Ownership::Owned: return manager();
    case cgroups::Ownership::Foreign: refuse("belongs to another container");
    case cgroups::Ownership::Unmarked:
      if (init_vouches_for(manager(), st_)) return manager();
      refuse("carries no mark of this container");
  }
  refuse("has an unknown owner");
}

cgroups::Manager& ContainerCgroup::init_cgroup() { return init_vouches() ? manager() : owned(); }

void ContainerCgroup::refuse_foreign() {
  if (named() && !init_vouches() && ownership() == cgroups::Ownership::Foreign) refuse("belongs to another container");
}

void ContainerCgroup::refuse_to_kill_unmarked() {
  switch (ownership()) {
    case cgroups::Ownership::Owned: return;
    case cgroups::Ownership::Foreign: refuse("belongs to another container");
    case cgroups::Ownership::Unmarked: refuse("carries no mark of this container and has processes");
  }
}

void ContainerCgroup::destroy() {
  // Vouched for by its init (asked before the kill, while it ran): the
  // directories are removed, and the marks are read only if processes other
  // than the init's are left in them to kill.
  if (init_vouches()) {
    manager().destroy([this] { refuse_to_kill_unmarked(); });
    return;
  }
  switch (ownership()) {
    case cgroups::Ownership::Owned: break;
    case cgroups::Ownership::Foreign:
      // Nothing of it is this container's: another one was made in it since
      // this one stopped (the same cgroupsPath), or a damaged state.json
      // names it. Left as it is, while the state goes: runc too removes the
      // state of a container whose cgroup it cannot remove, and a stopped
      // container that no delete removes would block every retry of the
      // client that deletes it.
      log::warn("delete container " + quote(dir_.id()) + ": cgroup " + first_not_owned_ +
                " belongs to another container: left as it is");
      return;
    case cgroups::Ownership::Unmarked:
      // Nothing to kill: destroy() then only removes empty directories.
      if (!manager().pids().empty()) refuse("carries no mark of this container and has processes");
      break;
  }
  manager().destroy();
}

bool ContainerCgroup::holds(pid_t pid) {
  if (!named()) return true;
  if (pid == st_.pid && init_vouches()) return true;
  return owned().holds(pid);
}

}  // namespace hull
