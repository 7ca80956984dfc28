#include "base/procfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull::procfs {
namespace {

constexpr ino_t kProcRootIno = 1;

bool on_procfs(int fd) {
  struct statfs sfs {};
  return ::fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

bool is_proc_root(int fd) {
  struct stat st {};
  return on_procfs(fd) && ::fstat(fd, &st) == 0 && st.st_ino == kProcRootIno && S_ISDIR(st.st_mode);
}

UniqueFd private_instance() {
  int fs = static_cast<int>(::syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC));
  if (fs < 0) return {};
  UniqueFd fsfd(fs);
  if (::syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return {};
  int mnt = static_cast<int>(
      ::syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV));
  return UniqueFd(mnt);
}

int openat2_beneath(int root, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  for (;;) {
    int fd = static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN) return fd;
  }
}

// "self/x" -> "<pid>/x" as this procfs instance names us.
std::string resolve_self(int root, std::string_view path) {
  for (std::string_view link : {std::string_view("thread-self"), std::string_view("self")}) {
    if (path != link && !path.starts_with(std::string(link) + "/")) continue;
    // The link itself must not be covered by a mount either.
    int fd = openat2_beneath(root, std::string(link), O_PATH);
    if (fd < 0) throw_errno("/proc/" + std::string(link) + " (openat2)");
    UniqueFd l(fd);
    char buf[64];
    ssize_t n = ::readlinkat(l.get(), "", buf, sizeof buf - 1);
    if (n < 0) throw_errno("readlink /proc/" + std::string(link));
    if (n == 0) throw Error("readlink /proc/" + std::string(link) + ": empty link");
    return std::string(buf, static_cast<size_t>(n)) + std::string(path.substr(link.size()));
  }
  return std::string(path);
}

}  // namespace

