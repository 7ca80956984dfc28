#include "runtime/idmapped_mounts.hpp"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <string>

#include "base/error.hpp"
#include "base/procfs.hpp"
#include "namespaces/user_namespace.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"

namespace hull {
namespace {

std::string mount_path(size_t i) { return "id-mapped mount .mounts[" + std::to_string(i) + "]"; }

void idmap(const spec::Mount& m, size_t i, int tree, int userns_fd) {
  rootfs::MountOptions o = rootfs::parse_mount_options(m.options);
  rootfs::set_idmap(tree, userns_fd, o.idmap_recursive, mount_path(i) + " on " + quote(m.destination));
}

bool same_maps(const std::vector<spec::IDMapping>& a, const std::vector<spec::IDMapping>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const spec::IDMapping& x, const spec::IDMapping& y) {
    return x.containerID == y.containerID && x.hostID == y.hostID && x.size == y.size;
  });
}

int joined_user_namespace(const ns::NamespacePlan& namespaces) {
  for (const auto& j : namespaces.join)
    if (j.type == spec::NamespaceType::User) return j.fd.get();
  return -1;
}

}  // namespace

std::vector<size_t> idmap_before_clone(const spec::Spec& spec, const ns::NamespacePlan& namespaces,
                                       const rootfs::BindTrees& trees) {
  std::vector<size_t> left;
  const spec::Linux& lx = *spec.linux_;
  bool new_userns = namespaces.clone_flags & CLONE_NEWUSER;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const spec::Mount& m = spec.mounts[i];
    if (trees.at(i) < 0 || !rootfs::is_idmapped(m)) continue;
    bool own_maps = !m.uidMappings.empty() || !m.gidMappings.empty();
    if (own_maps && (m.uidMappings.empty() || m.gidMappings.empty()))
      throw Error(mount_path(i) + ": needs both uidMappings and gidMappings");
    if (!own_maps ||
        (new_userns && same_maps(m.uidMappings, lx.uidMappings) && same_maps(m.gidMappings, lx.gidMappings))) {
      // The container's own maps: its user namespace, joined or new.
      if (new_userns) {
        left.push_back(i);
        continue;
      }
      int joined = joined_user_namespace(namespaces);
      if (joined < 0)
        throw Error(mount_path(i) +
                    ": option idmap without uidMappings/gidMappings maps with the container's user namespace, "
                    "but .linux.namespaces has none");
      idmap(m, i, trees.at(i), joined);
      continue;
    }
    UniqueFd userns =
        with_context(mount_path(i), [&] { return ns::make_user_namespace(m.uidMappings, m.gidMappings); });
    idmap(m, i, trees.at(i), userns.get());
  }
  return left;
}

void idmap_with_container_userns(pid_t init, const spec::Spec& spec, const std::vector<size_t>& mounts,
                                 const rootfs::BindTrees& trees) {
  if (mounts.empty()) return;
  UniqueFd userns = procfs::open_link_target(std::to_string(init) + "/ns/user", O_RDONLY);
  for (size_t i : mounts) idmap(spec.mounts[i], i, trees.at(i), userns.get());
}

IdmappedRootfs open_idmapped_rootfs(const spec::Spec& spec, const std::string& rootfs,
                                    const ns::NamespacePlan& namespaces, bool rootless, bool overlay_rootfs) {
  IdmappedRootfs out;
  auto a = spec.annotations.find(kRootfsIdmapAnnotation);
  if (a == spec.annotations.end() || a->second == "false") return out;
  const std::string what = std::string("id-mapped rootfs (annotation ") + kRootfsIdmapAnnotation + ")";
  if (a->second != "true") throw Error(what + ": expected \"true\" or \"false\", got " + quote(a->second));
  if (rootless) throw Error(what + ": refused in rootless mode (id-mapping host files needs root on the host)");
  if (overlay_rootfs) throw Error(what + ": not with an overlay rootfs (id-map its lower directory instead)");
  const bool new_userns = namespaces.clone_flags & CLONE_NEWUSER;
  const int joined = joined_user_namespace(namespaces);
  if (!new_userns && joined < 0)
    throw Error(what + ": maps with the container's user namespace, but .linux.namespaces has none");
  out.tree = rootfs::clone_mount(AT_FDCWD, rootfs, true, what + " " + quote(rootfs) + ": open_tree");
  if (new_userns) {
    out.after_maps = true;
  } else {
    rootfs::set_idmap(out.tree.get(), joined, true, what + " " + quote(rootfs));
  }
  return out;
}

void idmap_rootfs_with_container_userns(pid_t init, int tree) {
  UniqueFd userns = procfs::open_link_target(std::to_string(init) + "/ns/user", O_RDONLY);
  rootfs::set_idmap(tree, userns.get(), true,
                    std::string("id-mapped rootfs (annotation ") + kRootfsIdmapAnnotation + ")");
}

}  // namespace hull
