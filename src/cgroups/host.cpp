#include "cgroups/host.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <vector>

#include "base/cgroup_mount_root.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/proc_cgroup.hpp"
#include "base/text.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

namespace {

long fs_type(const std::string& path) {
  struct statfs st {};
  if (::statfs(path.c_str(), &st) != 0) return 0;
  return static_cast<long>(st.f_type);
}

// Where a v1 hierarchy listed in /proc/self/cgroup is mounted. The usual
// layout names the directory after the hierarchy ("cpu,cpuacct", with
// per-controller symlinks) and after the name for named ones ("systemd").
std::string find_v1_mount(const std::string& root, const std::string& name, const std::set<std::string>& controllers) {
  std::vector<std::string> candidates;
  if (name.rfind("name=", 0) == 0) {
    candidates.push_back(root + "/" + name.substr(5));
  } else {
    candidates.push_back(root + "/" + name);
    for (const auto& c : controllers) candidates.push_back(root + "/" + c);
  }
  for (const auto& c : candidates)
    if (fs_type(c) == CGROUP_SUPER_MAGIC) return c;
  return {};
}

std::set<std::string> split_commas(const std::string& s) {
  std::set<std::string> out;
  for (std::string_view field : list_fields(s)) out.emplace(field);
  return out;
}

}  // namespace

bool hierarchy_holds(const std::string& hierarchy, const std::string& controller) {
  for (std::string_view field : list_fields(hierarchy))
    if (field == controller) return true;
  return false;
}

const char* to_string(Mode m) {
  switch (m) {
    case Mode::Unified: return "unified";
    case Mode::Hybrid: return "hybrid";
    case Mode::Legacy: return "legacy";
  }
  return "?";
}

Host Host::detect(const std::string& cgroup_root, const std::string& proc_self_cgroup) {
  Host h;
  h.detected_from = proc_self_cgroup;
  if (fs_type(cgroup_root) == CGROUP2_SUPER_MAGIC) {
    h.mode = Mode::Unified;
    h.v2_mount = cgroup_root;
  } else if (fs_type(cgroup_root + "/unified") == CGROUP2_SUPER_MAGIC) {
    h.mode = Mode::Hybrid;
    h.v2_mount = cgroup_root + "/unified";
  } else {
    h.mode = Mode::Legacy;
  }
  // The caller's cgroups as its mounts show them: below /sys/fs/cgroup bound
  // from a sub-cgroup (hull run inside a container without a cgroup
  // namespace) they lie that much higher than /proc/self/cgroup says.
  CgroupMountRoots mounts;
  for (const ProcCgroupEntry& e : parse_proc_cgroup(proc_self_cgroup)) {
    const std::string name(e.hierarchy);
    if (name.empty()) {
      h.v2_own_path = h.v2_mount.empty() ? std::string(e.path) : mounts.path_in(h.v2_mount, e.path);
      continue;
    }
    if (h.mode == Mode::Unified) continue;
    V1Hierarchy v;
    v.controllers = split_commas(name);
    v.mount = find_v1_mount(cgroup_root, name, v.controllers);
    if (v.mount.empty()) continue;
    v.own_path = mounts.path_in(v.mount, e.path);
    h.v1.emplace(name, std::move(v));
  }
  return h;
}

const Host& Host::current() {
  static const Host host = detect("/sys/fs/cgroup", read_file("/proc/self/cgroup"));
  return host;
}

const V1Hierarchy* Host::v1_for(const std::string& controller) const {
  for (const auto& [name, h] : v1)
    if (h.controllers.count(controller)) return &h;
  return nullptr;
}

bool Host::v2_available(const std::string& controller) const {
  if (v2_mount.empty()) return false;
  if (!v2_controllers) v2_controllers = split_words(read_value(v2_mount, "cgroup.controllers"));
  return v2_controllers->count(controller) > 0;
}

std::string Host::describe() const {
  std::string s = std::string(to_string(mode)) + " cgroups (";
  if (mode != Mode::Unified) {
    s += "v1:";
    std::set<std::string> all;
    for (const auto& [name, h] : v1) all.insert(h.controllers.begin(), h.controllers.end());
    bool first = true;
    for (const auto& c : all) {
      s += first ? " " : ", ";
      s += c;
      first = false;
    }
    if (mode == Mode::Hybrid) s += "; ";
  }
  if (mode != Mode::Legacy) {
    s += "v2:";
    v2_available("");  // fills the cache
    if (v2_controllers->empty()) s += " no controllers";
    bool first = true;
    for (const auto& c : *v2_controllers) {
      s += first ? " " : ", ";
      s += c;
      first = false;
    }
  }
  return s + ")";
}

}  // namespace hull::cgroups
