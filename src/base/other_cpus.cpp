#include "base/other_cpus.hpp"

namespace hull {

bool leave_out_current_cpu(cpu_set_t& allowed) {
  const int cpu = ::sched_getcpu();
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2) return false;
  CPU_CLR(cpu, &allowed);
  return true;
}

}  // namespace hull
