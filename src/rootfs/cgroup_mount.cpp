#include "rootfs/cgroup_mount.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/cgroup_mount_root.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/mountinfo.hpp"
#include "base/proc_cgroup.hpp"
#include "base/text.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {
namespace {

constexpr const char* kHostCgroupRoot = "/sys/fs/cgroup";
// Per-mount flags that make sense on each cgroup mount; the rest (MS_BIND,
// propagation, superblock flags) belong to the spec mount as a whole.
constexpr unsigned long kPerMountFlags =
    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;

struct OwnCgroup {
  std::string controllers;  // "cpu,cpuacct", "name=systemd", "" for cgroup2
  std::string path;
};

// Whether the mount is the one seen at its mount point, not one covered by
// a later mount there or above it (/sys/fs/cgroup mounted again over the
// first, by a CI runner or a container's /sys bind; a tmpfs over it where
// the host's cgroups cannot be unmounted): mountinfo lists both. Where statx
// cannot say (refused by a caller's filter: EPERM from a profile older than
// the call), whether anything is there still tells one under a bare tmpfs;
// among the rest the later mount at a mount point counts (below).
bool seen_at_its_mount_point(const MountInfo& m) {
  const auto gone = [] { return errno == ENOENT || errno == ENOTDIR; };
  struct statx sx {};
  if (::statx(AT_FDCWD, m.mount_point.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_MNT_ID, &sx) == 0)
    return !(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id == static_cast<uint64_t>(m.id);
  if (gone()) return false;
  struct stat st {};
  return ::fstatat(AT_FDCWD, m.mount_point.c_str(), &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) == 0 || !gone();
}

std::vector<OwnCgroup> parse_membership(std::string_view membership) {
  std::vector<OwnCgroup> out;
  for (const ProcCgroupEntry& e : parse_proc_cgroup(membership))
    out.push_back({std::string(e.hierarchy), std::string(e.path)});
  return out;
}

// The membership entry of the hierarchy mounted as m.
const OwnCgroup* own_entry(const std::vector<OwnCgroup>& own, const MountInfo& m) {
  const std::vector<std::string_view> super = list_fields(m.super_options);
  for (const OwnCgroup& c : own) {
    if (m.fs_type == "cgroup2") {
      if (c.controllers.empty()) return &c;
      continue;
    }
    if (c.controllers.empty()) continue;
    bool all = true;
    for (std::string_view ctl : list_fields(c.controllers)) {
      bool found = false;
      for (std::string_view s : super) found = found || s == ctl;
      all = all && found;
    }
    if (all) return &c;
  }
  return nullptr;
}

// One hierarchy on target: a fresh mount inside a cgroup namespace, else a
// bind of the container's own cgroup directory. The mount's fd where
// mount_fd_needed (a bind's always).
UniqueFd mount_hierarchy(const MountContext& ctx, int target, const std::string& fs_type, const std::string& data,
                         const std::string& host_dir, const MountOptions& o, const std::string& dest,
                         bool mount_fd_needed) {
  unsigned long flags = o.flags & kPerMountFlags;
  if (ctx.cgroupns) {
    const std::string what = describe_mount(fs_type, dest, fs_type, flags, data);
    if (!mount_fd_needed) {
      try {
        mount_on_fd(fs_type.c_str(), target, fs_type.c_str(), flags, data, what);
        return UniqueFd();
      } catch (const Error& e) {
        // mount(2) refuses (EBUSY) a superblock on the root of a mount of
        // that same superblock, which /sys/fs/cgroup is on a pure-v2 host
        // when /sys is the host's bound in (rootless, no network namespace
        // of its own: `hull spec --rootless`). A detached mount moved there
        // is the same fresh mount, rooted at the container's cgroup namespace.
        if (e.code() != EBUSY) throw;
      }
    }
    // The source mount(2) gives it ("none" otherwise).
    UniqueFd tree = new_detached_mount(fs_type, data, what, 0, fs_type);
    set_mount_attrs(tree.get(), o.mount_attrs(), false, what);
    attach_mount(tree.get(), target, what);
    return tree;
  }
  std::string what = describe_mount(host_dir, dest, "", MS_BIND | flags, "");
  UniqueFd tree = clone_mount(AT_FDCWD, host_dir, false, what);
  set_mount_attrs(tree.get(), o.mount_attrs(), false, what);
  attach_mount(tree.get(), target, what);
  return tree;
}

// The container's cgroup in the hierarchy mounted as m; the mount's root
// where the cgroup is outside what it shows.
std::string host_dir_for(const MountInfo& m, const OwnCgroup* own) {
  if (!own) return m.mount_point;
  const std::optional<std::string> below = cgroup_below_mount_root(own->path, m.root);
  if (!below || *below == "/") return m.mount_point;
  return m.mount_point + *below;
}

// The tmpfs's fd where mount_fd_needed.
UniqueFd mount_v1_tree(const MountContext& ctx, int destfd, const std::string& dest, const MountOptions& o,
                       const std::string& what, const std::vector<CgroupHierarchyMount>& hierarchies,
                       bool mount_fd_needed) {
  // The tmpfs holds only directories and links, so nothing on it needs
  // exec, devices or set-id, whatever the mount's options leave out (runc
  // mounts it so too).
  MountOptions tmpfs_options;
  tmpfs_options.flags =
      ((o.flags & kPerMountFlags) & ~static_cast<unsigned long>(MS_RDONLY)) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  // Made detached, then attached: the fd names the tmpfs itself, so the
  // hierarchies go into it with no lookup of dest again, which a symlink
  // swapped in meanwhile could lead elsewhere.
  const std::string tmpfs_what = what + ": tmpfs for the hierarchies";
  // Its source as runc names it (mountinfo's "tmpfs tmpfs").
  UniqueFd tmpfs = new_detached_mount("tmpfs", "mode=755", tmpfs_what,
                                      static_cast<unsigned>(tmpfs_options.mount_attrs().attr_set()), "tmpfs");
  attach_mount(tmpfs.get(), destfd, tmpfs_what);

  for (const CgroupHierarchyMount& h : hierarchies) {
    const std::string& name = h.name;
    if (::mkdirat(tmpfs.get(), name.c_str(), 0755) < 0 && errno != EEXIST) {
      throw_errno(what + ": mkdir " + quote(name));
    }
    UniqueFd sub(::openat(tmpfs.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw_errno(what + ": open " + quote(name));
    with_context(what,
                 [&] { mount_hierarchy(ctx, sub.get(), h.fs_type, h.data, h.host_dir, o, dest + "/" + name, false); });
    // Co-mounted controllers ("cpu,cpuacct") are also reachable by each name.
    if (name.find(',') != std::string::npos) {
      for (std::string_view field : list_fields(name)) {
        const std::string alias(field);
        if (::symlinkat(name.c_str(), tmpfs.get(), alias.c_str()) < 0 && errno != EEXIST) {
          throw_errno(what + ": symlink " + quote(alias));
        }
      }
    }
  }
  if (cgroup_mount_read_only(o)) {
    // A systemd init with CAP_SYS_ADMIN mounts its own cgroup2 here when
    // none is (a read-only mount leaves the host's out; a legacy host has
    // none): the directory must exist before the tmpfs turns read-only,
    // as runc's writable tmpfs lets systemd make it.
    const bool unified_mounted = std::any_of(hierarchies.begin(), hierarchies.end(),
                                             [](const CgroupHierarchyMount& h) { return h.name == "unified"; });
    if (!unified_mounted && ::mkdirat(tmpfs.get(), "unified", 0755) < 0 && errno != EEXIST)
      throw_errno(what + ": mkdir \"unified\"");
  }
  if (o.flags & MS_RDONLY) {
    // Only the tmpfs itself: the hierarchies below already got their flags.
    // Once the rootfs is set up where it can be, as any read-only tmpfs: a
    // later mount's destination below it is made first (runc's is too).
    if (ctx.readonly_later) {
      UniqueFd kept;
      if (mount_fd_needed && !(kept = UniqueFd(::fcntl(tmpfs.get(), F_DUPFD_CLOEXEC, 0))))
        throw_errno(what + ": dup the tmpfs's fd");
      ctx.readonly_later->push(std::move(tmpfs));
      return kept;
    }
    set_mount_attrs(tmpfs.get(), MountAttrs::read_only(), false, what);
  }
  if (!mount_fd_needed) return UniqueFd();
  return tmpfs;
}

// The host's cgroup mounts a /sys bound in brought along (rootless: the
// host's /sys, rbind) lie under the container's read-only cgroup mount: a
// container root that may unmount it (CAP_SYS_ADMIN in its user namespace)
// would find them writable, the user's delegated tree with them
// (CVE-2023-25809). Made read-only, all of them, as the mount asked: only a
// restriction, which a locked mount takes. Before Linux 5.12 (no
// mount_setattr) they stay as runc leaves them.
void make_covered_cgroup_mounts_readonly(int destfd, const MountOptions& o, const std::string& what) {
  if (!cgroup_mount_read_only(o)) return;
  // A plain directory (a new sysfs's, the image's) covers nothing. Where
  // statx cannot say (refused by a caller's filter, or emulated), the mount
  // ids of the directory and its parent do.
  struct statx sx {};
  bool mount_root = false;
  if (::statx(destfd, "", AT_EMPTY_PATH, 0, &sx) == 0 && (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) {
    mount_root = (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  } else {
    UniqueFd parent(::openat(destfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!parent) throw_errno(what + ": open the destination's parent");
    mount_root = mount_id_from_fdinfo(destfd, what) != mount_id_from_fdinfo(parent.get(), what);
  }
  if (!mount_root) return;
  try {
    set_mount_attrs(destfd, MountAttrs::read_only(), true, what + ": the mounts it covers");
  } catch (const Error& e) {
    if (e.code() != ENOSYS) throw;
  }
}

}  // namespace

bool cgroup_mount_read_only(const MountOptions& o) {
  return (o.flags & MS_RDONLY) != 0 || (o.recursive.set & MOUNT_ATTR_RDONLY) != 0;
}

std::vector<CgroupHierarchyMount> cgroup_hierarchy_mounts(const std::string& type, std::string_view membership,
                                                          bool read_only) {
  const std::vector<OwnCgroup> own = parse_membership(membership);
  struct statfs sfs {};
  bool unified_host = ::statfs(kHostCgroupRoot, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
  if (type == "cgroup2" || unified_host) {
    const std::string mount = unified_host ? std::string(kHostCgroupRoot) : std::string(kHostCgroupRoot) + "/unified";
    std::string host_dir = mount;
    CgroupMountRoots roots;
    for (const OwnCgroup& c : own) {
      if (!c.controllers.empty()) continue;
      const std::string path = roots.path_in(mount, c.path);
      if (path != "/") host_dir += path;
    }
    return {{"", "cgroup2", "", host_dir}};
  }
  std::vector<CgroupHierarchyMount> out;
  for (const MountInfo& m :
       read_mountinfo([](std::string_view fs_type) { return fs_type == "cgroup" || fs_type == "cgroup2"; })) {
    std::string parent = std::string(kHostCgroupRoot) + "/";
    if (m.mount_point.rfind(parent, 0) != 0) continue;
    std::string name = m.mount_point.substr(parent.size());
    if (name.empty() || name.find('/') != std::string::npos) continue;
    const OwnCgroup* mine = own_entry(own, m);
    std::string data = m.fs_type == "cgroup2" ? "" : (mine ? mine->controllers : "");
    if (m.fs_type == "cgroup" && data.empty()) continue;  // a hierarchy this process is not in
    if (m.fs_type == "cgroup2" && read_only) continue;
    if (!seen_at_its_mount_point(m)) continue;
    // Without statx's mount id, a later mount on the same mount point is the
    // one seen.
    std::erase_if(out, [&](const CgroupHierarchyMount& h) { return h.name == name; });
    out.push_back({name, m.fs_type, data, host_dir_for(m, mine)});
  }
  return out;
}

UniqueFd mount_cgroup(const MountContext& ctx, int destfd, const std::string& dest, const std::string& type,
                      const MountOptions& o, const std::string& what, bool mount_fd_needed) {
  std::vector<CgroupHierarchyMount> hierarchies =
      cgroup_hierarchy_mounts(type, read_file("/proc/self/cgroup"), cgroup_mount_read_only(o));
  make_covered_cgroup_mounts_readonly(destfd, o, what);
  if (hierarchies.size() == 1 && hierarchies.front().name.empty()) {
    const std::string& host_dir = hierarchies.front().host_dir;
    return with_context(what, [&] {
      return mount_hierarchy(ctx, destfd, "cgroup2", o.data_string(), host_dir, o, dest, mount_fd_needed);
    });
  }
  return mount_v1_tree(ctx, destfd, dest, o, what, hierarchies, mount_fd_needed);
}

}  // namespace hull::rootfs
