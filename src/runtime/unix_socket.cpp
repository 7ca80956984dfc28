#include "runtime/unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fd_passing.hpp"

namespace hull {

sockaddr_un unix_address_in(int dirfd, std::string_view name) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const int n = std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/thread-self/fd/%d/%.*s", dirfd,
                              static_cast<int>(name.size()), name.data());
  if (n < 0 || static_cast<size_t>(n) >= sizeof addr.sun_path)
    throw Error("socket name " + quote(name) + " is too long for an AF_UNIX address", ENAMETOOLONG);
  return addr;
}

UniqueFd connect_unix(const std::string& path, const std::string& what) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw_errno("create socket for " + what);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // A path longer than sun_path (a relative one joined to a deep bundle,
  // which runc reaches from the bundle as its working directory) is reached
  // through an fd of its directory.
  UniqueFd dir;
  if (path.size() < sizeof addr.sun_path) {
    std::memcpy(addr.sun_path, path.c_str(), path.size());
  } else {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) throw Error(what + " path is too long: " + path);
    dir = UniqueFd(::open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw_errno("open the directory of " + what + " " + path);
    addr = with_context(what + " " + path,
                        [&] { return unix_address_in(dir.get(), std::string_view(path).substr(slash + 1)); });
  }
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    const int err = errno;
    // The kernel answers ECONNREFUSED for a file that is no socket too: say which.
    struct stat st {};
    if (err == ECONNREFUSED && ::stat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
      throw Error("connect to " + what + " " + path + ": it is not a socket", ENOTSOCK);
    throw_errno(err, "connect to " + what + " " + path);
  }
  return s;
}

void send_pidfd(int socket, int pidfd, std::string_view kind, const std::string& path) {
  const std::string what = "the pidfd to --pidfd-socket " + path;
  // A few bytes on a new connection go whole: the kernel has room for them.
  if (send_with_fd(socket, pidfd, kind, what) != kind.size())
    throw Error("send " + what + " over the socket: the message was cut short");
}

}  // namespace hull
