#pragma once
// Applies one config.json mount inside the rootfs.
#include <sys/mount.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::rootfs {

struct MountContext {
  int rootfd = -1;          // O_PATH fd of the rootfs mount
  dev_t root_dev = 0;       // the rootfs's root directory, as fstat gives it:
  ino_t root_ino = 0;       // what no mount's destination may resolve to
  std::string rootfs_path;  // where that mount is, for readlink-based checks
  std::string bundle;       // relative bind sources are resolved here
  bool cgroupns = false;    // the container has its own cgroup namespace
  // Given to a prepared tree before it is attached: what "/" was made before
  // any mount (MS_SLAVE or MS_PRIVATE, with MS_REC). A tree the runtime
  // cloned in its own namespace from a shared mount is a peer of that mount,
  // and anything mounted below a peer propagates to the host. 0 where the
  // root's propagation is shared (bind_trees.hpp, binds_share_with_host): a
  // bind then stays the peer it was cloned as.
  unsigned long prepared_tree_propagation = MS_SLAVE | MS_REC;
  // In a user namespace the runtime clones every bind source, which the
  // container's root may not reach, but a clone made in the host's
  // namespaces carries none of the locks the kernel puts on a less
  // privileged namespace's copy of the host's mounts: the container's root
  // could remount a host read-only (nosuid, nodev, noexec) source without
  // it. So the init clones the source from its own copy first, locked as
  // under runc, and attaches the runtime's tree only where it cannot reach
  // the source. Not for id-mapped binds (the runtime maps its trees), nor
  // with a shared root (a bind stays a peer of the host's mount).
  bool binds_from_own_copy_first = false;
  // Where the tmpfs mounts asked read-only go, writable still, for the
  // caller to make read-only once the rootfs is set up; nullptr: at once.
  std::vector<UniqueFd>* readonly_later = nullptr;
  // Id-maps the detached tree of an id-mapped bind whose source is below the
  // rootfs, cloned here after the mounts before it, by its index in
  // spec.mounts (SetupOptions::idmap_by_runtime). Empty: such a bind is refused.
  std::function<void(size_t mount, int tree)> idmap_by_runtime;
  // Set to the first directory right below /dev that a mount covers
  // (/dev/pts, /dev/shm, ...), opened before that mount is attached, so that
  // it names the directory beneath the mount: the masks' empty directory is
  // made there (masked_paths.hpp). nullptr: not wanted.
  UniqueFd* covered_dev_dir = nullptr;
};

// Mounts m on its destination inside the rootfs, creating the destination
// (a directory, or an empty file when a bind source is not a directory).
// Throws hull::Error naming the mount. A bind mount whose source the runtime
// opened already (rootfs/bind_trees.hpp) passes that detached tree as
// `prepared_tree`; it is attached instead of the source path. `index`: m's
// place in spec.mounts.
void apply_mount(const MountContext& ctx, const spec::Mount& m, size_t index, int prepared_tree = -1);

// Whether mounting m depends on the mounter's network namespace: a sysfs
// instance shows the network devices of its mounter's, and a network
// filesystem (nfs, cifs, 9p over tcp, ...) reaches the network from it for
// as long as it is mounted. Binds and the filesystems that hold no network
// state (proc: /proc/net follows its reader) do not; a type not known here
// is taken to.
bool mount_takes_network_namespace(const spec::Mount& m);

}  // namespace hull::rootfs
