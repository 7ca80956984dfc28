#include "process/scheduling.hpp"

#include <linux/mempolicy.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include "base/cpu_list.hpp"
#include "base/error.hpp"

namespace hull::process {
namespace {

template <class T, size_t N>
std::optional<T> lookup(const std::pair<std::string_view, T> (&table)[N], std::string_view name) {
  for (const auto& [n, v] : table)
    if (n == name) return v;
  return std::nullopt;
}

// <linux/ioprio.h> is not in every libc's headers; these are ABI.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;

constexpr std::pair<std::string_view, int> kIoprioClasses[] = {
    {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3}};

constexpr std::pair<std::string_view, int> kPolicies[] = {{"SCHED_OTHER", 0},   {"SCHED_FIFO", 1}, {"SCHED_RR", 2},
                                                          {"SCHED_BATCH", 3},   {"SCHED_ISO", 4},  {"SCHED_IDLE", 5},
                                                          {"SCHED_DEADLINE", 6}};

constexpr std::pair<std::string_view, uint64_t> kSchedFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},     {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},   {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}};

constexpr std::pair<std::string_view, unsigned long> kDomains[] = {{"LINUX", PER_LINUX}, {"LINUX32", PER_LINUX32}};

constexpr std::pair<std::string_view, int> kMpolModes[] = {{"MPOL_DEFAULT", 0},
                                                           {"MPOL_PREFERRED", 1},
                                                           {"MPOL_BIND", 2},
                                                           {"MPOL_INTERLEAVE", 3},
                                                           {"MPOL_LOCAL", 4},
                                                           {"MPOL_PREFERRED_MANY", 5},
                                                           {"MPOL_WEIGHTED_INTERLEAVE", 6}};

constexpr std::pair<std::string_view, int> kMpolFlags[] = {
    {"MPOL_F_STATIC_NODES", 1 << 15}, {"MPOL_F_RELATIVE_NODES", 1 << 14}, {"MPOL_F_NUMA_BALANCING", 1 << 13}};

// struct sched_attr of sched_setattr(2); glibc < 2.41 has no wrapper.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  // SCHED_ATTR_SIZE_VER1: the kernel refuses the UTIL_CLAMP flags (EINVAL)
  // from a shorter struct. 0: the flags' clamps as the spec gives no value.
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};
static_assert(sizeof(SchedAttr) == 56);


}  // namespace

std::optional<int> ioprio_class_from_name(std::string_view n) { return lookup(kIoprioClasses, n); }
std::optional<int> sched_policy_from_name(std::string_view n) { return lookup(kPolicies, n); }
std::optional<uint64_t> sched_flag_from_name(std::string_view n) { return lookup(kSchedFlags, n); }
std::optional<unsigned long> personality_domain_from_name(std::string_view n) { return lookup(kDomains, n); }
std::optional<int> mempolicy_mode_from_name(std::string_view n) { return lookup(kMpolModes, n); }
std::optional<int> mempolicy_flag_from_name(std::string_view n) { return lookup(kMpolFlags, n); }

void apply_io_priority(const spec::IOPriority& prio, pid_t pid) {
  auto cls = ioprio_class_from_name(prio.class_);
  if (!cls) throw Error("process.ioPriority: unknown class " + quote(prio.class_));
  if (prio.priority < 0 || prio.priority > 7)
    throw Error("process.ioPriority: priority " + std::to_string(prio.priority) + " is outside 0..7");
  int value = (*cls << kIoprioClassShift) | prio.priority;
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, pid, value) < 0)
    throw_errno("process.ioPriority: ioprio_set(" + prio.class_ + ", " + std::to_string(prio.priority) + ")" +
                (errno == EPERM ? " (the realtime class needs CAP_SYS_ADMIN)" : ""));
}

