#include "rootfs/devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/error.hpp"
#include "base/user_namespace_map.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {
namespace {

struct NodeSpec {
  std::string path;  // as the container names it, cleaned
  mode_t type;       // S_IFCHR, S_IFBLK or S_IFIFO
  dev_t rdev;
  mode_t perm;
  uid_t uid;
  gid_t gid;
};

NodeSpec to_node(const spec::Device& d) {
  NodeSpec n;
  n.path = clean_path(d.path);
  if (d.type == "c" || d.type == "u") {
    n.type = S_IFCHR;
  } else if (d.type == "b") {
    n.type = S_IFBLK;
  } else if (d.type == "p") {
    n.type = S_IFIFO;
  } else {
    throw Error("device " + quote(d.path) + ": unknown type " + quote(d.type));
  }
  if (n.type != S_IFIFO && (!d.major || !d.minor)) {
    throw Error("device " + quote(d.path) + ": type " + quote(d.type) + " needs major and minor");
  }
  n.rdev = n.type == S_IFIFO ? 0 : makedev(static_cast<unsigned>(*d.major), static_cast<unsigned>(*d.minor));
  n.perm = d.fileMode.value_or(0666) & 07777;
  n.uid = d.uid.value_or(0);
  n.gid = d.gid.value_or(0);
  return n;
}

std::string describe(const NodeSpec& n) {
  const char* t = n.type == S_IFCHR ? "c" : n.type == S_IFBLK ? "b" : "p";
  return "device " + quote(n.path) + " (" + t + " " + std::to_string(major(n.rdev)) + ":" +
         std::to_string(minor(n.rdev)) + ")";
}

bool same_node(const struct stat& st, const NodeSpec& n) {
  return (st.st_mode & S_IFMT) == n.type && (n.type == S_IFIFO || st.st_rdev == n.rdev);
}

// What a path holds, as a message names it.
std::string kind_of(const struct stat& st) {
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFLNK: return "a symbolic link";
    case S_IFIFO: return "a fifo";
    case S_IFSOCK: return "a socket";
  }
  return std::string("another device (") + (S_ISBLK(st.st_mode) ? "b " : "c ") + std::to_string(major(st.st_rdev)) +
         ":" + std::to_string(minor(st.st_rdev)) + ")";
}

