// Writers for cgroup v1 controllers (Documentation/admin-guide/cgroup-v1/).
#include <dirent.h>

#include <cerrno>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/convert.hpp"
#include "cgroups/resources.hpp"

namespace hull::cgroups {

bool has_cpu_fields(const spec::CPU& c) {
  return c.shares || c.quota || c.period || c.burst || c.realtimeRuntime || c.realtimePeriod || c.idle;
}
bool has_cpuset_fields(const spec::CPU& c) { return c.cpus || c.mems; }

namespace {

void warn(const ApplyOptions& o, std::string msg) {
  if (o.warnings) o.warnings->push_back(std::move(msg));
}

std::string device(int64_t major, int64_t minor) { return std::to_string(major) + ":" + std::to_string(minor); }

// EBUSY from memory.limit_in_bytes: the kernel could not reclaim the
// cgroup's usage down to the new limit (create: what the init has charged
// so far; update: the running container's memory). runc says the same with
// its usage.
[[noreturn]] void throw_limit_write(const std::string& dir, const std::string& file, const std::string& value,
                                    int err) {
  if (err == EBUSY && file == "memory.limit_in_bytes") {
    std::string usage = "?";
    try {
      usage = read_value(dir, "memory.usage_in_bytes");
    } catch (const Error&) {}
    throw Error("linux.resources.memory.limit: " + value + " bytes is below what " + dir + " already uses (" + usage +
                    " bytes) and the kernel could not reclaim it: the memory limit is too low",
                EBUSY);
  }
  throw_errno(err, "write " + value + " to " + dir + "/" + file);
}

void write_limit(const std::string& dir, const std::string& file, const std::string& value) {
  if (int err = try_write_value(dir, file, value); err != 0) throw_limit_write(dir, file, value, err);
}

// Two files whose values constrain each other (limit <= memsw, runtime <= period):
// write them in the order the current values allow. Tries first-then-second and,
// when the kernel refuses the first with EINVAL, the other order.
void write_pair(const std::string& dir, const std::string& f1, const std::string& v1, const std::string& f2,
                const std::string& v2) {
  int err = try_write_value(dir, f1, v1);
  if (err == EINVAL) {
    write_value(dir, f2, v2);
    write_limit(dir, f1, v1);
    return;
  }
  if (err != 0) throw_limit_write(dir, f1, v1, err);
  write_value(dir, f2, v2);
}

}  // namespace

namespace v1 {

void set_memory(const std::string& dir, const spec::Memory& m, const ApplyOptions& o) {
  // Unlimited swap where swap is not accounted asks for nothing (update
  // adds it to an unlimited memory limit, as runc's does; runc then writes
  // memsw only where the file exists).
  check_limit_not_below_usage(dir, "memory.usage_in_bytes", m, o);
  const bool no_swap_to_write = m.swap && *m.swap == -1 && !has_file(dir, "memory.memsw.limit_in_bytes");
  if (m.swap && !no_swap_to_write) {
    if (!has_file(dir, "memory.memsw.limit_in_bytes"))
      throw Error("linux.resources.memory.swap: " + dir +
                  "/memory.memsw.limit_in_bytes does not exist (swap accounting is off; boot with swapaccount=1)");
    // v1 limits memory+swap, never above the memory limit: a swap limit
    // with no memory limit fails as a bare EINVAL (v2 takes it alone).
    if (*m.swap >= 0 && m.limit && *m.limit < 0)
      throw Error(
          "linux.resources.memory.swap: cgroup v1 limits memory+swap, which cannot be below an unlimited "
          "memory limit: give memory.limit too (at most the swap)");
    if (m.limit) {
      check_swap_not_below_limit(m.swap, m.limit);
      // memory.limit_in_bytes <= memory.memsw.limit_in_bytes must hold after
      // every single write; raising both needs memsw first, lowering limit first.
      write_pair(dir, "memory.limit_in_bytes", std::to_string(*m.limit), "memory.memsw.limit_in_bytes",
                 std::to_string(*m.swap));
    } else if (int err = try_write_value(dir, "memory.memsw.limit_in_bytes", std::to_string(*m.swap)); err != 0) {
      // v1 shows no limit as the largest page count it keeps, in bytes.
      const uint64_t current = read_u64(dir, "memory.limit_in_bytes");
      const std::string limit = current >= (uint64_t{1} << 62) ? "(unlimited)" : std::to_string(current);
      if (err == EINVAL && *m.swap >= 0)
        throw Error("linux.resources.memory.swap: memory+swap limit " + std::to_string(*m.swap) +
                        " is below the cgroup's memory limit " + limit +
                        " (cgroup v1 keeps memory+swap at or above it): give memory.limit too, at most the swap",
                    EINVAL);
      throw_errno(err, "write " + std::to_string(*m.swap) + " to " + dir + "/memory.memsw.limit_in_bytes");
    }
  } else if (m.limit && *m.limit < 0 && has_file(dir, "memory.memsw.limit_in_bytes")) {
    // As runc: unlimited memory with no swap given is unlimited swap too
    // (memsw first: the kernel keeps limit <= memsw after every write).
    write_value(dir, "memory.memsw.limit_in_bytes", "-1");
    write_value(dir, "memory.limit_in_bytes", "-1");
  } else if (m.limit) {
    write_limit(dir, "memory.limit_in_bytes", std::to_string(*m.limit));
  }
  if (m.reservation) write_value(dir, "memory.soft_limit_in_bytes", std::to_string(*m.reservation));
  if (m.swappiness) {
    if (*m.swappiness > 100)
      throw Error("linux.resources.memory.swappiness: " + std::to_string(*m.swappiness) + " is out of range [0, 100]");
    write_value(dir, "memory.swappiness", std::to_string(*m.swappiness));
  }
  // The kernel default is the OOM killer on: write only what changes it.
  if (m.disableOOMKiller && (*m.disableOOMKiller || o.updating))
    write_value(dir, "memory.oom_control", *m.disableOOMKiller ? "1" : "0");
  // Linux 5.16 made hierarchical accounting permanent and refuses 0 with
  // EINVAL: said as cgroup v2's writer says it (runc 1.1 never writes it).
  if (m.useHierarchy) {
    int err = try_write_value(dir, "memory.use_hierarchy", *m.useHierarchy ? "1" : "0");
    if (err == EINVAL && !*m.useHierarchy)
      throw Error(
          "linux.resources.memory.useHierarchy: false is impossible on this kernel (memory is always "
          "accounted hierarchically since Linux 5.16)");
    if (err != 0)
      throw_errno(err, std::string("write ") + (*m.useHierarchy ? "1" : "0") + " to " + dir + "/memory.use_hierarchy");
  }
  // Kernel memory limits: deprecated in the spec, never written, as runc
  // 1.1 has them: the kmem limit was unreliable and Linux 6.1 removed it,
  // and a TCP buffer limit an old engine still passes (docker 20.10's
  // KernelMemoryTCP) can stall the container's connections.
  for (const auto& [v, field] : {std::pair{&m.kernel, "kernel"}, std::pair{&m.kernelTCP, "kernelTCP"}})
    if (*v) warn(o, std::string("linux.resources.memory.") + field + " is deprecated and ignored (as by runc)");
}

void set_cpu(const std::string& dir, const spec::CPU& c) {
  check_burst_fits_quota(c);
  // 0 is unset (runc's reading); outside 2..262144 the kernel clamps the
  // value silently, which runc reports as an error, and so does hull.
  if (c.shares && *c.shares != 0 && (*c.shares < 2 || *c.shares > 262144))
    throw Error("linux.resources.cpu.shares: " + std::to_string(*c.shares) +
                " is outside the range cgroup v1 takes (2 to 262144)");
  write_weight_and_idle(dir, c, [&] {
    if (c.shares && *c.shares != 0) write_value(dir, "cpu.shares", std::to_string(*c.shares));
  });
  write_bandwidth_and_burst(dir, c, "cpu.cfs_burst_us", [&] {
    // Under a parent's limit quota/period must fit at every step: a shorter
    // period with the old quota may not (EINVAL), then quota goes first (runc).
    if (c.period && c.quota)
      write_pair(dir, "cpu.cfs_period_us", std::to_string(*c.period), "cpu.cfs_quota_us", std::to_string(*c.quota));
    else if (c.period)
      write_value(dir, "cpu.cfs_period_us", std::to_string(*c.period));
    else
      write_value(dir, "cpu.cfs_quota_us", std::to_string(*c.quota));
  });
  if (!c.realtimePeriod && !c.realtimeRuntime) return;
  try {
    // rt_runtime_us must fit in rt_period_us at every step.
    if (c.realtimePeriod && c.realtimeRuntime)
      write_pair(dir, "cpu.rt_period_us", std::to_string(*c.realtimePeriod), "cpu.rt_runtime_us",
                 std::to_string(*c.realtimeRuntime));
    else if (c.realtimePeriod)
      write_value(dir, "cpu.rt_period_us", std::to_string(*c.realtimePeriod));
    else
      write_value(dir, "cpu.rt_runtime_us", std::to_string(*c.realtimeRuntime));
  } catch (Error& e) {
    // The kernel's bare errno says neither why nor where to look.
    if (e.code() == ENOENT && !has_file(dir, "cpu.rt_period_us"))
      e.add_context(
          "linux.resources.cpu.realtimeRuntime/realtimePeriod: this kernel has no realtime group "
          "scheduling (CONFIG_RT_GROUP_SCHED): leave them out");
    else if (e.code() == EINVAL)
      throw Error(e.message() + " (a cgroup's realtime runtime must fit within its period and within " +
                      "what its parent " + dir.substr(0, dir.rfind('/')) +
                      " gives, cpu.rt_runtime_us there, which a parent hull makes starts at 0)",
                  EINVAL);
    throw;
  }
}

namespace {
// Fills the empty cpuset values between a new cgroup and the hierarchy's
// mount, each copied down from the nearest ancestor that has one: one read
// per level and file, and the copy written is the value just read (create's
// hot path, issue #16).
//
// A level gets sched_load_balance 0 before its cpus. With the flag on (the
// kernel's default), setting a cpuset's cpus and removing the cpuset each
// rebuild the scheduler's domains, walking every cpuset on the host while
// the offline holds cgroup_mutex: 85 us per rebuild with 1000 containers,
// twice per container, and every mkdir/rmdir of every hierarchy waits
// behind it (bench/rounds.md, "Eighteenth round"). The flag changes no
// domain when the hierarchy's root has it on: the root's CPUs then form one
// domain, whatever the cpusets below it say (cgroup-v1/cpusets.rst, 1.7).
// With the root's flag off (CPUs split into isolated domains), the kernel's
// default is left as runc leaves it.
class CpusetFill {
 public:
  explicit CpusetFill(const std::string& stop_at) : stop_at_(stop_at) {}

