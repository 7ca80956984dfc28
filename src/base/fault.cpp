// fault_point: see fault.hpp. Empty unless HULL_FAULT_INJECTION is defined.
#include "base/fault.hpp"

#ifdef HULL_FAULT_INJECTION
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace hull {

namespace {
// Opened once and kept: the init inherits it and can still list its steps
// after pivot_root, where the path no longer resolves. O_CLOEXEC: it does
// not outlive the init's execve.
int open_list() {
  static int list_fd = [] {
    const char* list = std::getenv("HULL_FAULT_LIST");
    return list && *list ? ::open(list, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
  }();
  return list_fd;
}
}  // namespace

int fault_list_fd() { return open_list(); }

void fault_point(const char* step) {
  const int list_fd = open_list();
  if (list_fd >= 0) {
    std::string line = std::string(step) + "\n";
    (void)!::write(list_fd, line.data(), line.size());
  }
  const char* want = std::getenv("HULL_FAULT");
  if (want == nullptr || std::strcmp(want, step) != 0) return;
  const char* action = std::getenv("HULL_FAULT_ACTION");
  if (action != nullptr && std::strcmp(action, "stop") == 0) {
    ::kill(::getpid(), SIGSTOP);
    // Continued: with HULL_FAULT_THEN=<later step>, die there.
    if (const char* then = std::getenv("HULL_FAULT_THEN")) {
      std::string next = then;
      ::unsetenv("HULL_FAULT_ACTION");
      ::unsetenv("HULL_FAULT_THEN");
      ::setenv("HULL_FAULT", next.c_str(), 1);
    }
    return;
  }
  ::kill(::getpid(), SIGKILL);
  // Still here: the init of a new pid namespace, which ignores a SIGKILL sent
  // from inside it. Die as abruptly as the kernel allows it to.
  ::_exit(128 + SIGKILL);
}

const char* test_stand_in(const char* name) {
  const char* dir = std::getenv(name);
  return dir && *dir ? dir : nullptr;
}

}  // namespace hull
#endif
