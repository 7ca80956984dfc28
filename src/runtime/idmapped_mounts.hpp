#pragma once
// Id-mapped bind mounts (mounts[].uidMappings/gidMappings, options idmap and
// ridmap): the runtime sets MOUNT_ATTR_IDMAP on the detached trees it opened
// (rootfs/bind_trees.hpp) before the init attaches them. Only a process
// privileged over the filesystem's own user namespace (the host's, for host
// paths) may id-map a mount, which the init in its user namespace is not.
#include <sys/types.h>

#include <cstddef>
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

}  // namespace hull
