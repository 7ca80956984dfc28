#pragma once
// Socket calls a container's init makes under the container's seccomp
// filter (loaded before the start barrier without noNewPrivileges, as runc
// loads it before its fifo wait). A profile is written for the program, not
// for the runtime: it may deny recvfrom, sendto or accept4 while allowing
// read and write, which no program does without. Each call here falls back
// to the plainer one where the socket call fails for another reason than
// the peer's (EINTR, EAGAIN, EPIPE, ECONNRESET).
#include <sys/types.h>

#include <cstddef>

#include "base/unique_fd.hpp"

namespace hull {

// recv(fd, buf, n, 0), else read(2); EINTR retried. -1 with errno set.
ssize_t receive_or_read(int fd, void* buf, size_t n);
// send(fd, buf, n, MSG_NOSIGNAL), else write(2); EINTR retried. -1 with errno set.
ssize_t send_or_write(int fd, const void* buf, size_t n);
// accept4(SOCK_CLOEXEC), else accept(2) made close-on-exec with fcntl; EINTR
// retried. Empty with errno set on failure.
UniqueFd accept_cloexec(int listen_fd);

}  // namespace hull
