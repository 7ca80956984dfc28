#include "rootfs/mounts.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <optional>
#include <string_view>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "rootfs/bind_trees.hpp"
#include "rootfs/cgroup_mount.hpp"
#include "rootfs/copy_tree.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {
namespace {

// Files under the container's /proc that may be covered by a bind mount, as
// lxcfs does (and the FIPS switch, as runc allows it); anything else under
// /proc is refused (/proc/net/dev too: /proc/net is a link to
// /proc/self/net, so a mount there covers nothing a process reads). A mount
// over, say, /proc/self/attr/exec would defeat the LSM (CVE-2019-16884), one
// over /proc/sys/kernel/core_pattern or a symlink into /proc would hand the
// container a host knob (CVE-2019-19921).
constexpr std::array<std::string_view, 10> kProcAllowed = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
};

bool has_mode_option(const MountOptions& o) {
  return std::any_of(o.data.begin(), o.data.end(), [](const std::string& d) { return d.starts_with("mode="); });
}

std::string fd_target(int fd) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(fd_path(fd).c_str(), buf, sizeof buf);
  if (n < 0) throw_errno("readlink " + fd_path(fd));
  return std::string(buf, static_cast<size_t>(n));
}

// Refuses a destination that resolved to somewhere in a procfs other than the
// few files above. Runs on the resolved fd, so a symlink such as
// /etc/x -> /proc/self/... is judged by where it really leads.
void check_not_into_proc(const MountContext& ctx, int destfd, const std::string& what) {
  struct statfs sfs {};
  if (::fstatfs(destfd, &sfs) < 0) throw_errno(what + ": statfs destination");
  if (sfs.f_type != PROC_SUPER_MAGIC) return;
  std::string where = fd_target(destfd);
  std::string prefix = ctx.rootfs_path == "/" ? "" : ctx.rootfs_path;
  for (std::string_view allowed : kProcAllowed) {
    if (where == prefix + std::string(allowed)) return;
  }
  throw Error(what + ": refusing to mount over " + quote(where) +
              ", which is inside /proc (CVE-2019-16884, CVE-2019-19921)");
}

// Refuses a destination that resolved to the container's root: a symlink
// ("/x" -> "/", "/x" -> "..") leads there, as a literal "/" (refused by
// validation) would. A mount on the rootfs itself is hidden from the init
// under its pivot, but exec and nsenter land on it, without the container's
// /proc, /dev and masks (runc refuses these too). The destination's stat
// comes back: callers need it too.
struct stat check_not_onto_root(const MountContext& ctx, int destfd, const std::string& what) {
  struct stat st {};
  if (::fstat(destfd, &st) < 0) throw_errno(what + ": stat destination");
  if (st.st_ino != ctx.root_ino || st.st_dev != ctx.root_dev) return st;
  if (mount_id_of(destfd, what) != mount_id_of(ctx.rootfd, what)) return st;  // a bind of the root elsewhere
  throw Error(what +
                  ": refusing: the destination resolves to the container's root, where a mount would cover the "
                  "rootfs (a symlink in the rootfs leads there)",
              EINVAL);
}

// /proc and /sys must be real directories of the rootfs: a symlink there would
// send the container's procfs or sysfs, and every later mount and check under
// them, somewhere else (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642).
UniqueFd open_proc_or_sys_dir(const MountContext& ctx, const std::string& dest, const std::string& what) {
  auto open_strict = [&]() -> UniqueFd {
    std::vector<std::string> parts = split_path(dest);
    std::string rel;
    for (const std::string& p : parts) rel += (rel.empty() ? "" : "/") + p;
    if (rel.empty()) rel = ".";
    int fd = openat2_fd(ctx.rootfd, rel.c_str(), O_PATH | O_DIRECTORY,
                        RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0) return UniqueFd(fd);
    if (errno == ENOENT) return UniqueFd();
    if (errno == ELOOP) {
      throw Error(what + ": refusing: " + quote(clean_path(dest)) +
                  " is a symlink in the rootfs (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642)");
    }
    if (errno == ENOTDIR) {
      throw Error(what + ": refusing: " + quote(clean_path(dest)) +
                  " is not a directory in the rootfs (CVE-2023-27561)");
    }
    throw_errno(what + ": open destination (openat2)");
  };
  if (UniqueFd fd = open_strict()) return fd;
  create_in_root(ctx.rootfd, dest, NodeKind::Directory);
  UniqueFd fd = open_strict();
  if (!fd) throw_errno(ENOENT, what + ": destination vanished after creating it");
  return fd;
}

