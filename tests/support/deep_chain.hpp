#pragma once
// A chain of directories below `top`, each named with 250 characters, made
// from directory to directory: 20 of them make a path longer than PATH_MAX,
// as a container with a writable cgroup mount can make of sub-cgroups. When
// it goes (whatever the code under test left of it after a failed
// assertion), the processes it moved go back to `top` and the chain is
// removed, deepest first, by descriptors: no path call could name it.
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/fs.hpp"
#include "base/unique_fd.hpp"

namespace hull::test {

class DeepChain {
 public:
  DeepChain(const std::string& top, int levels) : name_(250, 'd') {
    fds_.emplace_back(::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int i = 0; i < levels && fds_.back(); ++i) {
      if (::mkdirat(fds_.back().get(), name_.c_str(), 0755) != 0) break;
      fds_.emplace_back(::openat(fds_.back().get(), name_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    complete_ = fds_.size() == static_cast<size_t>(levels) + 1 && fds_.back();
  }
  ~DeepChain() {
    for (pid_t pid : moved_) write_pid(fds_.front().get(), pid);
    for (size_t i = fds_.size() - 1; i > 0; --i) ::unlinkat(fds_[i - 1].get(), name_.c_str(), AT_REMOVEDIR);
  }
  DeepChain(const DeepChain&) = delete;
  DeepChain& operator=(const DeepChain&) = delete;

  bool complete() const { return complete_; }
  const std::string& name() const { return name_; }
  // The deepest directory.
  int deepest() const { return fds_.back().get(); }
  bool moved() const { return !moved_.empty(); }
  // The deepest cgroup's cgroup.procs (/proc/PID/cgroup cannot name it).
  std::string procs() const {
    UniqueFd fd(::openat(deepest(), "cgroup.procs", O_RDONLY | O_CLOEXEC));
    return fd ? read_fd(fd.get(), "cgroup.procs") : std::string();
  }
  // Moves pid into the deepest cgroup.
  bool move(pid_t pid) {
    moved_.push_back(pid);
    return write_pid(deepest(), pid);
  }

 private:
  static bool write_pid(int cgroup, pid_t pid) {
    UniqueFd procs(::openat(cgroup, "cgroup.procs", O_WRONLY | O_CLOEXEC));
    const std::string text = std::to_string(pid);
    return procs && ::write(procs.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
  }
  std::vector<pid_t> moved_;
  std::string name_;
  std::vector<UniqueFd> fds_;
  bool complete_ = false;
};

}  // namespace hull::test
