#include "namespaces/loopback.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"

namespace hull::ns {

bool set_loopback_up_raw(int sock, LoopbackStep* failed) noexcept {
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", sizeof "lo");
  if (::ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
    *failed = LoopbackStep::ReadFlags;
    return false;
  }
  if (ifr.ifr_flags & IFF_UP) return true;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
    *failed = LoopbackStep::SetFlags;
    return false;
  }
  return true;
}

void throw_loopback_failure(LoopbackStep failed, int err) {
  switch (failed) {
    case LoopbackStep::Socket: throw Error("bring the loopback interface up: socket(AF_INET)", err);
    case LoopbackStep::ReadFlags: throw Error("bring the loopback interface up: read the flags of lo", err);
    case LoopbackStep::SetFlags: break;
  }
  throw Error("bring the loopback interface up", err);
}

UniqueFd bring_loopback_up() {
  // Any socket of the namespace serves for the interface ioctls.
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_loopback_failure(LoopbackStep::Socket, errno);
  LoopbackStep failed{};
  if (!set_loopback_up_raw(sock.get(), &failed)) throw_loopback_failure(failed, errno);
  return sock;
}

}  // namespace hull::ns
