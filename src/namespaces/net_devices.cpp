#include "namespaces/net_devices.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <set>

#include "base/error.hpp"
#include "base/procfs.hpp"
#include "base/warn.hpp"
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

struct Link {
  int index = 0;
  std::string name;
  unsigned flags = 0;
};

// The link named `name`, or with `name` among its alternative names, or
// with index `index`, in the socket's namespace; nullopt where none is.
std::optional<Link> find_link(rtnl::Socket& sock, const std::string& name, int index, const std::string& what) {
  rtnl::Message m(RTM_GETLINK, 0);
  ifinfomsg h{};
  h.ifi_family = AF_UNSPEC;
  h.ifi_index = index;
  m.put_header(h);
  if (!name.empty()) m.put_attr_string(IFLA_IFNAME, name);
  std::optional<Link> out;
  try {
    sock.request(m, what, [&](const nlmsghdr& answer) {
      auto link = rtnl::family_header<ifinfomsg>(answer);
      if (answer.nlmsg_type != RTM_NEWLINK || !link) return;
      out = Link{link->ifi_index, rtnl::Attributes(answer, sizeof(ifinfomsg)).get_string(IFLA_IFNAME).value_or(""),
                 link->ifi_flags};
    });
  } catch (const Error& e) {
    if (e.code() == ENODEV) return std::nullopt;
    throw;
  }
  return out;
}

std::optional<Link> find_link(rtnl::Socket& sock, const std::string& name, const std::string& what) {
  return find_link(sock, name, 0, what);
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

// An IPv4 label names its device ("hv0", "hv0:web"): one that did follows
// it to `device_name`.
std::string relabelled(const std::string& label, const std::string& old_name, const std::string& device_name) {
  if (label.compare(0, old_name.size(), old_name) != 0) return label;
  const std::string alias = label.substr(old_name.size());
  if (!alias.empty() && alias[0] != ':') return label;
  std::string out = device_name + alias;
  return out.size() < IFNAMSIZ ? out : device_name;
}

void add_address(rtnl::Socket& sock, int index, const InterfaceAddress& a, const std::string& label) {
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
  if (!label.empty()) m.put_attr_string(IFA_LABEL, label);
  if (a.metric) m.put_attr_u32(IFA_RT_PRIORITY, *a.metric);
  m.put_attr_u32(IFA_FLAGS, a.flags & kRequestableFlags);
  sock.request(m, "add its address " + to_string(a) + " back");
}

// Sets the link's flags in `mask` to `flags`; with IFLA_NET_NS_FD and a
// name, moves and renames it.
void change_link(rtnl::Socket& sock, int index, unsigned flags, unsigned mask, int to_netns, const std::string& name,
                 const std::string& what) {
  rtnl::Message m(RTM_NEWLINK, 0);
  ifinfomsg h{};
  h.ifi_family = AF_UNSPEC;
  h.ifi_index = index;
  h.ifi_flags = flags;
  h.ifi_change = mask;
  m.put_header(h);
  if (to_netns >= 0) m.put_attr_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(to_netns));
  if (!name.empty()) m.put_attr_string(IFLA_IFNAME, name);
  sock.request(m, what);
}

// A namespace joined by path may be the one hull runs in: the move would
// only rename a device of the host.
void refuse_the_runtimes_namespace(int own_netns, int container_netns) {
  struct stat a {
  }, b{};
  if (::fstat(own_netns, &a) < 0 || ::fstat(container_netns, &b) < 0)
    throw_errno("compare the container's network namespace with the runtime's");
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    throw Error(
        "linux.netDevices: the container's network namespace is the one hull runs in, so a device would not move "
        "but could be renamed on the host; give the container a network namespace of its own");
}

bool is_template(const std::string& name) { return name.find('%') != std::string::npos; }

// A device to move, as found on the host before anything moved.
struct HostDevice {
  std::string key;   // the config's name for it (maybe an alternative name)
  std::string name;  // its name on the host
  int index = 0;
  bool up = false;
  std::string target;  // its name in the container, or a "%d" template
  std::vector<InterfaceAddress> addresses;
};

class Mover {
 public:
  Mover(int own_netns, int container_netns)
      : own_netns_(own_netns),
        container_netns_(container_netns),
        host_(rtnl::Socket::open()),
        inside_(rtnl::Socket::open(container_netns, own_netns)) {}

