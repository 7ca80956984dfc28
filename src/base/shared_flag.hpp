#pragma once
// A flag a child process sets for its parent to read once the child has
// failed or gone: a page shared (not copied) by the fork or clone that makes
// the child, set without a system call.
#include <atomic>
#include <cstdint>

namespace hull {

class SharedFlag {
 public:
  SharedFlag();
  ~SharedFlag();
  SharedFlag(const SharedFlag&) = delete;
  SharedFlag& operator=(const SharedFlag&) = delete;

  // In the child; async-signal-safe.
  void set() const noexcept { flag_->store(1, std::memory_order_release); }
  bool is_set() const noexcept { return flag_->load(std::memory_order_acquire) != 0; }

 private:
  std::atomic<uint32_t>* flag_;
};

}  // namespace hull
