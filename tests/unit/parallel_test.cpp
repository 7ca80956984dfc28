// Per-item work spread over threads: every item once, the first error back.
#include <gtest/gtest.h>
#include <sched.h>

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
