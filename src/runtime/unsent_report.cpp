#include "runtime/unsent_report.hpp"

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

UnsentReport::UnsentReport() : page_("the child, for its error report") {}

UnsentReport::~UnsentReport() = default;

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
