#include "namespaces/loopback.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "base/error.hpp"

namespace hull::ns {

UniqueFd bring_loopback_up() {
  // Any socket of the namespace serves for the interface ioctls.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno("bring the loopback interface up: socket(AF_INET)");
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", sizeof "lo");
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) throw_errno("bring the loopback interface up: read the flags of lo");
  if (ifr.ifr_flags & IFF_UP) return sock;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) throw_errno("bring the loopback interface up");
  return sock;
}

}  // namespace hull::ns
