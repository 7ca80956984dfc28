#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/fd_passing.hpp"

namespace hull {

namespace {
struct Header {
  SyncMsg type;
  int32_t err;
};
// Large enough for a state JSON with many annotations.
constexpr size_t kMaxPacket = size_t{64} * 1024;
}  // namespace

const char* to_string(SyncMsg m) {
  switch (m) {
    case SyncMsg::RuntimeHooks: return "runtime-hooks";
    case SyncMsg::Continue: return "continue";
    case SyncMsg::Ready: return "ready";
    case SyncMsg::Error: return "error";
    case SyncMsg::State: return "state";
    case SyncMsg::SeccompListener: return "seccomp-listener";
  }
  return "unknown";
}

std::pair<SyncChannel, SyncChannel> SyncChannel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) throw_errno("create sync socketpair");
  return {SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

void SyncChannel::send(SyncMsg m, std::string_view payload) const {
  char buf[kMaxPacket];
  Header h{m, 0};
  if (payload.size() > sizeof buf - sizeof h)
    throw Error(std::string("sync message ") + to_string(m) + " is too large");
  std::memcpy(buf, &h, sizeof h);
  // An empty string_view may have a null data(): memcpy must not see it (UBSan).
  if (!payload.empty()) std::memcpy(buf + sizeof h, payload.data(), payload.size());
  if (::send(fd_.get(), buf, sizeof h + payload.size(), MSG_NOSIGNAL) < 0)
    throw_errno(std::string("send ") + to_string(m) + " on sync socket");
}

void SyncChannel::send_error(int err, const std::string& message) const {
  char buf[kMaxPacket];
  Header h{SyncMsg::Error, err};
  size_t len = std::min(message.size(), sizeof buf - sizeof h);
  std::memcpy(buf, &h, sizeof h);
  message.copy(buf + sizeof h, len);  // a byte count, no terminator: the packet length says where it ends
  // Best effort: the parent may be gone, and there is nobody else to tell.
  (void)::send(fd_.get(), buf, sizeof h + len, MSG_NOSIGNAL);
}

void SyncChannel::send_fd(SyncMsg m, int fd) const {
  Header h{m, 0};
  send_with_fd(fd_.get(), fd, std::string_view(reinterpret_cast<const char*>(&h), sizeof h),
               std::string("sync message ") + to_string(m));
}

namespace {
// The header of one received packet, an Error packet thrown.
Header check_header(const char* buf, size_t n) {
  if (n < sizeof(Header)) throw Error("short message on sync socket");
  Header h;
  std::memcpy(&h, buf, sizeof h);
  if (h.type == SyncMsg::Error) throw Error(std::string(buf + sizeof h, n - sizeof h), h.err);
  return h;
}

// One packet; 0 bytes means the peer closed its end. Error packets are thrown.
size_t receive_packet(int fd, char (&buf)[kMaxPacket]) {
  ssize_t n;
  do n = ::recv(fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("receive on sync socket");
  if (n > 0) check_header(buf, static_cast<size_t>(n));
  return static_cast<size_t>(n);
}
}  // namespace

void SyncChannel::expect_eof() const {
  char buf[kMaxPacket];
  if (receive_packet(fd_.get(), buf) != 0) throw Error("sync protocol: unexpected message before exec");
}

SyncMsg SyncChannel::receive(std::string* payload) const {
  char buf[kMaxPacket];
  size_t n = receive_packet(fd_.get(), buf);
  if (n == 0) throw Error("the container init exited during set-up");
  Header h;
  std::memcpy(&h, buf, sizeof h);
  if (payload) payload->assign(buf + sizeof h, n - sizeof h);
  return h.type;
}

void SyncChannel::expect(SyncMsg expected, std::string* payload) const {
  SyncMsg got = receive(payload);
  if (got != expected)
    throw Error(std::string("sync protocol: expected ") + to_string(expected) + ", got " + to_string(got));
}

UniqueFd SyncChannel::expect_fd(SyncMsg expected) const {
  ReceivedMessage m = receive_with_fd(fd_.get(), kMaxPacket, "on sync socket");
  if (m.data.empty()) throw Error("the container process exited during set-up");
  Header h = check_header(m.data.data(), m.data.size());
  if (h.type != expected)
    throw Error(std::string("sync protocol: expected ") + to_string(expected) + ", got " + to_string(h.type));
  if (!m.fd) throw Error(std::string("sync protocol: ") + to_string(expected) + " came without its fd");
  return std::move(m.fd);
}

}  // namespace hull