  HostDevice find(const std::string& key, const std::optional<std::string>& target) {
    auto link = find_link(host_, key, "find it in the runtime's network namespace");
    if (!link) throw Error("find it in the runtime's network namespace", ENODEV);
    HostDevice d{key, link->name, link->index, (link->flags & IFF_UP) != 0, {}, {}};
    d.target = target && !target->empty() ? *target : d.name;
    // Alternative names share the namespace's name table: any use is a clash.
    if (!is_template(d.target) &&
        find_link(inside_, d.target, "look for its new name in the container's network namespace"))
      throw Error("a device named " + quote(d.target) + " is already in the container's network namespace", EEXIST);
    d.addresses = addresses_to_keep(host_, d.index);
    return d;
  }

  // Moved under a name of this runtime's own, then renamed inside: the
  // kernel moves first and renames after, so a refused name would leave
  // the device inside under its host name, and a template's number, or a
  // name another runtime moves meanwhile into a shared namespace, could
  // not tell which device is which by its name afterwards.
  void move(const HostDevice& d, unsigned serial) {
    char provisional[IFNAMSIZ];
    std::snprintf(provisional, sizeof provisional, "hull%x.%x", static_cast<unsigned>(::getpid()), serial & 0xffff);
    try {
      change_link(host_, d.index, 0, 0, container_netns_, provisional,
                  "move it into the container's network namespace");
    } catch (const Error&) {
      // Moved but not renamed: inside under its host name, unless still here.
      auto here = find_link(host_, "", d.index, "look for it in the runtime's network namespace");
      if (!here || here->name != d.name)
        if (auto stray = find_link(inside_, d.name, "look for it in the container's network namespace"))
          put_back(d, stray->index);
      throw;
    }
    auto link = find_link(inside_, provisional, "find it in the container's network namespace after the move");
    if (!link) throw Error("find it in the container's network namespace after the move", ENODEV);
    try {
      change_link(inside_, link->index, 0, 0, -1, d.target, "name it " + quote(d.target));
      auto named = find_link(inside_, "", link->index, "read its name in the container's network namespace");
      const std::string name = named ? named->name : d.target;
      for (const InterfaceAddress& a : d.addresses)
        add_address(inside_, link->index, a, relabelled(a.label, d.name, name));
      change_link(inside_, link->index, IFF_UP, IFF_UP, -1, "", "set it up");
    } catch (const Error&) {
      put_back(d, link->index);
      throw;
    }
    moved_.emplace_back(&d, link->index);
  }

  // A failed create puts back every device it had moved, last first.
  void put_back_all() noexcept {
    for (auto it = moved_.rbegin(); it != moved_.rend(); ++it) put_back(*it->first, it->second);
    moved_.clear();
  }

 private:
  // Back to the runtime's namespace under its host name, with its
  // addresses and up if it was; what fails is a warning (the create's own
  // error is the one reported).
  void put_back(const HostDevice& d, int inside_index) noexcept {
    try {
      change_link(inside_, inside_index, 0, 0, own_netns_, d.name, "move it back to the runtime's network namespace");
      auto link = find_link(host_, d.name, "find it back in the runtime's network namespace");
      if (!link) throw Error("find it back in the runtime's network namespace", ENODEV);
      for (const InterfaceAddress& a : d.addresses) add_address(host_, link->index, a, a.label);
      if (d.up) change_link(host_, link->index, IFF_UP, IFF_UP, -1, "", "set it up again");
    } catch (const std::exception& e) {
      warn("network device " + quote(d.name) + " could not be put back as it was after the failed create: " + e.what());
    }
  }

  int own_netns_;
  int container_netns_;
  rtnl::Socket host_;
  rtnl::Socket inside_;
  std::vector<std::pair<const HostDevice*, int>> moved_;
};

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
  a.label = attrs.get_string(IFA_LABEL).value_or("");
  a.metric = attrs.get_u32(IFA_RT_PRIORITY);
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
  UniqueFd own = procfs::open_link_target("thread-self/ns/net", O_RDONLY);
  refuse_the_runtimes_namespace(own.get(), container_netns);
  Mover mover(own.get(), container_netns);

  std::vector<HostDevice> found;
  std::set<int> indices;
  for (const auto& entry : devices) {
    HostDevice d = with_context("move network device " + quote(entry.first) + " into the container", [&] {
      HostDevice d = mover.find(entry.first, entry.second.name);
      if (!indices.insert(d.index).second)
        throw Error("it is device " + quote(d.name) + ", which another entry names too");
      return d;
    });
    found.push_back(std::move(d));
  }
  // Fixed names first: a template's number never takes a name an entry asks for.
  std::stable_partition(found.begin(), found.end(), [](const HostDevice& d) { return !is_template(d.target); });
  try {
    unsigned serial = 0;
    for (const HostDevice& d : found)
      with_context("move network device " + quote(d.key) + " into the container", [&] { mover.move(d, serial++); });
  } catch (...) {
    mover.put_back_all();
    throw;
  }
}

}  // namespace hull::ns
