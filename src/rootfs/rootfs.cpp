// The order of the rootfs steps, each in its own file:
//   1. propagation: "/" rslave (or rprivate) so nothing we mount reaches the host
//   2. overlay rootfs (opt-in), then the rootfs bound onto itself (pivot_root
//      needs a mount point; the clone's fd is the anchor every path is
//      resolved against from here on)
//   3. config mounts, in order
//   4. devices, /dev links, console
//   5. before_pivot (createContainer hooks), with the rootfs as cwd
//   6. masked and read-only paths, after the hooks as runc does, so a hook
//      cannot be surprised by them and the container cannot undo them
//   7. pivot_root (or move + chroot), detach the old root, root.readonly,
//      final rootfsPropagation
#include "rootfs/rootfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/phase_trace.hpp"
#include "rootfs/bind_trees.hpp"
#include "rootfs/console.hpp"
#include "rootfs/devices.hpp"
#include "rootfs/masked_paths.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/mounts.hpp"
#include "rootfs/overlay.hpp"
#include "rootfs/pivot.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {
namespace {

// The propagation "/" gets before anything is mounted. Whatever was asked,
// setup runs with "/" a slave (or private) so that none of our mounts
// propagates to the host; a shared or unbindable root is set after pivot.
unsigned long setup_propagation(unsigned long requested) {
  return (requested & MS_PRIVATE) ? MS_PRIVATE | MS_REC : MS_SLAVE | MS_REC;
}

// /dev is ours to populate unless the config binds it from somewhere.
bool dev_is_bound(const spec::Spec& spec) {
  for (const spec::Mount& m : spec.mounts) {
    if (clean_path(m.destination) != "/dev") continue;
    if (m.type == "bind") return true;
    if (parse_mount_options(m.options).bind()) return true;
  }
  return false;
}

// A read-only /dev tmpfs (runc allows it): mounted writable so that the
// device nodes, links and console can be made, then made read-only, as runc
// does. Returns the mount with "ro" dropped, or nullopt for any other mount.
std::optional<spec::Mount> writable_dev_tmpfs(const spec::Mount& m) {
  if (clean_path(m.destination) != "/dev" || m.type != "tmpfs") return std::nullopt;
  if (!(parse_mount_options(m.options).flags & MS_RDONLY)) return std::nullopt;
  spec::Mount w = m;
  std::erase(w.options, "ro");
  return w;
}

// The container's /dev, when it is a tmpfs this setup mounted from the
// config (not bound from elsewhere: dev_bound); an empty fd otherwise.
UniqueFd own_dev_tmpfs(int rootfd, const spec::Spec& spec, bool dev_bound) {
  if (dev_bound) return UniqueFd();
  bool mounted = false;
  for (const spec::Mount& m : spec.mounts)
    if (clean_path(m.destination) == "/dev") mounted = m.type == "tmpfs";
  if (!mounted) return UniqueFd();
  UniqueFd dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
  struct statfs sfs {};
  if (!dev || ::fstatfs(dev.get(), &sfs) < 0 || static_cast<unsigned long>(sfs.f_type) != TMPFS_MAGIC)
    return UniqueFd();
  return dev;
}

// Whether both fds are open and on one file system (the covered directory
// of the masks must be in the container's own /dev tmpfs).
bool on_same_fs(int a, int b) {
  struct stat sa {};
  struct stat sb {};
  return a >= 0 && b >= 0 && ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

std::string real_path_of(int fd) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(fd_path(fd).c_str(), buf, sizeof buf);
  if (n < 0) throw_errno("readlink " + fd_path(fd));
  return std::string(buf, static_cast<size_t>(n));
}

// Binds the rootfs onto itself and returns the fd of that mount. With
// `runtime_tree` (an id-mapped rootfs the runtime detached and mapped) that
// tree is attached instead of a clone made here, first given the propagation
// "/" got (`propagation`): cloned in the runtime's namespace, it is a peer of
// a shared host mount until then.
UniqueFd bind_rootfs(const std::string& rootfs, int runtime_tree, unsigned long propagation) {
  std::string what = describe_mount(rootfs, rootfs, "", MS_BIND | MS_REC, "");
  UniqueFd tree;
  if (runtime_tree >= 0) {
    what = "id-mapped rootfs: " + what;
    tree.reset(::fcntl(runtime_tree, F_DUPFD_CLOEXEC, 0));
    if (!tree) throw_errno(what + ": dup the runtime's tree");
    set_propagation(tree.get(), propagation, what);
  } else {
    tree = clone_mount(AT_FDCWD, rootfs, true, what);
  }
  UniqueFd target = open_fd(rootfs, O_PATH | O_DIRECTORY);
  attach_mount(tree.get(), target.get(), what);
  return tree;
}

// The last line of defence for the caller's mount namespace: whatever the
// config asked, nothing is mounted while the init is still in it.
void refuse_runtime_mount_namespace(const MountNamespaceId& runtime) {
  if (runtime.ino == 0) return;
  MountNamespaceId self;
  try {
    self = mount_namespace_of_self();
  } catch (const Error& e) {
    // A mount namespace joined by path (another container's; runc fails
    // alike) whose /proc is of a pid namespace the init is not in, or that
    // has none: a new one starts with the caller's /proc, which shows every
    // process.
    if (e.code() != ENOENT) throw;
    struct statfs sfs {};
    const bool has_proc = ::statfs("/proc", &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
    // The errno text stays with the step it belongs to, before the advice.
    throw Error(std::string(e.what()) + ": " +
                (has_proc ? "the /proc of the mount namespace joined by path does not show the container's init "
                            "(it is another pid namespace's, as in another container's mount namespace)"
                          : "the mount namespace joined by path has no /proc") +
                "; hull sets the rootfs up in a mount namespace whose /proc shows the container: leave out the "
                "mount namespace's path");
  }
  if (self == runtime) {
    throw Error(
        "refusing to set up the rootfs in the mount namespace hull runs in (.linux.namespaces joins the "
        "caller's own mount namespace)");
  }
}

}  // namespace

MountNamespaceId mount_namespace_of_self() {
  struct stat st {};
  if (::stat("/proc/self/ns/mnt", &st) < 0) throw_errno("stat /proc/self/ns/mnt");
  return {st.st_dev, st.st_ino};
}

SetupResult enter_rootfs_without_mount_namespace(const spec::Spec& spec, const SetupOptions& opts) {
  return with_context("rootfs", [&] {
    if (opts.overlay_rootfs)
      throw Error("overlay rootfs: needs a mount namespace, but .linux.namespaces has no \"mount\"");
    if (opts.rootfs_tree >= 0)
      throw Error("id-mapped rootfs: needs a mount namespace, but .linux.namespaces has no \"mount\"");
    UniqueFd root = open_fd(opts.rootfs, O_PATH | O_DIRECTORY);
    SetupResult result;
    if (opts.create_console) {
      UniqueFd host_root = open_fd("/", O_PATH | O_DIRECTORY);
      Pty pty = open_pty(host_root.get(), spec.process ? spec.process->user.uid : 0);
      result.pty_master = std::move(pty.master);
      result.pty_slave = std::move(pty.slave);
    }
    // As with a mount namespace: createContainer hooks run in the rootfs.
    if (::fchdir(root.get()) < 0) throw_errno("chdir to the rootfs " + quote(opts.rootfs));
    if (opts.before_pivot) opts.before_pivot();
    if (::chroot(".") < 0) throw_errno("chroot into the rootfs " + quote(opts.rootfs));
    return result;
  });
}

SetupResult setup_rootfs(const spec::Spec& spec, const SetupOptions& opts) {
  return with_context("rootfs", [&] {
    const spec::Linux empty_linux;
    const spec::Linux& lx = spec.linux_ ? *spec.linux_ : empty_linux;
    unsigned long propagation = lx.rootfsPropagation ? parse_rootfs_propagation(*lx.rootfsPropagation) : 0;

    refuse_runtime_mount_namespace(opts.runtime_mount_ns);
    if (::mount(nullptr, "/", nullptr, setup_propagation(propagation), nullptr) < 0) {
      throw_errno("make \"/\" " + propagation_to_string(setup_propagation(propagation)));
    }
    if (opts.overlay_rootfs) {
      if (opts.overlay_dir.empty() && opts.state_dir.empty()) {
        throw Error("overlay rootfs: neither an overlay directory nor a state directory was given");
      }
      mount_overlay_rootfs(opts.rootfs, opts.overlay_dir.empty() ? opts.state_dir + "/overlay" : opts.overlay_dir,
                           opts.overlay_dir_claimed);
    }
    UniqueFd root = bind_rootfs(opts.rootfs, opts.rootfs_tree, setup_propagation(propagation));
    phase_mark("rootfs_bind");

    MountContext ctx;
    ctx.rootfd = root.get();
    // What check_not_onto_root compares every destination with: without it
    // a mount could land on the rootfs itself unnoticed.
    struct stat root_st {};
    if (::fstat(root.get(), &root_st) < 0) throw_errno("stat the rootfs " + quote(opts.rootfs));
    ctx.root_dev = root_st.st_dev;
    ctx.root_ino = root_st.st_ino;
    ctx.rootfs_path = real_path_of(root.get());
    ctx.bundle = opts.bundle;
    ctx.cgroupns = spec::lists_namespace(spec, spec::NamespaceType::Cgroup);
    ctx.user_namespace = spec::lists_namespace(spec, spec::NamespaceType::User);
    // A tree the runtime cloned stays a peer of the host's mount only where
    // a container without a user namespace asks for a shared root.
    ctx.prepared_tree_propagation = !binds_share_with_host(spec) ? setup_propagation(propagation)
                                    : ctx.user_namespace         ? MS_SLAVE | MS_REC
                                                                 : 0;
    ReadOnlyLater readonly_tmpfs;
    ctx.readonly_later = &readonly_tmpfs;
    ctx.idmap_by_runtime = opts.idmap_by_runtime;
    ctx.source_from_runtime = opts.source_from_runtime;
    UniqueFd covered_dev_dir;
    ctx.covered_dev_dir = &covered_dev_dir;
    // Relative sources of non-bind mounts (overlay lowerdir=...) are read
    // from the bundle, like bind sources: the cwd the runtime cloned the
    // init in (never chdir'd here: a user-namespaced init may not be
    // allowed to search the path to the bundle).
    bool dev_readonly = false;
    bool cgroup_mounted = false;
    for (size_t i = 0; i < spec.mounts.size(); ++i) {
      const spec::Mount& m = spec.mounts[i];
      if ((m.type == "cgroup" || m.type == "cgroup2") && !cgroup_mounted) {
        cgroup_mounted = true;
        if (opts.before_cgroup_mount) opts.before_cgroup_mount();
      }
      if (opts.before_network_mount && mount_takes_network_namespace(m)) opts.before_network_mount();
      try {
        if (auto w = writable_dev_tmpfs(m)) {
          dev_readonly = true;
          apply_mount(ctx, *w, i);
        } else {
          apply_mount(ctx, m, i, i < opts.bind_trees.size() ? opts.bind_trees[i] : -1);
        }
      } catch (Error& e) {
        // Named as in config.json, so the user finds which entry (built on
        // failure only: nothing on the hot path).
        e.add_context(mount_name(m, i, opts.config_mounts));
        // Only where the queue's fds are what ran out: a tmpfs or a bind
        // (its copies), not a tmpcopyup's walk, which holds its own.
        if (e.code() == EMFILE && !readonly_tmpfs.empty() &&
            (is_bind(m) || (m.type == "tmpfs" && !parse_mount_options(m.options).tmpcopyup))) {
          rlimit nofile{};
          ::getrlimit(RLIMIT_NOFILE, &nofile);
          throw Error(e.message() + " (the set-up holds an fd for each of the " +
                          std::to_string(readonly_tmpfs.size()) +
                          " read-only tmpfs, and copies binds made of them, still to turn read-only: raise the "
                          "open-files limit hull runs with, RLIMIT_NOFILE soft " +
                          std::to_string(nofile.rlim_cur) + ", hard " + std::to_string(nofile.rlim_max) + ")",
                      EMFILE);
        }
        throw;
      }
    }

    phase_mark("mounts");
    // Held from here: a hook that mounts something over /dev later does not
    // change which tmpfs the masks' empty directory is made in.
    const bool dev_bound = dev_is_bound(spec);
    UniqueFd dev_tmpfs = own_dev_tmpfs(root.get(), spec, dev_bound);
    if (!on_same_fs(dev_tmpfs.get(), covered_dev_dir.get())) covered_dev_dir.reset();
    // A /dev bound from elsewhere (often the host's) is left as it is, as runc
    // does: mknod there would create nodes outside the container.
    if (!dev_bound) {
      create_devices(root.get(), lx.devices);
      create_dev_links(root.get());
    }
    phase_mark("dev_nodes");
    SetupResult result;
    if (opts.create_console) {
      Pty pty = create_console(root.get(), spec.process ? spec.process->user.uid : 0);
      result.pty_master = std::move(pty.master);
      result.pty_slave = std::move(pty.slave);
    }

    if (opts.before_pivot) {
      // runc runs createContainer hooks in the rootfs: relative paths in a
      // hook resolve there.
      if (::fchdir(root.get()) < 0) throw_errno("chdir to the rootfs " + quote(ctx.rootfs_path));
      opts.before_pivot();
    }

    // A process.cwd the image lacks is made (0755, as root), as runc does,
    // before the masks and read-only paths and root.readonly can keep it
    // from being made (Kubernetes workingDir need not exist in the image).
    if (spec.process && clean_path(spec.process->cwd) != "/")
      with_context("create cwd " + quote(spec.process->cwd),
                   [&] { create_in_root(root.get(), spec.process->cwd, NodeKind::Directory); });

    KernelFsMounts kernel_fs;
    for (const spec::Mount& m : spec.mounts) {
      const std::string dest = clean_path(m.destination);
      if (m.type == "proc" && dest == "/proc") kernel_fs.proc = true;
      if (m.type == "sysfs" && dest == "/sys") kernel_fs.sys = true;
    }
    // Read-only paths first, as runc does: a directory both read-only and
    // masked then gets its mask on top of the read-only bind, and shows the
    // empty directory. The masks' empty directory is made on the container's
    // own /dev tmpfs (masked_paths.hpp), still writable here: it is made
    // read-only below.
    const bool root_readonly_path = make_readonly_paths(root.get(), lx.readonlyPaths, kernel_fs);
    mask_paths(root.get(), lx.maskedPaths, kernel_fs, covered_dev_dir ? covered_dev_dir.get() : -1);
    if (dev_readonly) {
      std::string what = "make the /dev tmpfs read-only";
      if (!dev_tmpfs) dev_tmpfs = open_in_root(root.get(), "/dev", O_PATH | O_DIRECTORY);
      if (!dev_tmpfs) throw_errno(what + ": open /dev");
      set_mount_attrs(dev_tmpfs.get(), MountAttrs::read_only(), false, what);
    }
    readonly_tmpfs.make_read_only("make a read-only tmpfs of the config read-only");
    phase_mark("masked_readonly");

    if (opts.no_pivot) {
      move_root_into(root.get(), ctx.rootfs_path);
    } else {
      pivot_into(root.get(), opts.leaves_with_old_root);
    }
    if (spec.root && spec.root->readonly) {
      with_context("root.readonly", [] { make_root_readonly(); });
    } else if (root_readonly_path) {
      with_context("linux.readonlyPaths", [] { make_root_readonly(); });
    }
    phase_mark("pivot");
    if (propagation != 0 && (propagation & ~static_cast<unsigned long>(MS_REC)) != MS_SLAVE &&
        (propagation & ~static_cast<unsigned long>(MS_REC)) != MS_PRIVATE) {
      set_root_propagation(propagation);
    }
    return result;
  });
}

}  // namespace hull::rootfs
