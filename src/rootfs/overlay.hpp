#pragma once
// hull's overlay rootfs: the bundle's rootfs as a read-only lower layer with a
// private writable layer per container, so many containers share one
// unpacked image and the bundle is never modified.
#include <string>

#include "base/error.hpp"
#include "base/shared_flag.hpp"

namespace hull::rootfs {

// Mounts an overlay on `rootfs` (in the caller's mount namespace only), with
// rootfs itself as lowerdir and `dir`/upper, `dir`/work as upper and work
// directories (created when missing; the upper's root takes the owner and
// mode of the rootfs's root, as that is what the container sees as "/").
// `claimed`: `dir` is a user-named overlay directory's <dir>/<id>, which
// must be new, as another container of the id (under another --root) may
// be making it at the same time: made exclusively, and `claimed` set once it
// is, for the runtime to remove it, and only then, if create fails.
void mount_overlay_rootfs(const std::string& rootfs, const std::string& dir, const SharedFlag* claimed);

// <dir>/<id> of a user-named overlay directory there before this create made it.
Error overlay_dir_exists(const std::string& dir);

// A path as an overlayfs option value: ':' and '\' escaped with '\'. Throws
// for a ',' which the mount data cannot carry.
std::string overlay_escape(const std::string& path);

}  // namespace hull::rootfs
