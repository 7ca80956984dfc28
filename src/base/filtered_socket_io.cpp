#include "base/filtered_socket_io.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hull {

namespace {
constexpr int kInterruptions = 8;

template <typename Call>
auto retried(Call call) {
  int left = kInterruptions;
  auto r = call();
  while (r < 0 && errno == EINTR && --left > 0) r = call();
  return r;
}
}  // namespace

ssize_t read_or_recv(int fd, void* buf, size_t n) {
  ssize_t got = retried([&] { return ::read(fd, buf, n); });
  if (got >= 0) return got;
  return retried([&] { return ::recv(fd, buf, n, 0); });
}

ssize_t send_or_write(int fd, const void* buf, size_t n) {
  ssize_t sent = retried([&] { return ::send(fd, buf, n, MSG_NOSIGNAL); });
  if (sent >= 0 || errno == EPIPE || errno == ECONNRESET) return sent;
  return retried([&] { return ::write(fd, buf, n); });
}

UniqueFd accept_cloexec(int listen_fd) {
  int c = retried([&] { return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC); });
  if (c >= 0) return UniqueFd(c);
  UniqueFd conn(retried([&] { return ::accept(listen_fd, nullptr, nullptr); }));
  if (conn && ::fcntl(conn.get(), F_SETFD, FD_CLOEXEC) < 0) {
    const int err = errno;
    conn.reset();
    errno = err;
  }
  return conn;
}

}  // namespace hull