// `clone`, the init's own clone of a bind source; where the container's
// root may not reach the source (EACCES), the clone of the fd the runtime
// opens for it in our mount namespace (MountContext::source_from_runtime:
// `rootfd` sent along for a source below the rootfs, else -1).
template <class Clone>
UniqueFd clone_or_ask_runtime(const MountContext& ctx, size_t index, int rootfd, bool recursive,
                              const std::string& what, Clone&& clone, std::string* served_real = nullptr) {
  try {
    return clone();
  } catch (const Error& e) {
    if (e.code() != EACCES || !ctx.source_from_runtime) throw;
  }
  UniqueFd at = ctx.source_from_runtime(index, rootfd);
  if (served_real) *served_real = procfs::read_link("self/fd/" + std::to_string(at.get()));
  return clone_mount(at.get(), "", recursive, what);
}

// A source below the rootfs ("$rootfs/mnt/x") is read as the container
// will see it: inside the rootfs mount, with the mounts made before this
// one, as runc 1.2 and later resolve it, and with its symlinks kept inside
// the root, where a lookup from the host's "/" would follow one of the
// image's to the host. Empty for a source elsewhere.
UniqueFd clone_source_in_rootfs(const MountContext& ctx, const std::string& source, size_t index, bool recursive,
                                const std::string& what, std::string* served_real) {
  const std::optional<std::string> inside = path_below(ctx.rootfs_path, source);
  if (!inside) return {};
  return clone_or_ask_runtime(
      ctx, index, ctx.rootfd, recursive, what,
      [&] { return clone_mount_in_root(ctx.rootfd, *inside, recursive, what); }, served_real);
}

// A bind source outside the rootfs, cloned from the init's own mount
// namespace (locked in a user namespace); one out of the container root's
// reach from the fd the runtime opens for it there
// (MountContext::source_from_runtime).
UniqueFd clone_host_source(const MountContext& ctx, const std::string& source, size_t index, bool recursive,
                           const std::string& what, std::string* served_real) {
  try {
    return clone_or_ask_runtime(
        ctx, index, -1, recursive, what, [&] { return clone_mount(AT_FDCWD, source, recursive, what); }, served_real);
  } catch (const Error& e) {
    if (e.code() == EINVAL && ctx.user_namespace && !recursive)
      throw Error(e.message() + " (in a user namespace the kernel refuses a non-recursive bind of a source with " +
                      "mounts below it, which would uncover what they hide: use \"rbind\")",
                  EINVAL);
    throw;
  }
}

// Where a recursive bind's tree holds the rootfs's paths: a source in the
// rootfs the paths below its own (`source_in_rootfs`), a source above the
// rootfs (its bundle, "/") every path, below the rootfs's own path in the
// source (`rootfs_in_source`).
struct RootfsInTree {
  std::string source_in_rootfs = "/";
  std::optional<std::string> rootfs_in_source;

  // `at`, a path in the rootfs, below the tree's top; nullopt where the
  // tree does not hold it.
  std::optional<std::string> below(const std::string& at) const {
    if (rootfs_in_source) return at == "/" ? *rootfs_in_source : *rootfs_in_source + at;
    return source_in_rootfs == "/" ? std::optional(at) : path_below(source_in_rootfs, at);
  }
};

// Out of fds or memory: no answer to where a path leads, where any other
// failure is one (nothing there to find).
bool out_of_resources(int err) { return err == EMFILE || err == ENFILE || err == ENOMEM; }

