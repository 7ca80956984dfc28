#include "runtime/criu_images.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "rootfs/cgroup_mount.hpp"
#include "rootfs/safe_path.hpp"

namespace hull {

namespace {

std::string absolute(const std::string& path) {
  if (path.starts_with('/')) return path;
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) throw_errno("getcwd to make " + quote(path) + " absolute");
  return std::string(cwd) + "/" + path;
}

// `path` and the parents it lacks (0700 each), as runc's MkdirAll.
void make_dir(const std::string& path, const char* flag) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string part = path.substr(0, slash);
    if (::mkdir(part.c_str(), 0700) < 0 && errno != EEXIST)
      throw_errno(std::string("create the ") + flag + " " + path + (part == path ? "" : ": its parent " + part));
    if (slash == std::string::npos) return;
  }
}

// "/sys/fs/cgroup/cpu,cpuacct/a/b" under mount "/sys/fs/cgroup/cpu,cpuacct" -> "/a/b".
std::string below(const std::string& dir, const std::string& mount) {
  if (mount.empty() || !dir.starts_with(mount)) return "";
  std::string rest = dir.substr(mount.size());
  return rest.empty() ? "/" : rest;
}

// Calls fn(hierarchy, path) for each of the container's cgroups, its path
// relative to the hierarchy's mount: hierarchy "" for v2, else v1's name.
template <typename Fn>
void for_each_cgroup(const cgroups::Paths& paths, const cgroups::Host& host, Fn fn) {
  if (std::string rel = below(paths.v2, host.v2_mount); !rel.empty()) fn(std::string(), rel);
  for (const auto& [hierarchy, dir] : paths.v1) {
    auto h = host.v1.find(hierarchy);
    if (h == host.v1.end()) continue;
    if (std::string rel = below(dir, h->second.mount); !rel.empty()) fn(hierarchy, rel);
  }
}

}  // namespace

void resolve_criu_dirs(CriuOptions& o, bool create) {
  o.image_path = absolute(o.image_path.empty() ? "checkpoint" : o.image_path);
  if (!o.work_path.empty()) o.work_path = absolute(o.work_path);
  if (!create) return;
  make_dir(o.image_path, "image path");
  if (!o.work_path.empty()) make_dir(o.work_path, "work path");
}

std::string criu_work_dir(const CriuOptions& o, const std::string& configured_work_dir) {
  if (!o.work_path.empty()) return o.work_path;
  return configured_work_dir.empty() ? o.image_path : absolute(configured_work_dir);
}

std::string criu_log_path(const CriuOptions& o, const char* log_name, const std::string& configured,
                          const std::string& configured_work_dir) {
  if (configured.starts_with('/')) return configured;
  return criu_work_dir(o, configured_work_dir) + "/" + (configured.empty() ? log_name : configured);
}

std::string freezer_cgroup(const cgroups::Paths& paths) {
  for (const auto& [hierarchy, dir] : paths.v1)
    if (hierarchy == "freezer") return dir;
  return paths.v2;
}

std::vector<std::string> criu_cgroup_roots(const cgroups::Paths& paths, const cgroups::Host& host) {
  std::vector<std::string> roots;
  for_each_cgroup(paths, host, [&](const std::string& hierarchy, const std::string& rel) {
    roots.push_back(hierarchy.empty() ? rel : hierarchy + ":" + rel);
  });
  return roots;
}

std::string cgroup_membership(const cgroups::Paths& paths, const cgroups::Host& host) {
  std::string text;
  for_each_cgroup(paths, host, [&](const std::string& hierarchy, const std::string& rel) {
    text += (hierarchy.empty() ? "0:" : "1:") + hierarchy + ":" + rel + "\n";
  });
  return text;
}

std::vector<ExternalMount> cgroup_external_mounts(const spec::Spec& spec, const cgroups::Paths& paths, bool restore) {
  std::vector<ExternalMount> out;
  if (spec::lists_namespace(spec, spec::NamespaceType::Cgroup)) return out;
  std::string membership;
  for (const spec::Mount& m : spec.mounts) {
    std::string type = m.type.value_or("");
    if (type != "cgroup" && type != "cgroup2") continue;
    if (membership.empty()) membership = cgroup_membership(paths, cgroups::Host::current());
    const bool read_only = rootfs::cgroup_mount_read_only(rootfs::parse_mount_options(m.options));
    for (const rootfs::CgroupHierarchyMount& h : rootfs::cgroup_hierarchy_mounts(type, membership, read_only)) {
      std::string key = rootfs::clean_path("/" + m.destination + (h.name.empty() ? "" : "/" + h.name));
      out.push_back({key, restore ? h.host_dir : key});
    }
  }
  return out;
}

std::string descriptors_json(const std::vector<std::string>& fds) {
  // A path that is not UTF-8 (stdout sent to a Latin-1 file name) with
  // U+FFFD, as runc's Go encoder writes it (one per malformed sequence
  // here, per byte there): only the pipes are read back.
  return nlohmann::json(fds).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::pair<int, std::string>> inherited_pipes(const std::string& json_text, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_array()) throw Error(what + ": expected a JSON array of strings");
  std::vector<std::pair<int, std::string>> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) throw Error(what + ": expected a JSON array of strings");
    std::string fd = j[i].get<std::string>();
    if (fd.starts_with("pipe:")) out.emplace_back(static_cast<int>(i), fd);
  }
  return out;
}

}  // namespace hull
