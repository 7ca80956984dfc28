#include "runtime/start_barrier.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull {

namespace {
// The socket is addressed through /proc/self/fd/<dirfd>/ so the address stays
// short whatever the length of --root and the container id (sun_path is 108 bytes).
sockaddr_un socket_address(int state_dir_fd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", state_dir_fd, kStartSocketName);
  return addr;
}
}  // namespace

UniqueFd listen_start_socket(int state_dir_fd) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw_errno("create start socket");
  sockaddr_un addr = socket_address(state_dir_fd);
  ::unlinkat(state_dir_fd, kStartSocketName, 0);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) throw_errno("bind start socket");
  if (::fchmodat(state_dir_fd, kStartSocketName, 0600, 0) < 0) throw_errno("chmod start socket");
  if (::listen(s.get(), 1) < 0) throw_errno("listen on start socket");
  return s;
}

UniqueFd wait_for_start(int listen_fd) {
  int c;
  do c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  while (c < 0 && errno == EINTR);
  if (c < 0) throw_errno("wait for start");
  return UniqueFd(c);
}

void report_start_error(int conn_fd, const std::string& message) {
  (void)::send(conn_fd, message.data(), message.size(), MSG_NOSIGNAL);
}

void release_init(int state_dir_fd) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw_errno("create socket");
  sockaddr_un addr = socket_address(state_dir_fd);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    if (errno == ECONNREFUSED || errno == ENOENT)
      throw Error("the container init is not waiting to start (it has exited)");
    throw_errno("connect to the container init");
  }
  // Only one start may ever succeed: the socket file goes now, so a second
  // start finds nothing even before state.json says "running".
  ::unlinkat(state_dir_fd, kStartSocketName, 0);
  std::string reply = read_fd(s.get(), "start reply from the container init");
  if (!reply.empty()) throw Error(reply);
}

}  // namespace hull