// Where a recursive bind's tree holds the rootfs's paths, from the real
// path of its source: nullopt where it holds none.
std::optional<RootfsInTree> rootfs_in_real(const MountContext& ctx, const std::string& real) {
  if (std::optional<std::string> source_in_rootfs = path_below(ctx.rootfs_path, real))
    return RootfsInTree{std::move(*source_in_rootfs), std::nullopt};
  // A host directory above the rootfs copies the rootfs with it, and so
  // every queued tmpfs in it (path_below reads nothing below "/").
  if (real == "/") return RootfsInTree{"/", clean_path(ctx.rootfs_path)};
  if (std::optional<std::string> rootfs_in_source = path_below(real, ctx.rootfs_path))
    return RootfsInTree{"/", std::move(*rootfs_in_source)};
  return std::nullopt;
}

// A recursive bind's source as it really is (symlinks followed, as its
// clone follows them), for its copies of queued mounts: nullopt where it
// holds no path of the rootfs, or where it cannot be opened (out of the
// container root's reach, the runtime's fd for it tells; missing or no
// directory, its clone says so).
std::optional<RootfsInTree> rootfs_in_tree(const MountContext& ctx, const std::string& source) {
  const std::optional<std::string> inside = path_below(ctx.rootfs_path, source);
  UniqueFd on;
  try {
    if (inside) {
      on = open_in_root(ctx.rootfd, *inside, O_PATH);
    } else {
      on.reset(::open(source.c_str(), O_PATH | O_CLOEXEC));
      if (!on && out_of_resources(errno)) throw_errno("open " + quote(source));
    }
  } catch (const Error& e) {
    // Out of fds or memory, a copy would be missed; any other failure the
    // clone of the source reports itself.
    if (!out_of_resources(e.code())) return std::nullopt;
    throw Error("find where the bind source really is: " + e.message(), e.code());
  }
  if (!on) return std::nullopt;
  return rootfs_in_real(ctx, procfs::read_link("self/fd/" + std::to_string(on.get())));
}

// A recursive bind copies, as `tree`, the read-only tmpfs of the rootfs it
// holds that still wait in readonly_later: the copies wait with them, or
// they would stay writable ways into them. `top_queued`: the tree's top
// mount is on a queued tmpfs itself.
void queue_copies_read_only_later(const MountContext& ctx, const RootfsInTree& held, int tree, bool top_queued,
                                  const std::string& what) {
  if (!ctx.readonly_later || ctx.readonly_later->empty()) return;
  // Only a top on a queued tmpfs can be taken for a copy below it: a lookup
  // that stays on any other mount is on another device.
  const uint64_t top = top_queued ? mount_id_of(tree, what) : 0;
  struct Copy {
    UniqueFd mount;
    std::string below;  // its path below the tree's top
    dev_t dev;
  };
  std::vector<Copy> copies;
  const std::vector<std::optional<std::string>> queued_at = ctx.readonly_later->paths_in(ctx.rootfs_path);
  ctx.readonly_later->about_to_hold(queued_at.size());
  for (const std::optional<std::string>& at : queued_at) {
    const std::optional<std::string> below = at ? held.below(*at) : std::nullopt;
    if (!below || *below == "/") continue;  // the source's own mount: the copy's top, queued by the caller
    UniqueFd copy;
    try {
      copy = open_in_root(tree, *below, O_PATH | O_DIRECTORY);
    } catch (const Error& e) {
      // A directory on the way the container's root may not search, or a
      // mount a later entry put over the way (a file, a loop of links
      // there): no way the bind gives into the tmpfs. Out of fds or memory,
      // a copy would be missed.
      if (out_of_resources(e.code())) throw;
      continue;
    }
    // Its copy, not a mount a later entry put over it there (its copy,
    // hidden below that one, is no way in).
    if (!copy || (top_queued && mount_id_of(copy.get(), what) == top)) continue;
    if (const std::optional<dev_t> dev = ctx.readonly_later->queued_device_of(copy.get()))
      copies.push_back(Copy{std::move(copy), *below, *dev});
  }
  if (copies.empty()) return;
  // The copies' paths, from the tree's once: a later recursive bind looks
  // for copies among them too.
  const std::optional<std::string> top_at =
      path_below(ctx.rootfs_path, procfs::read_link("self/fd/" + std::to_string(tree)));
  for (Copy& c : copies)
    ctx.readonly_later->push(std::move(c.mount),
                             !top_at ? std::nullopt : std::optional(*top_at == "/" ? c.below : *top_at + c.below),
                             c.dev);
}