// Bind-mounts the host's node of the same path on an empty file: the way to
// get a device into a container whose user namespace forbids mknod. A host
// symlink is followed (udev's /dev/disk/by-id/..., /dev/mapper/...), as runc
// follows it: the path comes from the config, never from the image, and
// what it leads to must still be the device asked for.
void bind_host_node(int parent, const std::string& name, const NodeSpec& n, const std::string& what) {
  UniqueFd host(::open(n.path.c_str(), O_PATH | O_CLOEXEC));
  if (!host) throw_errno(what + ": mknod not permitted, and the host has no " + quote(n.path) + " to bind");
  struct stat st {};
  if (::fstat(host.get(), &st) < 0) throw_errno(what + ": stat host " + quote(n.path));
  if (!same_node(st, n)) {
    throw Error(what + ": mknod not permitted, and host " + quote(n.path) + " is " + kind_of(st) +
                ", not the device to bind");
  }
  int f = ::openat(parent, name.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
  if (f < 0) throw_errno(what + ": create bind target");
  UniqueFd target(f);
  UniqueFd tree = clone_mount(host.get(), "", false, what);
  attach_mount(tree.get(), target.get(), what);
}

// The directory a node goes in, opened (made if missing) inside the root
// once per call of create_devices: the default nodes all go in /dev.
class NodeDirs {
 public:
  explicit NodeDirs(int rootfd) : rootfd_(rootfd) {}
  int get(const std::string& dir, const std::string& what) {
    if (!fd_ || dir != dir_) {
      fd_ = with_context(what, [&] { return create_in_root(rootfd_, dir, NodeKind::Directory); });
      dir_ = dir;
    }
    return fd_.get();
  }

 private:
  int rootfd_;
  std::string dir_;
  UniqueFd fd_;
};

// `field`: the config's entry (".linux.devices[2]"), or empty for a default device.
void create_node(NodeDirs& dirs, const NodeSpec& n, const std::string& field) {
  const std::string what = (field.empty() ? "" : field + ": ") + "create " + describe(n);
  std::vector<std::string> parts = split_path(n.path);
  if (parts.empty() || parts.back() == "..") throw Error(what + ": not a file path");
  std::string name = parts.back();
  parts.pop_back();
  std::string dir = "/";
  for (const std::string& p : parts) dir += p + "/";
  const int parent = dirs.get(dir, what);

  if (::mknodat(parent, name.c_str(), n.type | n.perm, n.rdev) < 0) {
    if (errno == EPERM) {
      bind_host_node(parent, name, n, what);
      return;
    }
    if (errno != EEXIST) throw_errno(what);
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno(what + ": stat existing");
    // A node that is there already is left as it is, as runc leaves it: the
    // image's own, or a host node bound in by an earlier entry for the path,
    // whose owner and mode are the host's and never the container's to set.
    if (same_node(st, n)) return;
    // An empty file is where a host node was bound in a user namespace (by
    // hull or runc on an earlier run of this image): bound again, as runc
    // binds it.
    if (S_ISREG(st.st_mode) && st.st_size == 0 && !in_initial_user_namespace()) {
      bind_host_node(parent, name, n, what);
      return;
    }
    // Anything else is the image's (no tmpfs on /dev): a file, a directory,
    // a link (say dev/null -> /etc/shadow). config-linux.md has the runtime
    // fail; replacing it changed the image on the host, and runc, leaving
    // it, hands the container the image's file where it asked for a device.
    throw Error(what + ": the rootfs holds " + kind_of(st) +
                " there, not this device; hull leaves the path as it is: mount a tmpfs on the device's "
                "directory, or remove the path from the image");
  }
  // Mode and owner through an fd on the node itself: chmod by name would
  // follow a symlink swapped in meanwhile.
  UniqueFd node(::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!node) throw_errno(what + ": open");
  struct stat st {};
  if (::fstat(node.get(), &st) < 0) throw_errno(what + ": stat");
  if (!same_node(st, n)) throw Error(what + ": replaced while being created", EAGAIN);
  // The usual node (made by root for root, under create_devices' umask of 0)
  // is right as made: no chown, no chmod through /proc (issue #16).
  bool chown_needed = st.st_uid != n.uid || st.st_gid != n.gid;
  if (chown_needed && ::fchownat(node.get(), "", n.uid, n.gid, AT_EMPTY_PATH) < 0) throw_errno(what + ": chown");
  // chown clears set-id bits: after one, the mode is set again.
  if ((chown_needed || (st.st_mode & 07777) != n.perm) && ::chmod(fd_path(node.get()).c_str(), n.perm) < 0)
    throw_errno(what + ": chmod");
}

void symlink_in(int dirfd, const char* target, const char* name) {
  if (::symlinkat(target, dirfd, name) < 0 && errno != EEXIST) {
    throw_errno("symlink /dev/" + std::string(name) + " -> " + target);
  }
}

// The runtime spec's default devices (config-linux.md, "Default Devices"),
// each where the config lists no device of that path: the config's entry is
// the node there (runc's specconv merges them the same way).
struct DefaultDevice {
  const char* path;
  unsigned dev_major, dev_minor;
};
constexpr DefaultDevice kDefaultDevices[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                                             {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};

bool listed(const std::vector<std::string>& paths, const char* path) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

}  // namespace

void create_devices(int rootfd, const std::vector<spec::Device>& devices) {
  // mknod with the exact mode (the caller's umask would mask 0666 to 0644
  // and cost a chmod per node); restored on the way out, also on error.
  struct UmaskZero {
    mode_t saved = ::umask(0);
    ~UmaskZero() { ::umask(saved); }
  } umask_zero;
  NodeDirs dirs(rootfd);
  std::vector<std::string> paths;  // cleaned once (a privileged pod lists every host device)
  paths.reserve(devices.size());
  for (size_t i = 0; i < devices.size(); ++i) {
    const NodeSpec n = to_node(devices[i]);
    paths.push_back(n.path);
    // /dev/ptmx is always the link to the container's own devpts
    // (create_dev_links), as with runc: podman lists the host's for
    // --privileged, and in a user namespace, where mknod is refused, the
    // host's node bound there could not be replaced (EBUSY).
    if (n.path == "/dev/ptmx") continue;
    create_node(dirs, n, ".linux.devices[" + std::to_string(i) + "]");
  }
  for (const DefaultDevice& d : kDefaultDevices)
    if (!listed(paths, d.path)) create_node(dirs, {d.path, S_IFCHR, makedev(d.dev_major, d.dev_minor), 0666, 0, 0}, "");
}

std::vector<std::string> device_node_paths(const std::vector<spec::Device>& devices) {
  std::vector<std::string> out;
  for (const spec::Device& d : devices)
    if (std::string path = clean_path(d.path); path != "/dev/ptmx") out.push_back(std::move(path));
  for (const DefaultDevice& d : kDefaultDevices)
    if (!listed(out, d.path)) out.emplace_back(d.path);
  return out;
}

void create_dev_links(int rootfd) {
  UniqueFd dev = create_in_root(rootfd, "/dev", NodeKind::Directory);
  // An O_PATH fd is enough for symlinkat/unlinkat as the directory.
  symlink_in(dev.get(), "/proc/self/fd", "fd");
  symlink_in(dev.get(), "/proc/self/fd/0", "stdin");
  symlink_in(dev.get(), "/proc/self/fd/1", "stdout");
  symlink_in(dev.get(), "/proc/self/fd/2", "stderr");
  if (::access("/proc/kcore", F_OK) == 0) symlink_in(dev.get(), "/proc/kcore", "core");
  // ptmx must open the container's own devpts instance (newinstance), never
  // the host's: replace whatever the image put there.
  if (::unlinkat(dev.get(), "ptmx", 0) < 0 && errno != ENOENT) throw_errno("remove /dev/ptmx");
  symlink_in(dev.get(), "pts/ptmx", "ptmx");
}

}  // namespace hull::rootfs
