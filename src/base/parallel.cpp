#include "base/parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace hull {

namespace {

// Beyond this, more threads only contend on the same directory's locks.
constexpr size_t kMaxThreads = 8;
// Items a thread takes at a time: few enough to balance, many enough that the
// shared counter is not touched per item.
constexpr size_t kBatch = 16;

size_t usable_cpus() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) < 0) return 1;
  return static_cast<size_t>(std::max(CPU_COUNT(&set), 1));
}

}  // namespace

size_t parallel_thread_count(size_t count, size_t min_per_thread) {
  size_t by_work = std::max<size_t>(count / std::max<size_t>(min_per_thread, 1), 1);
  return std::min({by_work, usable_cpus(), kMaxThreads});
}

void for_each_index_parallel(size_t count, size_t min_per_thread, const std::function<void(size_t)>& work) {
  size_t threads = parallel_thread_count(count, min_per_thread);
  if (threads <= 1) {
    for (size_t i = 0; i < count; ++i) work(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto drain = [&] {
    try {
      for (;;) {
        size_t begin = next.fetch_add(kBatch, std::memory_order_relaxed);
        if (begin >= count || failed.load(std::memory_order_relaxed)) return;
        for (size_t i = begin; i < std::min(begin + kBatch, count); ++i) work(i);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  try {
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(drain);
  } catch (const std::system_error&) {
    // No thread to be had (a pids limit, memory): the ones started and this
    // one still finish the work.
  }
  drain();
  for (std::thread& h : helpers) h.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace hull
