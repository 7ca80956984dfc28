#include "base/standard_fds.hpp"

#include <fcntl.h>
#include <poll.h>

namespace hull {

void open_missing_standard_fds() {
  struct pollfd fds[3] = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
  if (::poll(fds, 3, 0) <= 0) return;  // nothing closed (or poll failed: leave it)
  // In order, so each open takes the lowest free number: the one checked.
  for (const struct pollfd& p : fds)
    if (p.revents & POLLNVAL) (void)::open("/dev/null", O_RDWR);
}

}  // namespace hull
