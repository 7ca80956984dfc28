#include "test_pty.hpp"

#include <fcntl.h>
#include <stdlib.h>

namespace hull::itest {

TestPty open_test_pty() {
  TestPty t;
  t.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!t.master || ::unlockpt(t.master.get()) < 0) return {};
  char name[64];
  if (::ptsname_r(t.master.get(), name, sizeof name) != 0) return {};
  t.slave_path = name;
  return t;
}

Child spawn_on_terminal(const std::string& slave_path, const std::vector<std::string>& argv) {
  std::vector<std::string> sh{"/bin/sh", "-c", "exec \"$@\" <>\"$0\" >&0 2>&0", slave_path};
  sh.insert(sh.end(), argv.begin(), argv.end());
  return Child::spawn(sh);
}

}  // namespace hull::itest
