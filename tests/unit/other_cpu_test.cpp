// runtime/other_cpu.hpp: a child pushed off the runtime's CPU runs
// elsewhere until it takes every CPU of its cpuset back
// (process::reset_cpu_affinity). No root needed: a process may set its own
// child's affinity.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process/scheduling.hpp"
#include "runtime/other_cpu.hpp"

namespace {

TEST(OtherCpu, TheChildLeavesOurCpuAndGetsEveryCpuOfItsCpusetBack) {
  hull::OtherCpu other;
  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  if (!other.active()) GTEST_SKIP() << "this process may run on one CPU only";
  // Pinned to one CPU, so that "our CPU" stays the same between the push and
  // the child's check.
  const int cpu = ::sched_getcpu();
  ASSERT_GE(cpu, 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);

  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(10);
    cpu_set_t pushed;
    if (::sched_getaffinity(0, sizeof pushed, &pushed) < 0) ::_exit(11);
    if (CPU_ISSET(cpu, &pushed) || CPU_COUNT(&pushed) == 0) ::_exit(12);  // still allowed on the runtime's CPU
    if (::sched_getcpu() == cpu) ::_exit(13);
    hull::process::reset_cpu_affinity();
    cpu_set_t reset;
    if (::sched_getaffinity(0, sizeof reset, &reset) < 0) ::_exit(15);
    // Every CPU of the mask before our pin (and any more the cpuset allows:
    // the pin and the push are both undone).
    cpu_set_t both;
    CPU_AND(&both, &reset, &ours);
    ::_exit(CPU_EQUAL(&both, &ours) ? 0 : 16);
  }
  other.push_off_our_cpu(child);
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(go[0]);
  ::close(go[1]);
  ASSERT_EQ(::sched_setaffinity(0, sizeof ours, &ours), 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "12: not pushed off, 13: ran on our CPU, 16: not back on every CPU of the mask before the pin";
}

}  // namespace
