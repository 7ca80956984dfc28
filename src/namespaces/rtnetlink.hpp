#pragma once
// A small rtnetlink (NETLINK_ROUTE) client: build a request, send it, read
// the kernel's acknowledgement or the messages of a dump. Only what moving
// network devices needs (namespaces/net_devices.hpp); a netlink socket acts
// in the network namespace it was made in, whatever its user later enters.
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::ns::rtnl {

// One request: the netlink header, the family's fixed header (ifinfomsg,
// ifaddrmsg), then attributes, each padded to 4 bytes as netlink wants.
class Message {
 public:
  Message(uint16_t type, uint16_t flags);
  template <class FamilyHeader>
  void put_header(const FamilyHeader& h) {
    append(&h, sizeof h);
  }
  void put_attr(uint16_t type, std::span<const std::byte> data);
  void put_attr_u32(uint16_t type, uint32_t value);
  // With its terminating NUL, as the kernel's IFNAMSIZ strings are sent.
  void put_attr_string(uint16_t type, std::string_view s);

  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  std::span<const std::byte> bytes() const { return buf_; }

 private:
  void append(const void* data, size_t len);
  // Kept 4-byte aligned: std::vector's storage is aligned for any scalar.
  std::vector<std::byte> buf_;
};

// The attributes of a received message whose family header is
// `family_header_len` bytes: the payload of the last one of each type.
class Attributes {
 public:
  Attributes(const nlmsghdr& h, size_t family_header_len);
  std::optional<std::span<const std::byte>> get(uint16_t type) const;
  std::optional<uint32_t> get_u32(uint16_t type) const;
  std::optional<std::string> get_string(uint16_t type) const;

 private:
  std::vector<std::pair<uint16_t, std::span<const std::byte>>> attrs_;
};

// The family header of a received message, or nullopt when it is too short.
template <class FamilyHeader>
std::optional<FamilyHeader> family_header(const nlmsghdr& h) {
  if (h.nlmsg_len < NLMSG_LENGTH(sizeof(FamilyHeader))) return std::nullopt;
  FamilyHeader f;
  std::memcpy(&f, NLMSG_DATA(&h), sizeof f);
  return f;
}

class Socket {
 public:
  // A socket of the calling thread's network namespace, or of `netns` (an
  // fd of one, entered for the socket() call and left again for `own_netns`,
  // the thread's); asks the kernel for its error text (extended
  // acknowledgements) where it has one.
  static Socket open(int netns = -1, int own_netns = -1);

  // Sends `m` asking for an acknowledgement and waits for it, calling
  // on_answer with what the kernel answers before it (a get's object). A
  // refusal is an Error of `what`, with the kernel's text where it gave one
  // and its errno.
  void request(Message& m, const std::string& what, const std::function<void(const nlmsghdr&)>& on_answer = {});
  // Sends `m` as a dump request and calls on_message with each message the
  // kernel answers, up to its NLMSG_DONE.
  void dump(Message& m, const std::string& what, const std::function<void(const nlmsghdr&)>& on_message);

 private:
  explicit Socket(UniqueFd fd) : fd_(std::move(fd)) {}
  void send(Message& m, const std::string& what);
  // Reads the answers to the request numbered `seq` up to its end (an
  // acknowledgement or NLMSG_DONE), passing each other message on.
  void receive(uint32_t seq, const std::string& what, const std::function<void(const nlmsghdr&)>& on_message);

  UniqueFd fd_;
  uint32_t seq_ = 0;
};

}  // namespace hull::ns::rtnl
