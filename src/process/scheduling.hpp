#pragma once
// Where and how the process runs: process.ioPriority, process.scheduler,
// process.execCPUAffinity, linux.personality, linux.memoryPolicy.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "spec/spec.hpp"

namespace hull::process {

// Name tables (nullopt = unknown name), exposed for tests and `features`.
std::optional<int> ioprio_class_from_name(std::string_view name);                  // IOPRIO_CLASS_*
std::optional<int> sched_policy_from_name(std::string_view name);                  // SCHED_*
std::optional<uint64_t> sched_flag_from_name(std::string_view name);               // SCHED_FLAG_*
std::optional<unsigned long> personality_domain_from_name(std::string_view name);  // LINUX, LINUX32
std::optional<int> mempolicy_mode_from_name(std::string_view name);                // MPOL_*
std::optional<int> mempolicy_flag_from_name(std::string_view name);                // MPOL_F_*

// process.ioPriority, of process `pid` (0: this one).
void apply_io_priority(const spec::IOPriority& prio, pid_t pid = 0);
void apply_scheduler(const spec::Scheduler& sched);
// sched_setaffinity(0, cpus in `list`); `what` names the field in errors.
void apply_cpu_affinity(std::string_view list, std::string_view what);
// Every CPU the calling task's cpuset cgroup allows, whatever affinity it
// inherited from the runtime and the runtime's caller (a service pinned to
// housekeeping CPUs, a taskset): since Linux 6.2 an affinity once set by
// sched_setaffinity is kept across cgroup moves and cpuset changes, so the
// container would stay on its caller's CPUs (runc 1.2 and crun reset it
// too). Called once the task is in its final cgroups. Best effort: never
// fails.
void reset_cpu_affinity() noexcept;
void apply_personality(const spec::Personality& p);
void apply_memory_policy(const spec::MemoryPolicy& mp);

}  // namespace hull::process
