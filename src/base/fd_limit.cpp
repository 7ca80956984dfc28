#include "base/fd_limit.hpp"

namespace hull {

void RaisedFdLimit::raise() noexcept {
  if (tried_) return;
  tried_ = true;
  rlimit was{};
  if (::getrlimit(RLIMIT_NOFILE, &was) < 0 || was.rlim_cur >= was.rlim_max) return;
  rlimit raised = was;
  raised.rlim_cur = was.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) saved_ = was;
}

RaisedFdLimit::~RaisedFdLimit() {
  // Lowering a soft limit always succeeds.
  if (saved_) ::setrlimit(RLIMIT_NOFILE, &*saved_);
}

}  // namespace hull
