#include "base/fd_passing.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"

namespace hull {

ssize_t send_message(int socket, msghdr& msg, int flags, SendCall call) {
  ssize_t n;
  if (call == SendCall::Sendmsg) {
    do n = ::sendmsg(socket, &msg, flags);
    while (n < 0 && errno == EINTR);
    return n;
  }
  mmsghdr one{msg, 0};
  int sent;
  do sent = ::sendmmsg(socket, &one, 1, flags);
  while (sent < 0 && errno == EINTR);
  return sent < 0 ? -1 : static_cast<ssize_t>(one.msg_len);
}

size_t send_with_fd(int socket, int fd, std::string_view data, const std::string& what, SendCall call) {
  iovec iov{const_cast<char*>(data.data()), data.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  ssize_t n = send_message(socket, msg, MSG_NOSIGNAL, call);
  if (n < 0) throw_errno("send " + what + " over the socket");
  return static_cast<size_t>(n);
}

ReceivedMessage receive_with_fd(int socket, size_t max_bytes, const std::string& what) {
  ReceivedMessage out;
  out.data.resize(max_bytes);
  iovec iov{out.data.data(), out.data.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("receive " + what);
  out.data.resize(static_cast<size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (!out.fd)
        out.fd.reset(fd);
      else
        UniqueFd extra(fd);  // more than the protocols' one: closed here
    }
  }
  return out;
}

}  // namespace hull
