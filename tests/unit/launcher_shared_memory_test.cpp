// runtime/launcher.hpp, share_memory_until_exec: the child runs in our
// memory (it writes our variables), on our stack below our frame (our frame
// survives it), and launch() returns only once the child is gone; its
// oom_score_adj is its own. No root needed: clone3 with CLONE_PIDFD and
// CLONE_VM | CLONE_VFORK is unprivileged.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string>

#include "base/procfs.hpp"
#include "runtime/launcher.hpp"
#include "runtime/sync_channel.hpp"

namespace {

std::atomic<pid_t> written_by{0};
std::atomic<int> child_oom_written{0};

[[noreturn]] void write_pid_and_exit(void*) noexcept {
  written_by = ::getpid();
  ::_exit(0);
}

// Uses a good deal of stack below the launcher's frame before it exits.
[[gnu::noinline]] int deep(int n, volatile char* sink) {
  volatile char frame[512];
  std::memset(const_cast<char*>(frame), n & 0x7f, sizeof frame);
  sink[0] = frame[n % sizeof frame];
  return n == 0 ? 0 : deep(n - 1, sink) + frame[0];
}

[[noreturn]] void use_stack_and_exit(void*) noexcept {
  volatile char sink[1] = {0};
  deep(200, sink);  // about 100 KiB
  written_by = ::getpid();
  ::_exit(0);
}

int read_oom_score_adj(const std::string& path) {
  std::ifstream f(path);
  int v = 0;
  f >> v;
  return v;
}

[[noreturn]] void raise_oom_score_adj_and_exit(void*) noexcept {
  const int next = read_oom_score_adj("/proc/self/oom_score_adj") + 1;
  std::ofstream f("/proc/self/oom_score_adj");
  f << next;
  f.flush();
  child_oom_written = f ? next : -1;
  ::_exit(0);
}

// Replaces the shared procfs root with one of its own (and reads through
// it), as a child whose root was closed or never opened would.
[[noreturn]] void reopen_procfs_root_and_exit(void*) noexcept {
  try {
    hull::procfs::close_shared_root();
    hull::procfs::open_shared_root();
    hull::procfs::read("self/stat");
    written_by = ::getpid();
  } catch (...) {
  }
  ::_exit(0);
}

// Waits for the runtime's Continue, as a child placed after the clone does.
[[noreturn]] void wait_for_continue_and_exit(void* arg) noexcept {
  // Should it share our memory (the failure this tests for), our alarm ends
  // us and this ends it: nothing is left waiting.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  try {
    static_cast<hull::SyncChannel*>(arg)->expect(hull::SyncMsg::Continue);
  } catch (...) {
    ::_exit(2);
  }
  written_by = ::getpid();
  ::_exit(0);
}

int wait_exit_status(int pidfd) {
  siginfo_t si{};
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, WEXITED) < 0) return -1;
  return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

hull::LaunchRequest request(void (*entry)(void*) noexcept, hull::SyncChannel* child_end, bool share) {
  hull::LaunchRequest r;
  r.what = "a test child";
  r.entry = entry;
  r.child_end = child_end;
  r.share_memory_until_exec = share;
  return r;
}

TEST(LaunchSharingMemory, TheChildWritesOurMemoryAndIsGoneWhenLaunchReturns) {
  if (!hull::launches_sharing_memory()) GTEST_SKIP() << "this build launches with a copy of the memory only";
  written_by = 0;
  auto [runtime_end, child_end] = hull::SyncChannel::make_pair();
  hull::LaunchedChild child = hull::launch(request(write_pid_and_exit, &child_end, true), runtime_end);
  // Read before any wait: the clone returned after the child's exit.
  EXPECT_EQ(written_by.load(), child.pid());
  const pid_t pid = child.pid();
  hull::UniqueFd pidfd = child.release();
  EXPECT_EQ(wait_exit_status(pidfd.get()), 0) << "child " << pid;
}

TEST(LaunchSharingMemory, WithoutItTheChildWritesACopy) {
  written_by = 0;
  auto [runtime_end, child_end] = hull::SyncChannel::make_pair();
  hull::LaunchedChild child = hull::launch(request(write_pid_and_exit, &child_end, false), runtime_end);
  hull::UniqueFd pidfd = child.release();
  EXPECT_EQ(wait_exit_status(pidfd.get()), 0);
  EXPECT_EQ(written_by.load(), 0);
}

