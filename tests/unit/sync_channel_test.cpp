// The parent/child sync protocol (runtime/sync_channel.hpp): every message
// crosses intact, an error crosses with its errno and text, and a peer that
// dies mid-protocol is an error, never a hang.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "runtime/sync_channel.hpp"
#include "support/forked_child.hpp"

namespace {

using hull::SyncChannel;
using hull::SyncMsg;

// A receive that would hang fails the test after a few seconds instead (EAGAIN).
void limit_receive_time(const SyncChannel& c) {
  timeval tv{5, 0};
  ASSERT_EQ(::setsockopt(c.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
}

// The message thrown by `f`, or "<no error>".
template <typename F>
std::string error_with_code(F&& f, int* code = nullptr) {
  try {
    f();
  } catch (const hull::Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "<no error>";
}

TEST(SyncChannel, EveryMessageTypeRoundTripsWithItsPayload) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  for (SyncMsg m : {SyncMsg::RuntimeStep, SyncMsg::Continue, SyncMsg::Ready, SyncMsg::State}) {
    std::string payload = std::string("payload of ") + hull::to_string(m);
    init.send(m, payload);
    std::string got;
    EXPECT_EQ(runtime.receive(&got), m);
    EXPECT_EQ(got, payload);
    // And the other way.
    runtime.send(m);
    EXPECT_EQ(init.receive(&got), m);
    EXPECT_EQ(got, "");
  }
}

TEST(SyncChannel, NamesEveryMessageType) {
  EXPECT_STREQ(hull::to_string(SyncMsg::RuntimeStep), "runtime-step");
  EXPECT_STREQ(hull::to_string(SyncMsg::Continue), "continue");
  EXPECT_STREQ(hull::to_string(SyncMsg::Ready), "ready");
  EXPECT_STREQ(hull::to_string(SyncMsg::Error), "error");
  EXPECT_STREQ(hull::to_string(SyncMsg::State), "state");
  EXPECT_STREQ(hull::to_string(SyncMsg::SeccompListener), "seccomp-listener");
  EXPECT_STREQ(hull::to_string(SyncMsg::Start), "start");
  EXPECT_STREQ(hull::to_string(SyncMsg::CgroupsMade), "cgroups-made");
  EXPECT_STREQ(hull::to_string(SyncMsg::SealedView), "sealed-view");
  EXPECT_STREQ(hull::to_string(SyncMsg::MemoryCgroupMade), "memory-cgroup-made");
  EXPECT_STREQ(hull::to_string(SyncMsg::IdmapTree), "idmap-tree");
}

// A payload longer than one packet (the state of a container with large
// annotations: CRI-O copies a pod's, up to Kubernetes' 256 KiB) crosses in
// pieces and arrives whole, and the message after it keeps its bounds.
TEST(SyncChannel, StatePayloadKeepsItsBytesAtAnySize) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  limit_receive_time(init);
  // 64 KiB less the 12-byte header is one packet's payload: sizes around one
  // and two pieces, and a state of 300 KiB.
  for (size_t size : {size_t{0}, size_t{65524}, size_t{65525}, size_t{131048}, size_t{131049}, size_t{300} * 1024}) {
    SCOPED_TRACE(size);
    std::string big(size, '\0');
    for (size_t i = 0; i < size; ++i) big[i] = static_cast<char>(i % 251);  // binary-safe, no period of a piece
    // The pieces can fill the socket's buffer: sent while this end reads.
    std::thread sender([&] {
      runtime.send(SyncMsg::State, big);
      runtime.send(SyncMsg::Continue, "after");
    });
    std::string got, after;
    init.expect(SyncMsg::State, &got);
    init.expect(SyncMsg::Continue, &after);
    sender.join();
    EXPECT_EQ(got.size(), size);
    EXPECT_TRUE(got == big);
    EXPECT_EQ(after, "after");
  }
}

TEST(SyncChannel, AnErrorCrossesWithItsErrnoAndText) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  init.send_error(EPERM, "mount proc on /proc");
  int code = 0;
  std::string what = error_with_code([&] { runtime.receive(); }, &code);
  EXPECT_EQ(code, EPERM);
  EXPECT_NE(what.find("mount proc on /proc"), std::string::npos) << what;
  EXPECT_NE(what.find(hull::errno_text(EPERM)), std::string::npos) << what;
}

TEST(SyncChannel, AnErrorInsteadOfTheExpectedMessageIsThatError) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  init.send_error(ENOENT, "exec /bin/missing");
  int code = 0;
  std::string what = error_with_code([&] { runtime.expect(SyncMsg::Ready); }, &code);
  EXPECT_EQ(code, ENOENT);
  EXPECT_NE(what.find("exec /bin/missing"), std::string::npos) << what;
}

