// HULL_TRACE_PHASES (bench/phases.sh): marks go to the caller's fd only
// when the variable names an open fd >= 3; otherwise nothing is written.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

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

TEST_F(PhaseTrace, MarksGoToTheNamedFdAsPhaseTimePid) {
  ::setenv("HULL_TRACE_PHASES", std::to_string(p_[1]).c_str(), 1);
  phase_trace_from_env();
  phase_mark("parsed");
  std::string out = drain();
  std::string pid = std::to_string(::getpid());
  // "main" from phase_trace_from_env itself, then the mark.
  ASSERT_EQ(out.rfind("main ", 0), 0u) << out;
  EXPECT_NE(out.find(" " + pid + "\nparsed "), std::string::npos) << out;
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
