#include "runtime/owned_cgroup.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "base/error.hpp"
#include "cgroups/ownership.hpp"

namespace hull {
namespace {

[[noreturn]] void refuse(const ContainerDir& dir, const std::string& cgroup, const char* why) {
  throw Error("cgroup " + cgroup + " " + why + ": refusing to act on it (is " + dir.path() + "/state.json damaged?)",
              EPERM);
}

// An unmarked cgroup (made by a hull from before the marks) counts as the
// container's when its recorded init, still the same process by its start
// time, runs in it: a damaged state.json naming another cgroup fails that.
bool init_vouches_for(const cgroups::Manager& cg, const ContainerState& st) {
  if (st.pid <= 0) return false;
  std::optional<ProcStat> now = read_proc_stat(st.pid);
  if (!now || now->state == 'Z' || (st.initStartTime && now->start_time != st.initStartTime)) return false;
  std::vector<pid_t> pids = cg.pids();
  return std::find(pids.begin(), pids.end(), st.pid) != pids.end();
}

}  // namespace

std::string cgroup_owner_tag(const ContainerDir& dir) {
  struct stat st {};
  if (::fstat(dir.fd(), &st) < 0) throw_errno("stat " + dir.path());
  return "hull container " + dir.id() + " state " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

cgroups::Manager load_owned_cgroup(const ContainerDir& dir, const ContainerState& st) {
  cgroups::Manager cg = cgroups::Manager::load(st.cgroupPath);
  std::string which;
  switch (cgroups::ownership(cg.paths(), cgroup_owner_tag(dir), &which)) {
    case cgroups::Ownership::Owned: return cg;
    case cgroups::Ownership::Foreign: refuse(dir, which, "belongs to another container");
    case cgroups::Ownership::Unmarked:
      if (init_vouches_for(cg, st)) return cg;
      refuse(dir, which, "carries no mark of this container");
  }
  refuse(dir, which, "has an unknown owner");
}

void refuse_foreign_cgroup(const ContainerDir& dir, const ContainerState& st) {
  if (st.cgroupPath.empty()) return;
  cgroups::Manager cg = cgroups::Manager::load(st.cgroupPath);
  std::string which;
  if (cgroups::ownership(cg.paths(), cgroup_owner_tag(dir), &which) == cgroups::Ownership::Foreign)
    refuse(dir, which, "belongs to another container");
}

void destroy_owned_cgroup(const ContainerDir& dir, const ContainerState& st) {
  cgroups::Manager cg = cgroups::Manager::load(st.cgroupPath);
  std::string which;
  switch (cgroups::ownership(cg.paths(), cgroup_owner_tag(dir), &which)) {
    case cgroups::Ownership::Owned: break;
    case cgroups::Ownership::Foreign: refuse(dir, which, "belongs to another container");
    case cgroups::Ownership::Unmarked:
      // Nothing to kill: destroy() then only removes empty directories.
      if (!cg.pids().empty()) refuse(dir, which, "carries no mark of this container and has processes");
      break;
  }
  cg.destroy();
}

bool init_in_owned_cgroup(const ContainerDir& dir, const ContainerState& st, pid_t pid) {
  if (st.cgroupPath.empty()) return true;
  std::vector<pid_t> pids = load_owned_cgroup(dir, st).pids();
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

}  // namespace hull
