#include "process/fds.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace hull::process {

// CLOSE_RANGE_CLOEXEC rather than closing: the caller still owns some of these
// fds (its sync socket reports our errors), and execve drops them all at once.
// Any fd of the runtime that crosses execve is a way out of the container:
// CVE-2016-9962 (runc's init fd to the host), CVE-2024-21626 (a leaked
// directory fd of the host cgroupfs used as cwd or as the path of the binary).
void cloexec_all_fds_except(std::span<const int> keep) {
  std::vector<int> sorted(keep.begin(), keep.end());
  sorted.push_back(2);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

  unsigned first = 3;
  for (int fd : sorted) {
    if (fd < 3) continue;
    if (static_cast<unsigned>(fd) > first &&
        ::syscall(SYS_close_range, first, static_cast<unsigned>(fd) - 1, CLOSE_RANGE_CLOEXEC) < 0)
      throw_errno("close_range(" + std::to_string(first) + ", " + std::to_string(fd - 1) + ", CLOSE_RANGE_CLOEXEC)");
    first = static_cast<unsigned>(fd) + 1;
  }
  if (::syscall(SYS_close_range, first, UINT_MAX, CLOSE_RANGE_CLOEXEC) < 0)
    throw_errno("close_range(" + std::to_string(first) + ", ~0, CLOSE_RANGE_CLOEXEC)");

  for (int fd : sorted) {
    if (fd < 0) continue;
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) throw_errno("fd " + std::to_string(fd) + " to pass to the container");
    if ((flags & FD_CLOEXEC) && ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
      throw_errno("clear FD_CLOEXEC on fd " + std::to_string(fd));
  }
}

}  // namespace hull::process
