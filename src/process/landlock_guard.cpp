#include "process/landlock_guard.hpp"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace hull::process {

namespace {

// ABI 3 (Linux 6.2); Debian 12's headers predate it.
constexpr uint64_t kTruncate = 1ULL << 14;

int landlock_abi() {
  long v = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v < 0 ? 0 : static_cast<int>(v);
}

bool keeps_sys_admin(const spec::Spec& spec) {
  const auto& caps = spec.process->capabilities;
  if (!caps || !caps->bounding) return false;
  const auto& b = *caps->bounding;
  return std::find(b.begin(), b.end(), "CAP_SYS_ADMIN") != b.end();
}

// Adds "may write" for the file or tree behind fd. Pipes and sockets are not
// on a path Landlock checks, so the kernel refuses a rule for them: nothing
// to allow.
void allow(int ruleset, int fd, uint64_t access, const char* what) {
  landlock_path_beneath_attr rule{};
  rule.allowed_access = access;
  rule.parent_fd = fd;
  if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0 && errno != EBADFD &&
      errno != EBADF)
    throw_errno(std::string("landlock: allow writes to ") + what);
}

}  // namespace

WriteGuard guard_host_files(const spec::Spec& spec, int keep_fds) {
  int abi = landlock_abi();
  if (abi < 1) return WriteGuard::NoLandlock;
  if (keeps_sys_admin(spec)) return WriteGuard::PrivilegedContainer;

  uint64_t handled = LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= 3 ? kTruncate : 0);
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = handled;
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0)));
  if (!ruleset) throw_errno("landlock: create ruleset");

  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("landlock: open the container root");
  allow(ruleset.get(), root.get(), handled, "the container root");
  // The fds the container is given (a host terminal, a log file) stay
  // reopenable through /dev/stdout and friends, as they are with runc.
  for (int fd = 0; fd < keep_fds; ++fd) {
    // Only an fd the container was given for writing: a read-only stdin
    // must not become writable by reopening /proc/self/fd/0.
    int mode = ::fcntl(fd, F_GETFL);
    if (mode < 0 || (mode & O_ACCMODE) == O_RDONLY) continue;
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    UniqueFd target(::open(link.c_str(), O_PATH | O_CLOEXEC));
    if (!target) continue;  // a socket or pipe: not a path
    // A directory rule may only hold directory-wide rights; a file rule the
    // file ones, which are exactly what we handle.
    allow(ruleset.get(), target.get(), handled, link.c_str());
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) < 0) throw_errno("landlock: restrict the container");
  return WriteGuard::Applied;
}

}  // namespace hull::process
