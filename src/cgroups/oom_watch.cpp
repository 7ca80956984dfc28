// OOM notifications for `events`: the kernel's own event sources (an eventfd
// registered through cgroup.event_control on v1, memory.events waking poll
// with POLLPRI on v2), so the caller waits on an fd instead of polling files.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/routing.hpp"

namespace hull::cgroups {

namespace {

// A counter of a memory.events (v1: memory.oom_control) text, by its key
// with the space after it.
uint64_t event_count(int fd, const std::string& what, std::string_view key) {
  if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seek " + what);
  std::string text = read_fd(fd, what);
  for (size_t i = 0; i < text.size();) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string_view line(text.data() + i, j - i);
    if (line.substr(0, key.size()) == key) return std::stoull(std::string(line.substr(key.size())));
    i = j + 1;
  }
  return 0;
}

uint64_t oom_kill_count(int fd, const std::string& what) { return event_count(fd, what, "oom_kill "); }

}  // namespace

OomWatch Manager::watch_oom() const {
  OomWatch w;
  std::string v1 = v1_dir(paths_, "memory");
  if (!v1.empty()) {
    w.dir_ = v1;
    w.oom_control_ = open_fd(v1 + "/memory.oom_control", O_RDONLY);
    int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) throw_errno("eventfd for OOM notifications");
    w.fd_.reset(efd);
    write_value(v1, "cgroup.event_control", std::to_string(efd) + " " + std::to_string(w.oom_control_.get()));
    return w;
  }
  if (!paths_.v2.empty() && has_file(paths_.v2, "memory.events")) {
    w.v2_ = true;
    w.dir_ = paths_.v2;
    std::string path = w.dir_ + "/memory.events";
    w.fd_ = open_fd(path, O_RDONLY);
    w.last_ = oom_kill_count(w.fd_.get(), path);  // also arms the POLLPRI notification
  }
  return w;
}

uint64_t Manager::oom_kills() const {
  std::string path = v1_dir(paths_, "memory");
  if (!path.empty()) {
    path += "/memory.oom_control";  // v1's has an "oom_kill N" line too
  } else if (!paths_.v2.empty() && has_file(paths_.v2, "memory.events")) {
    path = paths_.v2 + "/memory.events";
  } else {
    return 0;
  }
  UniqueFd fd = open_fd(path, O_RDONLY);
  return oom_kill_count(fd.get(), path);
}

bool Manager::memory_limit_reached() const {
  // v1's failcnt and v2's "oom" count this cgroup's own limit only: an
  // ancestor's limit that runs out raises neither.
  if (const std::string v1 = v1_dir(paths_, "memory"); !v1.empty()) return read_value(v1, "memory.failcnt") != "0";
  if (paths_.v2.empty() || !has_file(paths_.v2, "memory.events")) return false;
  const std::string path = paths_.v2 + "/memory.events";
  UniqueFd fd = open_fd(path, O_RDONLY);
  return event_count(fd.get(), path, "oom ") > 0;
}

short OomWatch::poll_events() const { return v2_ ? POLLPRI : POLLIN; }

uint64_t OomWatch::consume() {
  if (!fd_) return 0;
  if (v2_) {
    uint64_t now = 0;
    try {
      now = oom_kill_count(fd_.get(), dir_ + "/memory.events");
    } catch (const Error&) {
      fd_.reset();  // the cgroup is gone
      return 0;
    }
    uint64_t n = now > last_ ? now - last_ : 0;
    last_ = now;
    return n;
  }
  uint64_t count = 0;
  if (::read(fd_.get(), &count, sizeof count) != sizeof count) return 0;
  // Removing the cgroup also signals the eventfd: that is no OOM.
  if (!has_file(dir_, "cgroup.event_control")) {
    fd_.reset();
    return 0;
  }
  return count;
}

}  // namespace hull::cgroups