// A remount's flags replace the mount's own: the read-only an earlier entry
// left for later (MountContext::readonly_later) is the remount's to give
// again, or not. `mnt` is the root of the mount remounted.
void forget_readonly_later(const MountContext& ctx, int mnt, const std::string& what) {
  if (ctx.readonly_later) ctx.readonly_later->forget(mnt, what);
}

// "remount" with "bind" changes the flags of the mount already on the
// destination, as mount(8) and runc do: nothing is bound and no source is
// needed; a destination that is no mount's root is refused (EINVAL).
void remount_bind(const MountContext& ctx, const MountOptions& o, const std::string& dest) {
  const std::string what = describe_mount("", dest, "", o.flags, o.data_string());
  UniqueFd at = open_in_root(ctx.rootfd, dest);
  if (!at) throw Error(what + ": nothing is mounted there to remount", ENOENT);
  // As mount(2) refuses it, also where no flag would change: a directory
  // below a mount's root is no mount of its own.
  if (!is_mount_root(at.get(), what)) throw Error(what + ": nothing is mounted there to remount", EINVAL);
  forget_readonly_later(ctx, at.get(), what);
  set_mount_attrs(at.get(), o.mount_attrs(), false, what);
  set_mount_attrs(at.get(), o.recursive, true, what);
  for (unsigned long p : o.propagation) set_propagation(at.get(), p, what);
}

// MountContext::covered_dev_dir: the directory a mount is about to cover,
// when it is the first one right below /dev. `is_dir` comes from the
// caller, which knows what it mounts: no stat of its own on every create.
void keep_covered_dev_dir(const MountContext& ctx, const std::string& dest, int destfd, bool is_dir) {
  const bool right_below_dev = dest.starts_with("/dev/") && dest.find('/', 5) == std::string::npos;
  if (!is_dir || !ctx.covered_dev_dir || *ctx.covered_dev_dir || !right_below_dev) return;
  ctx.covered_dev_dir->reset(::fcntl(destfd, F_DUPFD_CLOEXEC, 0));
}

