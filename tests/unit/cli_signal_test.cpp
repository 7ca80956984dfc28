#include <gtest/gtest.h>

#include <csignal>

#include "base/error.hpp"
#include "runtime/operations.hpp"

namespace hull {
namespace {

TEST(ParseSignal, NamesWithAndWithoutSig) {
  EXPECT_EQ(parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(parse_signal("SIGKILL"), SIGKILL);
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGHUP"), SIGHUP);
  EXPECT_EQ(parse_signal("USR1"), SIGUSR1);
  EXPECT_EQ(parse_signal("SIGWINCH"), SIGWINCH);
  EXPECT_EQ(parse_signal("sys"), SIGSYS);
}

TEST(ParseSignal, CaseInsensitiveLikeRunc) {
  EXPECT_EQ(parse_signal("kill"), SIGKILL);
  EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
  EXPECT_EQ(parse_signal("SigInt"), SIGINT);
}

TEST(ParseSignal, Numbers) {
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal("15"), 15);
  EXPECT_EQ(parse_signal("0"), 0);
  EXPECT_EQ(parse_signal("64"), 64);
  // As runc's strconv.Atoi reads them.
  EXPECT_EQ(parse_signal("+9"), 9);
  EXPECT_EQ(parse_signal("0015"), 15);
  EXPECT_EQ(parse_signal("-0"), 0);
}

TEST(ParseSignal, Aliases) {
  EXPECT_EQ(parse_signal("IOT"), SIGABRT);
  EXPECT_EQ(parse_signal("CLD"), SIGCHLD);
  EXPECT_EQ(parse_signal("SIGPOLL"), SIGIO);
}

TEST(ParseSignal, RealTime) {
  EXPECT_EQ(parse_signal("RTMIN"), 34);
  EXPECT_EQ(parse_signal("SIGRTMIN+1"), 35);
  EXPECT_EQ(parse_signal("rtmin+30"), 64);
  EXPECT_EQ(parse_signal("SIGRTMAX"), 64);
  EXPECT_EQ(parse_signal("RTMAX-2"), 62);
  EXPECT_THROW(parse_signal("RTMIN-1"), Error);
  EXPECT_THROW(parse_signal("RTMIN+31"), Error);
  EXPECT_THROW(parse_signal("RTMAX+1"), Error);
  EXPECT_THROW(parse_signal("RTMIN+"), Error);
}

TEST(ParseSignal, RejectsUnknownWithTheInput) {
  for (const char* bad : {"", "SIG", "FOO", "SIGFOO", "-9", "65", "9x", " 9", "1000", "KILL ", "+", "1_5", "0x9"}) {
    try {
      parse_signal(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.message(), "unknown signal " + quote(bad));
    }
  }
}

}  // namespace
}  // namespace hull
