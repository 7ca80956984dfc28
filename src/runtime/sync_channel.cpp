#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

#include <algorithm>
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

ssize_t send_packet(int fd, const Header& h, std::string_view payload) {
  iovec iov[2] = {{const_cast<Header*>(&h), sizeof h}, {const_cast<char*>(payload.data()), payload.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = payload.empty() ? 1 : 2;
  return ::sendmsg(fd, &msg, MSG_NOSIGNAL);
}

// The receive buffer: in zero-fill memory that only the pages a packet
// fills ever touch (on the stack all 16 pages are probed, a fault each; on
// the heap each receive grew and trimmed the break, two brk calls). One per
// thread; a packet's bytes are copied out before the next receive.
thread_local char packet[kMaxPacket];
}  // namespace

const char* to_string(SyncMsg m) {
  switch (m) {
    case SyncMsg::RuntimeHooks: return "runtime-hooks";
    case SyncMsg::Continue: return "continue";
    case SyncMsg::Ready: return "ready";
    case SyncMsg::Error: return "error";
    case SyncMsg::State: return "state";
    case SyncMsg::SeccompListener: return "seccomp-listener";
    case SyncMsg::Start: return "start";
    case SyncMsg::CgroupsMade: return "cgroups-made";
  }
  return "unknown";
}

std::pair<SyncChannel, SyncChannel> SyncChannel::make_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) throw_errno("create sync socketpair");
  return {SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

// Header and payload go out as one packet from two pieces: no 64 KiB buffer
// on the stack, whose pages (probed one by one) each cost a page fault, and
// a copy-on-write fault in a freshly cloned child.
void SyncChannel::send(SyncMsg m, std::string_view payload) const {
  Header h{m, 0};
  if (payload.size() > kMaxPacket - sizeof h)
    throw Error(std::string("sync message ") + to_string(m) + " is too large");
  if (send_packet(fd_.get(), h, payload) < 0) throw_errno(std::string("send ") + to_string(m) + " on sync socket");
}

void SyncChannel::send_to_waiting_peer(SyncMsg m) const {
  try {
    send(m);
  } catch (const Error& e) {
    if (e.code() == EPIPE || e.code() == ECONNRESET) receive();  // throws the peer's Error, or that it exited
    throw;
  }
}

void SyncChannel::send_error(int err, const std::string& message) const {
  Header h{SyncMsg::Error, err};
  // A byte count, no terminator: the packet length says where it ends.
  std::string_view text(message.data(), std::min(message.size(), kMaxPacket - sizeof h));
  // Best effort: the parent may be gone, and there is nobody else to tell.
  (void)send_packet(fd_.get(), h, text);
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
size_t receive_packet(int fd) {
  ssize_t n;
  bool reset_seen = false;
  for (;;) {
    n = ::recv(fd, packet, kMaxPacket, 0);
    if (n >= 0) break;
    if (errno == EINTR) continue;
    // The peer closed its end with messages of ours unread (an init that
    // failed before it read the Start that `run` sends ahead): the kernel
    // reports ECONNRESET once, ahead of what the peer sent before it closed,
    // which is still queued. Found by the pure cgroup v2 lane, where the
    // init's exit often came before our receive: its error was lost.
    if (errno == ECONNRESET && !reset_seen) {
      reset_seen = true;
      continue;
    }
    throw_errno("receive on sync socket");
  }
  if (n > 0) check_header(packet, static_cast<size_t>(n));
  return static_cast<size_t>(n);
}
}  // namespace

void SyncChannel::expect_eof() const {
  if (receive_packet(fd_.get()) != 0) throw Error("sync protocol: unexpected message before exec");
}

SyncMsg SyncChannel::receive(std::string* payload) const {
  size_t n = receive_packet(fd_.get());
  if (n == 0) throw Error("the container init exited during set-up");
  Header h;
  std::memcpy(&h, packet, sizeof h);
  if (payload) payload->assign(packet + sizeof h, n - sizeof h);
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
