// Writers for cgroup v2 controllers (Documentation/admin-guide/cgroup-v2.rst).
#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/convert.hpp"
#include "cgroups/resources.hpp"

namespace hull::cgroups::v2 {

namespace {

void warn(const ApplyOptions& o, std::string msg) {
  if (o.warnings) o.warnings->push_back(std::move(msg));
}

std::string device(int64_t major, int64_t minor) { return std::to_string(major) + ":" + std::to_string(minor); }

}  // namespace

void set_memory(const std::string& dir, const spec::Memory& m, const ApplyOptions& o) {
  check_limit_not_below_usage(dir, "memory.current", m, o);
  if (auto swap = swap_for_v2(m.swap, m.limit)) {
    // Without swap accounting there is no file, and no swap to limit: no
    // limit ("max", also what an unlimited memory.limit implies) and none
    // beyond the memory limit ("0": swap equal to the limit) ask nothing
    // then, as runc reads them; any other swap limit cannot be kept.
    if (!has_file(dir, "memory.swap.max")) {
      if (*swap != "max" && *swap != "0")
        throw Error("linux.resources.memory.swap: " + dir + "/memory.swap.max does not exist (swap accounting is off)");
    } else {
      write_value(dir, "memory.swap.max", *swap);
    }
  }
  if (m.limit) write_value(dir, "memory.max", limit_or_max(*m.limit));
  if (m.reservation) write_value(dir, "memory.low", limit_or_max(*m.reservation));
  if (m.useHierarchy && !*m.useHierarchy)
    throw Error("linux.resources.memory.useHierarchy: false is impossible on cgroup v2 (always hierarchical)");
  if (m.disableOOMKiller && *m.disableOOMKiller)
    throw Error("linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer");
  if (m.swappiness) warn(o, "linux.resources.memory.swappiness has no cgroup v2 equivalent; ignored");
  if (m.kernel) warn(o, "linux.resources.memory.kernel is deprecated and has no cgroup v2 equivalent; ignored");
  if (m.kernelTCP) warn(o, "linux.resources.memory.kernelTCP is deprecated and has no cgroup v2 equivalent; ignored");
}

void set_cpu(const std::string& dir, const spec::CPU& c, const ApplyOptions&) {
  check_burst_fits_quota(c);
  if ((c.realtimeRuntime && *c.realtimeRuntime != 0) || (c.realtimePeriod && *c.realtimePeriod != 0))
    throw Error("linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no realtime group scheduling");
  write_weight_and_idle(dir, c, [&] {
    if (c.shares && *c.shares != 0) write_value(dir, "cpu.weight", std::to_string(shares_to_weight(*c.shares)));
  });
  write_bandwidth_and_burst(dir, c, "cpu.max.burst", [&] {
    // cpu.max is "$MAX $PERIOD"; without a period the kernel keeps the current one.
    std::string v = c.quota && *c.quota > 0 ? std::to_string(*c.quota) : "max";
    if (c.period && *c.period != 0) v += " " + std::to_string(*c.period);
    write_value(dir, "cpu.max", v);
  });
}

void set_pids(const std::string& dir, const spec::Pids& p) { write_value(dir, "pids.max", limit_or_max(p.limit)); }

void set_io(const std::string& dir, const spec::BlockIO& b, const ApplyOptions& o) {
  if (b.leafWeight) throw Error("linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weight");
  // BFQ takes the v1 range [1, 1000] as is; io.weight (iocost) is [1, 10000].
  bool bfq = has_file(dir, "io.bfq.weight");
  if (b.weight) {
    if (bfq)
      write_value(dir, "io.bfq.weight", std::to_string(*b.weight));
    else
      write_value(dir, "io.weight", "default " + std::to_string(blkio_weight_to_io_weight(*b.weight)));
  }
  for (const auto& d : b.weightDevice) {
    if (d.leafWeight) throw Error("linux.resources.blockIO.weightDevice.leafWeight: cgroup v2 has no leaf weight");
    if (!d.weight) continue;
    if (bfq) {
      write_value(dir, "io.bfq.weight", device(d.major, d.minor) + " " + std::to_string(*d.weight));
      continue;
    }
    // A per-device io.weight needs iocost enabled on that device (most
    // hosts have neither it nor BFQ): the weight is then left out with a
    // warning, as runc 1.1 leaves it out, rather than failing the container.
    const std::string line = device(d.major, d.minor) + " " + std::to_string(blkio_weight_to_io_weight(*d.weight));
    if (const int err = try_write_value(dir, "io.weight", line); err == EOPNOTSUPP)
      warn(o,
           "linux.resources.blockIO.weightDevice " + device(d.major, d.minor) +
               ": the device has no weight-based I/O controller (neither BFQ nor iocost); its weight is not applied");
    else if (err != 0)
      throw_errno(err, "write " + line + " to " + dir + "/io.weight");
  }
  // io.max takes one line per device with any subset of the four keys.
  std::map<std::string, std::string> lines;
  auto add = [&](const std::vector<spec::BlockIODeviceThrottle>& list, const char* key) {
    for (const auto& t : list) {
      std::string& line = lines[device(t.major, t.minor)];
      line += std::string(" ") + key + "=" + (t.rate == 0 ? "max" : std::to_string(t.rate));
    }
  };
  add(b.throttleReadBpsDevice, "rbps");
  add(b.throttleWriteBpsDevice, "wbps");
  add(b.throttleReadIOPSDevice, "riops");
  add(b.throttleWriteIOPSDevice, "wiops");
  for (const auto& [dev, keys] : lines) write_value(dir, "io.max", dev + keys);
}

void set_hugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits) {
  write_hugetlb(dir, limits, "max", "rsvd.max");
}

