#pragma once
// Mount attributes and propagation where the kernel has no mount_setattr:
// Linux 5.10 and 5.11 (Debian 11, Amazon Linux 2) have open_tree,
// move_mount and fsmount but not mount_setattr (5.12), as has any host
// whose seccomp filter answers it ENOSYS. mount_api.cpp comes here after
// that ENOSYS; the changes go through mount(2) on /proc/self/fd/N. mount(2)
// refuses a detached mount (it is in no namespace), so a detached tree's
// changes wait, in order, until attach_mount has placed it: the container's
// processes do not exist yet. Recursive attributes have no mount(2) form
// (a bind remount changes one mount) and stay refused.
#include <cstdint>
#include <string>

namespace hull::rootfs {

// MOUNT_ATTR_* bits to set and clear on the mount whose root is fd.
void set_attrs_without_setattr(int fd, uint64_t set, uint64_t clear, const std::string& what);
// MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, optionally | MS_REC.
void set_propagation_without_setattr(int fd, unsigned long propagation, const std::string& what);
// After move_mount: what waited for the tree at fd, if anything did.
void apply_deferred_changes(int fd, const std::string& what);
// The mount at `path` made read-only, its other flags kept.
void remount_read_only_at(const char* path, const std::string& what);

}  // namespace hull::rootfs
