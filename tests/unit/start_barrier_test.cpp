// The start barrier (runtime/start_barrier.hpp): `start` releases a waiting
// init and returns once it has exec'd, reports an error it sent, and finds no
// init when none waits; only one start ever succeeds. A probe finds a waiting
// init without releasing it, and a start that went away before saying "go"
// (killed) leaves the init waiting for the next. `run` releases its init
// over the sync channel instead: the same outcomes, without a socket file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/sync_channel.hpp"
#include "support/forked_child.hpp"
#include "support/temp_dir.hpp"

namespace {

using hull::test::ForkedResult;
using hull::test::run_forked;

std::string release_error(int dir_fd) {
  try {
    hull::release_init(dir_fd);
  } catch (const hull::Error& e) {
    return e.what();
  }
  return "<no error>";
}

class StartBarrier : public ::testing::Test {
 protected:
  hull::test::TempDir dir_{"start-barrier"};
  hull::UniqueFd dir_fd_{::open(dir_.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
};

TEST_F(StartBarrier, ListensOnAnOwnerOnlySocketInTheStateDir) {
  hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / hull::kStartSocketName).c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(StartBarrier, StartReturnsOnceTheInitHasExeced) {
  hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  std::string start_error;
  ForkedResult r = run_forked(
      [&] {
        hull::UniqueFd conn = hull::wait_for_start(listen.get());
        // The accepted connection is CLOEXEC: execve closes it, start sees EOF.
        ::execl("/bin/true", "true", nullptr);
        hull::throw_errno("exec /bin/true");
      },
      [&](pid_t) {
        listen.reset();
        start_error = release_error(dir_fd_.get());
      });
  EXPECT_TRUE(r.exited_ok()) << r.error;
  EXPECT_EQ(start_error, "<no error>");
  // The socket is gone: a second start finds no init.
  EXPECT_NE(::faccessat(dir_fd_.get(), hull::kStartSocketName, F_OK, 0), 0);
  EXPECT_EQ(release_error(dir_fd_.get()), "the container init is not waiting to start (it has exited)");
}

TEST_F(StartBarrier, AnErrorAfterTheBarrierReachesStart) {
  hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  std::string start_error;
  ForkedResult r = run_forked(
      [&] {
        hull::UniqueFd conn = hull::wait_for_start(listen.get());
        hull::report_start_error(conn.get(), "exec \"/bin/app\": No such file or directory");
        ::_exit(1);
      },
      [&](pid_t) {
        listen.reset();
        start_error = release_error(dir_fd_.get());
      });
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
  EXPECT_EQ(start_error, "exec \"/bin/app\": No such file or directory");
}

// A kill landing after start's connect, before the init read the "go": the
// init's death resets the connection (unread data), which is an init that is
// not waiting (start then refuses as for a stopped container), not an I/O
// error (found by the load test's concurrent kill and start).
TEST_F(StartBarrier, AnInitKilledBeforeItReadTheGoIsNotWaiting) {
  hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  bool not_waiting = false;
  std::string start_error;
  ForkedResult r = run_forked(
      [&] {
        int conn = ::accept4(listen.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) hull::throw_errno("accept");
        // Wait until the go is queued, then die without reading it.
        pollfd p{conn, POLLIN, 0};
        if (::poll(&p, 1, 10000) != 1) hull::throw_errno("poll");
        ::_exit(0);
      },
      [&](pid_t) {
        listen.reset();
        try {
          hull::release_init(dir_fd_.get());
        } catch (const hull::InitNotWaiting& e) {
          not_waiting = true;
          start_error = e.what();
        } catch (const hull::Error& e) {
          start_error = e.what();
        }
      });
  EXPECT_TRUE(r.exited_ok()) << r.error;
  EXPECT_TRUE(not_waiting) << start_error;
  EXPECT_EQ(start_error, "the container init exited before it started the program");
}

TEST_F(StartBarrier, AnInitThatDiedBeforeStartIsReported) {
  {
    hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  }  // the only listener closed: the socket file stays, nobody accepts
  EXPECT_EQ(release_error(dir_fd_.get()), "the container init is not waiting to start (it has exited)");
}

TEST_F(StartBarrier, NoSocketMeansNoInit) {
  EXPECT_EQ(release_error(dir_fd_.get()), "the container init is not waiting to start (it has exited)");
}

// What a `start` killed after connecting, before it said "go", leaves: a
// connection closed without a byte.
void connect_and_leave(const std::string& socket_path) {
  hull::UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(s);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
}

TEST_F(StartBarrier, AProbeFindsTheWaitingInitWithoutReleasingIt) {
  hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  bool waits_before = false, waits_after_leaver = false, waits_after_start = true;
  std::string start_error;
  ForkedResult r = run_forked(
      [&] {
        hull::UniqueFd conn = hull::wait_for_start(listen.get());
        ::execl("/bin/true", "true", nullptr);
        hull::throw_errno("exec /bin/true");
      },
      [&](pid_t) {
        listen.reset();
        waits_before = hull::init_waits_for_start(dir_fd_.get());
        connect_and_leave(dir_ / hull::kStartSocketName);
        waits_after_leaver = hull::init_waits_for_start(dir_fd_.get());
        start_error = release_error(dir_fd_.get());
        waits_after_start = hull::init_waits_for_start(dir_fd_.get());
      });
  EXPECT_TRUE(r.exited_ok()) << r.error;
  EXPECT_TRUE(waits_before);
  EXPECT_TRUE(waits_after_leaver) << "a start that left before saying go released the init";
  EXPECT_EQ(start_error, "<no error>");
  EXPECT_FALSE(waits_after_start);
}

TEST_F(StartBarrier, AProbeFindsNoInitOnceTheListenerIsGone) {
  {
    hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());
  }  // the socket file stays, as after an init that exec'd or died
  EXPECT_FALSE(hull::init_waits_for_start(dir_fd_.get()));
}

// An init that is alive but does not answer (stopped, frozen, or busy
// between two accepts) holds `state` and `list` for the probe's one second,
// not twice that: the runtime's side reads with one call, no fallback.
TEST_F(StartBarrier, AProbeOfAnInitThatNeverAnswersGivesUpAfterItsOneSecond) {
  hull::UniqueFd listen = hull::listen_start_socket(dir_fd_.get());  // nobody accepts: connects queue
  auto began = std::chrono::steady_clock::now();
  EXPECT_FALSE(hull::init_waits_for_start(dir_fd_.get()));
  auto waited = std::chrono::steady_clock::now() - began;
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::milliseconds(1800)) << "the probe waited its timeout out more than once";
}

std::string release_error(const hull::SyncChannel& init) {
  try {
    hull::release_init(init);
  } catch (const hull::InitNotWaiting& e) {
    return std::string("not waiting: ") + e.what();
  } catch (const hull::Error& e) {
    return e.what();
  }
  return "<no error>";
}

struct ChannelRelease {
  ForkedResult init;
  std::string start_error;  // what release_init said, "<no error>" when it returned
};

// `run`'s release over a sync channel: a forked init waits on its end for
// Start, then does `after_start`; the runtime's end releases it.
ChannelRelease release_over_channel(const std::function<void(const hull::SyncChannel&)>& after_start) {
  auto ends = hull::SyncChannel::make_pair();  // not a structured binding: lambdas capture these
  hull::SyncChannel& runtime_end = ends.first;
  hull::SyncChannel& init_end = ends.second;
  ChannelRelease out;
  out.init = run_forked(
      [&] {
        runtime_end.close();
        init_end.expect(hull::SyncMsg::Start);
        after_start(init_end);
      },
      [&](pid_t) {
        init_end.close();
        out.start_error = release_error(runtime_end);
      });
  return out;
}

TEST_F(StartBarrier, RunReleasesItsInitOverTheSyncChannelAndReturnsOnceItHasExeced) {
  ChannelRelease r = release_over_channel([](const hull::SyncChannel&) {
    // The channel is CLOEXEC: execve closes it, release sees EOF.
    ::execl("/bin/true", "true", nullptr);
    hull::throw_errno("exec /bin/true");
  });
  EXPECT_TRUE(r.init.exited_ok()) << r.init.error;
  EXPECT_EQ(r.start_error, "<no error>");
  EXPECT_NE(::faccessat(dir_fd_.get(), hull::kStartSocketName, F_OK, 0), 0) << "no socket file was made";
}

TEST_F(StartBarrier, AnErrorAfterRunsStartReachesRun) {
  ChannelRelease r = release_over_channel([](const hull::SyncChannel& init_end) {
    init_end.send_error(ENOENT, "exec \"/bin/app\"");
    ::_exit(1);
  });
  EXPECT_TRUE(WIFEXITED(r.init.status) && WEXITSTATUS(r.init.status) == 1);
  EXPECT_EQ(r.start_error, "exec \"/bin/app\": no such file or directory");
}

TEST_F(StartBarrier, AnInitGoneBeforeRunsStartIsNotWaiting) {
  auto ends = hull::SyncChannel::make_pair();  // not a structured binding: lambdas capture these
  hull::SyncChannel& runtime_end = ends.first;
  hull::SyncChannel& init_end = ends.second;
  std::string start_error;
  ForkedResult r = run_forked([&] { ::_exit(0); },
                              [&](pid_t pid) {
                                init_end.close();
                                int status = 0;
                                ASSERT_EQ(::waitpid(pid, &status, 0), pid);
                                start_error = release_error(runtime_end);
                              });
  EXPECT_EQ(start_error, "not waiting: the container init is not waiting to start (it has exited)");
}

}  // namespace
