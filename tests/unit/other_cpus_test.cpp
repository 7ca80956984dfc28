// The mask a new task gets so that it starts beside us: ours less our CPU.
#include <gtest/gtest.h>
#include <sched.h>

#include "base/other_cpus.hpp"

namespace hull {
namespace {

TEST(LeaveOutCurrentCpu, AMaskOfOneCpuIsLeftAsItIs) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  cpu_set_t before = one;
  EXPECT_FALSE(leave_out_current_cpu(one));
  EXPECT_TRUE(CPU_EQUAL(&one, &before));
}

TEST(LeaveOutCurrentCpu, ClearsExactlyTheCpuWeRunOn) {
  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  if (CPU_COUNT(&ours) < 2) GTEST_SKIP() << "one usable CPU";
  // Pinned to two of our CPUs, we run on one of them: that one goes.
  cpu_set_t two;
  CPU_ZERO(&two);
  for (int cpu = 0, n = 0; cpu < CPU_SETSIZE && n < 2; ++cpu)
    if (CPU_ISSET(cpu, &ours)) CPU_SET(cpu, &two), ++n;
  ASSERT_EQ(::sched_setaffinity(0, sizeof two, &two), 0);
  cpu_set_t mask = two;
  const bool cleared = leave_out_current_cpu(mask);
  ASSERT_EQ(::sched_setaffinity(0, sizeof ours, &ours), 0);
  EXPECT_TRUE(cleared);
  EXPECT_EQ(CPU_COUNT(&mask), 1);
}

}  // namespace
}  // namespace hull
