#include "namespaces/loopback.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace hull::ns {

void bring_loopback_up() {
  // Any socket of the namespace serves for the interface ioctls.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno("bring the loopback interface up: socket(AF_INET)");
  bring_loopback_up(sock.get());
}

void bring_loopback_up(int sock) {
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", sizeof "lo");
  if (::ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) throw_errno("bring the loopback interface up: read the flags of lo");
  if (ifr.ifr_flags & IFF_UP) return;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) throw_errno("bring the loopback interface up");
}

}  // namespace hull::ns
