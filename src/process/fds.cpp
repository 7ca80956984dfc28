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
#include "base/fs.hpp"
#include "base/unique_fd.hpp"

namespace hull::process {
namespace {

void set_cloexec(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0)
    throw_errno("fd " + std::to_string(fd) + (on ? " the runtime needs until exec" : " to pass to the container"));
  int want = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  if (want != flags && ::fcntl(fd, F_SETFD, want) < 0)
    throw_errno(std::string(on ? "set" : "clear") + " FD_CLOEXEC on fd " + std::to_string(fd));
}

// close_range refused: the container's seccomp filter (loaded before the
// start barrier without noNewPrivileges) denies it, or knows no syscall that
// new and answers ENOSYS. Each fd /proc/self/fd lists from `first` on, but
// those in sorted `keep`, is closed one by one, or made close-on-exec where
// the profile denies close(2) too (as runc marks them); one neither is an
// error, not an fd left to the container.
void close_listed_fds(unsigned first, const std::vector<int>& keep, int close_range_errno) {
  const std::string range = "close_range(" + std::to_string(first) + ", ~0)";
  UniqueFd dir(::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw_errno(close_range_errno, range + ", and no /proc/self/fd to list the fds");
  std::vector<int> open;
  for (const auto& [name, type] : directory_entries(dir.get(), "/proc/self/fd")) open.push_back(std::stoi(name));
  for (int fd : open) {
    if (fd == dir.get() || static_cast<unsigned>(fd) < first || std::binary_search(keep.begin(), keep.end(), fd))
      continue;
    if (::close(fd) < 0 && errno != EBADF && ::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
      throw_errno(range + ", close and fcntl(F_SETFD, FD_CLOEXEC) of fd " + std::to_string(fd));
  }
}

}  // namespace

// Any fd of the runtime that crosses execve, or is still open while execve
// resolves its path, is a way out of the container: CVE-2016-9962 (runc's
// init fd to the host), CVE-2024-21626 (a leaked directory fd of the host
// cgroupfs used as cwd or, through /proc/self/fd/N, as the path of the binary
// or of its #! interpreter). Fds inherited from hull's caller count too.
void close_all_fds_except(std::span<const int> keep, std::span<const int> until_exec) {
  std::vector<int> both(keep.begin(), keep.end());
  both.insert(both.end(), until_exec.begin(), until_exec.end());
  close_fds_except(both);
  for (int fd : keep)
    if (fd >= 0) set_cloexec(fd, false);
  for (int fd : until_exec)
    if (fd >= 3) set_cloexec(fd, true);
}

void close_fds_except(std::span<const int> keep) { close_fds_from_except(3, keep); }

void close_fds_from_except(int from, std::span<const int> keep) {
  std::vector<int> sorted(keep.begin(), keep.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const unsigned from_fd = static_cast<unsigned>(from);
  unsigned first = from_fd;
  for (int fd : sorted) {
    if (fd < from) continue;
    if (static_cast<unsigned>(fd) > first && ::syscall(SYS_close_range, first, static_cast<unsigned>(fd) - 1, 0) < 0) {
      if (errno != ENOSYS && errno != EPERM)
        throw_errno("close_range(" + std::to_string(first) + ", " + std::to_string(fd - 1) + ")");
      close_listed_fds(from_fd, sorted, errno);
      return;
    }
    first = static_cast<unsigned>(fd) + 1;
  }
  if (::syscall(SYS_close_range, first, UINT_MAX, 0) < 0) {
    if (errno != ENOSYS && errno != EPERM) throw_errno("close_range(" + std::to_string(first) + ", ~0)");
    close_listed_fds(first, sorted, errno);
  }
}

void require_caller_fds(int count) {
  for (int fd = 3; fd < 3 + count; ++fd)
    if (::fcntl(fd, F_GETFD) < 0)
      throw Error("fd " + std::to_string(fd) + " is not open: the container is to get " +
                  (count == 1 ? std::string("fd 3") : "fds 3 to " + std::to_string(2 + count)) +
                  " (--preserve-fds, LISTEN_FDS), which hull's caller must pass to it open");
}

}  // namespace hull::process
