#pragma once
// Per-controller writers: spec values -> interface files of one cgroup
// directory. Each takes the directory as a parameter so tests run them on a
// temporary tree standing in for cgroupfs. Only the fields that are set are
// written. Errors name the spec field or the file and value.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.hpp"

namespace hull::cgroups {

using Warnings = std::vector<std::string>;

// hugetlb and rdma have the same files on v1 and v2 but for the name of the
// limit: hugetlb.<size>.<limit_suffix> (and .<rsvd_suffix> where the kernel
// has reservation accounting), rdma.max.
void write_hugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits,
                   const std::string& limit_suffix, const std::string& rsvd_suffix);
void write_rdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma);
// cpuset.cpus and cpuset.mems, the same files on v1 and v2; a value the
// kernel refuses is named by its own field (cpu.cpus or cpu.mems).
void write_cpuset(const std::string& dir, const spec::CPU& c);
// The cpu bandwidth (write_quota_and_period, when quota or period is set)
// and burst (into burst_file). The kernel refuses a quota below the current
// burst and a burst above the current quota, so a burst that fits the
// current quota goes first (both lowered), any other after the quota (raised).
void write_bandwidth_and_burst(const std::string& dir, const spec::CPU& c, const char* burst_file,
                               const std::function<void()>& write_quota_and_period);
// A burst above the quota, refused before any write (the kernel's EINVAL
// would come half-way, and say nothing of why).
void check_burst_fits_quota(const spec::CPU& c);
// cpu.idle and write_weight (cpu.shares, cpu.weight). The kernel refuses a
// new weight of an idle group, gives one the least weight, and one leaving
// idle the default weight: a group leaves idle before its weight is
// written, and one made or kept idle gets no weight written (the shares
// are its weight once it leaves idle; update sends them along then).
void write_weight_and_idle(const std::string& dir, const spec::CPU& c, const std::function<void()>& write_weight);

struct ApplyOptions {
  bool updating = false;  // `update` of a running container rather than create
  Warnings* warnings = nullptr;
};
// memory.checkBeforeUpdate: an update's memory limit below the usage (read
// from usage_file) is refused, where v2 would OOM-kill and v1 reclaim the
// page cache down to it, neither of which the spec lets the runtime do then.
void check_limit_not_below_usage(const std::string& dir, const char* usage_file, const spec::Memory& m,
                                 const ApplyOptions& o);

namespace v1 {
void set_memory(const std::string& dir, const spec::Memory& m, const ApplyOptions& o);
void set_cpu(const std::string& dir, const spec::CPU& c);
void set_pids(const std::string& dir, const spec::Pids& p);
void set_blkio(const std::string& dir, const spec::BlockIO& b);
void set_hugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits);
void set_rdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma);
void set_net_cls(const std::string& dir, uint32_t class_id);
void set_net_prio(const std::string& dir, const std::vector<spec::NetworkInterfacePriority>& p);
// A new v1 cpuset cgroup starts with empty cpus/mems and refuses tasks until
// they are set: copy them from the nearest ancestor, filling each empty level
// between `dir` and `stop_at` (the hierarchy's mount) on the way down.
void init_cpuset(const std::string& dir, const std::string& stop_at);
}  // namespace v1

namespace v2 {
void set_memory(const std::string& dir, const spec::Memory& m, const ApplyOptions& o);
void set_cpu(const std::string& dir, const spec::CPU& c, const ApplyOptions& o);
void set_pids(const std::string& dir, const spec::Pids& p);
void set_io(const std::string& dir, const spec::BlockIO& b, const ApplyOptions& o);
void set_hugetlb(const std::string& dir, const std::vector<spec::HugepageLimit>& limits);
void set_rdma(const std::string& dir, const std::map<std::string, spec::Rdma>& rdma);
// Throws for a key that is not a plain file name in the cgroup directory.
void check_unified_key(const std::string& key);
void set_unified(const std::string& dir, const std::map<std::string, std::string>& unified);
// Whether two files are views of one kernel value (cpu.weight and
// cpu.weight.nice: writing either sets the other), or the same file: a
// unified key naming one decides what a field written to the other holds.
bool same_value(std::string_view a, std::string_view b);
}  // namespace v2

// True when the CPU object sets something for the cpu (not cpuset) controller.
bool has_cpu_fields(const spec::CPU& c);
bool has_cpuset_fields(const spec::CPU& c);

}  // namespace hull::cgroups
