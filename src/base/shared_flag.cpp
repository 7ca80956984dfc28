#include "base/shared_flag.hpp"

#include <sys/mman.h>
#include <new>

#include "base/error.hpp"

namespace hull {

static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared between processes");

SharedFlag::SharedFlag() {
  void* p = ::mmap(nullptr, sizeof *flag_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("map a page shared with the container's init");
  flag_ = new (p) std::atomic<uint32_t>(0);
}

SharedFlag::~SharedFlag() { ::munmap(flag_, sizeof *flag_); }

}  // namespace hull
