// An fd over the sync channel (exec under a seccomp notify profile sends its
// listener this way): the fd arrives and is usable, an Error sent instead
// crosses with its errno, and a peer gone before sending is an error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <span>
#include <string>
#include <vector>

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

// The sealed view and the v1 tasks files go this way: a payload, and fds in
// order (none when there is nothing to pass). A receiver that asks for no
// fds gets none left open.
TEST(SyncChannelFd, APayloadTravelsWithItsFdsInOrderOrWithout) {
  auto [runtime, child] = SyncChannel::make_pair();
  int a[2], b[2];
  ASSERT_EQ(::pipe2(a, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(b, O_CLOEXEC), 0);
  const int two[] = {a[1], b[1]};
  runtime.send_to_waiting_peer(SyncMsg::CgroupsMade, "first", two);
  runtime.send_to_waiting_peer(SyncMsg::SealedView, "second");
  runtime.send_to_waiting_peer(SyncMsg::SealedView, "third", std::span(&a[1], 1));
  ::close(a[1]);
  ::close(b[1]);
  std::string payload;
  std::vector<hull::UniqueFd> fds;
  child.expect(SyncMsg::CgroupsMade, &payload, &fds);
  EXPECT_EQ(payload, "first");
  ASSERT_EQ(fds.size(), 2U);
  EXPECT_TRUE(::fcntl(fds[0].get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(fds[1].get(), F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(::write(fds[0].get(), "a", 1), 1);
  ASSERT_EQ(::write(fds[1].get(), "b", 1), 1);
  char c = 0;
  EXPECT_EQ(::read(a[0], &c, 1), 1);
  EXPECT_EQ(c, 'a');
  EXPECT_EQ(::read(b[0], &c, 1), 1);
  EXPECT_EQ(c, 'b');
  fds.clear();
  child.expect(SyncMsg::SealedView, &payload, &fds);
  EXPECT_EQ(payload, "second");
  EXPECT_TRUE(fds.empty());
  EXPECT_EQ(::read(b[0], &c, 1), 0);  // b's last writer went with the first message's fds
  // Received without asking for fds: dropped, so a's last writer is gone too.
  child.expect(SyncMsg::SealedView, &payload);
  EXPECT_EQ(payload, "third");
  EXPECT_EQ(::read(a[0], &c, 1), 0);
  ::close(a[0]);
  ::close(b[0]);
}

TEST(SyncChannelFd, MoreFdsThanTheChannelCarriesAreRefused) {
  auto [runtime, child] = SyncChannel::make_pair();
  std::vector<int> many(SyncChannel::kMaxPassedFds + 1, 0);
  try {
    runtime.send_to_waiting_peer(SyncMsg::CgroupsMade, {}, many);
    FAIL() << "no error";
  } catch (const hull::Error& e) {
    EXPECT_EQ(e.code(), E2BIG);
  }
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
