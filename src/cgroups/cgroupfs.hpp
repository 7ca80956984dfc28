#pragma once
// Reading and writing cgroup interface files. Every writer in this module
// goes through these so errors read the same everywhere:
//   write 100000 to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or resource busy
#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::cgroups {

// A path as a directory fd and the rest, for the *at(2) calls: a path below
// /sys/fs/cgroup starts from a descriptor of /sys/fs/cgroup this process
// keeps open (O_PATH, close-on-exec; a child cloned from it looks the path
// up whole), so that the lookup never walks /sys/fs and /sys/fs/cgroup.
// Those are sysfs (kernfs) directories: kernfs refuses the lockless path
// walk, and the locked one takes sysfs's kernfs_rwsem at each, which a
// network namespace made anywhere on the host holds for writing while it
// adds its devices' sysfs files. Other paths come back as (AT_FDCWD, path).
// `path` must outlive the result.
struct At {
  int dir;
  const char* rel;
};
At at(const std::string& path) noexcept;
// The descriptor at() keeps open in this process, -1 if none: for a child
// cloned from it to close at its entry.
int root_fd_held() noexcept;

// A cgroup directory this process holds open, which at() walks the paths
// below it from. kernfs refuses the lockless path walk, so each directory
// of a path from /sys/fs/cgroup costs a read lock of the hierarchy's kernfs
// rwsems, which every cgroup made or removed on the host takes for writing
// once per interface file, and a reference on a dentry that the containers
// beside this one walk through too (the parents a node's containers share);
// from the container's own directory only the file's name is looked up. A
// path through it also stays in the directory held when another is made at
// the same path: it fails as gone (cgroup_gone) instead. Owns the
// descriptor: at() stops using it once it is closed. Only the process that
// made it uses it; a few at once (one more is only an open descriptor).
// Made and dropped on one thread, before any thread that may call at().
class HeldDir {
 public:
  HeldDir() = default;
  HeldDir(std::string path, UniqueFd fd) noexcept;
  HeldDir(const HeldDir&) = delete;
  HeldDir& operator=(const HeldDir&) = delete;
  HeldDir(HeldDir&& o) noexcept;
  HeldDir& operator=(HeldDir&& o) noexcept;
  ~HeldDir() { reset(); }

  int get() const noexcept { return fd_.get(); }
  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
  void reset() noexcept;

 private:
  void release_slot() noexcept;

  std::string path_;
  UniqueFd fd_;
  int slot_ = -1;
};
// mkdir(2) (mode 0755) and rmdir(2) of a cgroup directory through at(): 0,
// or -1 with errno set.
int make_dir(const std::string& path) noexcept;
int remove_dir(const std::string& path) noexcept;
// open(2) through at() (O_CLOEXEC added); throws "open <path>: <errno>".
UniqueFd open_path(const std::string& path, int flags);
// setxattr(2) and getxattr(2) of a cgroup directory: of a held one
// (HeldDir) through its descriptor; else through at(), with setxattrat and
// getxattrat (Linux 6.13), the path calls where those are missing or
// refused (ENOSYS, or EPERM from a seccomp filter). Return as the system
// calls do, errno set.
int set_xattr(const std::string& path, const char* name, std::string_view value) noexcept;
ssize_t get_xattr(const std::string& path, const char* name, char* buf, size_t size) noexcept;

// Writes value to dir/file (the file must exist, as cgroupfs files do).
void write_value(const std::string& dir, std::string_view file, std::string_view value);
// Like write_value but returns the errno instead of throwing (0 on success),
// for the few places that retry in another order.
int try_write_value(const std::string& dir, std::string_view file, std::string_view value) noexcept;
// dir/file open for several values, one write(2) each (devices.allow takes
// one rule per write): one open for all of them, made at the first write.
// Errors read as write_value's.
class ValueWriter {
 public:
  ValueWriter(const std::string& dir, std::string_view file);
  // Opens the file now, for a writer that may not reach it later (a process
  // cloned into another mount namespace).
  void open();
  void write(std::string_view value);
  void close() noexcept { fd_.reset(); }
  // The file as opened elsewhere (another process, over SCM_RIGHTS).
  void adopt(UniqueFd fd) noexcept { fd_ = std::move(fd); }
  int fd() const noexcept { return fd_.get(); }

 private:
  std::string path_;
  UniqueFd fd_;
};
// Contents of dir/file without the trailing newline.
std::string read_value(const std::string& dir, std::string_view file);
// The same for the cgroup open as dirfd, which `what` names in errors.
std::string read_value_at(int dirfd, const char* file, const std::string& what);
// try_write_value for the cgroup open as dirfd, which `what` names.
int try_write_value_at(int dirfd, const char* file, std::string_view value, const std::string& what) noexcept;
uint64_t read_u64(const std::string& dir, std::string_view file);  // "max" reads as UINT64_MAX
bool has_file(const std::string& dir, std::string_view file) noexcept;
// Whether err says the cgroup was removed meanwhile: ENOENT, or ENODEV
// through a descriptor opened before its removal.
inline bool cgroup_gone(int err) noexcept { return err == ENOENT || err == ENODEV; }

// Test seam: while a log is installed, every successful write is appended to
// it as (path, value), so tests on a temporary tree can see sequences of
// writes to one file (devices.allow, io.max) that the file itself would not keep.
struct WriteLog {
  std::vector<std::pair<std::string, std::string>> writes;
};
void set_write_log(WriteLog* log) noexcept;

// While one is installed, the first write_value or try_write_value of each
// file that the kernel takes records what the file held before it, so that
// undo() can write that back: an update the kernel refuses half-way then leaves every file it
// wrote before as it was, also those the saved config does not name (which
// writing the saved config again cannot reach). One at a time, on one thread.
class UndoLog {
 public:
  UndoLog() noexcept;
  ~UndoLog();
  UndoLog(const UndoLog&) = delete;
  UndoLog& operator=(const UndoLog&) = delete;

  // Stops recording and writes back what was recorded, the last file
  // written first (v1's memory limit and memory+swap limit go back in the
  // order that each write stays valid). Each line written back goes alone
  // (io.weight reads as "default 100" and a line per device). Returns what
  // the kernel refused, one message each.
  std::vector<std::string> undo() noexcept;

  // What `path` holds before a first write (none if recorded already), kept
  // once the write is taken.
  using Pending = std::optional<std::pair<std::string, std::string>>;
  Pending read_before(const std::string& path) const noexcept;
  void keep(Pending before) noexcept;

 private:
  std::vector<std::pair<std::string, std::string>> before_;  // (path, contents)
  bool installed_ = true;
};

// Splits a space-separated list ("cpu io memory").
std::set<std::string> split_words(std::string_view text);
// "max" for negative values (the spec's -1 = unlimited), else the number.
std::string limit_or_max(int64_t v);

}  // namespace hull::cgroups
