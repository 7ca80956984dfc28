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

// The sealed view goes this way: a payload, and an fd only when there is a
// file to switch to. A receiver that asks for no fd gets none left open.
TEST(SyncChannelFd, APayloadTravelsWithAnFdOrWithout) {
  auto [runtime, child] = SyncChannel::make_pair();
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  runtime.send_to_waiting_peer(SyncMsg::SealedView, "offer-1", p[1]);
  runtime.send_to_waiting_peer(SyncMsg::SealedView, "offer-2");
  runtime.send_to_waiting_peer(SyncMsg::SealedView, "offer-3", p[1]);
  ::close(p[1]);
  std::string payload;
  hull::UniqueFd fd;
  child.expect(SyncMsg::SealedView, &payload, &fd);
  EXPECT_EQ(payload, "offer-1");
  ASSERT_TRUE(fd);
  EXPECT_TRUE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(::write(fd.get(), "y", 1), 1);
  fd.reset();
  char c = 0;
  EXPECT_EQ(::read(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  child.expect(SyncMsg::SealedView, &payload, &fd);
  EXPECT_EQ(payload, "offer-2");
  EXPECT_FALSE(fd);
  // Received without asking for the fd: dropped, so the pipe's last writer is gone.
  child.expect(SyncMsg::SealedView, &payload);
  EXPECT_EQ(payload, "offer-3");
  EXPECT_EQ(::read(p[0], &c, 1), 0);
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
