#pragma once
// Builds the container's filesystem view. Runs in the container init, inside
// its new mount namespace, before the process attributes are applied.
#include <functional>
#include <string>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::rootfs {

struct SetupOptions {
  std::string bundle;            // absolute bundle directory (relative root.path / mount sources resolve here)
  std::string rootfs;            // absolute root.path
  bool no_pivot = false;         // move-mount + chroot instead of pivot_root
  bool create_console = false;   // process.terminal: make a pty from the container's devpts
  std::string state_dir;         // the container's state directory (overlay upper/work may live here)
  // hull's overlay rootfs (--overlay-rootfs, annotation org.hull.overlay-rootfs):
  // root.path becomes the read-only lower layer of an overlay whose upper/ and
  // work/ live in overlay_dir (empty: <state_dir>/overlay), so the bundle is
  // never written and many containers can share one rootfs.
  bool overlay_rootfs = false;
  std::string overlay_dir;
  // Called after every mount is in place and before pivot_root/chroot
  // (the createContainer hooks' moment). May be empty.
  std::function<void()> before_pivot;
};

// Mounts config mounts in order, devices, masked and read-only paths, then
// pivot_root (or chroot with no_pivot) into the rootfs and applies root.readonly.
// On return the process's root and cwd are the container's "/".
struct SetupResult {
  // With create_console: a pty opened from the container's own /dev/pts
  // instance; the slave is already bind-mounted on /dev/console (from the fd,
  // never from a path the container could race: CVE-2025-52565).
  UniqueFd pty_master, pty_slave;
};
SetupResult setup_rootfs(const spec::Spec& spec, const SetupOptions& opts);

}  // namespace hull::rootfs
