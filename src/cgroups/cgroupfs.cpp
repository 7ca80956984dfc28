#include "cgroups/cgroupfs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/text.hpp"
#include "base/unique_fd.hpp"

namespace hull::cgroups {

namespace {
std::string join(const std::string& dir, std::string_view file) {
  std::string p = dir;
  p += '/';
  p += file;
  return p;
}
WriteLog* g_write_log = nullptr;
UndoLog* g_undo_log = nullptr;

constexpr std::string_view kCgroupRoot = "/sys/fs/cgroup/";

// The process that opened cgroup_root_fd: a child sharing our memory
// (runtime/launcher.hpp) sees the number, which is not its own file.
pid_t cgroup_root_owner = 0;
int cgroup_root_fd = -1;

// HeldDir's registrations. Trivially destructible, so that no exit handler
// is registered for them; `path` points into the HeldDir, which moves it
// along with the slot.
struct HeldSlot {
  const std::string* path = nullptr;  // nullptr: free
  int fd = -1;
  pid_t owner = 0;
};
constexpr size_t kMaxHeldDirs = 4;
HeldSlot held_slots[kMaxHeldDirs];
size_t held_in_use = 0;

// The deepest held directory that `path` lies strictly below, as (its fd,
// the rest); dir -1 if none.
At from_held_dir(const std::string& path, pid_t self) noexcept {
  At best{-1, nullptr};
  size_t best_len = 0;
  for (const HeldSlot& s : held_slots) {
    if (!s.path || s.owner != self) continue;
    const std::string& dir = *s.path;
    if (dir.size() <= best_len || path.size() <= dir.size() + 1 || !path.starts_with(dir) || path[dir.size()] != '/')
      continue;
    best = {s.fd, path.c_str() + dir.size() + 1};
    best_len = dir.size();
  }
  return best;
}

// The descriptor of the held directory `path` names itself, -1 if none.
int held_fd_of(const std::string& path) noexcept {
  if (held_in_use == 0) return -1;
  const pid_t self = ::getpid();
  for (const HeldSlot& s : held_slots)
    if (s.path && s.owner == self && *s.path == path) return s.fd;
  return -1;
}

}  // namespace

HeldDir::HeldDir(std::string path, UniqueFd fd) noexcept : path_(std::move(path)), fd_(std::move(fd)) {
  while (!path_.empty() && path_.back() == '/') path_.pop_back();
  if (!fd_ || path_.empty()) return;
  for (size_t i = 0; i < kMaxHeldDirs; ++i) {
    if (held_slots[i].path) continue;
    held_slots[i] = {&path_, fd_.get(), ::getpid()};
    slot_ = static_cast<int>(i);
    ++held_in_use;
    return;
  }
}

HeldDir::HeldDir(HeldDir&& o) noexcept
    : path_(std::move(o.path_)), fd_(std::move(o.fd_)), slot_(std::exchange(o.slot_, -1)) {
  if (slot_ >= 0) held_slots[slot_].path = &path_;
}

HeldDir& HeldDir::operator=(HeldDir&& o) noexcept {
  if (this == &o) return *this;
  reset();
  path_ = std::move(o.path_);
  fd_ = std::move(o.fd_);
  slot_ = std::exchange(o.slot_, -1);
  if (slot_ >= 0) held_slots[slot_].path = &path_;
  return *this;
}

void HeldDir::release_slot() noexcept {
  if (slot_ < 0) return;
  held_slots[slot_] = {};
  slot_ = -1;
  --held_in_use;
}

void HeldDir::reset() noexcept {
  // Out of at()'s reach before the number can be reused.
  release_slot();
  fd_.reset();
  path_.clear();
}

At at(const std::string& path) noexcept {
  const bool below_root = path.starts_with(kCgroupRoot) && path.size() > kCgroupRoot.size();
  if (!below_root && held_in_use == 0) return {AT_FDCWD, path.c_str()};
  const pid_t self = ::getpid();
  if (held_in_use != 0) {
    if (At held = from_held_dir(path, self); held.dir >= 0) return held;
  }
  if (!below_root) return {AT_FDCWD, path.c_str()};
  if (cgroup_root_owner == 0) {
    const int fd = ::open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return {AT_FDCWD, path.c_str()};
    cgroup_root_fd = fd;
    cgroup_root_owner = self;
  }
  if (cgroup_root_owner != self) return {AT_FDCWD, path.c_str()};
  return {cgroup_root_fd, path.c_str() + kCgroupRoot.size()};
}

int root_fd_held() noexcept { return cgroup_root_owner == ::getpid() ? cgroup_root_fd : -1; }

int make_dir(const std::string& path) noexcept {
  At p = at(path);
  return ::mkdirat(p.dir, p.rel, 0755);
}

int remove_dir(const std::string& path) noexcept {
  At p = at(path);
  return ::unlinkat(p.dir, p.rel, AT_REMOVEDIR);
}

namespace {
int open_through_at(const std::string& path, int flags) noexcept {
  At p = at(path);
  return ::openat(p.dir, p.rel, flags | O_CLOEXEC);
}
}  // namespace

UniqueFd open_path(const std::string& path, int flags) {
  UniqueFd fd(open_through_at(path, flags));
  if (!fd) throw_errno("open " + path);
  return fd;
}

namespace {

// Linux 6.13's *xattrat calls, numbered alike on every architecture (new
// calls have been since 5.1); glibc 2.36 has neither wrapper nor number.
constexpr long kSetxattrat = 463;
constexpr long kGetxattrat = 464;
#ifdef SYS_setxattrat
static_assert(SYS_setxattrat == kSetxattrat && SYS_getxattrat == kGetxattrat);
#endif
struct XattrArgs {
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};
bool xattrat_missing = false;

// fd_call on a held directory's own descriptor where `path` is one (no
// lookup at all); else at_call on at(path), or path_call where the *at call
// is missing (ENOSYS)
// or refused with EPERM: a seccomp filter that does not know the call
// answers so. (So does the kernel for a trusted.* name without
// CAP_SYS_ADMIN, and the path call then says the same.) Where the path call
// succeeds after such a refusal, it was the filter's: the *at calls are left
// alone from then on.
template <class FdCall, class AtCall, class PathCall>
long through_at(const std::string& path, FdCall fd_call, AtCall at_call, PathCall path_call) noexcept {
  if (const int fd = held_fd_of(path); fd >= 0) return fd_call(fd);
  At p = at(path);
  bool refused = false;
  if (p.dir != AT_FDCWD && !xattrat_missing) {
    long rc = at_call(p);
    if (rc >= 0 || (errno != ENOSYS && errno != EPERM)) return rc;
    xattrat_missing = errno == ENOSYS;
    refused = errno == EPERM;
  }
  long rc = path_call();
  if (refused && rc >= 0) xattrat_missing = true;
  return rc;
}

}  // namespace

int set_xattr(const std::string& path, const char* name, std::string_view value) noexcept {
  XattrArgs args{reinterpret_cast<uintptr_t>(value.data()), static_cast<uint32_t>(value.size()), 0};
  return static_cast<int>(through_at(
      path, [&](int fd) { return long{::fsetxattr(fd, name, value.data(), value.size(), 0)}; },
      [&](At p) { return ::syscall(kSetxattrat, p.dir, p.rel, 0, name, &args, sizeof args); },
      [&] { return long{::setxattr(path.c_str(), name, value.data(), value.size(), 0)}; }));
}

ssize_t get_xattr(const std::string& path, const char* name, char* buf, size_t size) noexcept {
  XattrArgs args{reinterpret_cast<uintptr_t>(buf), static_cast<uint32_t>(size), 0};
  return through_at(
      path, [&](int fd) { return long{::fgetxattr(fd, name, buf, size)}; },
      [&](At p) { return ::syscall(kGetxattrat, p.dir, p.rel, 0, name, &args, sizeof args); },
      [&] { return long{::getxattr(path.c_str(), name, buf, size)}; });
}

void set_write_log(WriteLog* log) noexcept { g_write_log = log; }

namespace {
// One write(2) of value to fd (cgroupfs takes one per value; a short write
// does not happen for these sizes): 0, logged for tests, or the errno.
int write_once(int fd, const std::string& path, std::string_view value) noexcept {
  while (::write(fd, value.data(), value.size()) < 0) {
    if (errno != EINTR) return errno;
  }
  if (g_write_log) g_write_log->writes.emplace_back(path, std::string(value));
  return 0;
}

// cgroupfs takes one whole value per write(2) and ignores truncation, but an
// O_TRUNC open there still runs a setattr, which takes the kernfs root's
// iattr rwsem for writing: every cgroupfs path walk on the host takes it for
// reading at each step (kernfs_iop_permission), so other containers' walks
// queued behind each value written. O_TRUNC only for the regular files
// standing in for cgroupfs elsewhere (tests).
int open_for_write(const std::string& path) noexcept {
  return open_through_at(path, path.starts_with(kCgroupRoot) ? O_WRONLY : O_WRONLY | O_TRUNC);
}
}  // namespace

int try_write_value(const std::string& dir, std::string_view file, std::string_view value) noexcept {
  std::string path = join(dir, file);
  UndoLog::Pending before;
  if (g_undo_log) before = g_undo_log->read_before(path);
  UniqueFd fd(open_for_write(path));
  if (!fd) return errno;
  const int err = write_once(fd.get(), path, value);
  if (err == 0 && g_undo_log) g_undo_log->keep(std::move(before));
  return err;
}

int try_write_value_at(int dirfd, const char* file, std::string_view value, const std::string& what) noexcept {
  UniqueFd fd(::openat(dirfd, file, O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  return write_once(fd.get(), join(what, file), value);
}

ValueWriter::ValueWriter(const std::string& dir, std::string_view file) : path_(join(dir, file)) {}

void ValueWriter::open() {
  fd_ = UniqueFd(open_for_write(path_));
  if (!fd_) throw_errno("open " + path_);
}

void ValueWriter::write(std::string_view value) {
  if (!fd_) fd_ = UniqueFd(open_for_write(path_));
  int err = fd_ ? write_once(fd_.get(), path_, value) : errno;
  if (err != 0) throw_errno(err, "write " + std::string(value) + " to " + path_);
}

void write_value(const std::string& dir, std::string_view file, std::string_view value) {
  int err = try_write_value(dir, file, value);
  if (err != 0) throw_errno(err, "write " + std::string(value) + " to " + join(dir, file));
}

namespace {
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

UndoLog::UndoLog() noexcept { g_undo_log = this; }

UndoLog::~UndoLog() {
  if (installed_) g_undo_log = nullptr;
}

UndoLog::Pending UndoLog::read_before(const std::string& path) const noexcept {
  // The parent's cgroup.subtree_control only gains controllers, which the
  // cgroups beside this one may use by now.
  if (path.ends_with("/cgroup.subtree_control")) return {};
  for (const auto& [recorded, contents] : before_)
    if (recorded == path) return {};
  // A file that cannot be read (write-only, or gone) has nothing to put back.
  UniqueFd fd(open_through_at(path, O_RDONLY));
  if (!fd) return {};
  try {
    return Pending{{path, trimmed(read_fd(fd.get(), path))}};
  } catch (const std::exception&) {
    return {};
  }
}

void UndoLog::keep(Pending before) noexcept {
  if (before) before_.push_back(std::move(*before));
}

std::vector<std::string> UndoLog::undo() noexcept {
  if (installed_) g_undo_log = nullptr;
  installed_ = false;
  std::vector<std::string> refused;
  for (auto it = before_.rbegin(); it != before_.rend(); ++it) {
    const auto& [path, contents] = *it;
    const size_t slash = path.rfind('/');
    const std::string dir = path.substr(0, slash);
    const std::string_view file = std::string_view(path).substr(slash + 1);
    for (std::string_view rest = contents; !rest.empty();) {
      const size_t end = std::min(rest.find('\n'), rest.size());
      const std::string_view line = rest.substr(0, end);
      rest.remove_prefix(std::min(end + 1, rest.size()));
      if (int err = try_write_value(dir, file, line); err != 0)
        refused.push_back("write " + std::string(line) + " to " + path + ": " + errno_text(err));
    }
  }
  before_.clear();
  return refused;
}

std::string read_value(const std::string& dir, std::string_view file) {
  const std::string path = join(dir, file);
  UniqueFd fd = open_path(path, O_RDONLY);
  return trimmed(read_fd(fd.get(), path));
}

std::string read_value_at(int dirfd, const char* file, const std::string& what) {
  const std::string path = join(what, file);
  UniqueFd fd(::openat(dirfd, file, O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  return trimmed(read_fd(fd.get(), path));
}

uint64_t read_u64(const std::string& dir, std::string_view file) {
  std::string s = read_value(dir, file);
  if (s == "max") return UINT64_MAX;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) throw Error(join(dir, file) + ": not a number: " + quote(s));
  return v;
}

bool has_file(const std::string& dir, std::string_view file) noexcept {
  const std::string path = join(dir, file);
  At p = at(path);
  return ::faccessat(p.dir, p.rel, F_OK, 0) == 0;
}

std::set<std::string> split_words(std::string_view text) {
  std::set<std::string> out;
  for (std::string_view word = next_word(text); !word.empty(); word = next_word(text)) out.emplace(word);
  return out;
}

std::string limit_or_max(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

}  // namespace hull::cgroups