void apply_bind(const MountContext& ctx, const spec::Mount& m, size_t index, const MountOptions& o,
                const std::string& dest, int prepared_tree) {
  if (o.flags & MS_REMOUNT) return remount_bind(ctx, o, dest);
  std::string source = path_in_bundle(m.source.value_or(""), ctx.bundle);
  unsigned long flags = o.flags;
  std::string what = describe_mount(source, dest, "", flags, o.data_string());
  if (source.empty()) throw Error(what + ": a bind mount needs a source");

  // The source is a host path chosen by the user; clone it first (or take the
  // copy the runtime made), then judge the destination by what the source
  // really is.
  UniqueFd tree(prepared_tree);
  const bool runtimes_tree = static_cast<bool>(tree);
  // A source on (or, recursive, above) a read-only tmpfs of the config that
  // turns read-only only once the rootfs is set up: its copy turns
  // read-only with it, or it would stay a writable way into that tmpfs.
  const bool some_read_only_later = ctx.readonly_later && !ctx.readonly_later->empty();
  std::string served_real;  // where a source the runtime opened really is
  if (!runtimes_tree) {
    tree = clone_source_in_rootfs(ctx, source, index, o.recursive_bind(), what, &served_real);
    if (!tree) tree = clone_host_source(ctx, source, index, o.recursive_bind(), what, &served_real);
    // The runtime opened and mapped every other id-mapped source
    // (bind_trees.hpp); this one it maps now. Only a process privileged over
    // its file system may: the runtime, for an init that may be root of a
    // user namespace alone. Never attached unmapped.
    if (is_idmapped(m, o)) {
      if (!ctx.idmap_by_runtime) throw Error(what + ": id-mapped, but the runtime maps no tree the init clones");
      ctx.idmap_by_runtime(index, tree.get());
    }
  }
  // Looked up before the attach, which may cover the source's path.
  const std::optional<RootfsInTree> held = !some_read_only_later || !o.recursive_bind() ? std::nullopt
                                           : served_real.empty()                        ? rootfs_in_tree(ctx, source)
                                                                 : rootfs_in_real(ctx, served_real);
  // A clone made here comes from our own "/", already a slave (or private);
  // the runtime's was cloned from the host's mount, and is a peer of it until
  // now: it stays one only where the config asked for a shared root.
  if (runtimes_tree && ctx.prepared_tree_propagation != 0)
    set_propagation(tree.get(), ctx.prepared_tree_propagation, what);
  const std::optional<dev_t> queued_dev =
      some_read_only_later ? ctx.readonly_later->queued_device_of(tree.get()) : std::nullopt;
  struct stat st {};
  if (::fstat(tree.get(), &st) < 0) throw_errno(what + ": stat source");
  UniqueFd destfd = with_context(what, [&] {
    return create_in_root(ctx.rootfd, dest, S_ISDIR(st.st_mode) ? NodeKind::Directory : NodeKind::File);
  });
  check_not_into_proc(ctx, destfd.get(), what);
  check_not_onto_root(ctx, destfd.get(), what);

  // Attributes go on the detached copy, so the mount is read-only (nosuid,
  // ...) from the moment it appears: no window where it is writable. ro and
  // friends apply to the top mount, as for mount(2); rro etc. to all of it.
  set_mount_attrs(tree.get(), o.bind_attrs(), false, what);
  set_mount_attrs(tree.get(), o.recursive, true, what);
  keep_covered_dev_dir(ctx, dest, destfd.get(), S_ISDIR(st.st_mode));
  attach_mount(tree.get(), destfd.get(), what);
  // Propagation needs the mount to be attached to a namespace.
  for (unsigned long p : o.propagation) set_propagation(tree.get(), p, what);
  if (held) queue_copies_read_only_later(ctx, *held, tree.get(), queued_dev.has_value(), what);
  if (queued_dev) ctx.readonly_later->push(std::move(tree), std::nullopt, queued_dev);
}

UniqueFd bind_host_sys(int destfd, const MountOptions& o, const std::string& dest) {
  std::string what = describe_mount("/sys", dest, "", MS_BIND | MS_REC | o.flags, "");
  UniqueFd tree = clone_mount(AT_FDCWD, "/sys", true, what);
  const MountAttrs attrs = o.mount_attrs();
  // The host's /sys comes with its submounts (the cgroup hierarchies, the
  // debug and security file systems): a read-only /sys is read-only in each
  // of them too, not at its top alone. Restrictions only: a locked mount's
  // flag can be set, not cleared. Before Linux 5.12 (no mount_setattr) the
  // top alone, as runc.
  if (MountAttrs restrictions{attrs.set, 0, std::nullopt}; !restrictions.empty()) {
    try {
      set_mount_attrs(tree.get(), restrictions, true, what);
    } catch (const Error& e) {
      if (e.code() != ENOSYS) throw;
    }
  }
  set_mount_attrs(tree.get(), attrs, false, what);
  attach_mount(tree.get(), destfd, what);
  return tree;
}

// A new mount's recursive attributes (rro, rnosuid, ...) and the
// propagation its options ask for, on the mount `mnt` names.
void set_recursive_attrs_and_propagation(int mnt, const MountAttrs& recursive, const MountOptions& o,
                                         const std::string& what) {
  set_mount_attrs(mnt, recursive, true, what);
  for (unsigned long p : o.propagation) set_propagation(mnt, p, what);
}

// A new file system made detached and attached onto destfd: the fd names
// the mount wherever it went. Mounted on the destination and looked up
// again, a path swapped meanwhile (a writer sharing the rootfs) could lead
// to another mount, which the attributes would then change (a read-only
// host bind made writable).
UniqueFd make_and_attach_new_fs(int destfd, const std::string& type, const std::string& source, unsigned long flags,
                                const std::string& data, const std::string& what) {
  UniqueFd mnt =
      new_detached_mount(type, data, what, static_cast<unsigned>(attrs_of_mount_flags(flags)), source, flags);
  try {
    attach_mount(mnt.get(), destfd, what);
  } catch (const Error& e) {
    // attach_mount's words are a bind's (its source a directory): a new
    // file system's refusal reads as mount(2)'s on any other path.
    if (e.code() != ENOTDIR) throw;
    throw_errno(ENOTDIR, what);
  }
  return mnt;
}