  std::string value(const std::string& dir, const char* file) {
    std::string value = read_value(dir, file);
    if (!value.empty()) return value;
    if (dir.size() <= stop_at_.size()) throw Error(dir + "/" + file + " is empty at the hierarchy root");
    value = this->value(dir.substr(0, dir.rfind('/')), file);
    // Only a rebuild is saved: a level that keeps the flag works the same.
    if (std::string_view(file) == "cpuset.cpus" && root_balances_all_cpus())
      (void)try_write_value(dir, "cpuset.sched_load_balance", "0");
    write_value(dir, file, value);
    return value;
  }

 private:
  bool root_balances_all_cpus() {
    if (!root_balances_) {
      try {
        root_balances_ = read_value(stop_at_, "cpuset.sched_load_balance") == "1";
      } catch (const Error&) {
        root_balances_ = false;  // unknown: the kernel's default stays
      }
    }
    return *root_balances_;
  }

  const std::string& stop_at_;
  std::optional<bool> root_balances_;
};
}  // namespace

void init_cpuset(const std::string& dir, const std::string& stop_at) {
  CpusetFill fill(stop_at);
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) fill.value(dir, file);
}

void set_pids(const std::string& dir, const spec::Pids& p) {
  // The spec says 0 is a real limit (no new tasks), and -1 is "max".
  write_value(dir, "pids.max", limit_or_max(p.limit));
}

void set_blkio(const std::string& dir, const spec::BlockIO& b) {
  // blkio.weight belongs to CFQ (gone since Linux 5.0); BFQ offers blkio.bfq.weight.
  std::string weight_file = has_file(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
  auto need = [&](const std::string& file, const char* field) {
    if (!has_file(dir, file))
      throw Error(std::string("linux.resources.blockIO.") + field + ": " + dir + "/" + file +
                  " does not exist (needs the CFQ or BFQ I/O scheduler)");
  };
  if (b.weight) {
    need(weight_file, "weight");
    write_value(dir, weight_file, std::to_string(*b.weight));
  }
  if (b.leafWeight) {
    need("blkio.leaf_weight", "leafWeight");
    write_value(dir, "blkio.leaf_weight", std::to_string(*b.leafWeight));
  }
  for (const auto& d : b.weightDevice) {
    if (d.weight) {
      need(weight_file + "_device", "weightDevice");
      write_value(dir, weight_file + "_device", device(d.major, d.minor) + " " + std::to_string(*d.weight));
    }
    if (d.leafWeight) {
      need("blkio.leaf_weight_device", "weightDevice.leafWeight");
      write_value(dir, "blkio.leaf_weight_device", device(d.major, d.minor) + " " + std::to_string(*d.leafWeight));
    }
  }
  auto throttle = [&](const std::vector<spec::BlockIODeviceThrottle>& list, const char* file) {
    for (const auto& t : list) write_value(dir, file, device(t.major, t.minor) + " " + std::to_string(t.rate));
  };
  throttle(b.throttleReadBpsDevice, "blkio.throttle.read_bps_device");
  throttle(b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device");
  throttle(b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device");
  throttle(b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device");
}

void set_hugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits) {
  write_hugetlb(dir, limits, "limit_in_bytes", "rsvd.limit_in_bytes");
}

void set_rdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma) { write_rdma(dir, rdma); }

void set_net_cls(const std::string& dir, uint32_t class_id) {
  write_value(dir, "net_cls.classid", std::to_string(class_id));
}

void set_net_prio(const std::string& dir, const std::vector<spec::NetworkInterfacePriority>& p) {
  for (const auto& e : p) {
    if (e.name.empty() || e.name.find_first_of(" \t\n") != std::string::npos)
      throw Error("linux.resources.network.priorities: invalid interface name " + quote(e.name));
    write_value(dir, "net_prio.ifpriomap", e.name + " " + std::to_string(e.priority));
  }
}

}  // namespace v1
}  // namespace hull::cgroups
