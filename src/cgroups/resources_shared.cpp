#include "base/error.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/convert.hpp"
#include "cgroups/resources.hpp"

namespace hull::cgroups {

void check_burst_fits_quota(const spec::CPU& c) {
  if (c.quota && c.burst && *c.quota > 0 && *c.burst > static_cast<uint64_t>(*c.quota))
    throw Error("linux.resources.cpu.burst: " + std::to_string(*c.burst) + " is larger than quota " +
                std::to_string(*c.quota) + " (a burst is at most the quota: give a smaller one, or 0, with it)");
}

void write_bandwidth_and_burst(const std::string& dir, const spec::CPU& c, const char* burst_file,
                               const std::function<void()>& write_quota_and_period) {
  const bool bandwidth = c.quota || c.period;
  bool burst_written = false;
  if (c.burst && bandwidth) {
    try {
      write_value(dir, burst_file, std::to_string(*c.burst));
      burst_written = true;
    } catch (const Error& e) {
      if (e.code() != EINVAL) throw;
    }
  }
  if (bandwidth) write_quota_and_period();
  if (c.burst && !burst_written) write_value(dir, burst_file, std::to_string(*c.burst));
}

void write_weight_and_idle(const std::string& dir, const spec::CPU& c, const std::function<void()>& write_weight) {
  if (c.idle && *c.idle != 0) {
    write_value(dir, "cpu.idle", std::to_string(*c.idle));
    return;
  }
  if (c.idle) write_value(dir, "cpu.idle", "0");
  write_weight();
}

void check_limit_not_below_usage(const std::string& dir, const char* usage_file, const spec::Memory& m,
                                 const ApplyOptions& o) {
  if (!o.updating || !m.checkBeforeUpdate.value_or(false) || !m.limit || *m.limit < 0) return;
  const uint64_t current = read_u64(dir, usage_file);
  if (static_cast<uint64_t>(*m.limit) < current)
    throw Error("linux.resources.memory.limit: " + std::to_string(*m.limit) + " is below the current usage " +
                std::to_string(current) + " (checkBeforeUpdate)");
}

void write_cpuset(const std::string& dir, const spec::CPU& c) {
  if (c.cpus) with_context("linux.resources.cpu.cpus", [&] { write_value(dir, "cpuset.cpus", *c.cpus); });
  if (c.mems) with_context("linux.resources.cpu.mems", [&] { write_value(dir, "cpuset.mems", *c.mems); });
}

void write_hugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits,
                   const std::string& limit_suffix, const std::string& rsvd_suffix) {
  for (const auto& l : limits) {
    check_page_size(l.pageSize);
    std::string file = "hugetlb." + l.pageSize + "." + limit_suffix;
    if (!has_file(dir, file))
      throw Error("linux.resources.hugepageLimits: page size " + quote(l.pageSize) +
                  " is not supported by this host (no " + dir + "/" + file + ")");
    write_value(dir, file, std::to_string(l.limit));
    // Reservation accounting (Linux 5.7) is the one the spec prefers.
    std::string rsvd = "hugetlb." + l.pageSize + "." + rsvd_suffix;
    if (has_file(dir, rsvd)) write_value(dir, rsvd, std::to_string(l.limit));
  }
}

void write_rdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma) {
  for (const auto& [dev, r] : rdma) {
    if (dev.empty() || dev.find_first_of(" \t\n=") != std::string::npos)
      throw Error("linux.resources.rdma: invalid device name " + quote(dev));
    std::string line = dev;
    if (r.hcaHandles) line += " hca_handle=" + std::to_string(*r.hcaHandles);
    if (r.hcaObjects) line += " hca_object=" + std::to_string(*r.hcaObjects);
    write_value(dir, "rdma.max", line);
  }
}

}  // namespace hull::cgroups
