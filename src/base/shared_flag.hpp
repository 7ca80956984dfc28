#pragma once
// A flag a child process sets for its parent to read once the child has
// failed or gone (base/shared_page.hpp).
#include <atomic>
#include <cstdint>

#include "base/shared_page.hpp"

namespace hull {

class SharedFlag {
 public:
  SharedFlag() : flag_("the container's init") {}

  // In the child; async-signal-safe.
  void set() const noexcept { flag_->store(1, std::memory_order_release); }
  bool is_set() const noexcept { return flag_->load(std::memory_order_acquire) != 0; }

 private:
  SharedPage<std::atomic<uint32_t>> flag_;
};

}  // namespace hull
