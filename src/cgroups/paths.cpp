// cgroupsPath -> the container's directory in every hierarchy.
#include <string>
#include <vector>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"

namespace hull::cgroups {

namespace {

// "a//b/./c/" -> "a/b/c"; refuses "..", which would let a config climb out
// of the subtree it is given (relative paths are meant to stay under the caller).
std::string normalize(std::string_view value) {
  std::string out;
  size_t i = 0;
  while (i <= value.size()) {
    size_t j = value.find('/', i);
    if (j == std::string_view::npos) j = value.size();
    std::string_view part = value.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") throw Error("cgroupsPath " + quote(value) + ": \"..\" is not allowed");
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

}  // namespace

std::string join_cgroup_path(const std::string& dir, const std::string& sub) {
  if (sub.empty()) return dir;
  if (!dir.empty() && dir.back() == '/') return dir + sub;
  return dir + "/" + sub;
}

SystemdPath parse_systemd_path(std::string_view value) {
  std::vector<std::string> parts;
  size_t i = 0;
  for (;;) {
    size_t j = value.find(':', i);
    parts.emplace_back(value.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  if (parts.size() != 3)
    throw Error("cgroupsPath " + quote(value) + ": with --systemd-cgroup it must be \"slice:prefix:name\"");
  SystemdPath p{parts[0], parts[1], parts[2]};
  if (p.name.empty()) throw Error("cgroupsPath " + quote(value) + ": the name part is empty");
  if (!p.slice.empty() && (p.slice.size() <= 6 || p.slice.substr(p.slice.size() - 6) != ".slice"))
    throw Error("cgroupsPath " + quote(value) + ": " + quote(p.slice) + " is not a slice name (*.slice)");
  for (const auto& s : parts)
    if (s.find('/') != std::string::npos)
      throw Error("cgroupsPath " + quote(value) + ": systemd unit names cannot contain '/'");
  return p;
}

Paths resolve_paths(const std::optional<std::string>& cgroups_path, std::string_view id, const Host& host) {
  std::string value = cgroups_path && !cgroups_path->empty() ? *cgroups_path : std::string(id);
  bool absolute = !value.empty() && value.front() == '/';
  std::string rel = normalize(value);
  if (rel.empty()) throw Error("cgroupsPath " + quote(value) + ": names the hierarchy root");

  Paths p;
  p.mode = host.mode;
  if (host.mode != Mode::Legacy) {
    // Pure v2: relative to the PARENT of the caller's cgroup, as runc's fs2
    // driver does (defaultpath.go): the caller's own cgroup holds processes
    // (at least the caller), so the kernel's no-internal-process rule forbids
    // controllers for its children. Hybrid: the caller's own cgroup, like the
    // v1 hierarchies beside it (docs/cgroups.md has the rule and its sources).
    std::string own = normalize(host.v2_own_path);
    if (host.mode == Mode::Unified) {
      size_t slash = own.rfind('/');
      own = slash == std::string::npos ? std::string() : own.substr(0, slash);
    }
    std::string base = absolute ? host.v2_mount : join_cgroup_path(host.v2_mount, own);
    p.v2 = join_cgroup_path(base, rel);
  }
  for (const auto& [name, h] : host.v1) {
    std::string base = absolute ? h.mount : join_cgroup_path(h.mount, normalize(h.own_path));
    p.v1.emplace(name, join_cgroup_path(base, rel));
  }
  return p;
}

std::string standard_dir(Mode mode, std::string_view hierarchy, std::string_view path) {
  std::string dir = "/sys/fs/cgroup";
  if (hierarchy.empty()) {
    if (mode == Mode::Hybrid) dir += "/unified";
  } else {
    dir += '/';
    dir += hierarchy.starts_with("name=") ? hierarchy.substr(5) : hierarchy;
  }
  if (path != "/") dir += path;
  return dir;
}

std::string v1_dir(const Paths& paths, const std::string& controller) {
  for (const auto& [hierarchy, dir] : paths.v1)
    if (hierarchy_holds(hierarchy, controller)) return dir;
  return {};
}

}  // namespace hull::cgroups
