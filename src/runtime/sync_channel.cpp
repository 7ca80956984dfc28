#include "runtime/sync_channel.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/filtered_socket_io.hpp"
#include "base/signal_mask.hpp"

namespace hull {

namespace {
struct Header {
  SyncMsg type;
  int32_t err;    // Error: the init's errno
  uint32_t more;  // 1: the payload goes on in the next packet
};
// One packet; a longer payload goes in pieces (SyncChannel::send_with).
constexpr size_t kMaxPacket = size_t{64} * 1024;
constexpr size_t kMaxPiece = kMaxPacket - sizeof(Header);

// The receive buffer (and write_packet's send buffer, below): in zero-fill
// memory that only the pages a packet fills ever touch (on the stack all 16
// pages are probed, a fault each; on
// the heap each receive grew and trimmed the break, two brk calls). One per
// process: a sync channel is read by one thread only (the runtime's main
// thread, the init), and a packet's bytes are copied out before the next
// receive. Not thread_local: glibc zeroes a thread's whole static TLS block
// when it starts one, 16 page faults for each of list's helper threads.
char packet[kMaxPacket];

// The one packet as one buffer, for write(): a profile recorded from what a
// program calls (oci-seccomp-bpf-hook) may allow write alone. In the
// receive buffer, free here: a received packet's bytes are copied out
// before receive returns, on the one thread that uses the channel.
ssize_t write_packet(int fd, const Header& h, std::string_view payload) {
  const size_t n = sizeof h + std::min(payload.size(), kMaxPiece);
  std::memcpy(packet, &h, sizeof h);
  std::memcpy(packet + sizeof h, payload.data(), n - sizeof h);
  return ::write(fd, packet, n);
}

// One packet from two pieces, with `passed` attached. Under the container's
// seccomp filter (the init waits for start under it without
// noNewPrivileges; a failure after it is reported) a profile may deny
// sendmsg: writev, and then write, send the same one packet where no fd
// goes with it.
ssize_t send_packet(int fd, const Header& h, std::string_view payload, std::span<const int> passed = {},
                    SendCall call = SendCall::Sendmsg) {
  iovec iov[2] = {{const_cast<Header*>(&h), sizeof h}, {const_cast<char*>(payload.data()), payload.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = payload.empty() ? 1 : 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * SyncChannel::kMaxPassedFds)];
  if (!passed.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * passed.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * passed.size());
    std::memcpy(CMSG_DATA(c), passed.data(), sizeof(int) * passed.size());
  }
  ssize_t n = send_message(fd, msg, MSG_NOSIGNAL, call);
  const auto peer_gone = [] { return errno == EPIPE || errno == ECONNRESET; };
  if (n < 0 && passed.empty() && !peer_gone()) n = ::writev(fd, iov, msg.msg_iovlen);
  if (n < 0 && passed.empty() && !peer_gone()) n = write_packet(fd, h, payload);
  return n;
}

}  // namespace

