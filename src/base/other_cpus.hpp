#pragma once
// The CPUs a new task should start on so that it runs beside us, not after
// us. The kernel's fork balancing often queues a new task (a cloned child, a
// helper thread) on its creator's CPU, where it waits until the creator
// blocks: measured on the 2-CPU development VM for the container init
// (runtime/other_cpu.hpp) and for list's helper threads (base/parallel.hpp).
#include <sched.h>

namespace hull {

// Clears from `allowed` (a mask we may run on) the CPU this thread runs on
// now. False, with `allowed` untouched, when that CPU is not known, not in
// the mask, or the only one in it.
bool leave_out_current_cpu(cpu_set_t& allowed);

}  // namespace hull
