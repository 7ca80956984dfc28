#pragma once
// Helpers for the root-only tests that call setup_rootfs directly: a temp
// bundle with a busybox rootfs, and a runner that executes a function in a
// forked child inside private mount and UTS namespaces, so nothing the test
// mounts can reach the host and everything vanishes with the child.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/mountinfo.hpp"
#include "rootfs/rootfs.hpp"
#include "spec/spec.hpp"
#include "support/forked_child.hpp"
#include "support/require_root.hpp"
#include "support/rootfs_template.hpp"
#include "support/spec_builder.hpp"
#include "support/temp_dir.hpp"

namespace hull::rootfs::testing {

namespace fs = std::filesystem;
using ::hull::test::default_spec;
using ::hull::test::make_mount;

// A temp dir holding bundle/rootfs (busybox at /bin, nothing else) and room
// for "host" targets.
class TempBundle {
 public:
  TempBundle() {
    fs::create_directories(bundle());
    ::hull::itest::make_bare_rootfs(rootfs());
    fs::create_directories(host());
  }
  const std::string& dir() const { return tmp_.path(); }
  std::string bundle() const { return tmp_ / "bundle"; }
  std::string rootfs() const { return tmp_ / "bundle/rootfs"; }
  // A directory standing in for the host: escape attempts aim here.
  std::string host() const { return tmp_ / "host"; }

 private:
  ::hull::test::TempDir tmp_{"rootfs-test"};
};

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// 0 when path opens with flags (O_CREAT makes it 0644), else the errno.
inline int open_errno(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

// Runs f in a child in new mount and UTS namespaces with "/" made rprivate.
// Returns f's result, or "exception: <what>" / "child died" on failure.
inline std::string in_child(const std::function<std::string()>& f) {
  ::hull::test::ForkedResult r = ::hull::test::run_forked_output([&] {
    if (::unshare(CLONE_NEWNS | CLONE_NEWUTS) < 0) throw_errno("unshare");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) throw_errno("make / rprivate");
    return f();
  });
  if (!WIFEXITED(r.status)) return "child died";
  return r.error.empty() ? r.output : "exception: " + r.error;
}

// The mountinfo entry for mount point `mp` (the topmost), or nullptr.
inline const MountInfo* find_mount(const std::vector<MountInfo>& v, const std::string& mp) {
  const MountInfo* found = nullptr;
  for (const MountInfo& m : v) {
    if (m.mount_point == mp) found = &m;
  }
  return found;
}

// True when the comma-separated per-mount options contain opt.
inline bool has_opt(const MountInfo* m, const std::string& opt) {
  if (!m) return false;
  std::string s = "," + m->options + ",";
  return s.find("," + opt + ",") != std::string::npos;
}

// Number of mounts in this process's namespace whose mount point starts with prefix.
inline int mounts_under(const std::string& prefix) {
  int n = 0;
  for (const MountInfo& m : read_mountinfo()) {
    if (m.mount_point.rfind(prefix, 0) == 0) ++n;
  }
  return n;
}

// Collects failed expectations inside a child as text ("" = all good).
struct Checks {
  std::string failures;
  void expect(bool ok, const std::string& what) {
    if (!ok) failures += what + "\n";
  }
};

// setup_rootfs in a child (see in_child). `tune` adjusts the options,
// `before_pivot` runs as the hook (host still visible), `after` inside the
// container. Returns "" when all went well, else "error: ..." or the failures.
inline std::string run_setup(const TempBundle& tb, const spec::Spec& s,
                             const std::function<void(SetupOptions&)>& tune = {},
                             const std::function<std::string()>& before_pivot = {},
                             const std::function<std::string()>& after = {}) {
  return in_child([&] {
    SetupOptions o;
    o.bundle = tb.bundle();
    o.rootfs = tb.rootfs();
    if (tune) tune(o);
    std::string hook_out;
    if (before_pivot) o.before_pivot = [&] { hook_out = before_pivot(); };
    try {
      setup_rootfs(s, o);
    } catch (const std::exception& e) {
      std::string leak = mounts_under(tb.host()) ? " [LEAK: mount on host dir]" : "";
      return std::string("error: ") + e.what() + leak;
    }
    return hook_out + (after ? after() : "");
  });
}

}  // namespace hull::rootfs::testing
