#include "cgroups/placement.hpp"

#include <fcntl.h>

#include <algorithm>

#include "base/error.hpp"
#include "base/fs.hpp"

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

bool holds(const std::string& hierarchy, const std::string& controller) {
  size_t start = 0;
  while (start <= hierarchy.size()) {
    size_t end = hierarchy.find(',', start);
    if (end == std::string::npos) end = hierarchy.size();
    if (hierarchy.compare(start, end - start, controller) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Placement::Placement(const Paths& paths, const std::string& sub) {
  SubPath s = parse_sub(sub);
  bool matched = s.controller.empty();
  for (const auto& [name, dir] : paths.v1) {
    bool here = s.controller.empty() || holds(name, s.controller);
    matched |= here;
    std::string target = join(dir, here ? s.path : "");
    v1_procs_.push_back(
        {target, with_context("join cgroup " + target, [&] { return open_fd(target + "/cgroup.procs", O_WRONLY); })});
  }
  if (!paths.v2.empty()) {
    bool here = s.controller.empty() || paths.mode == Mode::Unified;
    matched |= here;
    std::string target = join(paths.v2, here ? s.path : "");
    v2_target_ = target;
    with_context("join cgroup " + target, [&] {
      v2_dir_ = open_fd(target, O_RDONLY | O_DIRECTORY);
      v2_procs_ = open_at(v2_dir_.get(), "cgroup.procs", O_WRONLY);
    });
  }
  if (!matched)
    throw Error("--cgroup " + quote(sub) + ": the container has no cgroup for controller " + quote(s.controller));
}

void Placement::add(pid_t pid, bool placed_in_v2) const {
  std::string text = std::to_string(pid);
  // The cgroup named: a write can fail for reasons of that one cgroup (a
  // cpuset sub-cgroup without cpus or mems: ENOSPC; pids.max reached).
  for (const auto& [target, fd] : v1_procs_) write_all(fd.get(), text, target + "/cgroup.procs");
  if (!placed_in_v2 && v2_procs_) write_all(v2_procs_.get(), text, v2_target_ + "/cgroup.procs");
}

}  // namespace hull::cgroups
