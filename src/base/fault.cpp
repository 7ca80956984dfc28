// fault_point: see fault.hpp. Empty unless HULL_FAULT_INJECTION is defined.
#include "base/fault.hpp"

#ifdef HULL_FAULT_INJECTION
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/unique_fd.hpp"

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

namespace {
// What the environment asks for, read at the first step: a process may
// wipe its copy of the environment later (runtime/exec.cpp), and its steps
// still count.
struct Wanted {
  std::string step, action, then, hold;
};

Wanted& wanted() {
  static Wanted w = [] {
    auto get = [](const char* name) {
      const char* v = std::getenv(name);
      return std::string(v ? v : "");
    };
    return Wanted{get("HULL_FAULT"), get("HULL_FAULT_ACTION"), get("HULL_FAULT_THEN"), get("HULL_FAULT_HOLD")};
  }();
  return w;
}
}  // namespace

void fault_point(const char* step) {
  const int list_fd = open_list();
  if (list_fd >= 0) {
    std::string line = std::string(step) + "\n";
    (void)!::write(list_fd, line.data(), line.size());
  }
  Wanted& w = wanted();
  if (w.step != step) return;
  if (w.action == "stop") {
    ::kill(::getpid(), SIGSTOP);
    // Continued: with HULL_FAULT_THEN=<later step>, die there.
    if (!w.then.empty()) w = Wanted{w.then, "", "", ""};
    return;
  }
  if (w.action == "hold") {
    // Open for reading, the FIFO blocks until the test opens it for writing
    // (the test knows the step is reached); the reads, until it closes it.
    UniqueFd fifo(::open(w.hold.c_str(), O_RDONLY | O_CLOEXEC));
    for (char c; fifo && ::read(fifo.get(), &c, 1) > 0;) {}
    // Once, as a stop: a later pass over the step goes on (or dies at
    // HULL_FAULT_THEN's step).
    w = Wanted{w.then, "", "", ""};
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
