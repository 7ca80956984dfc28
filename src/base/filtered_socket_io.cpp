#include "base/filtered_socket_io.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hull {

namespace {
// The peer's doing, or a retry's: the same from read(2) and write(2).
bool not_the_filter(int err) { return err == EINTR || err == EAGAIN || err == EPIPE || err == ECONNRESET; }
}  // namespace

ssize_t receive_or_read(int fd, void* buf, size_t n) {
  ssize_t got;
  do got = ::recv(fd, buf, n, 0);
  while (got < 0 && errno == EINTR);
  if (got >= 0 || not_the_filter(errno)) return got;
  do got = ::read(fd, buf, n);
  while (got < 0 && errno == EINTR);
  return got;
}

ssize_t send_or_write(int fd, const void* buf, size_t n) {
  ssize_t sent;
  do sent = ::send(fd, buf, n, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent >= 0 || not_the_filter(errno)) return sent;
  do sent = ::write(fd, buf, n);
  while (sent < 0 && errno == EINTR);
  return sent;
}

UniqueFd accept_cloexec(int listen_fd) {
  int c;
  do c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  while (c < 0 && errno == EINTR);
  if (c >= 0 || not_the_filter(errno)) return UniqueFd(c);
  do c = ::accept(listen_fd, nullptr, nullptr);
  while (c < 0 && errno == EINTR);
  UniqueFd conn(c);
  if (conn && ::fcntl(conn.get(), F_SETFD, FD_CLOEXEC) < 0) {
    const int err = errno;
    conn.reset();
    errno = err;
  }
  return conn;
}

}  // namespace hull
