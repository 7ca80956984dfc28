#include "base/parallel.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <vector>

#include "base/other_cpus.hpp"

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

// Thread attributes whose CPU mask leaves out the CPU we run on
// (base/other_cpus.hpp): without it, in most `list` runs of 1000 containers
// on the 2-CPU development VM one thread did all the items while the other
// waited (2.6 ms for the reads).
class HelperAttr {
 public:
  HelperAttr() {
    ::pthread_attr_init(&attr_);
    cpu_set_t others;
    if (::sched_getaffinity(0, sizeof others, &others) < 0 || !leave_out_current_cpu(others)) return;
    ::pthread_attr_setaffinity_np(&attr_, sizeof others, &others);  // refused: no overlap, still correct
  }
  ~HelperAttr() { ::pthread_attr_destroy(&attr_); }
  HelperAttr(const HelperAttr&) = delete;
  HelperAttr& operator=(const HelperAttr&) = delete;
  const pthread_attr_t* get() const { return &attr_; }

 private:
  pthread_attr_t attr_;
};

struct Shared {
  Shared(size_t n, const std::function<void(size_t)>& w) : count(n), work(w) {}
  size_t count;
  const std::function<void(size_t)>& work;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;

  void drain() {
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
  }
};

void* helper_main(void* arg) {
  // Refused (ENOMEM): the shared table is slower, not wrong.
  ::unshare(CLONE_FILES);
  static_cast<Shared*>(arg)->drain();
  return nullptr;
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
  Shared shared(count, work);
  std::vector<pthread_t> helpers;
  helpers.reserve(threads - 1);
  {
    HelperAttr attr;
    for (size_t t = 1; t < threads; ++t) {
      pthread_t helper;
      // No thread to be had (a pids limit, memory): the ones started and
      // this one still finish the work.
      if (::pthread_create(&helper, attr.get(), helper_main, &shared) != 0) break;
      helpers.push_back(helper);
    }
  }
  shared.drain();
  for (pthread_t helper : helpers) ::pthread_join(helper, nullptr);
  if (shared.first_error) std::rethrow_exception(shared.first_error);
}

}  // namespace hull
