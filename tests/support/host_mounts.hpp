#pragma once
// Mounts a test makes on the host's side, in its own temp dir: a shared one,
// as every mount of a systemd host is, to see what a container sends back
// through a bind of it.
#include <sys/mount.h>

#include <filesystem>
#include <utility>

#include "base/mountinfo.hpp"

namespace hull::itest {

// A mount of the test's own on the host side, in its temp dir, made shared
// as a systemd host's mounts are: a bind of `dir` onto itself, or a tmpfs
// there. Detached with whatever is below it at the end, which is also where
// a mount propagated back from a container would land.
class SharedHostMount {
 public:
  SharedHostMount(const std::filesystem::path& dir, bool tmpfs) : dir_(dir) {
    std::filesystem::create_directories(dir);
    made_ = tmpfs ? ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "mode=0755") == 0
                  : ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0;
    made_ = made_ && ::mount(nullptr, dir.c_str(), nullptr, MS_SHARED, nullptr) == 0;
  }
  ~SharedHostMount() { ::umount2(dir_.c_str(), MNT_DETACH); }
  SharedHostMount(const SharedHostMount&) = delete;
  SharedHostMount& operator=(const SharedHostMount&) = delete;
  bool made() const { return made_; }

 private:
  std::filesystem::path dir_;
  bool made_ = false;
};

// Detaches what the test mounted at `path` (a tmpfs, a pinned namespace
// file) when the scope ends, also when an ASSERT_ returns early.
class UnmountAtScopeExit {
 public:
  explicit UnmountAtScopeExit(std::filesystem::path path) : path_(std::move(path)) {}
  ~UnmountAtScopeExit() { ::umount2(path_.c_str(), MNT_DETACH); }
  UnmountAtScopeExit(const UnmountAtScopeExit&) = delete;
  UnmountAtScopeExit& operator=(const UnmountAtScopeExit&) = delete;

 private:
  std::filesystem::path path_;
};

// Whether our own mount namespace has a mount at `point`.
inline bool host_has_mount_at(const std::filesystem::path& point) {
  for (const MountInfo& m : read_mountinfo())
    if (m.mount_point == point.string()) return true;
  return false;
}

}  // namespace hull::itest
