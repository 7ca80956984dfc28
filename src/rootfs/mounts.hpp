#pragma once
// Applies one config.json mount inside the rootfs.
#include <sys/mount.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "rootfs/readonly_later.hpp"
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
  // root's propagation is shared and the container has no user namespace
  // (bind_trees.hpp, binds_share_with_host): a bind then stays the peer it
  // was cloned as.
  unsigned long prepared_tree_propagation = MS_SLAVE | MS_REC;
  // The container has a user namespace: a bind the init clones from its own
  // namespace comes with the kernel's locks on the host's mounts (a
  // submount stays on, a read-only one read-only).
  bool user_namespace = false;
  // Where the tmpfs mounts asked read-only go, writable still, for the
  // caller to make read-only once the rootfs is set up; nullptr: at once.
  ReadOnlyLater* readonly_later = nullptr;
  // Id-maps the detached tree of an id-mapped bind the init clones (one whose
  // source is below the rootfs, cloned after the mounts before it; in a user
  // namespace, every one), by its index in spec.mounts
  // (SetupOptions::idmap_by_runtime). Empty: the runtime maps no tree the
  // init clones, and such a bind is refused.
  std::function<void(size_t mount, int tree)> idmap_by_runtime;
  // Opens, by its index in spec.mounts, a bind source the init may not reach
  // (EACCES: the container's root is no host root), in the init's own mount
  // namespace, with the runtime's credentials (rootfs/bind_trees.hpp,
  // SyncMsg::BindSource): one below the rootfs below `rootfd` (the rootfs
  // mount, sent along), any other below the init's root (`rootfd` -1). The
  // init clones its locked copy from the fd. Empty: the EACCES stands.
  std::function<UniqueFd(size_t mount, int rootfd)> source_from_runtime;
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
