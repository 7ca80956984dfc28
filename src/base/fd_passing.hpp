#pragma once
// Sending an fd over a unix socket (SCM_RIGHTS), as the console-socket and
// seccomp-agent protocols both do: the fd rides with the first bytes.
#include <sys/socket.h>
#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace hull {

// The syscall that carries a message. sendmmsg does what sendmsg does; it is
// there for a process whose seccomp filter hands sendmsg to a notify agent
// that has not got its fd yet (seccomp::Program::fd_send_call).
enum class SendCall { Sendmsg, Sendmmsg };

// sendmsg(2) or a one-message sendmmsg(2), EINTR retried; -1 with errno set
// on failure.
ssize_t send_message(int socket, msghdr& msg, int flags, SendCall call);

// Sends `data` with `fd` attached; returns how many bytes of data went (the
// caller writes the rest with write_all). `what` names the fd in errors.
size_t send_with_fd(int socket, int fd, std::string_view data, const std::string& what,
                    SendCall call = SendCall::Sendmsg);

// One message of at most max_bytes and the first fd attached to it (received
// close-on-exec; any further fds are closed, never leaked). `fd` is empty when
// the message carried none; `data` is empty when the peer closed the socket.
struct ReceivedMessage {
  std::string data;
  UniqueFd fd;
};
ReceivedMessage receive_with_fd(int socket, size_t max_bytes, const std::string& what);

}  // namespace hull
