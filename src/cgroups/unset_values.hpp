#pragma once
// The rule: an unset value is absent, zero included, wherever runc treats it
// so. Clients build linux.resources from structs whose zero means "not set":
// Docker sends blockIO.weight 0, cpu.shares 0, cpu.period 0 ... on every
// create and update, and runc 1.1 (libcontainer/cgroups/fs, fs2 and
// specconv) writes none of them. Writing them fails (blkio.bfq.weight 0 is
// out of range, cfs_period_us 0 is EINVAL) or changes the container (cpu.shares
// 0 becomes 2 where the kernel's default is 1024).
//
// What counts as unset, for create and update, cgroup v1 and v2 alike:
//   memory.limit, .reservation, .swap, .kernel, .kernelTCP   0
//   memory.swappiness                                        2^64-1 (-1 read as unsigned)
//   cpu.shares, .quota, .period, .realtimeRuntime,
//       .realtimePeriod                                      0
//   cpu.cpus, cpu.mems                                       ""
//   pids.limit                                               0 (negative is "max")
// pids.limit 0 stays unset although runtime-spec 1.3 asks for a limit of 0
// (runc 1.4 writes it): podman 4.3 sends 0 for --pids-limit -1 and 0, both
// meaning no limit, and crun 1.8 writes "max" for it.
//   blockIO.weight, .leafWeight, weightDevice[].weight,
//       weightDevice[].leafWeight                            0 (an entry with neither goes)
// A group left with nothing set is dropped, so it needs no controller.
// Everything else keeps its meaning (hugepage limit 0, throttle rate 0,
// cpu.burst 0 and cpu.idle 0 are real values).
#include "spec/spec.hpp"

namespace hull::cgroups {

spec::Resources without_unset_values(spec::Resources r);

}  // namespace hull::cgroups
