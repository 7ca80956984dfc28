// HULL_TRACE_PHASES (bench/phases.sh): marks go to the caller's fd only
// when the variable names an open fd >= 3; otherwise nothing is written.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/phase_trace.hpp"

namespace hull {
namespace {

class PhaseTrace : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe2(p_, O_NONBLOCK), 0); }
  void TearDown() override {
    detail::phase_trace_fd = -1;
    ::unsetenv("HULL_TRACE_PHASES");
    ::close(p_[0]);
    ::close(p_[1]);
  }
  std::string drain() {
    char buf[4096];
    ssize_t n = ::read(p_[0], buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  int p_[2] = {-1, -1};
};

TEST_F(PhaseTrace, MarksGoToTheNamedFdAsPhaseTimePidFaultsCpuSwitches) {
  ::setenv("HULL_TRACE_PHASES", std::to_string(p_[1]).c_str(), 1);
  phase_trace_from_env();
  // Touching fresh pages between the marks: the second count is higher.
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<char> fresh(64 * page);
  for (size_t i = 0; i < fresh.size(); i += page) fresh[i] = 1;
  // And a sleep: one more voluntary context switch.
  const timespec nap{0, 1000000};
  ::nanosleep(&nap, nullptr);
  phase_mark("parsed");
  std::string out = drain();
  std::string pid = std::to_string(::getpid());
  // "main" from phase_trace_from_env itself, then the mark.
  ASSERT_EQ(out.rfind("main ", 0), 0u) << out;
  std::istringstream lines(out);
  std::string name1, name2, pid1, pid2;
  long long t1 = 0, t2 = 0, f1 = -1, f2 = -1;
  int cpu1 = -1, cpu2 = -1;
  long vol1 = -1, vol2 = -1, invol1 = -1, invol2 = -1;
  lines >> name1 >> t1 >> pid1 >> f1 >> cpu1 >> vol1 >> invol1 >> name2 >> t2 >> pid2 >> f2 >> cpu2 >> vol2 >> invol2;
  EXPECT_EQ(name1, "main");
  EXPECT_EQ(name2, "parsed");
  EXPECT_EQ(pid1, pid);
  EXPECT_EQ(pid2, pid);
  EXPECT_GE(f1, 0) << out;
  EXPECT_GE(f2, f1 + 32) << out;  // 64 pages touched (the heap may have had a few already)
  cpu_set_t allowed;
  ASSERT_EQ(::sched_getaffinity(0, sizeof allowed, &allowed), 0);
  ASSERT_GE(cpu1, 0) << out;
  ASSERT_GE(cpu2, 0) << out;
  EXPECT_TRUE(CPU_ISSET(cpu1, &allowed)) << out;
  EXPECT_TRUE(CPU_ISSET(cpu2, &allowed)) << out;
  EXPECT_GE(vol1, 0) << out;
  EXPECT_GE(vol2, vol1 + 1) << out;  // the sleep
  EXPECT_GE(invol1, 0) << out;
  EXPECT_GE(invol2, invol1) << out;
  EXPECT_EQ(out.back(), '\n');
  // Hooks and other programs hull executes do not inherit it.
  EXPECT_TRUE(::fcntl(p_[1], F_GETFD) & FD_CLOEXEC);
}

TEST_F(PhaseTrace, TimesAreMonotonicNanoseconds) {
  ::setenv("HULL_TRACE_PHASES", std::to_string(p_[1]).c_str(), 1);
  phase_trace_from_env();
  phase_mark("b");
  std::string out = drain();
  long long t1 = std::atoll(out.c_str() + out.find(' ') + 1);
  size_t second = out.find('\n') + 1;
  long long t2 = std::atoll(out.c_str() + out.find(' ', second) + 1);
  EXPECT_GT(t1, 0);
  EXPECT_GE(t2, t1);
}

TEST_F(PhaseTrace, OffUnlessTheVariableNamesAnOpenFdAboveStdio) {
  for (const char* v : {"", "2", "x9", "99999", "1048577"}) {
    ::setenv("HULL_TRACE_PHASES", v, 1);
    phase_trace_from_env();
    EXPECT_EQ(detail::phase_trace_fd, -1) << v;
  }
  std::string closed = std::to_string(p_[1] + 100);  // not open
  ::setenv("HULL_TRACE_PHASES", closed.c_str(), 1);
  phase_trace_from_env();
  EXPECT_EQ(detail::phase_trace_fd, -1);
  ::unsetenv("HULL_TRACE_PHASES");
  phase_trace_from_env();
  phase_mark("nothing");
  EXPECT_EQ(drain(), "");
}

}  // namespace
}  // namespace hull
