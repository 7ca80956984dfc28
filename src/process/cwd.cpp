#include "process/cwd.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "base/error.hpp"

namespace hull::process {

bool try_chdir(const std::string& cwd) {
  if (::chdir(cwd.c_str()) == 0) return true;
  if (errno == EACCES) return false;
  throw_errno("chdir to the working directory " + quote(cwd) + " (process.cwd, or exec --cwd)");
}

void chdir_or_throw(const std::string& cwd) {
  if (::chdir(cwd.c_str()) < 0)
    throw_errno("chdir to the working directory " + quote(cwd) + " (process.cwd, or exec --cwd) as the container user");
}

// CVE-2024-21626: a cwd like /proc/self/fd/7 resolves through a directory fd
// the runtime still holds (runc leaked one of the host's /sys/fs/cgroup) and
// lands outside the container's root; the process then walks "../.." to the
// host's filesystem. Our fds are CLOEXEC, but chdir happens before execve, so
// the check is on the result: the kernel's getcwd(2) prefixes "(unreachable)"
// (it does not start with '/') when the directory is not under our root. The
// raw syscall, so no libc fallback rebuilds a path by walking "..".
void verify_cwd_inside_root(const std::string& cwd) {
  char buf[PATH_MAX + 1];
  long n = ::syscall(SYS_getcwd, buf, sizeof buf);
  if (n < 0) {
    if (errno == ENOENT)
      throw Error("cwd " + quote(cwd) +
                  " was removed or is not reachable from the container root; refusing to start (possible breakout, "
                  "CVE-2024-21626)");
    throw_errno("getcwd after chdir to " + quote(cwd));
  }
  if (n == 0 || buf[0] != '/')
    throw Error("cwd " + quote(cwd) + " resolves outside the container root (to " + quote(buf) +
                "); refusing to start (possible breakout through a leaked fd, CVE-2024-21626)");
}

}  // namespace hull::process
