#include "cgroups/events.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

namespace {

std::string find_key(const std::string& text, const std::string& key) {
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string_view line(text.data() + i, j - i);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ')
      return std::string(line.substr(key.size() + 1));
    i = j + 1;
  }
  return {};
}

std::string pread_all(int fd, const std::string& what) {
  if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seek " + what);
  return read_fd(fd, what);
}

}  // namespace

std::string event_value(const std::string& dir, const std::string& key) {
  const std::string path = dir + "/cgroup.events";
  UniqueFd fd = open_path(path, O_RDONLY);
  return find_key(read_fd(fd.get(), path), key);
}

std::optional<std::string> event_value_at(int dirfd, const std::string& dir, const std::string& key) {
  const std::string path = dir + "/cgroup.events";
  UniqueFd fd(::openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC));
  // Only a missing file tells what the caller asks (a v1 cgroup, or one
  // removed: kernfs answers a read of a removed cgroup's open file with
  // ENODEV, 201 of 700 rmdir races in the hundred-and-tenth round's review):
  // any other failure (EMFILE) is no answer, and reads as thawed or empty if
  // taken for one.
  if (!fd && (errno == ENOENT || errno == ENODEV)) return std::nullopt;
  if (!fd) throw_errno("open " + path);
  try {
    return find_key(read_fd(fd.get(), path), key);
  } catch (const Error& e) {
    if (e.code() == ENODEV) return std::nullopt;
    throw;
  }
}

bool frozen_or_freezing(const std::string& dir) {
  const std::string frozen = event_value(dir, "frozen");
  return frozen == "1" || (frozen == "0" && read_value(dir, "cgroup.freeze") == "1");
}

bool frozen_or_freezing_at(int dirfd, const std::string& dir) {
  const std::optional<std::string> frozen = event_value_at(dirfd, dir, "frozen");
  return frozen == "1" || (frozen == "0" && read_value_at(dirfd, "cgroup.freeze", dir) == "1");
}

bool wait_event(const std::string& dir, const std::string& key, const std::string& value,
                std::chrono::steady_clock::time_point deadline, int also) {
  std::string path = dir + "/cgroup.events";
  UniqueFd fd = open_path(path, O_RDONLY);
  for (;;) {
    // Read before polling: kernfs reports a change relative to the last read.
    if (find_key(pread_all(fd.get(), path), key) == value) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p[2] = {{fd.get(), POLLPRI, 0}, {also, POLLIN, 0}};  // poll skips a negative fd
    int n = ::poll(p, 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) throw_errno("poll " + path);
    if (n > 0 && (p[1].revents & POLLIN)) return true;
  }
}

}  // namespace hull::cgroups
