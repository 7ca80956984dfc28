#pragma once
// Waiting for a hull command while reaping what is re-parented to the test.
#include <sys/wait.h>

#include <algorithm>
#include <vector>

#include "harness.hpp"

namespace hull::itest {

// Waits for c while reaping the zombies re-parented to us (we are the child
// subreaper), as a container engine's shim does: an exec'd process whose
// `hull exec` is gone (--detach, or killed) is re-parented to us but lives in
// the container's pid namespace, and the container's init cannot finish
// dying (so `delete --force` cannot finish) until that zombie is reaped.
// `ours`: other children the test still waits for itself, left alone.
inline ProcResult finish_reaping_orphans(Child c, const std::vector<pid_t>& ours = {}) {
  while (!wait_pid_exit(c.pid(), milliseconds(50))) {
    for (pid_t pid : children_of_self()) {
      if (pid == c.pid() || std::find(ours.begin(), ours.end(), pid) != ours.end()) continue;
      auto st = read_pid_stat(pid);
      if (st && st->state == 'Z') ::waitpid(pid, nullptr, WNOHANG);
    }
  }
  return c.finish();
}

}  // namespace hull::itest
