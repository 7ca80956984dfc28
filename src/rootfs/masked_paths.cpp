#include "rootfs/masked_paths.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {
namespace {

bool is_dev_null(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3); }

// The /dev/null to mask files with, checked to be the real character device
// 1:3 on the opened fd. A container that makes its /dev/null a symlink or a
// bind of some host file would otherwise have us bind that file over, say,
// /proc/sys/kernel/core_pattern and make it writable (CVE-2025-31133).
// The container's own node is preferred; the host's is the fallback when the
// rootfs has none.
UniqueFd open_verified_null(int rootfd) {
  UniqueFd fd;
  // Symlinks are resolved inside the root (a rootfs whose /dev is a link is
  // fine); what counts is what the fd finally is.
  int f = openat2_fd(rootfd, "dev/null", O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (f >= 0) {
    fd.reset(f);
  } else if (errno == ENOENT) {
    fd.reset(::open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw_errno("mask paths: open the host's /dev/null");
  } else {
    throw_errno("mask paths: open /dev/null in the rootfs (openat2)");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) throw_errno("mask paths: stat /dev/null");
  if (!is_dev_null(st)) {
    throw Error(
        "mask paths: refusing the container's /dev/null: it is not the character device 1:3 "
        "(CVE-2025-31133)");
  }
  return fd;
}

// The /proc and /sys a call below looks paths up from: each top directory
// opened once, without following any symlink, and checked to be the procfs or
// sysfs mount; every path below it is then resolved beneath that fd. Holding
// the fd is what makes the check stick: a rename of the directory afterwards
// moves nothing the lookups start from.
class KernelFsDirs {
 public:
  explicit KernelFsDirs(int rootfd) : rootfd_(rootfd) {}

  int get(bool proc, const std::string& what) {
    UniqueFd& dir = proc ? proc_ : sys_;
    if (dir) return dir.get();
    const char* top = proc ? "/proc" : "/sys";
    UniqueFd fd(openat2_fd(rootfd_, top + 1, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH));
    struct statfs sfs {};
    if (!fd || ::fstatfs(fd.get(), &sfs) < 0 ||
        static_cast<unsigned long>(sfs.f_type) != (proc ? PROC_SUPER_MAGIC : SYSFS_MAGIC))
      throw Error(what + ": refusing: " + top + " in the rootfs is no longer the " + (proc ? "procfs" : "sysfs") +
                  " mounted there (replaced during setup; CVE-2019-19921)");
    dir = std::move(fd);
    return dir.get();
  }

 private:
  int rootfd_;
  UniqueFd proc_, sys_;
};

// Whether a masked or read-only path is looked up on the procfs or sysfs
// setup mounted at /proc or /sys, rather than anywhere inside the root.
// Inlined into open_target, which the hot region lists (cmake/hot-text.ld).
[[gnu::always_inline]] inline bool on_kernel_fs(const std::vector<std::string>& parts,
                                                const KernelFsMounts& kernel_fs) {
  return !parts.empty() && ((kernel_fs.proc && parts[0] == "proc") || (kernel_fs.sys && parts[0] == "sys"));
}

// The target of a masked or read-only path. Below a /proc or /sys that setup
// mounted, beneath the checked top directory (KernelFsDirs); elsewhere,
// anywhere inside the root (then *in_root, where given, is set).
UniqueFd open_target(int rootfd, KernelFsDirs& dirs, const std::string& path, const KernelFsMounts& kernel_fs,
                     const std::string& what, bool* in_root = nullptr) {
  std::vector<std::string> parts = split_path(path);
  const bool on_kernel = on_kernel_fs(parts, kernel_fs);
  if (in_root) *in_root = !on_kernel;
  if (!on_kernel) return open_in_root(rootfd, path);
  const bool proc = parts[0] == "proc";
  int dir = dirs.get(proc, what);
  std::string rest;
  for (size_t i = 1; i < parts.size(); ++i) rest += (rest.empty() ? "" : "/") + parts[i];
  int fd = openat2_fd(dir, rest.empty() ? "." : rest.c_str(), O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) {
    if (errno == ENOENT) return UniqueFd();
    throw_errno(what + ": open (openat2)");
  }
  return UniqueFd(fd);
}

// The empty directory every masked directory shows: made once (0555) in a
// directory of the container's /dev tmpfs that a mount of the config covers
// (/dev/pts, /dev/shm, ...), through an fd held from below that mount, so no
// path in the container leads to it and nothing can be made in it; each mask
// is a read-only, nosuid, nodev, noexec bind of it. It reads as runc's
// read-only tmpfs does (an empty directory of two links, writes fail with
// EROFS) without a superblock of its own.
class CoveredEmptyDir {
 public:
  explicit CoveredEmptyDir(int covered_dir) : dir_(covered_dir) {}
  // A detached read-only bind of it, or an empty fd where it cannot be made
  // (the name taken, the tmpfs full): the caller then mounts a tmpfs.
  UniqueFd bind(const std::string& what) {
    if (!made_) {
      // 0555 whatever the caller's umask (a service's UMask=0077 would
      // leave it 0500: every masked directory unreadable to the container's
      // users, where runc's tmpfs is world-readable).
      if (::mkdirat(dir_, kName, 0555) < 0 || ::fchmodat(dir_, kName, 0555, 0) < 0) return UniqueFd();
      made_ = true;
    }
    UniqueFd tree = clone_mount(dir_, kName, false, what);
    MountAttrs ro;
    ro.set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
    set_mount_attrs(tree.get(), ro, false, what);
    return tree;
  }

 private:
  static constexpr const char* kName = ".hull-masked";
  int dir_;
  bool made_ = false;
};

}  // namespace

void mask_paths(int rootfd, const std::vector<std::string>& paths, const KernelFsMounts& kernel_fs,
                int covered_dev_dir) {
  UniqueFd null;
  // Each masked directory shows an empty directory (see the header): a bind
  // of the one hidden in the /dev tmpfs, or else a clone of one read-only
  // tmpfs attached at the first of them.
  std::optional<CoveredEmptyDir> empty_dir;
  if (covered_dev_dir >= 0) empty_dir.emplace(covered_dev_dir);
  UniqueFd tmpfs;
  // What each masked directory now shows, so a directory listed twice (as
  // podman's `--security-opt mask=` can make it) is masked once: a second
  // bind would only be one more mount.
  std::vector<std::pair<dev_t, ino_t>> shown_empty;
  auto already_masked = [&](const struct stat& st) {
    for (const auto& [dev, ino] : shown_empty)
      if (st.st_dev == dev && st.st_ino == ino) return true;
    return false;
  };
  auto remember = [&](int mounted, const std::string& what) {
    struct stat st {};
    if (::fstat(mounted, &st) < 0) throw_errno(what + ": stat");
    shown_empty.emplace_back(st.st_dev, st.st_ino);
  };
  KernelFsDirs dirs(rootfd);
  struct stat root {};
  if (!paths.empty() && ::fstat(rootfd, &root) < 0) throw_errno("mask paths: stat the rootfs");
  for (const std::string& p : paths) {
    const std::string shown = clean_path(p);
    UniqueFd target = open_target(rootfd, dirs, p, kernel_fs, "mask " + quote(shown));
    if (!target) continue;
    struct stat st {};
    if (::fstat(target.get(), &st) < 0) throw_errno("mask " + quote(shown) + ": stat");
    // Masking the root would leave nothing to pivot into (runc's mount over
    // "/" after its pivot is hidden from every lookup, so it does nothing).
    if (st.st_dev == root.st_dev && st.st_ino == root.st_ino)
      throw Error("mask " + quote(p) + ": .linux.maskedPaths names the container's root, which cannot be masked");
    if (S_ISDIR(st.st_mode)) {
      if (already_masked(st)) continue;
      if (empty_dir && !tmpfs) {
        std::string what =
            "mask " + quote(shown) + ": " + describe_mount("an empty directory", shown, "", MS_BIND | MS_RDONLY, "");
        if (UniqueFd tree = empty_dir->bind(what)) {
          attach_mount(tree.get(), target.get(), what);
          remember(tree.get(), what);
          continue;
        }
      }
      std::string what = "mask " + quote(shown) + ": " + describe_mount("tmpfs", shown, "tmpfs", MS_RDONLY, "");
      if (tmpfs) {
        UniqueFd tree = clone_mount(tmpfs.get(), "", false, what);
        attach_mount(tree.get(), target.get(), what);
        continue;
      }
      // Read-only both as a filesystem and as a mount, as mount(2) with
      // MS_RDONLY makes it; the fd then names the attached mount, which is
      // what later directories clone.
      tmpfs = new_detached_mount("tmpfs", "", what, MOUNT_ATTR_RDONLY, "tmpfs", MS_RDONLY);
      attach_mount(tmpfs.get(), target.get(), what);
      remember(tmpfs.get(), what);
      continue;
    }
    // A file that already is the null device (listed twice, so masked above)
    // has nothing to hide: a second bind would only be one more mount.
    if (is_dev_null(st)) continue;
    if (!null) null = open_verified_null(rootfd);
    std::string what = "mask " + quote(shown) + ": " + describe_mount("/dev/null", shown, "", MS_BIND, "");
    UniqueFd tree = clone_mount(null.get(), "", false, what);
    // A copy of the /dev tmpfs's mount: read-only, or a chmod of the masked
    // path would change /dev/null (runc's mask is read-only too).
    set_mount_attrs(tree.get(), {MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0, std::nullopt}, false,
                    what);
    attach_mount(tree.get(), target.get(), what);
  }
}

bool make_readonly_paths(int rootfd, const std::vector<std::string>& paths, const KernelFsMounts& kernel_fs) {
  const MountAttrs ro = MountAttrs::read_only();
  KernelFsDirs dirs(rootfd);
  bool root_listed = false;
  for (const std::string& p : paths) {
    const std::string shown = clean_path(p);
    bool in_root = false;
    UniqueFd target = open_target(rootfd, dirs, p, kernel_fs, "make " + quote(shown) + " read-only", &in_root);
    if (!target) continue;
    // A read-only copy put over the root now would be left under the root
    // pivot_root moves to: the caller makes "/" itself read-only after it.
    // One found on procfs or sysfs never is (the usual paths: no stat).
    if (in_root) {
      struct stat st {
      }, root{};
      if (::fstat(target.get(), &st) < 0 || ::fstat(rootfd, &root) < 0)
        throw_errno("make paths read-only: stat " + quote(shown));
      if (st.st_dev == root.st_dev && st.st_ino == root.st_ino) {
        root_listed = true;
        continue;
      }
    }
    std::string what =
        "make " + quote(shown) + " read-only: " + describe_mount(shown, shown, "", MS_BIND | MS_REC | MS_RDONLY, "");
    // Clone, make read-only while detached, then put it over the original:
    // at no moment is a writable copy reachable. Only the path's own mount
    // turns read-only, as in runc and crun: a mount the config put below it
    // keeps the options the config gave it (CRIU in a pod binds a writable
    // /proc/sys/kernel/ns_last_pid below a read-only /proc/sys, runc #3451).
    UniqueFd tree = clone_mount(target.get(), "", true, what);
    set_mount_attrs(tree.get(), ro, false, what);
    attach_mount(tree.get(), target.get(), what);
  }
  return root_listed;
}

}  // namespace hull::rootfs
