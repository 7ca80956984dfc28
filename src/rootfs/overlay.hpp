#pragma once
// hull's overlay rootfs: the bundle's rootfs as a read-only lower layer with a
// private writable layer per container, so many containers share one
// unpacked image and the bundle is never modified.
#include <string>

namespace hull::rootfs {

// Mounts an overlay on `rootfs` (in the caller's mount namespace only), with
// rootfs itself as lowerdir and `dir`/upper, `dir`/work as upper and work
// directories (created when missing; the upper's root takes the owner and
// mode of the rootfs's root, as that is what the container sees as "/").
void mount_overlay_rootfs(const std::string& rootfs, const std::string& dir);

// A path as an overlayfs option value: ':' and '\' escaped with '\'. Throws
// for a ',' which the mount data cannot carry.
std::string overlay_escape(const std::string& path);

}  // namespace hull::rootfs