namespace {

// The /proc we see first: a private instance costs an fsopen, an fsconfig
// and an fsmount, and when its last fd closes (create's exit, on its
// caller's path) the kernel dissolves its detached mount behind an expedited
// RCU grace period (25 against 1.6 us for /proc on the development VM, an
// IPI to every CPU on a large host). Neither is more trusted: every path is
// resolved with RESOLVE_NO_XDEV and RESOLVE_NO_SYMLINKS, so a mount in the
// way in /proc is refused, not followed, and the shared root's users retry
// in a private instance, as they do for a file that /proc hides
// (in_shared_root below).
SharedRootRecord open_root() {
  UniqueFd proc(::open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  // Out of fds or memory: no instance could be made either; say what ran out.
  if (!proc && (errno == EMFILE || errno == ENFILE || errno == ENOMEM)) throw_errno("open /proc");
  if (proc && is_proc_root(proc.get())) return {proc.release(), false};
  if (UniqueFd mine = private_instance()) return {mine.release(), true};
  throw Error("/proc is not the root of a procfs mount and the kernel refused a private procfs instance", EXDEV);
}

// One procfs root per process, as create reads and writes several files. It
// is an ordinary fd: close_all_fds_except closes it before execve like every
// runtime fd, so it is checked before each use and reopened when it is no
// longer the root of a procfs.
SharedRootRecord cached;

int cached_root() {
  if (cached.fd >= 0 && is_proc_root(cached.fd)) return cached.fd;
  // A number no longer ours (closed before an execve, maybe reused): never
  // closed here, and forgotten before open_root can throw.
  cached = {};
  cached = open_root();
  return cached.fd;
}

// Whether path is a process's own ("self/...", "1234/..."), which every
// procfs mount shows; the rest ("sys/...") a mount with subset=pid hides.
bool per_process(std::string_view path) {
  std::string_view first = path.substr(0, path.find('/'));
  if (first == "self" || first == "thread-self") return true;
  return !first.empty() && first.find_first_not_of("0123456789") == std::string_view::npos;
}

// f(root) for path in the shared root; where the /proc we see has a mount or
// a symlink in the way (a bind over /proc/sys in a nested container, lxcfs)
// or hides the file (subset=pid, as systemd's ProcSubset=pid mounts it),
// once more in a private instance, which has neither, when the kernel gives
// one.
template <class F>
decltype(auto) in_shared_root(std::string_view path, F&& f) {
  try {
    return f(cached_root());
  } catch (const Error& e) {
    const bool in_the_way = e.code() == EXDEV || e.code() == ELOOP;
    const bool hidden = e.code() == ENOENT && !per_process(path);
    if (cached.private_instance || !(in_the_way || hidden)) throw;
    UniqueFd mine = private_instance();
    if (!mine) throw;
    ::close(cached.fd);
    cached = {mine.release(), true};
  }
  return f(cached.fd);
}

}  // namespace

void open_shared_root() { cached_root(); }

SharedRootRecord shared_root_record() { return cached; }

void restore_shared_root_record(SharedRootRecord record) { cached = record; }

void close_shared_root() {
  if (cached.fd >= 0) ::close(cached.fd);
  cached = {};
}

UniqueFd open_at(int root, std::string_view path, int flags) {
  std::string shown = "/proc/" + std::string(path);
  std::string real = resolve_self(root, path);
  int fd = openat2_beneath(root, real, flags);
  if (fd < 0) {
    if (errno == EXDEV || errno == ELOOP)
      throw_errno(shown + " (a symlink or a mount in the way: refusing to follow it)");
    throw_errno(shown);
  }
  UniqueFd file(fd);
  if (!on_procfs(file.get())) throw Error(shown + " is not on procfs", EXDEV);
  return file;
}

UniqueFd open(std::string_view path, int flags) {
  return in_shared_root(path, [&](int root) { return open_at(root, path, flags); });
}

namespace {

UniqueFd open_link_in(int dir, const std::string& name, int flags, const std::string& shown) {
  // Nothing mounted over the link: RESOLVE_NO_XDEV would refuse it.
  int link = openat2_beneath(dir, name, O_PATH);
  if (link < 0) throw_errno(shown);
  ::close(link);
  int fd = ::openat(dir, name.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw_errno(shown);
  return UniqueFd(fd);
}

// f(dir, name, shown) for the per-process link `path` ("self/fd/3"): dir is
// the link's directory, opened in the shared root.
template <class F>
auto in_link_dir(std::string_view path, F&& f) {
  std::string shown = "/proc/" + std::string(path);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) throw Error(shown + ": not a per-process link", EINVAL);
  return in_shared_root(path, [&](int root) {
    UniqueFd dir = open_at(root, path.substr(0, slash), O_PATH | O_DIRECTORY);
    return f(dir.get(), std::string(path.substr(slash + 1)), shown);
  });
}

}  // namespace

UniqueFd open_link_target(std::string_view path, int flags) {
  return in_link_dir(path, [&](int dir, const std::string& name, const std::string& shown) {
    return open_link_in(dir, name, flags, shown);
  });
}

UniqueFd open_link_target_at(int dir, std::string_view name, int flags) {
  return open_link_in(dir, std::string(name), flags, "/proc/.../" + std::string(name));
}

std::string read_link(std::string_view path) {
  return in_link_dir(path, [](int dir, const std::string& name, const std::string& shown) {
    int fd = openat2_beneath(dir, name, O_PATH);
    if (fd < 0) throw_errno(shown);
    UniqueFd link(fd);
    char buf[PATH_MAX];
    ssize_t n = ::readlinkat(link.get(), "", buf, sizeof buf);
    if (n < 0) throw_errno("readlink " + shown);
    // A full buffer may be a cut target: never taken for the whole.
    if (static_cast<size_t>(n) == sizeof buf)
      throw Error("readlink " + shown + ": target longer than PATH_MAX", ENAMETOOLONG);
    return std::string(buf, static_cast<size_t>(n));
  });
}

std::string read(std::string_view path) {
  UniqueFd fd = open(path, O_RDONLY);
  return read_fd(fd.get(), "/proc/" + std::string(path));
}

void write_at(int root, std::string_view path, std::string_view data) {
  UniqueFd fd = open_at(root, path, O_WRONLY);
  write_all(fd.get(), data, "/proc/" + std::string(path));
}

void write(std::string_view path, std::string_view data) {
  in_shared_root(path, [&](int root) { write_at(root, path, data); });
}

}  // namespace hull::procfs
