// .linux.resources → spec::Resources (the cgroup settings).
#include "spec/parse.hpp"

namespace hull::spec::detail {
namespace {

DeviceCgroup parse_device_cgroup(const Node& n) {
  DeviceCgroup d;
  required_field(n, "allow", d.allow, &Node::boolean);
  optional_field(n, "type", d.type, [](const Node& t) { return t.one_of({"a", "c", "b"}, "device cgroup type"); });
  optional_field(n, "major", d.major, &Node::i64);
  optional_field(n, "minor", d.minor, &Node::i64);
  optional_field(n, "access", d.access, [](const Node& a) {
    std::string v = a.string();
    if (v.find_first_not_of("rwm") != std::string::npos)
      a.fail("invalid device access " + quote_json(v) + " (expected letters from rwm)");
    return v;
  });
  return d;
}

// A number of bytes, or -1 for no limit. The kernel refuses any other
// negative (runc writes it and fails naming the cgroup file); refused here,
// by JSON path, rather than read as "no limit".
int64_t byte_limit(const Node& n) { return n.integer_in<int64_t>(-1, std::numeric_limits<int64_t>::max()); }

Memory parse_memory(const Node& n) {
  Memory m;
  optional_field(n, "limit", m.limit, byte_limit);
  optional_field(n, "reservation", m.reservation, byte_limit);
  optional_field(n, "swap", m.swap, byte_limit);
  optional_field(n, "kernel", m.kernel, byte_limit);
  optional_field(n, "kernelTCP", m.kernelTCP, byte_limit);
  optional_field(n, "swappiness", m.swappiness, &Node::u64);
  optional_field(n, "disableOOMKiller", m.disableOOMKiller, &Node::boolean);
  optional_field(n, "useHierarchy", m.useHierarchy, &Node::boolean);
  optional_field(n, "checkBeforeUpdate", m.checkBeforeUpdate, &Node::boolean);
  return m;
}

CPU parse_cpu(const Node& n) {
  CPU c;
  optional_field(n, "shares", c.shares, &Node::u64);
  optional_field(n, "quota", c.quota, &Node::i64);
  optional_field(n, "burst", c.burst, &Node::u64);
  optional_field(n, "period", c.period, &Node::u64);
  optional_field(n, "realtimeRuntime", c.realtimeRuntime, &Node::i64);
  optional_field(n, "realtimePeriod", c.realtimePeriod, &Node::u64);
  optional_field(n, "cpus", c.cpus, &Node::string);
  optional_field(n, "mems", c.mems, &Node::string);
  // The kernel knows 0 and 1 (cpu.idle refuses any other).
  if (auto v = n.get("idle")) c.idle = v->integer_in<int64_t>(0, 1);
  return c;
}

Pids parse_pids(const Node& n) {
  Pids p;
  // OPTIONAL since runtime-spec 1.3: absent reads as 0, unset.
  std::optional<int64_t> limit;
  optional_field(n, "limit", limit, &Node::i64);
  p.limit = limit.value_or(0);
  return p;
}

BlockIODeviceWeight parse_weight_device(const Node& n) {
  BlockIODeviceWeight w;
  required_field(n, "major", w.major, &Node::i64);
  required_field(n, "minor", w.minor, &Node::i64);
  optional_field(n, "weight", w.weight, &Node::u16);
  optional_field(n, "leafWeight", w.leafWeight, &Node::u16);
  return w;
}

BlockIODeviceThrottle parse_throttle_device(const Node& n) {
  BlockIODeviceThrottle t;
  required_field(n, "major", t.major, &Node::i64);
  required_field(n, "minor", t.minor, &Node::i64);
  // config-linux.md makes rate REQUIRED: a throttle without one means nothing.
  required_field(n, "rate", t.rate, &Node::u64);
  return t;
}

BlockIO parse_block_io(const Node& n) {
  BlockIO b;
  optional_field(n, "weight", b.weight, &Node::u16);
  optional_field(n, "leafWeight", b.leafWeight, &Node::u16);
  if (auto v = n.get("weightDevice")) b.weightDevice = v->list(parse_weight_device);
  const std::pair<const char*, std::vector<BlockIODeviceThrottle>*> throttles[] = {
      {"throttleReadBpsDevice", &b.throttleReadBpsDevice},
      {"throttleWriteBpsDevice", &b.throttleWriteBpsDevice},
      {"throttleReadIOPSDevice", &b.throttleReadIOPSDevice},
      {"throttleWriteIOPSDevice", &b.throttleWriteIOPSDevice},
  };
  for (auto [key, out] : throttles)
    if (auto v = n.get(key)) *out = v->list(parse_throttle_device);
  return b;
}

// The schema's ^[1-9][0-9]*[KMG]B$: "2MB", "64KB", "1GB".
std::string parse_page_size(const Node& n) {
  std::string s = n.string();
  size_t digits = s.find_first_not_of("0123456789");
  bool ok = digits != std::string::npos && digits > 0 && s[0] != '0' && s.size() == digits + 2 &&
            (s[digits] == 'K' || s[digits] == 'M' || s[digits] == 'G') && s[digits + 1] == 'B';
  if (!ok) n.fail("invalid page size " + quote_json(s) + " (expected a number and KB, MB or GB, such as 2MB)");
  return s;
}

HugepageLimit parse_hugepage_limit(const Node& n) {
  HugepageLimit h;
  required_field(n, "pageSize", h.pageSize, parse_page_size);
  required_field(n, "limit", h.limit, &Node::u64);
  return h;
}

Network parse_network(const Node& n) {
  Network net;
  optional_field(n, "classID", net.classID, &Node::u32);
  if (auto v = n.get("priorities")) {
    net.priorities = v->list([](const Node& e) {
      NetworkInterfacePriority p;
      required_field(e, "name", p.name, &Node::string);
      required_field(e, "priority", p.priority, &Node::u32);
      return p;
    });
  }
  return net;
}

Rdma parse_rdma(const Node& n) {
  Rdma r;
  optional_field(n, "hcaHandles", r.hcaHandles, &Node::u32);
  optional_field(n, "hcaObjects", r.hcaObjects, &Node::u32);
  if (!r.hcaHandles && !r.hcaObjects) n.fail("needs hcaHandles, hcaObjects or both");
  return r;
}

}  // namespace

Resources parse_resources(const Node& n) {
  Resources r;
  if (auto v = n.get("devices")) r.devices = v->list(parse_device_cgroup);
  optional_field(n, "memory", r.memory, parse_memory);
  optional_field(n, "cpu", r.cpu, parse_cpu);
  optional_field(n, "pids", r.pids, parse_pids);
  optional_field(n, "blockIO", r.blockIO, parse_block_io);
  if (auto v = n.get("hugepageLimits")) r.hugepageLimits = v->list(parse_hugepage_limit);
  optional_field(n, "network", r.network, parse_network);
  if (auto v = n.get("rdma")) r.rdma = v->map(parse_rdma);
  optional_field(n, "unified", r.unified, &Node::string_map);
  return r;
}

}  // namespace hull::spec::detail
