#pragma once
// A new process moving itself into its v1 cgroups.
//
// cgroup v1 moves the writer's own thread, when it writes "0" into a `tasks`
// file, without taking cgroup_threadgroup_rwsem; writing a pid into
// cgroup.procs takes that global lock for writing, and its write side waits
// for an RCU grace period: tens of milliseconds on a host tearing down
// network namespaces, i.e. on every host that deletes containers. A process
// that has not made threads is its one thread, so the move is the whole
// process's. The runtime opens the files (the child may not reach the host's
// cgroupfs: hull exec clones from the container's mount namespace), before
// the clone or, where it makes the cgroups after it, then, and sends them
// with CgroupsMade; the kernel checks the write against the opener's
// credentials, so a child in a new user namespace may write it too.
#include <sys/types.h>

#include <string>
#include <vector>

#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

class V1SelfPlacement {
 public:
  // Opens `dir`/tasks of the v1 `hierarchy` ("cpu,cpuacct") for writing
  // (close-on-exec), or with open_now false only names it (adopt() brings
  // the file). The freezer's comes last: a process that joins a frozen
  // cgroup (exec --ignore-paused) stops there, and must be in every other
  // hierarchy by then.
  void add(const std::string& hierarchy, const std::string& dir, bool open_now = true);
  bool empty() const { return tasks_.empty(); }
  // The open files in the order move_self() writes them, to send to the child.
  std::vector<int> fds() const;
  // In the child: the files the runtime opened for the same hierarchies
  // (its fds(), in that order).
  void adopt(std::vector<UniqueFd> files);
  // In the new process, before it makes a thread: moves it into every
  // hierarchy added, then closes the files (no fd reaches the container).
  void move_self();
  // The same, leaving the files open: for a process that runs in the
  // runtime's memory (runtime/launcher.hpp), where closing them would close
  // the runtime's record of them, not the runtime's fds. It closes them by
  // number (exec's helper: close_fds_except).
  void move_self_leaving_files();
  // In the runtime, for a process that could not be born in the cgroups
  // (hull exec at the container's pids.max: a move may go past the limit, a
  // clone may not): moves `pid`, a process that has not made threads and
  // waits for it, into every hierarchy added. Its `tasks` files take one
  // thread, which is the whole process then.
  void move(pid_t pid);

 private:
  struct Tasks {
    std::string hierarchy;
    ValueWriter writer;  // the cgroup's tasks file, open
  };
  void write_each(const std::string& value);
  std::vector<Tasks> tasks_;
};

}  // namespace hull::cgroups
