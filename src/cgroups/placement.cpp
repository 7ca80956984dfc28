#include "cgroups/placement.hpp"

#include <fcntl.h>

#include <algorithm>

#include "base/error.hpp"
#include "base/fs.hpp"
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

Placement::Placement(const Paths& paths, const std::string& sub) {
  SubPath s = parse_sub(sub);
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
  // The cgroup named: a write can fail for reasons of that one cgroup (pids.max reached).
  if (!placed_in_v2 && v2_procs_) write_all(v2_procs_.get(), std::to_string(pid), v2_target_ + "/cgroup.procs");
}

}  // namespace hull::cgroups
