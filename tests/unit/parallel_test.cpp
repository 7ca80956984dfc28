// Per-item work spread over threads: every item once, the first error back.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "base/parallel.hpp"

namespace hull {
namespace {

size_t usable_cpus() {
  cpu_set_t set;
  EXPECT_EQ(::sched_getaffinity(0, sizeof set, &set), 0);
  return static_cast<size_t>(CPU_COUNT(&set));
}

TEST(ParallelForEach, EveryIndexExactlyOnce) {
  for (size_t count : {size_t{0}, size_t{1}, size_t{17}, size_t{1000}, size_t{4099}}) {
    std::vector<std::atomic<int>> calls(count);
    for_each_index_parallel(count, 8, [&](size_t i) { calls[i].fetch_add(1); });
    for (size_t i = 0; i < count; ++i) ASSERT_EQ(calls[i].load(), 1) << "index " << i << " of " << count;
  }
}

TEST(ParallelForEach, ThreadCountFollowsWorkAndCpus) {
  EXPECT_EQ(parallel_thread_count(0, 64), 1u);
  EXPECT_EQ(parallel_thread_count(127, 64), 1u);  // not enough for two threads
  EXPECT_EQ(parallel_thread_count(128, 64), std::min<size_t>(2, usable_cpus()));
  EXPECT_EQ(parallel_thread_count(100000, 64), std::min<size_t>(8, usable_cpus()));  // capped
}

// Every thread the function says it uses takes part: each waits on its first
// item until all have arrived (a missing one shows as a timeout, not a hang).
TEST(ParallelForEach, UsesTheThreadsItCounts) {
  const size_t count = 2000;
  const size_t expected = parallel_thread_count(count, 16);
  std::mutex m;
  std::condition_variable arrived;
  std::set<std::thread::id> threads;
  bool all_arrived = true;
  for_each_index_parallel(count, 16, [&](size_t) {
    std::unique_lock<std::mutex> lock(m);
    if (!threads.insert(std::this_thread::get_id()).second) return;
    arrived.notify_all();
    if (!arrived.wait_for(lock, std::chrono::seconds(20), [&] { return threads.size() >= expected; }))
      all_arrived = false;
  });
  EXPECT_TRUE(all_arrived);
  EXPECT_EQ(threads.size(), expected);
}

// Holds the calling thread's items until a helper has done one (trivial
// items would otherwise all be done before a helper starts); false after 20 s.
class UntilAHelperRan {
 public:
  explicit UntilAHelperRan(std::thread::id caller) : caller_(caller) {}
  // True on a helper thread (after counting it), false on the caller's.
  bool on_helper() {
    std::unique_lock<std::mutex> lock(m_);
    if (std::this_thread::get_id() != caller_) {
      ran_ = true;
      cv_.notify_all();
      return true;
    }
    if (!cv_.wait_for(lock, std::chrono::seconds(20), [&] { return ran_; })) timed_out_ = true;
    return false;
  }
  bool timed_out() const { return timed_out_; }

 private:
  std::thread::id caller_;
  std::mutex m_;
  std::condition_variable cv_;
  bool ran_ = false;
  bool timed_out_ = false;
};

// A helper starts off the caller's CPU: its mask is the caller's less one
// CPU (the one the caller ran on when it made the helper).
TEST(ParallelForEach, HelpersStartOffTheCallersCpu) {
  if (usable_cpus() < 2) GTEST_SKIP() << "one usable CPU: no helper threads";
  cpu_set_t ours;
  ASSERT_EQ(::sched_getaffinity(0, sizeof ours, &ours), 0);
  UntilAHelperRan helper(std::this_thread::get_id());
  std::mutex m;
  std::vector<cpu_set_t> helper_masks;
  for_each_index_parallel(1000, 16, [&](size_t) {
    if (!helper.on_helper()) return;
    cpu_set_t mask;
    ASSERT_EQ(::sched_getaffinity(0, sizeof mask, &mask), 0);
    std::lock_guard<std::mutex> lock(m);
    helper_masks.push_back(mask);
  });
  ASSERT_FALSE(helper.timed_out());
  ASSERT_FALSE(helper_masks.empty());
  for (cpu_set_t& mask : helper_masks) {
    EXPECT_EQ(CPU_COUNT(&mask), CPU_COUNT(&ours) - 1);
    cpu_set_t both;
    CPU_AND(&both, &mask, &ours);
    EXPECT_TRUE(CPU_EQUAL(&both, &mask)) << "a helper may run on a CPU the caller may not";
  }
}

// A helper sees the caller's fds but opens its own in a table of its own:
// an fd left open there is not the caller's.
TEST(ParallelForEach, HelpersHaveAFileDescriptorTableOfTheirOwn) {
  if (usable_cpus() < 2) GTEST_SKIP() << "one usable CPU: no helper threads";
  int before = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(before, 0);
  UntilAHelperRan helper(std::this_thread::get_id());
  std::atomic<int> helper_items{0};
  std::atomic<int> unseen{0};
  std::atomic<int> left_open{-1};
  for_each_index_parallel(1000, 16, [&](size_t) {
    if (!helper.on_helper()) return;
    helper_items.fetch_add(1);
    if (::fcntl(before, F_GETFD) < 0) unseen.fetch_add(1);
    int expected = -1;
    int fd = ::fcntl(before, F_DUPFD_CLOEXEC, 900);
    if (!left_open.compare_exchange_strong(expected, fd)) ::close(fd);
  });
  ::close(before);
  ASSERT_FALSE(helper.timed_out());
  ASSERT_GT(helper_items.load(), 0);
  EXPECT_EQ(unseen.load(), 0) << "the caller's fd was not open in a helper";
  ASSERT_GE(left_open.load(), 900);
  errno = 0;
  EXPECT_EQ(::fcntl(left_open.load(), F_GETFD), -1) << "a helper's fd is open in the caller's table";
  EXPECT_EQ(errno, EBADF);
}

TEST(ParallelForEach, FewItemsStayOnTheCallingThread) {
  std::set<std::thread::id> threads;
  for_each_index_parallel(63, 64, [&](size_t) { threads.insert(std::this_thread::get_id()); });
  EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(ParallelForEach, TheFirstErrorIsRethrownAfterEveryThreadFinished) {
  std::atomic<int> running{0};
  std::atomic<int> most_after_throw{0};
  try {
    for_each_index_parallel(5000, 16, [&](size_t i) {
      running.fetch_add(1);
      if (i == 700) {
        running.fetch_sub(1);
        throw std::runtime_error("item 700 failed");
      }
      running.fetch_sub(1);
    });
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "item 700 failed");
    most_after_throw = running.load();
  }
  EXPECT_EQ(most_after_throw.load(), 0);  // no item still running once it returned
}

}  // namespace
}  // namespace hull
