#include "cgroups/placement.hpp"

#include <fcntl.h>

#include <algorithm>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/proc_cgroup.hpp"
#include "base/procfs.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

namespace {

struct SubPath {
  std::string controller;  // "" = every hierarchy
  std::string path;        // relative, "" = the container's cgroup itself
};

SubPath parse_sub(const std::string& sub) {
  SubPath s;
  size_t colon = sub.find(':');
  if (colon != std::string::npos) {
    s.controller = sub.substr(0, colon);
    s.path = sub.substr(colon + 1);
  } else {
    s.path = sub;
  }
  // runc joins the path onto the container's cgroup, so "/" is the
  // container's own cgroup and "/sub" is "sub".
  s.path.erase(0, std::min(s.path.find_first_not_of('/'), s.path.size()));
  while (s.path.ends_with('/')) s.path.pop_back();
  size_t start = 0;
  while (start <= s.path.size()) {
    size_t end = s.path.find('/', start);
    if (end == std::string::npos) end = s.path.size();
    if (s.path.compare(start, end - start, "..") == 0)
      throw Error("--cgroup " + quote(sub) + ": \"..\" would leave the container's cgroup");
    start = end + 1;
  }
  return s;
}

std::string join(const std::string& dir, const std::string& sub) { return sub.empty() ? dir : dir + "/" + sub; }

}  // namespace

Placement::Placement(const Paths& paths, const std::string& sub, pid_t init_pid) : mode_(paths.mode) {
  SubPath s = parse_sub(sub);
  if (sub.empty()) init_pid_ = init_pid;
  bool matched = s.controller.empty();
  for (const auto& [name, dir] : paths.v1) {
    bool here = s.controller.empty() || hierarchy_holds(name, s.controller);
    matched |= here;
    std::string target = join(dir, here ? s.path : "");
    v1_.add(name, target);
  }
  if (!paths.v2.empty()) {
    bool here = s.controller.empty() || paths.mode == Mode::Unified;
    matched |= here;
    std::string target = join(paths.v2, here ? s.path : "");
    v2_target_ = target;
    with_context("join cgroup " + target, [&] {
      v2_dir_ = open_path(target, O_RDONLY | O_DIRECTORY);
      v2_procs_ = open_at(v2_dir_.get(), "cgroup.procs", O_WRONLY);
    });
  }
  if (!matched)
    throw Error("--cgroup " + quote(sub) + ": the container has no cgroup for controller " + quote(s.controller));
}

void Placement::add(pid_t pid, bool placed_in_v2) const {
  if (placed_in_v2 || !v2_procs_) return;
  try {
    // The cgroup named: a write can fail for reasons of that one cgroup (pids.max reached).
    write_all(v2_procs_.get(), std::to_string(pid), v2_target_ + "/cgroup.procs");
  } catch (const Error& e) {
    if (e.code() != EBUSY || init_pid_ <= 0) throw;
    join_inits_cgroup(pid);
  }
}

void Placement::join_inits_cgroup(pid_t pid) const {
  // Read in the procfs opened before the runtime joined the container's
  // namespaces; the directory is opened below the container's own, by fd,
  // for the same reason (the host's cgroupfs is not mounted there).
  const std::string text = procfs::read(std::to_string(init_pid_) + "/cgroup");
  std::string dir;
  for (const ProcCgroupEntry& e : parse_proc_cgroup(text))
    if (e.hierarchy.empty()) dir = standard_dir(mode_, e.hierarchy, e.path);
  const std::string prefix = v2_target_ + "/";
  if (!dir.starts_with(prefix))
    throw Error("write " + v2_target_ +
                    "/cgroup.procs: the container's cgroup takes no process (controllers are "
                    "enabled in it), and its init's cgroup " +
                    quote(dir.empty() ? "(none)" : dir) + " is not below it",
                EBUSY);
  with_context("join the init's cgroup " + dir, [&] {
    UniqueFd procs = open_at(v2_dir_.get(), dir.substr(prefix.size()) + "/cgroup.procs", O_WRONLY);
    write_all(procs.get(), std::to_string(pid), dir + "/cgroup.procs");
  });
}

}  // namespace hull::cgroups