void apply_new_fs(const MountContext& ctx, const spec::Mount& m, const MountOptions& o, const std::string& dest) {
  const std::string type = m.type.value_or("");
  const std::string source = m.source.value_or(type);
  unsigned long flags = o.flags;
  std::string data = o.data_string();
  std::string what = describe_mount(source, dest, type, flags, data);

  // A remount changes the mount already on the destination: it covers
  // nothing, and that mount is the one the options below go on.
  const bool remount = (flags & MS_REMOUNT) != 0;
  bool covers_image_dir = false;
  UniqueFd destfd;
  if (type == "proc" || type == "sysfs") {
    destfd = open_proc_or_sys_dir(ctx, dest, what);
  } else {
    if (type == "tmpfs" && !has_mode_option(o) && !remount)
      destfd = with_context(what, [&] { return open_in_root(ctx.rootfd, dest); });
    covers_image_dir = static_cast<bool>(destfd);
    if (!destfd) destfd = with_context(what, [&] { return create_in_root(ctx.rootfd, dest, NodeKind::Directory); });
  }
  if (type != "proc") check_not_into_proc(ctx, destfd.get(), what);
  struct stat dest_st {};
  if (!remount) dest_st = check_not_onto_root(ctx, destfd.get(), what);
  // A tmpfs over a directory the image has takes that directory's mode
  // unless the options give one, as in runc: podman's --read-only /run and
  // docker's --tmpfs over an image directory keep its permissions, not the
  // tmpfs default 1777 (any user could create files there).
  if (covers_image_dir) {
    const std::string mode = "mode=" + mode_text(dest_st.st_mode);
    data = data.empty() ? mode : mode + "," + data;
  }

  if (type == "cgroup" || type == "cgroup2") {
    // rro, rnosuid, ... and propagation hold for the hierarchies too, as on
    // every new mount: an rro cgroup mount was writable (crun makes it
    // read-only; runc ignores r* options on a new file system). rro is ro
    // on each mount of it, the v1 hierarchies' tmpfs turning read-only once
    // the rootfs is set up, as for "ro" (mount_v1_tree): a later mount point
    // below it is made first.
    MountOptions each = o;
    MountAttrs recursive = o.recursive;
    if (ctx.readonly_later && (recursive.set & MOUNT_ATTR_RDONLY)) {
      each.flags |= MS_RDONLY;
      recursive.set &= ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY);
    }
    const bool mount_fd_needed = !recursive.empty() || !o.propagation.empty();
    UniqueFd mnt = mount_cgroup(ctx, destfd.get(), dest, type, each, what, mount_fd_needed);
    if (mount_fd_needed) set_recursive_attrs_and_propagation(mnt.get(), recursive, o, what);
    return;
  }

  // tmpcopyup: keep a readable fd on the covered directory (it stays
  // reachable through the fd once covered), mount writable, copy, then apply ro.
  UniqueFd covered;
  unsigned long mount_flags = flags;
  if (o.tmpcopyup) {
    if (type != "tmpfs") throw Error(what + ": tmpcopyup needs type tmpfs");
    if (remount) throw Error(what + ": tmpcopyup fills a new tmpfs; a remount makes none");
    covered.reset(::openat(destfd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!covered) throw_errno(what + ": open destination for tmpcopyup");
    mount_flags &= ~static_cast<unsigned long>(MS_RDONLY);
  }
  // A read-only tmpfs is mounted (or remounted) writable and made read-only
  // once the rootfs is set up, as runc does: the process's cwd or a nested
  // mount's destination may still have to be made in it. A new tmpfs has
  // nothing mounted below it yet, so its rro is that same read-only.
  MountAttrs recursive = o.recursive;
  const bool readonly_later = type == "tmpfs" && ctx.readonly_later != nullptr &&
                              ((flags & MS_RDONLY) || (!remount && (recursive.set & MOUNT_ATTR_RDONLY)));
  if (readonly_later) {
    mount_flags &= ~static_cast<unsigned long>(MS_RDONLY);
    if (!remount) recursive.set &= ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY);
  }
  // A new file system goes on a directory (on anything else the mount
  // below fails, and the setup with it).
  if (!remount) keep_covered_dev_dir(ctx, dest, destfd.get(), true);
  // The steps below need the mount itself (not for a plain new mount).
  const bool mount_needed_after = o.tmpcopyup || readonly_later || !recursive.empty() || !o.propagation.empty();
  const bool mount_fd_needed = !remount && !type.empty() && mount_needed_after;
  UniqueFd mnt;
  try {
    if (mount_fd_needed && fsconfig_takes(source, data)) {
      mnt = make_and_attach_new_fs(destfd.get(), type, source, mount_flags, data, what);
    } else {
      mount_on_fd(source.c_str(), destfd.get(), type.empty() ? nullptr : type.c_str(), mount_flags, data, what);
    }
  } catch (const Error& e) {
    // The kernel's EINVAL (or ENODEV) for a new mount without a type names
    // nothing to change.
    if (type.empty() && !remount)
      throw Error(e.message() +
                      ": the mount has no \"type\" and no \"bind\" or \"rbind\" option: give the file system's "
                      "type, or one of those options to bind the source",
                  e.code());
    // The kernel's bare EPERM for a proc it finds too revealing.
    if (type == "proc" && e.code() == EPERM)
      throw Error(e.message() +
                      ": in a user namespace the kernel makes a new proc only where the /proc already mounted has "
                      "nothing covered (an outer container's masked or read-only /proc paths: run it with an "
                      "unmasked /proc, such as docker's --security-opt systempaths=unconfined) and the pid namespace "
                      "belongs to the container's user namespace",
                  EPERM);
    // sysfs cannot be mounted in a user namespace that does not own the
    // network namespace; the host's /sys, bound read-only as asked, is what
    // runc gives such containers too.
    if (type != "sysfs" || e.code() != EPERM) throw;
    mnt = bind_host_sys(destfd.get(), o, dest);
  }
  // Taken by the kernel: destfd is a mount's root.
  if (remount) forget_readonly_later(ctx, destfd.get(), what);
  if (!mount_needed_after) return;

  if (mount_fd_needed) fault_point("rootfs-new-mount-attached");
  if (remount) {
    mnt = std::move(destfd);
  } else if (!mnt) {
    mnt = open_mount_on(ctx.rootfd, dest, destfd.get(), O_PATH, what);
  }
  if (o.tmpcopyup) {
    // The mount's fd is an O_PATH one; "." reads the same mount.
    UniqueFd into(::openat(mnt.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!into) throw_errno(what + ": open the new tmpfs for tmpcopyup");
    with_context(what + ": tmpcopyup", [&] { copy_tree(covered.get(), into.get()); });
    if ((flags & MS_RDONLY) && !readonly_later) {
      set_mount_attrs(mnt.get(), MountAttrs::read_only(), false, what);
    }
  }
  set_recursive_attrs_and_propagation(mnt.get(), recursive, o, what);
  if (readonly_later) ctx.readonly_later->push(std::move(mnt));
}

}  // namespace

void apply_mount(const MountContext& ctx, const spec::Mount& m, size_t index, int prepared_tree) {
  MountOptions o = parse_mount_options(m.options);
  const std::string dest = clean_path(m.destination);
  if (m.type == "bind") o.flags |= MS_BIND;
  if (o.bind()) {
    apply_bind(ctx, m, index, o, dest, prepared_tree);
  } else {
    apply_new_fs(ctx, m, o, dest);
  }
}

bool mount_takes_network_namespace(const spec::Mount& m) {
  static constexpr std::array<std::string_view, 10> kWithoutNetworkState = {
      "proc", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "overlay", "ramfs", "devtmpfs", "bind"};
  if (m.type &&
      std::find(kWithoutNetworkState.begin(), kWithoutNetworkState.end(), *m.type) != kWithoutNetworkState.end())
    return false;
  return !parse_mount_options(m.options).bind();
}

}  // namespace hull::rootfs
