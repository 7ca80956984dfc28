#pragma once
// Sending an fd over a unix socket (SCM_RIGHTS), as the console-socket and
// seccomp-agent protocols both do: the fd rides with the first bytes.
#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace hull {

// Sends `data` with `fd` attached; returns how many bytes of data went (the
// caller writes the rest with write_all). `what` names the fd in errors.
size_t send_with_fd(int socket, int fd, std::string_view data, const std::string& what);

// One message of at most max_bytes and the first fd attached to it (received
// close-on-exec; any further fds are closed, never leaked). `fd` is empty when
// the message carried none; `data` is empty when the peer closed the socket.
struct ReceivedMessage {
  std::string data;
  UniqueFd fd;
};
ReceivedMessage receive_with_fd(int socket, size_t max_bytes, const std::string& what);

}  // namespace hull
