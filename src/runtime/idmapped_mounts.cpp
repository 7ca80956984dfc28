#include "runtime/idmapped_mounts.hpp"

#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <charconv>
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

// Whether mounts[i] is mapped with the container's user namespace (option
// idmap without maps of its own, or with the maps of the new one) rather
// than with a namespace made from its own maps. Throws where it can be
// mapped with neither.
bool maps_with_container_userns(const spec::Spec& spec, size_t i, bool new_userns, bool joined_userns) {
  const spec::Mount& m = spec.mounts[i];
  const spec::Linux& lx = *spec.linux_;
  const bool own_maps = !m.uidMappings.empty() || !m.gidMappings.empty();
  if (own_maps && (m.uidMappings.empty() || m.gidMappings.empty()))
    throw Error(mount_path(i) + ": needs both uidMappings and gidMappings");
  if (own_maps && !(new_userns && same_maps(m.uidMappings, lx.uidMappings) && same_maps(m.gidMappings, lx.gidMappings)))
    return false;
  if (!new_userns && !joined_userns)
    throw Error(mount_path(i) +
                ": option idmap without uidMappings/gidMappings maps with the container's user namespace, "
                "but .linux.namespaces has none");
  return true;
}

UniqueFd user_namespace_of_own_maps(const spec::Mount& m, size_t i) {
  return with_context(mount_path(i), [&] { return ns::make_user_namespace(m.uidMappings, m.gidMappings); });
}

}  // namespace

std::vector<size_t> idmap_before_clone(const spec::Spec& spec, const ns::NamespacePlan& namespaces,
                                       const rootfs::BindTrees& trees) {
  std::vector<size_t> left;
  const bool new_userns = namespaces.clone_flags & CLONE_NEWUSER;
  const int joined = joined_user_namespace(namespaces);
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const spec::Mount& m = spec.mounts[i];
    if (!rootfs::is_idmapped_bind(m)) continue;
    const bool container = maps_with_container_userns(spec, i, new_userns, joined >= 0);
    // No tree: its source is below the rootfs, and the init sends it (idmap_tree_for_init).
    if (trees.at(i) < 0) continue;
    if (container && new_userns) {
      left.push_back(i);
    } else if (container) {
      idmap(m, i, trees.at(i), joined);
    } else {
      idmap(m, i, trees.at(i), user_namespace_of_own_maps(m, i).get());
    }
  }
  return left;
}

void idmap_with_container_userns(pid_t init, const spec::Spec& spec, const std::vector<size_t>& mounts,
                                 const rootfs::BindTrees& trees) {
  if (mounts.empty()) return;
  UniqueFd userns = procfs::open_link_target(std::to_string(init) + "/ns/user", O_RDONLY);
  for (size_t i : mounts) idmap(spec.mounts[i], i, trees.at(i), userns.get());
}

void idmap_tree_for_init(pid_t init, const spec::Spec& spec, bool new_userns, const std::string& index,
                         std::vector<UniqueFd>& tree) {
  size_t i = 0;
  const auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), i);
  if (ec != std::errc() || end != index.data() + index.size() || i >= spec.mounts.size() ||
      !rootfs::is_idmapped_bind(spec.mounts[i]) || tree.size() != 1)
    throw Error("sync protocol: idmap-tree for " + quote(index) + " with " + std::to_string(tree.size()) +
                " fds names no id-mapped bind of the config");
  const spec::Mount& m = spec.mounts[i];
  // The init is in the container's user namespace by now, made or joined.
  if (maps_with_container_userns(spec, i, new_userns, !new_userns)) {
    UniqueFd userns = procfs::open_link_target(std::to_string(init) + "/ns/user", O_RDONLY);
    idmap(m, i, tree[0].get(), userns.get());
  } else {
    idmap(m, i, tree[0].get(), user_namespace_of_own_maps(m, i).get());
  }
}

bool asks_for_idmapped_rootfs(const spec::Spec& spec) {
  auto a = spec.annotations.find(kRootfsIdmapAnnotation);
  return a != spec.annotations.end() && a->second == "true";
}

IdmappedRootfs open_idmapped_rootfs(const spec::Spec& spec, const std::string& rootfs,
                                    const ns::NamespacePlan& namespaces, bool unprivileged, bool overlay_rootfs) {
  IdmappedRootfs out;
  auto a = spec.annotations.find(kRootfsIdmapAnnotation);
  if (a == spec.annotations.end() || a->second == "false") return out;
  const std::string what = std::string("id-mapped rootfs (annotation ") + kRootfsIdmapAnnotation + ")";
  if (a->second != "true") throw Error(what + ": expected \"true\" or \"false\", got " + quote(a->second));
  if (unprivileged) throw Error(what + ": " + rootfs::kIdmapNeedsHostRoot);
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
