#pragma once
// Id-mapped bind mounts (mounts[].uidMappings/gidMappings, options idmap and
// ridmap): the runtime sets MOUNT_ATTR_IDMAP on the detached trees it opened
// (rootfs/bind_trees.hpp) before the init attaches them. Only a process
// privileged over the filesystem's own user namespace (the host's, for host
// paths) may id-map a mount, which the init in its user namespace is not.
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "namespaces/namespaces.hpp"
#include "rootfs/bind_trees.hpp"
#include "spec/spec.hpp"

namespace hull {

// Before the clone: id-maps the trees whose user namespace exists already
// (one joined by path, or one made for a mount's own mappings). Returns the
// mounts left for the container's new user namespace, mapped by
// idmap_with_container_userns once its maps are written.
std::vector<size_t> idmap_before_clone(const spec::Spec& spec, const ns::NamespacePlan& namespaces,
                                       const rootfs::BindTrees& trees);

// After the init's uid/gid maps are written: id-maps `mounts` with its user namespace.
void idmap_with_container_userns(pid_t init, const spec::Spec& spec, const std::vector<size_t>& mounts,
                                 const rootfs::BindTrees& trees);

// SyncMsg::IdmapTree: the init's detached clone of a bind source below the
// rootfs, made after the mounts before it, for mounts[`index`] (its decimal
// text); `tree` holds the fds the message carried, one. Id-mapped as
// idmap_before_clone would have (`new_userns`: the container made its user
// namespace), with the init's user namespace for the container's maps.
void idmap_tree_for_init(pid_t init, const spec::Spec& spec, bool new_userns, const std::string& index,
                         std::vector<UniqueFd>& tree);

// The annotation that id-maps the rootfs itself: the runtime-spec has
// idmap/ridmap and uidMappings/gidMappings for mounts only, none for
// root.path. "true": root.path (recursively, its submounts too) is mapped
// with the container's user namespace, so files host root owns on disk are
// the container root's; "false" or absent: not mapped.
inline constexpr const char* kRootfsIdmapAnnotation = "org.hull.rootfs-idmap";

// An id-mapped rootfs, when the annotation asks for one: the detached
// (open_tree) copy of `rootfs`, already id-mapped when the container joins a
// user namespace by path, else to be mapped by idmap_rootfs_with_container_userns
// once the init's maps are written (`after_maps` is then true). An empty fd
// when not asked. Refused without a user namespace, with an overlay rootfs,
// and for a runtime that is not root on the host (GlobalOptions::unprivileged).
struct IdmappedRootfs {
  UniqueFd tree;
  bool after_maps = false;
};
// Whether the annotation asks for an id-mapped rootfs (its value is checked
// by open_idmapped_rootfs).
bool asks_for_idmapped_rootfs(const spec::Spec& spec);
IdmappedRootfs open_idmapped_rootfs(const spec::Spec& spec, const std::string& rootfs,
                                    const ns::NamespacePlan& namespaces, bool unprivileged, bool overlay_rootfs);
void idmap_rootfs_with_container_userns(pid_t init, int tree);

}  // namespace hull
