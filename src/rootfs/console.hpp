#pragma once
// The container's console: a pty from its own devpts instance, on /dev/console.
#include <sys/types.h>

#include "base/unique_fd.hpp"

namespace hull::rootfs {

struct Pty {
  UniqueFd master, slave;
};

// Opens a new pty through the rootfs's /dev/pts/ptmx (which must be a devpts
// mounted in the container, so the pty is the container's, not the host's),
// and bind-mounts the slave onto /dev/console from its fd. The slave is
// reached with TIOCGPTPEER, never by a /dev/pts/N path the container could
// swap (CVE-2025-52565). The slave is given to `owner` (process.user.uid),
// as a login would, so a non-root container process can use its terminal.
Pty create_console(int rootfd, uid_t owner);

}  // namespace hull::rootfs
