// runtime/other_cpu.hpp: a child pushed off the runtime's CPU runs
// elsewhere until it restores the mask it inherited. No root needed: a
// process may set its own child's affinity.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/other_cpu.hpp"

namespace {

TEST(OtherCpu, TheChildLeavesOurCpuAndGetsItsInheritedMaskBack) {
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
    try {
      other.restore_in_child();
    } catch (...) {
      ::_exit(14);
    }
    cpu_set_t restored;
    if (::sched_getaffinity(0, sizeof restored, &restored) < 0) ::_exit(15);
    ::_exit(CPU_EQUAL(&restored, &ours) ? 0 : 16);  // the mask before our pin
  }
  other.push_off_our_cpu(child);
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(go[0]);
  ::close(go[1]);
  ASSERT_EQ(::sched_setaffinity(0, sizeof ours, &ours), 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "12: not pushed off, 13: ran on our CPU, 16: mask not restored";
}

}  // namespace
