#include "namespaces/net_devices.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/procfs.hpp"
#include "namespaces/rtnetlink.hpp"

namespace hull::ns {

namespace {

// The address flags one may ask for; the rest are states the kernel keeps
// (tentative, deprecated, secondary) or gives itself (permanent, for an
// address added without a lifetime).
constexpr uint32_t kRequestableFlags =
    IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;

std::string attr_bytes(const rtnl::Attributes& attrs, uint16_t type) {
  auto v = attrs.get(type);
  return v ? std::string(reinterpret_cast<const char*>(v->data()), v->size()) : std::string();
}

// Index -> name of every link of the socket's namespace.
std::map<int, std::string> links(rtnl::Socket& sock) {
  std::map<int, std::string> out;
  rtnl::Message m(RTM_GETLINK, 0);
  m.put_header(ifinfomsg{});
  sock.dump(m, "list the network devices of the container's network namespace", [&](const nlmsghdr& h) {
    if (h.nlmsg_type != RTM_NEWLINK) return;
    if (auto link = rtnl::family_header<ifinfomsg>(h))
      out[link->ifi_index] = rtnl::Attributes(h, sizeof(ifinfomsg)).get_string(IFLA_IFNAME).value_or("");
  });
  return out;
}

std::vector<InterfaceAddress> addresses_to_keep(rtnl::Socket& host, int index) {
  std::vector<InterfaceAddress> out;
  rtnl::Message m(RTM_GETADDR, 0);
  m.put_header(ifaddrmsg{});
  host.dump(m, "list its addresses", [&](const nlmsghdr& h) {
    if (auto a = address_to_keep(h, index)) out.push_back(std::move(*a));
  });
  return out;
}

void add_address(rtnl::Socket& inside, int index, const InterfaceAddress& a) {
  rtnl::Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  ifaddrmsg h{};
  h.ifa_family = a.family;
  h.ifa_prefixlen = a.prefix_len;
  h.ifa_flags = static_cast<uint8_t>(a.flags & kRequestableFlags & 0xff);
  h.ifa_scope = a.scope;
  h.ifa_index = static_cast<uint32_t>(index);
  m.put_header(h);
  auto put = [&](uint16_t type, const std::string& raw) {
    if (!raw.empty()) m.put_attr(type, std::as_bytes(std::span(raw.data(), raw.size())));
  };
  put(IFA_LOCAL, a.local);
  put(IFA_ADDRESS, a.address);
  put(IFA_BROADCAST, a.broadcast);
  m.put_attr_u32(IFA_FLAGS, a.flags & kRequestableFlags);
  inside.request(m, "add its address " + to_string(a) + " back");
}

void set_up(rtnl::Socket& inside, int index) {
  rtnl::Message m(RTM_NEWLINK, 0);
  ifinfomsg h{};
  h.ifi_family = AF_UNSPEC;
  h.ifi_index = index;
  h.ifi_flags = IFF_UP;
  h.ifi_change = IFF_UP;
  m.put_header(h);
  inside.request(m, "set it up");
}

// A namespace joined by path may be the one hull runs in: the move would
// only rename a device of the host.
void refuse_the_runtimes_namespace(int container_netns) {
  UniqueFd own = procfs::open_link_target("thread-self/ns/net", O_RDONLY);
  struct stat a {
  }, b{};
  if (::fstat(own.get(), &a) < 0 || ::fstat(container_netns, &b) < 0)
    throw_errno("compare the container's network namespace with the runtime's");
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    throw Error(
        "linux.netDevices: the container's network namespace is the one hull runs in, so a device would not move "
        "but could be renamed on the host; give the container a network namespace of its own");
}

void move_one(rtnl::Socket& host, rtnl::Socket& inside, int container_netns, const std::string& host_name,
              const std::string& name, std::map<int, std::string>& known) {
  // Checked before the move, so a refused device stays on the host as it was.
  if (name.find("%d") == std::string::npos)
    for (const auto& [i, n] : known)
      if (n == name)
        throw Error("a device named " + quote(name) + " is already in the container's network namespace", EEXIST);
  const unsigned index = ::if_nametoindex(host_name.c_str());
  if (index == 0) throw_errno("find it in the runtime's network namespace");
  const std::vector<InterfaceAddress> keep = addresses_to_keep(host, static_cast<int>(index));

  rtnl::Message m(RTM_NEWLINK, 0);
  ifinfomsg link{};
  link.ifi_family = AF_UNSPEC;
  link.ifi_index = static_cast<int>(index);
  m.put_header(link);
  m.put_attr_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(container_netns));
  // Moved and renamed by one request: the name is checked in the container's
  // namespace, and a "%d" template is numbered there.
  m.put_attr_string(IFLA_IFNAME, name);
  host.request(m, "move it into the container's network namespace as " + quote(name));

  // There it keeps its index unless another device has it (a namespace
  // joined by path), and a template's name is the kernel's choice: it is
  // the one device that was not there before.
  std::map<int, std::string> now = links(inside);
  int moved = 0;
  for (const auto& [i, n] : now)
    if (!known.contains(i)) moved = i;
  if (moved == 0) throw Error("find it in the container's network namespace after the move");
  known = std::move(now);
  for (const InterfaceAddress& a : keep) add_address(inside, moved, a);
  set_up(inside, moved);
}

}  // namespace

std::optional<InterfaceAddress> address_to_keep(const nlmsghdr& h, int index) {
  if (h.nlmsg_type != RTM_NEWADDR) return std::nullopt;
  auto ifa = rtnl::family_header<ifaddrmsg>(h);
  if (!ifa || static_cast<int>(ifa->ifa_index) != index) return std::nullopt;
  rtnl::Attributes attrs(h, sizeof(ifaddrmsg));
  // IFA_FLAGS holds the flags that do not fit the header's 8 bits.
  const uint32_t flags = attrs.get_u32(IFA_FLAGS).value_or(ifa->ifa_flags);
  if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE) return std::nullopt;
  InterfaceAddress a;
  a.family = ifa->ifa_family;
  a.prefix_len = ifa->ifa_prefixlen;
  a.scope = ifa->ifa_scope;
  a.flags = flags;
  a.local = attr_bytes(attrs, IFA_LOCAL);
  a.address = attr_bytes(attrs, IFA_ADDRESS);
  a.broadcast = attr_bytes(attrs, IFA_BROADCAST);
  return a;
}

std::string to_string(const InterfaceAddress& a) {
  const std::string& raw = a.local.empty() ? a.address : a.local;
  char text[INET6_ADDRSTRLEN] = "?";
  if ((a.family == AF_INET && raw.size() == 4) || (a.family == AF_INET6 && raw.size() == 16))
    ::inet_ntop(a.family, raw.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(a.prefix_len);
}

void move_net_devices(const std::map<std::string, spec::NetDevice>& devices, int container_netns) {
  if (devices.empty()) return;
  refuse_the_runtimes_namespace(container_netns);
  rtnl::Socket host = rtnl::Socket::open();
  rtnl::Socket inside = rtnl::Socket::open(container_netns);
  std::map<int, std::string> known = links(inside);
  for (const auto& entry : devices) {
    const std::string& host_name = entry.first;
    const std::string& name = entry.second.name ? *entry.second.name : host_name;
    with_context("move network device " + quote(host_name) + " into the container",
                 [&] { move_one(host, inside, container_netns, host_name, name, known); });
  }
}

}  // namespace hull::ns
