#include "unix_listener.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hull::itest {

UniqueFd listen_unix(const std::filesystem::path& path) {
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + path.string());
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (!listener || ::bind(listener.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) < 0 ||
      ::listen(listener.get(), 4) < 0)
    throw std::runtime_error("listen on " + path.string() + ": " + std::strerror(errno));
  return listener;
}

UniqueFd accept_within(int listener, milliseconds timeout) {
  struct pollfd p = {listener, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return UniqueFd();
  return UniqueFd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

std::string read_until_hangup(int fd, milliseconds idle_timeout) {
  std::string out;
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(idle_timeout.count())) != 1) break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF, or EIO once every slave of a pty is closed
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace hull::itest