// `run` sends Start ahead, while the init still sets up. An init that fails
// before reading it closes its end with that message unread, for which the
// kernel reports ECONNRESET once, ahead of the error the init sent before
// closing: that error is what must come out (the pure cgroup v2 lane lost
// it to "connection reset by peer" when the init's exit came first).
TEST(SyncChannel, AnErrorSentBeforeClosingWithOurMessageUnreadIsThatError) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  runtime.send(SyncMsg::Start);
  init.send_error(EINVAL, "linux.seccomp.syscalls[0].errnoRet: bad");
  init.close();
  int code = 0;
  std::string what = error_with_code([&] { runtime.expect(SyncMsg::Ready); }, &code);
  EXPECT_EQ(code, EINVAL);
  EXPECT_NE(what.find("syscalls[0].errnoRet"), std::string::npos) << what;
  // Closed with nothing sent: the init's end of the protocol, not a reset.
  auto again = SyncChannel::make_pair();
  again.first.send(SyncMsg::Start);
  again.second.close();
  EXPECT_EQ(error_with_code([&] { again.first.receive(); }), "the container init exited during set-up");
}

TEST(SyncChannel, AnUnexpectedMessageNamesBoth) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  init.send(SyncMsg::Ready);
  EXPECT_EQ(error_with_code([&] { runtime.expect(SyncMsg::Continue); }), "sync protocol: expected continue, got ready");
}

TEST(SyncChannel, AChildThatDiesMidProtocolIsAnErrorNotAHang) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  limit_receive_time(runtime);
  std::string first, second;
  hull::test::ForkedResult r = hull::test::run_forked(
      [&] {
        runtime.close();
        init.send(SyncMsg::RuntimeStep);
        ::_exit(3);  // dies before Ready
      },
      [&](pid_t) {
        init.close();  // only the child holds the init's end now
        first = hull::to_string(runtime.receive());
        second = error_with_code([&] { runtime.receive(); });
      });
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3);
  EXPECT_EQ(first, "runtime-step");
  EXPECT_EQ(second, "the container init exited during set-up");
}

TEST(SyncChannel, EofAfterExecIsSuccessAndAMessageBeforeItIsNot) {
  {
    auto channels = SyncChannel::make_pair();
    SyncChannel& runtime = channels.first;
    SyncChannel& init = channels.second;
    limit_receive_time(runtime);
    // The child's end is CLOEXEC: its execve closes it.
    hull::test::ForkedResult r = hull::test::run_forked(
        [&] {
          runtime.close();
          ::execl("/bin/true", "true", nullptr);
          hull::throw_errno("exec /bin/true");
        },
        [&](pid_t) {
          init.close();
          EXPECT_EQ(error_with_code([&] { runtime.expect_eof(); }), "<no error>");
        });
    EXPECT_TRUE(r.exited_ok()) << r.error;
  }
  {
    auto channels = SyncChannel::make_pair();
    SyncChannel& runtime = channels.first;
    SyncChannel& init = channels.second;
    init.send(SyncMsg::Ready);
    EXPECT_EQ(error_with_code([&] { runtime.expect_eof(); }), "sync protocol: unexpected message before exec");
  }
  {
    auto channels = SyncChannel::make_pair();
    SyncChannel& runtime = channels.first;
    SyncChannel& init = channels.second;
    init.send_error(EACCES, "exec /bin/sh");
    int code = 0;
    EXPECT_NE(error_with_code([&] { runtime.expect_eof(); }, &code).find("exec /bin/sh"), std::string::npos);
    EXPECT_EQ(code, EACCES);
  }
}

TEST(SyncChannel, SendToADeadPeerIsAnErrorNotSigpipe) {
  auto channels = SyncChannel::make_pair();
  SyncChannel& runtime = channels.first;
  SyncChannel& init = channels.second;
  init.close();
  int code = 0;
  std::string what = error_with_code([&] { runtime.send(SyncMsg::Continue); }, &code);
  EXPECT_EQ(code, EPIPE) << what;
  EXPECT_NE(what.find("send continue on sync socket"), std::string::npos) << what;
  // send_error is best effort: it must not throw or raise SIGPIPE either.
  runtime.send_error(EIO, "nobody listens");
}

}  // namespace
