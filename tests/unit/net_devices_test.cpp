// Which addresses a moved network device keeps (config-linux.md: permanent,
// global scope), read from rtnetlink messages built as the kernel sends them.
#include "namespaces/net_devices.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "namespaces/rtnetlink.hpp"

namespace {

using hull::ns::address_to_keep;
using hull::ns::rtnl::Attributes;
using hull::ns::rtnl::Message;

// An RTM_NEWADDR of interface 7 as a dump answers; `flags_attr` adds IFA_FLAGS.
Message address(int family, const char* text, uint8_t prefix, uint8_t header_flags, uint8_t scope,
                std::optional<uint32_t> flags_attr = std::nullopt) {
  Message m(RTM_NEWADDR, NLM_F_MULTI);
  ifaddrmsg h{};
  h.ifa_family = static_cast<uint8_t>(family);
  h.ifa_prefixlen = prefix;
  h.ifa_flags = header_flags;
  h.ifa_scope = scope;
  h.ifa_index = 7;
  m.put_header(h);
  unsigned char raw[16] = {};
  EXPECT_EQ(::inet_pton(family, text, raw), 1);
  const size_t len = family == AF_INET ? 4 : 16;
  m.put_attr(IFA_ADDRESS, std::as_bytes(std::span(raw, len)));
  if (family == AF_INET) m.put_attr(IFA_LOCAL, std::as_bytes(std::span(raw, len)));
  if (flags_attr) m.put_attr_u32(IFA_FLAGS, *flags_attr);
  return m;
}

TEST(NetDeviceAddresses, APermanentGlobalAddressOfTheDeviceIsKept) {
  Message m = address(AF_INET, "192.0.2.5", 24, IFA_F_PERMANENT, RT_SCOPE_UNIVERSE);
  auto a = address_to_keep(*m.header(), 7);
  ASSERT_TRUE(a);
  EXPECT_EQ(hull::ns::to_string(*a), "192.0.2.5/24");
  EXPECT_EQ(a->local.size(), 4u);
  EXPECT_EQ(a->address, a->local);
  Message v6 = address(AF_INET6, "2001:db8::5", 64, IFA_F_PERMANENT | IFA_F_NODAD, RT_SCOPE_UNIVERSE);
  auto b = address_to_keep(*v6.header(), 7);
  ASSERT_TRUE(b);
  EXPECT_EQ(hull::ns::to_string(*b), "2001:db8::5/64");
  EXPECT_EQ(b->flags, static_cast<uint32_t>(IFA_F_PERMANENT | IFA_F_NODAD));
}

TEST(NetDeviceAddresses, OthersAreLeft) {
  // Another device's, a host- or link-scoped one, one with a lifetime.
  EXPECT_FALSE(address_to_keep(*address(AF_INET, "192.0.2.5", 24, IFA_F_PERMANENT, RT_SCOPE_UNIVERSE).header(), 8));
  EXPECT_FALSE(address_to_keep(*address(AF_INET, "198.51.100.7", 24, IFA_F_PERMANENT, RT_SCOPE_HOST).header(), 7));
  EXPECT_FALSE(address_to_keep(*address(AF_INET6, "fe80::1", 64, IFA_F_PERMANENT, RT_SCOPE_LINK).header(), 7));
  EXPECT_FALSE(address_to_keep(*address(AF_INET, "203.0.113.9", 24, 0, RT_SCOPE_UNIVERSE).header(), 7));
  // A message of another type.
  Message link(RTM_NEWLINK, 0);
  link.put_header(ifaddrmsg{.ifa_family = AF_INET,
                            .ifa_prefixlen = 24,
                            .ifa_flags = IFA_F_PERMANENT,
                            .ifa_scope = RT_SCOPE_UNIVERSE,
                            .ifa_index = 7});
  EXPECT_FALSE(address_to_keep(*link.header(), 7));
}

// IFA_FLAGS carries the 32-bit flags; where present it is what counts.
TEST(NetDeviceAddresses, TheFlagsAttributeOutranksTheHeader) {
  EXPECT_TRUE(
      address_to_keep(*address(AF_INET6, "2001:db8::6", 64, 0, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT).header(), 7));
  EXPECT_FALSE(
      address_to_keep(*address(AF_INET6, "2001:db8::6", 64, IFA_F_PERMANENT, RT_SCOPE_UNIVERSE, 0).header(), 7));
}

TEST(Rtnetlink, MessagesArePaddedAndAttributesReadBack) {
  Message m(RTM_NEWLINK, 0);
  m.put_header(ifinfomsg{});
  m.put_attr_string(3 /* IFLA_IFNAME */, "eth%d");  // 6 bytes with the NUL: padded to 8
  m.put_attr_u32(28 /* IFLA_NET_NS_FD */, 9);
  m.put_attr_u32(28, 11);  // the last of a type is the one read
  EXPECT_EQ(m.bytes().size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)) + (4 + 8) + (4 + 4) + (4 + 4));
  EXPECT_EQ(m.header()->nlmsg_len, m.bytes().size());
  EXPECT_EQ(m.header()->nlmsg_flags & NLM_F_REQUEST, NLM_F_REQUEST);
  Attributes attrs(*m.header(), sizeof(ifinfomsg));
  EXPECT_EQ(attrs.get_string(3), "eth%d");
  EXPECT_EQ(attrs.get_u32(28), 11u);
  EXPECT_FALSE(attrs.get(4));
}

// An attribute whose length runs past the message ends the reading there.
TEST(Rtnetlink, AnAttributePastTheMessageIsNotRead) {
  Message m(RTM_NEWLINK, 0);
  m.put_header(ifinfomsg{});
  m.put_attr_u32(1, 5);
  m.put_attr_u32(2, 6);
  m.header()->nlmsg_len -= 2;  // the second attribute now overruns
  Attributes attrs(*m.header(), sizeof(ifinfomsg));
  EXPECT_EQ(attrs.get_u32(1), 5u);
  EXPECT_FALSE(attrs.get(2));
}

}  // namespace
