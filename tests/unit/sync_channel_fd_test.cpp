// An fd over the sync channel (exec under a seccomp notify profile sends its
// listener this way): the fd arrives and is usable, an Error sent instead
// crosses with its errno, and a peer gone before sending is an error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.hpp"
#include "runtime/sync_channel.hpp"

namespace {

using hull::SyncChannel;
using hull::SyncMsg;

TEST(SyncChannelFd, TheFdArrivesWithItsMessage) {
  auto [runtime, child] = SyncChannel::make_pair();
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  child.send_fd(SyncMsg::SeccompListener, p[1]);
  ::close(p[1]);
  hull::UniqueFd got = runtime.expect_fd(SyncMsg::SeccompListener);
  ASSERT_TRUE(got);
  EXPECT_TRUE(::fcntl(got.get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(::write(got.get(), "x", 1), 1);
  char c = 0;
  EXPECT_EQ(::read(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  ::close(p[0]);
}

TEST(SyncChannelFd, AnErrorInsteadOfTheFdIsThrownWithItsErrno) {
  auto [runtime, child] = SyncChannel::make_pair();
  child.send_error(EACCES, "load the seccomp filter");
  try {
    runtime.expect_fd(SyncMsg::SeccompListener);
    FAIL() << "no error";
  } catch (const hull::Error& e) {
    EXPECT_EQ(e.code(), EACCES);
    EXPECT_EQ(e.message(), "load the seccomp filter");
  }
}

TEST(SyncChannelFd, APeerGoneBeforeSendingIsAnError) {
  auto [runtime, child] = SyncChannel::make_pair();
  child.close();
  try {
    runtime.expect_fd(SyncMsg::SeccompListener);
    FAIL() << "no error";
  } catch (const hull::Error& e) {
    EXPECT_EQ(std::string(e.what()), "the container process exited during set-up");
  }
}

TEST(SyncChannelFd, AnotherMessageIsAProtocolError) {
  auto [runtime, child] = SyncChannel::make_pair();
  child.send(SyncMsg::Ready);
  try {
    runtime.expect_fd(SyncMsg::SeccompListener);
    FAIL() << "no error";
  } catch (const hull::Error& e) {
    EXPECT_EQ(std::string(e.what()), "sync protocol: expected seccomp-listener, got ready");
  }
}

}  // namespace
