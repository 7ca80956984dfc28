#pragma once
// Mounts a test makes on the host's side, in its own temp dir: a shared one,
// as every mount of a systemd host is, to see what a container sends back
// through a bind of it.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <string>
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

// What a host's volume holds that a container with CAP_SYS_ADMIN in its user
// namespace must not undo, the kernel's mount locks (as under runc): below
// `dir`, a tmpfs covering covered/hidden and ro/ (writable by all: only the
// mount keeps a container's root out) bound read-only onto itself.
// Made with the test's root; detached at scope exit.
class LockedSubmounts {
 public:
  explicit LockedSubmounts(const std::filesystem::path& dir) : covered_(dir / "covered"), read_only_(dir / "ro") {
    std::filesystem::create_directories(covered_);
    std::filesystem::create_directories(read_only_);
    std::ofstream(covered_ / "hidden") << "hidden\n";
    std::filesystem::permissions(read_only_, std::filesystem::perms::all);
    made_ = ::mount("tmpfs", covered_.c_str(), "tmpfs", 0, "mode=0755") == 0;
    made_ = made_ && ::mount(read_only_.c_str(), read_only_.c_str(), nullptr, MS_BIND, nullptr) == 0;
    made_ = made_ && ::mount(nullptr, read_only_.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0;
  }
  ~LockedSubmounts() {
    ::umount2(read_only_.c_str(), MNT_DETACH);
    ::umount2(covered_.c_str(), MNT_DETACH);
  }
  LockedSubmounts(const LockedSubmounts&) = delete;
  LockedSubmounts& operator=(const LockedSubmounts&) = delete;
  bool made() const { return made_; }

  // A shell script for the container, where the volume is at `at`: what it
  // manages to undo, one word each ("unmounted", "remounted-rw", "wrote");
  // nothing where the locks hold.
  static std::string try_to_undo(const std::string& at) {
    return "umount " + at + "/covered 2>/dev/null && echo unmounted; mount -o remount,bind,rw " + at +
           "/ro 2>/dev/null && echo remounted-rw; touch " + at + "/ro/w 2>/dev/null && echo wrote; true";
  }

 private:
  std::filesystem::path covered_;
  std::filesystem::path read_only_;
  bool made_ = false;
};

}  // namespace hull::itest
