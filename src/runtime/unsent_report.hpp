#pragma once
// Where a child leaves its set-up error when the container's seccomp
// filter, loaded before it, refuses every call that would send it
// (sendmsg, writev and write) or kills the child at the first: a page
// shared with the runtime, written without a system call. The channel's end of file then says only that the
// child is gone, as it says that the child reached execve: exec's process
// needs it. Create's init does not: before its Ready it never reaches
// execve, so its exit status (kInitExitUnreportedError) says enough, and a
// created container keeps no page mapped for it.
#include <atomic>
#include <cstdint>
#include <string_view>

#include "base/shared_page.hpp"

namespace hull {

class UnsentReport {
 public:
  UnsentReport();
  ~UnsentReport();

  // In the child, before its _exit; async-signal-safe.
  void leave(int err, std::string_view message) const noexcept;
  // In the runtime, once the child's end of the channel has closed: the
  // error it left, thrown.
  void throw_if_left() const;

 private:
  struct Page;
  SharedPage<Page> page_;
};

}  // namespace hull
