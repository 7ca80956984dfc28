#include "runtime/init_pidfd.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "base/error.hpp"

namespace hull {

UniqueFd open_init_pidfd(const ContainerState& s) {
  if (s.pid <= 0) return {};
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, s.pid, 0));
  if (fd < 0) {
    if (errno == ESRCH) return {};
    throw_errno("pidfd_open " + std::to_string(s.pid));
  }
  UniqueFd pidfd(fd);
  // Checked after pidfd_open: if the start time still matches now, the pidfd
  // refers to our init and stays bound to it even if the pid is reused later.
  auto st = read_proc_stat(s.pid, /*may_be_gone=*/false);
  if (!st || st->start_time != s.initStartTime) return {};
  return pidfd;
}

void send_signal(int pidfd, int sig, const std::string& what) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) < 0 && errno != ESRCH)
    throw_errno("send signal " + std::to_string(sig) + " to " + what + " (pidfd_send_signal)");
}

bool wait_for_exit(int pidfd, std::chrono::milliseconds timeout, const std::string& what) {
  pollfd p{pidfd, POLLIN, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n >= 0) return n > 0;
    if (errno != EINTR) throw_errno(what);
  }
}

}  // namespace hull
