#include "base/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <optional>

namespace hull {

namespace {
constexpr size_t kHeldBeforeRaise = 64;
// Once tried, never again (the hard limit does not grow). Kept after a
// restore: the runtime and the init it cloned (maybe sharing this memory)
// each put back the same limit.
bool tried = false;
std::optional<rlim_t> soft_found;
}  // namespace

void raise_fd_limit_holding(size_t held) noexcept {
  if (held < kHeldBeforeRaise || tried) return;
  tried = true;
  rlimit was{};
  if (::getrlimit(RLIMIT_NOFILE, &was) < 0 || was.rlim_cur >= was.rlim_max) return;
  const rlimit raised{was.rlim_max, was.rlim_max};
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) soft_found = was.rlim_cur;
}

void restore_fd_limit() noexcept {
  if (!soft_found) return;
  rlimit now{};
  if (::getrlimit(RLIMIT_NOFILE, &now) < 0) return;
  // Lowering a soft limit always succeeds.
  now.rlim_cur = std::min(*soft_found, now.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &now);
}

}  // namespace hull
