#pragma once
// RLIMIT_NOFILE's soft limit raised to its hard one while a step holds an fd
// for each of many things (a config's read-only tmpfs and the copies binds
// make of them: rootfs/readonly_later.hpp), and put back when the object
// goes, so that what the process runs later gets the limit it had. systemd
// starts services and sessions at a soft limit of 1024; Go programs (runc,
// containerd) raise theirs to the hard one at start-up.
#include <sys/resource.h>

#include <optional>

namespace hull {

class RaisedFdLimit {
 public:
  RaisedFdLimit() = default;
  RaisedFdLimit(const RaisedFdLimit&) = delete;
  RaisedFdLimit& operator=(const RaisedFdLimit&) = delete;
  ~RaisedFdLimit();

  // Raises it, once. Where it cannot, the step goes on under the limit it
  // had, and fails with EMFILE (named by the open that got it) where it
  // runs out.
  void raise() noexcept;

 private:
  bool tried_ = false;
  std::optional<rlimit> saved_;  // the limit to put back, once raised
};

}  // namespace hull