void set_rdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma) { write_rdma(dir, rdma); }

void check_unified_key(const std::string& key) {
  // A key is a file of the container's own cgroup: no directories, no way up,
  // and only the "<controller>.<knob>" shape cgroupfs uses.
  bool ok = !key.empty() && key.find('/') == std::string::npos && key.find('\0') == std::string::npos && key != "." &&
            key != ".." && key.find('.') != std::string::npos && key.front() != '.';
  if (!ok) throw Error("linux.resources.unified: invalid key " + quote(key));
  // cgroupfs's own interface, not a limit: written, they move a process of
  // the host into the container's cgroup (which hull's delete then kills),
  // or freeze, kill or reshape what hull manages. cgroup.max.* and
  // cgroup.pressure are limits and settings, and stay.
  static constexpr std::string_view kCoreInterface[] = {"cgroup.procs",  "cgroup.threads",         "cgroup.kill",
                                                        "cgroup.freeze", "cgroup.subtree_control", "cgroup.type"};
  if (std::find(std::begin(kCoreInterface), std::end(kCoreInterface), key) != std::end(kCoreInterface))
    throw Error("linux.resources.unified: " + quote(key) +
                " moves, freezes or kills processes or changes the cgroup tree, which hull does itself: not a "
                "resource to set");
}

bool same_value(std::string_view a, std::string_view b) {
  const auto weight = [](std::string_view f) { return f == "cpu.weight" || f == "cpu.weight.nice"; };
  return a == b || (weight(a) && weight(b));
}

void set_unified(const std::string& dir, const std::map<std::string, std::string>& unified) {
  for (const auto& [key, value] : unified) {
    check_unified_key(key);
    if (!has_file(dir, key)) throw Error("linux.resources.unified: " + quote(key) + ": no such file in " + dir);
    // One line per write, as runc writes them: the kernel parses a single
    // line per write in io.max, io.weight and the other keyed files.
    for (size_t start = 0; start < value.size();) {
      size_t end = value.find('\n', start);
      if (end == std::string::npos) end = value.size();
      if (end > start) write_value(dir, key, value.substr(start, end - start));
      start = end + 1;
    }
  }
}

}  // namespace hull::cgroups::v2
