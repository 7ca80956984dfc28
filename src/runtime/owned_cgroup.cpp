#include "runtime/owned_cgroup.hpp"

#include <sys/stat.h>

#include "base/error.hpp"

namespace hull {
namespace {

// An unmarked cgroup (made by a hull from before the marks) counts as the
// container's when its recorded init, still the same process by its start
// time, runs in it: a damaged state.json naming another cgroup fails that.
bool init_vouches_for(const cgroups::Manager& cg, const ContainerState& st) {
  if (st.pid <= 0) return false;
  std::optional<ProcStat> now = read_proc_stat(st.pid);
  if (!now || now->state == 'Z' || (st.initStartTime && now->start_time != st.initStartTime)) return false;
  return cg.holds(st.pid);
}

}  // namespace

std::string cgroup_owner_tag(const ContainerDir& dir) {
  struct stat st {};
  if (::fstat(dir.fd(), &st) < 0) throw_errno("stat " + dir.path());
  return "hull container " + dir.id() + " state " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

cgroups::Manager& ContainerCgroup::manager() {
  if (!manager_) manager_.emplace(cgroups::Manager::load(st_.cgroupPath));
  return *manager_;
}

cgroups::Ownership ContainerCgroup::ownership() {
  if (!ownership_) ownership_ = cgroups::ownership(manager().paths(), cgroup_owner_tag(dir_), &first_not_owned_);
  return *ownership_;
}

void ContainerCgroup::refuse(const char* why) const {
  throw Error(
      "cgroup " + first_not_owned_ + " " + why + ": refusing to act on it (is " + dir_.path() + "/state.json damaged?)",
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

void ContainerCgroup::refuse_foreign() {
  if (named() && ownership() == cgroups::Ownership::Foreign) refuse("belongs to another container");
}

void ContainerCgroup::destroy() {
  switch (ownership()) {
    case cgroups::Ownership::Owned: break;
    case cgroups::Ownership::Foreign: refuse("belongs to another container");
    case cgroups::Ownership::Unmarked:
      // Nothing to kill: destroy() then only removes empty directories.
      if (!manager().pids().empty()) refuse("carries no mark of this container and has processes");
      break;
  }
  manager().destroy();
}

bool ContainerCgroup::holds(pid_t pid) {
  if (!named()) return true;
  return owned().holds(pid);
}

}  // namespace hull
