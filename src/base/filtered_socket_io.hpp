#pragma once
// Socket calls a container's init makes under the container's seccomp
// filter (loaded before the start barrier without noNewPrivileges, as runc
// loads it before its fifo wait). A profile is written for the program, not
// for the runtime: it may deny recvfrom, sendto or accept4, with any errno
// (EAGAIN, EINTR, EBADF alike), while allowing read and write, which no
// program does without. Each call falls back to the other where the first
// fails. EINTR is retried a few times only: no handler of hull's returns
// (the init's end it, `run` forwards through a signalfd), so a run of them
// is a filter's answer, not the kernel's.
#include <sys/types.h>

#include <cstddef>

#include "base/unique_fd.hpp"

namespace hull {

// read(2), else recv(fd, buf, n, 0). -1 with errno set.
ssize_t read_or_recv(int fd, void* buf, size_t n);
// send(fd, buf, n, MSG_NOSIGNAL), else (but where the peer is gone: EPIPE,
// ECONNRESET) write(2). -1 with errno set.
ssize_t send_or_write(int fd, const void* buf, size_t n);
// accept4(SOCK_CLOEXEC), else accept(2) made close-on-exec with fcntl.
// Empty with errno set on failure.
UniqueFd accept_cloexec(int listen_fd);

}  // namespace hull