const char* to_string(SyncMsg m) {
  switch (m) {
    case SyncMsg::RuntimeStep: return "runtime-step";
    case SyncMsg::Continue: return "continue";
    case SyncMsg::Ready: return "ready";
    case SyncMsg::Error: return "error";
    case SyncMsg::State: return "state";
    case SyncMsg::SeccompListener: return "seccomp-listener";
    case SyncMsg::Start: return "start";
    case SyncMsg::CgroupsMade: return "cgroups-made";
    case SyncMsg::MemoryCgroupMade: return "memory-cgroup-made";
    case SyncMsg::SealedView: return "sealed-view";
    case SyncMsg::IdmapTree: return "idmap-tree";
    case SyncMsg::Recorded: return "recorded";
    case SyncMsg::BindSource: return "bind-source";
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
void SyncChannel::send(SyncMsg m, std::string_view payload) const { send_with(m, payload, {}); }

// A payload longer than a packet goes in pieces, each but the last marked
// `more`, the fds with the first: a state JSON has no bound of its own (CRI-O
// copies a pod's annotations into the config, up to Kubernetes' 256 KiB, and
// runc hands its hooks a state of any size).
void SyncChannel::send_with(SyncMsg m, std::string_view payload, std::span<const int> fds, SendCall call) const {
  if (fds.size() > kMaxPassedFds)
    throw Error(std::string("sync message ") + to_string(m) + ": too many fds to pass", E2BIG);
  do {
    std::string_view piece = payload.substr(0, kMaxPiece);
    payload.remove_prefix(piece.size());
    Header h{m, 0, payload.empty() ? 0U : 1U};
    if (send_packet(fd_.get(), h, piece, fds, call) < 0)
      throw_errno(std::string("send ") + to_string(m) + " on sync socket");
    fds = {};
  } while (!payload.empty());
}

void SyncChannel::send_to_waiting_peer(SyncMsg m, std::string_view payload, std::span<const int> fds) const {
  try {
    send_with(m, payload, fds);
  } catch (const Error& e) {
    if (e.code() == EPIPE || e.code() == ECONNRESET) receive();  // throws the peer's Error, or that it exited
    throw;
  }
}

bool SyncChannel::send_error(int err, const std::string& message) const {
  Header h{SyncMsg::Error, err, 0};
  // A byte count, no terminator: the packet length says where it ends.
  std::string_view text(message.data(), std::min(message.size(), kMaxPiece));
  return send_packet(fd_.get(), h, text) >= 0;
}

void SyncChannel::send_fd(SyncMsg m, int fd, SendCall call) const {
  send_with(m, {}, std::span<const int>(&fd, 1), call);
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

// read() (or recv(), under a filter that denies it: the init receives Start
// and Recorded under the container's), or recvmsg() collecting the fds
// attached into `passed` (close-on-exec; never under a filter).
ssize_t receive_into_packet(int fd, std::vector<UniqueFd>* passed) {
  if (!passed) return read_or_recv(fd, packet, kMaxPacket);
  iovec iov{packet, kMaxPacket};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * SyncChannel::kMaxPassedFds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return n;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i) {
      int got;
      std::memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
      passed->emplace_back(got);
    }
  }
  return n;
}

// One packet; 0 bytes means the peer closed its end. Error packets are thrown.
size_t receive_packet(int fd, std::vector<UniqueFd>* passed = nullptr) {
  ssize_t n;
  bool reset_seen = false;
  for (;;) {
    n = receive_into_packet(fd, passed);
    if (n >= 0) break;
    if (errno == EINTR && passed) continue;  // read_or_recv retried it already
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
  if (termination_peer_ > 0) wait_unless_terminated();
  if (receive_packet(fd_.get()) != 0) throw Error("sync protocol: unexpected message before exec");
}

void SyncChannel::wait_unless_terminated() const {
  // Readable only while one of them is pending: the signals to forward once
  // the process runs are left to the forwarder's own signalfd.
  UniqueFd ended(signalfd_of(kEndingSignals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!ended) throw_errno("signalfd for the signals that end the wait for the container's process");
  pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {ended.get(), POLLIN, 0}};
  while (::poll(fds, 2, -1) < 0)
    if (errno != EINTR) throw_errno("poll the container init's channel");
  if (fds[0].revents) return;
  signalfd_siginfo info{};
  if (::read(ended.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) info.ssi_signo = SIGTERM;
  ::kill(termination_peer_, SIGKILL);
  throw Error(signal_name(static_cast<int>(info.ssi_signo)) +
              " before the container's process started (its init had not reached execve): the init was killed");
}

SyncMsg SyncChannel::receive(std::string* payload, std::vector<UniqueFd>* fds) const {
  size_t n = receive_packet(fd_.get(), fds);
  if (n == 0) throw PeerExitedError("the container init exited during set-up");
  Header h;
  std::memcpy(&h, packet, sizeof h);
  if (payload) payload->assign(packet + sizeof h, n - sizeof h);
  for (uint32_t more = h.more; more;) {
    n = receive_packet(fd_.get());
    if (n == 0) throw PeerExitedError("the container init exited during set-up");
    Header next;
    std::memcpy(&next, packet, sizeof next);
    if (next.type != h.type)
      throw Error(std::string("sync protocol: ") + to_string(h.type) + " cut short by " + to_string(next.type));
    if (payload) payload->append(packet + sizeof next, n - sizeof next);
    more = next.more;
  }
  return h.type;
}

void SyncChannel::expect(SyncMsg expected, std::string* payload, std::vector<UniqueFd>* fds) const {
  SyncMsg got = receive(payload, fds);
  if (got != expected)
    throw Error(std::string("sync protocol: expected ") + to_string(expected) + ", got " + to_string(got));
}

UniqueFd SyncChannel::expect_fd(SyncMsg expected) const {
  std::vector<UniqueFd> fds;
  if (receive_packet(fd_.get(), &fds) == 0) throw PeerExitedError("the container process exited during set-up");
  Header h;
  std::memcpy(&h, packet, sizeof h);
  if (h.type != expected)
    throw Error(std::string("sync protocol: expected ") + to_string(expected) + ", got " + to_string(h.type));
  if (fds.size() != 1) throw Error(std::string("sync protocol: ") + to_string(expected) + " came without its one fd");
  return std::move(fds.front());
}

}  // namespace hull