TEST(LaunchSharingMemory, TheChildsStackLeavesOurFrameIntact) {
  if (!hull::launches_sharing_memory()) GTEST_SKIP() << "this build launches with a copy of the memory only";
  written_by = 0;
  volatile char ours[4096];
  for (size_t i = 0; i < sizeof ours; ++i) ours[i] = static_cast<char>(i * 7);
  auto [runtime_end, child_end] = hull::SyncChannel::make_pair();
  hull::LaunchedChild child = hull::launch(request(use_stack_and_exit, &child_end, true), runtime_end);
  EXPECT_EQ(written_by.load(), child.pid());
  for (size_t i = 0; i < sizeof ours; ++i) ASSERT_EQ(ours[i], static_cast<char>(i * 7)) << "byte " << i;
  hull::UniqueFd pidfd = child.release();
  EXPECT_EQ(wait_exit_status(pidfd.get()), 0);
}

TEST(LaunchSharingMemory, OurRecordOfTheProcfsRootOutlivesTheChilds) {
  if (!hull::launches_sharing_memory()) GTEST_SKIP() << "this build launches with a copy of the memory only";
  for (bool ours_open : {true, false}) {
    SCOPED_TRACE(ours_open ? "our root open" : "no root of ours");
    if (ours_open)
      hull::procfs::open_shared_root();
    else
      hull::procfs::close_shared_root();
    const int ours = hull::procfs::shared_root_record().fd;
    written_by = 0;
    auto [runtime_end, child_end] = hull::SyncChannel::make_pair();
    hull::LaunchedChild child = hull::launch(request(reopen_procfs_root_and_exit, &child_end, true), runtime_end);
    ASSERT_EQ(written_by.load(), child.pid()) << "the child did not get its own root";
    hull::UniqueFd pidfd = child.release();
    EXPECT_EQ(wait_exit_status(pidfd.get()), 0);
    // The child's number would be an fd of its table: in ours it is
    // nothing, or another file (the pidfd, taken after the clone).
    EXPECT_EQ(hull::procfs::shared_root_record().fd, ours);
    if (ours_open) {
      EXPECT_EQ(hull::procfs::read("self/stat").rfind(std::to_string(::getpid()) + " ", 0), 0u);
    }
  }
  hull::procfs::close_shared_root();
}

TEST(LaunchSharingMemory, NotForAChildThatWaitsForTheRuntime) {
  written_by = 0;
  auto [runtime_end, child_end] = hull::SyncChannel::make_pair();
  hull::LaunchRequest r = request(wait_for_continue_and_exit, &child_end, true);
  r.arg = &child_end;
  r.release_after_placement = true;
  ::alarm(10);  // sharing our memory, the launch would wait for the child forever
  hull::LaunchedChild child = hull::launch(r, runtime_end);
  ::alarm(0);
  hull::UniqueFd pidfd = child.release();
  EXPECT_EQ(wait_exit_status(pidfd.get()), 0);
  EXPECT_EQ(written_by.load(), 0) << "the child wrote our memory: it was launched sharing it";
}

TEST(LaunchSharingMemory, TheChildsOomScoreAdjIsItsOwn) {
  if (!hull::launches_sharing_memory()) GTEST_SKIP() << "this build launches with a copy of the memory only";
  const int ours = read_oom_score_adj("/proc/self/oom_score_adj");
  if (ours >= 1000) GTEST_SKIP() << "oom_score_adj is at its maximum: the child cannot raise it";
  child_oom_written = 0;
  auto [runtime_end, child_end] = hull::SyncChannel::make_pair();
  hull::LaunchedChild child = hull::launch(request(raise_oom_score_adj_and_exit, &child_end, true), runtime_end);
  hull::UniqueFd pidfd = child.release();
  EXPECT_EQ(wait_exit_status(pidfd.get()), 0);
  ASSERT_EQ(child_oom_written.load(), ours + 1) << "the child could not write its oom_score_adj";
  // A vfork child's write is its own (the kernel updates every process
  // sharing the memory otherwise).
  EXPECT_EQ(read_oom_score_adj("/proc/self/oom_score_adj"), ours);
}

}  // namespace
