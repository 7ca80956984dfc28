#pragma once
// Running a just-cloned child beside the runtime, not after it.
//
// When the runtime has work to do right after the clone while the child
// makes its namespaces (InitPlan::cgroups_after_clone), the two overlap only
// if the child starts on another CPU. The kernel's fork balancing often
// queues the child on the runtime's own CPU, where it waits until the
// runtime blocks: measured on the 2-CPU development VM, a child forked by a
// busy parent ran after 0.1 ms on the other CPU or after the parent's whole
// 2 ms of work on the same one, about half the time each. So the runtime
// takes its current CPU out of the child's mask right after the clone (the
// kernel then migrates the queued child at once), and the child takes every
// CPU its cpuset allows once the runtime says it may go on
// (process::reset_cpu_affinity: not the mask it inherited, which the
// container's cpuset may not even hold).
#include <sched.h>
#include <sys/types.h>

namespace hull {

class OtherCpu {
 public:
  // Before the clone: the mask the child will inherit (ours). Inactive when
  // we may run on one CPU only.
  OtherCpu();
  bool active() const { return active_; }
  // After the clone, in the runtime: the child leaves our CPU. Best effort: a
  // refusal only loses the overlap.
  void push_off_our_cpu(pid_t child) const;
  // The CPUs the child inherited (ours), however many it may use right now.
  int cpu_count() const { return CPU_COUNT(&inherited_); }

 private:
  cpu_set_t inherited_{};
  bool active_ = false;
};

}  // namespace hull
