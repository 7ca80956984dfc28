#include "runtime/other_cpu.hpp"

#include "base/other_cpus.hpp"

namespace hull {

OtherCpu::OtherCpu() {
  if (::sched_getaffinity(0, sizeof inherited_, &inherited_) < 0) return;
  active_ = CPU_COUNT(&inherited_) > 1;
}

void OtherCpu::push_off_our_cpu(pid_t child) const {
  if (!active_) return;
  cpu_set_t others = inherited_;
  if (leave_out_current_cpu(others)) ::sched_setaffinity(child, sizeof others, &others);
}

}  // namespace hull