void apply_scheduler(const spec::Scheduler& sched) {
  auto policy = sched_policy_from_name(sched.policy);
  if (!policy) throw Error("process.scheduler: unknown policy " + quote(sched.policy));
  SchedAttr attr = {};
  attr.size = sizeof attr;
  attr.sched_policy = static_cast<uint32_t>(*policy);
  for (const auto& f : sched.flags) {
    auto bit = sched_flag_from_name(f);
    if (!bit) throw Error("process.scheduler.flags: unknown flag " + quote(f));
    attr.sched_flags |= *bit;
  }
  attr.sched_nice = sched.nice.value_or(0);
  attr.sched_priority = static_cast<uint32_t>(sched.priority.value_or(0));
  attr.sched_runtime = sched.runtime.value_or(0);
  attr.sched_deadline = sched.deadline.value_or(0);
  attr.sched_period = sched.period.value_or(0);
  if (::syscall(SYS_sched_setattr, 0, &attr, 0) < 0) {
    int err = errno;
    std::string hint;
    // The fixed rules were checked at parse, unless a KEEP flag asked the
    // kernel to judge: the tunable ones are left.
    const bool keeps = sched.keeps_threads_own();
    if (err == EINVAL && sched.policy == "SCHED_ISO" && !keeps)
      hint = " (mainline Linux has no SCHED_ISO: only kernels with the out-of-tree -ck patches do)";
    else if (err == EINVAL && sched.policy == "SCHED_DEADLINE" && !keeps)
      hint =
          " (the period, or the deadline where no period is given, must lie within the host's "
          "/proc/sys/kernel/sched_deadline_period_min_us and sched_deadline_period_max_us, in microseconds)";
    else if (err == EINVAL)
      hint =
          " (priority must be 1..99 for SCHED_FIFO/SCHED_RR and 0 otherwise; deadline needs 1024 <= runtime <= "
          "deadline <= period, the period within the host's /proc/sys/kernel/sched_deadline_period_*_us)";
    // With realtime group scheduling a cgroup without realtime budget
    // refuses SCHED_FIFO/SCHED_RR even to CAP_SYS_NICE.
    if (err == EPERM)
      hint =
          " (realtime and deadline policies need CAP_SYS_NICE or RLIMIT_RTPRIO; where the kernel groups realtime "
          "tasks, a realtime policy also needs budget in the container's cgroup: cpu.rt_runtime_us, "
          "linux.resources.cpu.realtimeRuntime)";
    if (err == EBUSY) hint = " (no bandwidth left for SCHED_DEADLINE)";
    if (err == EOPNOTSUPP)
      hint = " (the kernel has no utilization clamping, CONFIG_UCLAMP_TASK: drop SCHED_FLAG_UTIL_CLAMP_MIN/MAX)";
    throw_errno(err, "process.scheduler: sched_setattr(" + sched.policy + ")" + hint);
  }
}

void apply_cpu_affinity(std::string_view list, std::string_view what) {
  auto cpus = parse_cpu_list(list, what);
  if (cpus.empty()) return;  // empty: leave the affinity to the kernel
  unsigned max = 0;
  for (unsigned c : cpus) max = std::max(max, c);
  size_t size = CPU_ALLOC_SIZE(max + 1);
  cpu_set_t* set = CPU_ALLOC(max + 1);
  if (!set) throw Error(std::string(what) + ": out of memory", ENOMEM);
  CPU_ZERO_S(size, set);
  for (unsigned c : cpus) CPU_SET_S(c, size, set);
  int rc = ::sched_setaffinity(0, size, set);
  int err = errno;
  CPU_FREE(set);
  if (rc < 0)
    throw_errno(err, std::string(what) + ": sched_setaffinity(" + std::string(list) + ")" +
                         (err == EINVAL ? " (no listed CPU is online and allowed by the cpuset cgroup)" : ""));
}

void reset_cpu_affinity() noexcept {
  // All bits of 8192 CPUs: the kernel keeps those that exist and that the
  // cpuset allows.
  cpu_set_t every[8];
  std::memset(every, 0xff, sizeof every);
  ::sched_setaffinity(0, sizeof every, every);
}

void apply_personality(const spec::Personality& p) {
  auto domain = personality_domain_from_name(p.domain);
  if (!domain) throw Error("linux.personality: unknown domain " + quote(p.domain) + " (LINUX or LINUX32)");
  // No flags: the parser refuses every one (the spec defines none).
  if (::personality(*domain) < 0) throw_errno("linux.personality: personality(" + p.domain + ")");
}

void apply_memory_policy(const spec::MemoryPolicy& mp) {
  auto mode = mempolicy_mode_from_name(mp.mode);
  if (!mode) throw Error("linux.memoryPolicy: unknown mode " + quote(mp.mode));
  int flags = 0;
  for (const auto& f : mp.flags) {
    auto bit = mempolicy_flag_from_name(f);
    if (!bit) throw Error("linux.memoryPolicy.flags: unknown flag " + quote(f));
    flags |= *bit;
  }
  std::vector<unsigned> nodes;
  if (mp.nodes) nodes = parse_cpu_list(*mp.nodes, "linux.memoryPolicy.nodes");
  // Which modes take nodes was checked at parse (parse_memory_policy).
  constexpr unsigned kBits = 8 * sizeof(unsigned long);
  unsigned max = 0;
  for (unsigned n : nodes) max = std::max(max, n);
  std::vector<unsigned long> mask(nodes.empty() ? 1 : (max + 1) / kBits + 1, 0);
  for (unsigned n : nodes) mask[n / kBits] |= 1UL << (n % kBits);
  // The kernel reads maxnode - 1 bits (a historical off-by-one numactl also
  // works around), so one more than the highest node.
  unsigned long maxnode = nodes.empty() ? 0 : max + 2;
  if (::syscall(SYS_set_mempolicy, *mode | flags, nodes.empty() ? nullptr : mask.data(), maxnode) < 0)
    throw_errno("linux.memoryPolicy: set_mempolicy(" + mp.mode + (mp.nodes ? ", " + *mp.nodes : "") + ")" +
                (errno == EINVAL ? " (a node that does not exist, or flags the mode does not take)" : ""));
}

}  // namespace hull::process
