#include "runtime/unsent_report.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "base/error.hpp"

namespace hull {

struct UnsentReport::Page {
  // Written last (release): a length seen means the text is there.
  std::atomic<uint32_t> length;
  int err;
  char text[4096 - sizeof(std::atomic<uint32_t>) - sizeof(int)];
};
static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared between processes");

UnsentReport::UnsentReport() {
  // Shared, not copied, by the fork or clone that makes the child.
  void* p = ::mmap(nullptr, sizeof(Page), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("map a page for the child's error report");
  page_ = static_cast<Page*>(p);
}

UnsentReport::~UnsentReport() { ::munmap(page_, sizeof(Page)); }

void UnsentReport::leave(int err, std::string_view message) const noexcept {
  const size_t n = std::min(message.size(), sizeof page_->text);
  std::memcpy(page_->text, message.data(), n);
  page_->err = err;
  page_->length.store(static_cast<uint32_t>(n) + 1, std::memory_order_release);
}

void UnsentReport::throw_if_left() const {
  const uint32_t length = page_->length.load(std::memory_order_acquire);
  if (length == 0) return;
  throw Error(std::string(page_->text, length - 1), page_->err);
}

}  // namespace hull
