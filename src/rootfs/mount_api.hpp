#pragma once
// Thin wrappers over mount(2) and the new mount API (open_tree, move_mount,
// mount_setattr) that work on fds and throw hull::Error naming the mount.
//
// Targets are always fds resolved inside the rootfs (see safe_path.hpp):
// mount(2) gets /proc/self/fd/N, the new API gets the fd itself, so the kernel
// mounts on the very directory we checked, whatever happens to the path
// string afterwards (CVE-2021-30465).
#include <cstdint>
#include <optional>
#include <string>

#include "base/unique_fd.hpp"
#include "rootfs/mount_options.hpp"

namespace hull::rootfs {

// Names a mount for messages, in the shape every error here uses:
//   mount "tmpfs" on "/run" (flags MS_NOSUID|MS_NODEV, data "mode=755")
// The type is shown when it differs from the source; data when not empty.
std::string describe_mount(const std::string& source, const std::string& dest, const std::string& type,
                           unsigned long flags, const std::string& data);

// mount(2) with the target given as an fd. `what` is describe_mount's text.
void mount_on_fd(const char* source, int target_fd, const char* type, unsigned long flags, const std::string& data,
                 const std::string& what);

// Whether new_detached_mount gives `source` and `data` to the file system
// as mount(2) would: fsconfig takes data one comma-separated option at a
// time, and no value of 256 bytes or more.
bool fsconfig_takes(const std::string& source, const std::string& data);

// A new mount of `fs_type` made detached (fsopen, fsconfig, fsmount), with
// `data`'s comma-separated options (flags, or key=value strings) and the
// mount's own MOUNT_ATTR_* flags, to be attached with attach_mount. source
// and the superblock's MS_* flags (MS_RDONLY, MS_SYNCHRONOUS, ...) as
// mount(2) takes them. The fd names the mount itself wherever it goes: no
// lookup of its destination is needed again, which a path swapped for a
// symlink meanwhile could lead to another mount.
UniqueFd new_detached_mount(const std::string& fs_type, const std::string& data, const std::string& what,
                            unsigned mount_attrs = 0, const std::optional<std::string>& source = std::nullopt,
                            unsigned long superblock_flags = 0);

// open_tree(OPEN_TREE_CLONE): a detached copy of the mount at dirfd/path
// (path "" means dirfd itself), with its submounts when recursive.
UniqueFd clone_mount(int dirfd, const std::string& path, bool recursive, const std::string& what);

// clone_mount of `path` looked up inside the rootfs (rootfs/safe_path.hpp:
// its symlinks never lead out of it): a bind source the config names below
// the rootfs. A path that does not exist there is an error naming it.
UniqueFd clone_mount_in_root(int rootfd, const std::string& path, bool recursive, const std::string& what);

// move_mount(2): attaches the detached mount `from` on the directory or file `to_fd`.
void attach_mount(int from_fd, int to_fd, const std::string& what);

// mount_setattr(2) on the mount whose root is fd. No-op for empty attrs.
void set_mount_attrs(int fd, const MountAttrs& attrs, bool recursive, const std::string& what);

// mount_setattr(MOUNT_ATTR_IDMAP) on the detached mount whose root is fd:
// files on it show their owners through the maps of user namespace userns_fd.
void set_idmap(int fd, int userns_fd, bool recursive, const std::string& what);

// Changes propagation (one of MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE,
// optionally | MS_REC) of the mount whose root is fd.
void set_propagation(int fd, unsigned long propagation, const std::string& what);

// The id of the mount fd is on: statx's STATX_MNT_ID (Linux 5.8), else
// /proc/self/fdinfo's mnt_id.
uint64_t mount_id_of(int fd, const std::string& what);
// The same from /proc/self/fdinfo alone, where statx is refused.
uint64_t mount_id_from_fdinfo(int fd, const std::string& what);
// Whether fd names the root of the mount it is on: statx's
// STATX_ATTR_MOUNT_ROOT (Linux 5.8), else whether ".." is on another mount.
bool is_mount_root(int fd, const std::string& what);

// Opens the mount just placed on `dest` (a path in the rootfs at rootfd)
// and checks that it is a new mount on the directory `covered_fd` names,
// which an fd keeps naming (and /proc/self/fd/N leads to) once covered.
// For the mounts fsconfig cannot make (fsconfig_takes): the fd of a
// detached one is the mount itself, wherever the path leads.
UniqueFd open_mount_on(int rootfd, const std::string& dest, int covered_fd, int flags, const std::string& what);

}  // namespace hull::rootfs
