#include "namespaces/rtnetlink.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/procfs.hpp"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

namespace hull::ns::rtnl {

Message::Message(uint16_t type, uint16_t flags) {
  nlmsghdr h{};
  h.nlmsg_len = NLMSG_HDRLEN;
  h.nlmsg_type = type;
  h.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
  buf_.resize(NLMSG_HDRLEN);
  std::memcpy(buf_.data(), &h, sizeof h);
}

void Message::append(const void* data, size_t len) {
  const size_t at = buf_.size();
  buf_.resize(at + NLMSG_ALIGN(len));
  if (len) std::memcpy(buf_.data() + at, data, len);
  header()->nlmsg_len = static_cast<uint32_t>(buf_.size());
}

void Message::put_attr(uint16_t type, std::span<const std::byte> data) {
  nlattr a{};
  a.nla_type = type;
  a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + data.size());
  append(&a, sizeof a);
  append(data.data(), data.size());
}

void Message::put_attr_u32(uint16_t type, uint32_t value) { put_attr(type, std::as_bytes(std::span(&value, 1))); }

void Message::put_attr_string(uint16_t type, std::string_view s) {
  std::string z(s);
  put_attr(type, std::as_bytes(std::span(z.c_str(), z.size() + 1)));
}

Attributes::Attributes(const nlmsghdr& h, size_t family_header_len) {
  const auto* base = reinterpret_cast<const std::byte*>(&h);
  size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(family_header_len);
  while (at + NLA_HDRLEN <= h.nlmsg_len) {
    nlattr a;
    std::memcpy(&a, base + at, sizeof a);
    if (a.nla_len < NLA_HDRLEN || at + a.nla_len > h.nlmsg_len) break;
    attrs_.emplace_back(a.nla_type & NLA_TYPE_MASK, std::span(base + at + NLA_HDRLEN, a.nla_len - NLA_HDRLEN));
    at += NLA_ALIGN(a.nla_len);
  }
}

std::optional<std::span<const std::byte>> Attributes::get(uint16_t type) const {
  for (auto it = attrs_.rbegin(); it != attrs_.rend(); ++it)
    if (it->first == type) return it->second;
  return std::nullopt;
}

std::optional<uint32_t> Attributes::get_u32(uint16_t type) const {
  auto a = get(type);
  if (!a || a->size() < sizeof(uint32_t)) return std::nullopt;
  uint32_t v;
  std::memcpy(&v, a->data(), sizeof v);
  return v;
}

std::optional<std::string> Attributes::get_string(uint16_t type) const {
  auto a = get(type);
  if (!a) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(a->data()), a->size());
  s.resize(std::strlen(s.c_str()));
  return s;
}

Socket Socket::open(int netns, int own_netns) {
  // Only this thread changes namespace, and only for the socket() call.
  UniqueFd opened;
  if (netns >= 0) {
    if (own_netns < 0) {
      opened = procfs::open_link_target("thread-self/ns/net", O_RDONLY);
      own_netns = opened.get();
    }
    if (::setns(netns, CLONE_NEWNET) < 0) throw_errno("enter the network namespace for a netlink socket");
  }
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  const int err = errno;
  if (netns >= 0 && ::setns(own_netns, CLONE_NEWNET) < 0) throw_errno("return to the runtime's network namespace");
  if (!fd) throw_errno(err, "open a netlink socket");
  // The kernel's own words for a refusal ("Invalid name", "File exists"),
  // without the request echoed back. Older kernels lack them: errno alone.
  const int on = 1;
  ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
  ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
  return Socket(std::move(fd));
}

void Socket::send(Message& m, const std::string& what) {
  m.header()->nlmsg_seq = ++seq_;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const auto bytes = m.bytes();
  ssize_t n;
  do n = ::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(what + ": send the netlink request");
}

namespace {

// The text an extended acknowledgement carries (NLMSGERR_ATTR_MSG), if any.
std::string ack_text(const nlmsghdr& h) {
  if (!(h.nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  // Capped: the request is not echoed, its header alone follows the errno.
  Attributes tlvs(h, sizeof(nlmsgerr));
  return tlvs.get_string(NLMSGERR_ATTR_MSG).value_or("");
}

// NLMSG_OK and NLMSG_NEXT without their mix of signed and unsigned counts:
// an unaligned last message's padding never takes the count below zero
// (with a size_t, NLMSG_NEXT wrapped it).
bool message_fits(const nlmsghdr& h, size_t left) {
  return left >= sizeof(nlmsghdr) && h.nlmsg_len >= sizeof(nlmsghdr) && h.nlmsg_len <= left;
}

const nlmsghdr* next_message(const nlmsghdr* h, size_t& left) {
  const size_t step = std::min<size_t>(NLMSG_ALIGN(h->nlmsg_len), left);
  left -= step;
  return reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const std::byte*>(h) + step);
}

}  // namespace

void Socket::receive(uint32_t seq, const std::string& what, const std::function<void(const nlmsghdr&)>& on_message) {
  // 32 KiB is what the kernel puts in one dump datagram at most (and iproute2's size).
  std::vector<std::byte> buf(32768);  // operator new's alignment suits nlmsghdr
  for (;;) {
    ssize_t n;
    do n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno(what + ": read the kernel's netlink answer");
    if (static_cast<size_t>(n) > buf.size()) throw Error(what + ": the kernel's netlink answer is larger than 32 KiB");
    size_t left = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<const nlmsghdr*>(buf.data()); message_fits(*h, left); h = next_message(h, left)) {
      if (h->nlmsg_seq != seq) continue;  // a late answer to an earlier request
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto e = family_header<nlmsgerr>(*h);
        if (!e) throw Error(what + ": a truncated netlink error message");
        if (e->error == 0) return;  // the acknowledgement
        std::string text = ack_text(*h);
        throw Error(text.empty() ? what : what + ": " + text, -e->error);
      }
      if (on_message) on_message(*h);
    }
  }
}

void Socket::request(Message& m, const std::string& what, const std::function<void(const nlmsghdr&)>& on_answer) {
  m.header()->nlmsg_flags |= NLM_F_ACK;
  send(m, what);
  receive(seq_, what, on_answer);
}

void Socket::dump(Message& m, const std::string& what, const std::function<void(const nlmsghdr&)>& on_message) {
  m.header()->nlmsg_flags |= NLM_F_DUMP;
  send(m, what);
  receive(seq_, what, on_message);
}

}  // namespace hull::ns::rtnl
