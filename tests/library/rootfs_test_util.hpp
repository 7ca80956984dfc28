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

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootfs/mountinfo.hpp"
#include "rootfs/rootfs.hpp"
#include "spec/spec.hpp"

namespace hull::rootfs::testing {

namespace fs = std::filesystem;

inline bool is_root() { return ::geteuid() == 0; }

#define HULL_REQUIRE_ROOT() \
  if (!::hull::rootfs::testing::is_root()) GTEST_SKIP() << "needs root (mount namespaces)"

// A temp dir holding bundle/rootfs (busybox at /bin) and room for "host" targets.
class TempBundle {
 public:
  TempBundle() {
    char tmpl[] = "/tmp/hull-rootfs-test-XXXXXX";
    if (!::mkdtemp(tmpl)) throw_errno("mkdtemp");
    dir_ = tmpl;
    fs::create_directories(rootfs() + "/bin");
    fs::copy_file("/bin/busybox", rootfs() + "/bin/busybox");
    fs::permissions(rootfs() + "/bin/busybox", fs::perms(0755));
    fs::create_symlink("busybox", rootfs() + "/bin/sh");
    fs::create_directories(host());
  }
  ~TempBundle() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }
  std::string bundle() const { return dir_ + "/bundle"; }
  std::string rootfs() const { return dir_ + "/bundle/rootfs"; }
  // A directory standing in for the host: escape attempts aim here.
  std::string host() const { return dir_ + "/host"; }

 private:
  std::string dir_;
};

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Runs f in a child in new mount and UTS namespaces with "/" made rprivate.
// Returns f's result, or "exception: <what>" / "child died" on failure.
inline std::string in_child(const std::function<std::string()>& f) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe");
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::close(p[0]);
    std::string out;
    try {
      if (::unshare(CLONE_NEWNS | CLONE_NEWUTS) < 0) throw_errno("unshare");
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) throw_errno("make / rprivate");
      out = f();
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    (void)!::write(p[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "child died";
  return out;
}

// The runc-default set of mounts, devices and masked/readonly paths.
inline spec::Spec default_spec(const std::string& rootfs) {
  spec::Spec s;
  s.ociVersion = "1.2.0";
  s.root = spec::Root{rootfs, false};
  auto m = [](const char* dest, const char* type, const char* src, std::vector<std::string> opts) {
    spec::Mount x;
    x.destination = dest;
    x.type = type;
    x.source = src;
    x.options = std::move(opts);
    return x;
  };
  s.mounts = {
      m("/proc", "proc", "proc", {}),
      m("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      m("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}),
      m("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      m("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      m("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      m("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };
  spec::Linux lx;
  lx.maskedPaths = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                    "/sys/firmware",       "/proc/scsi"};
  lx.readonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  spec::Namespace mnt;
  mnt.type = spec::NamespaceType::Mount;
  lx.namespaces = {mnt};
  s.linux_ = lx;
  return s;
}

inline spec::Mount make_mount(const std::string& dest, const std::string& type, const std::string& src,
                              std::vector<std::string> opts) {
  spec::Mount x;
  x.destination = dest;
  if (!type.empty()) x.type = type;
  x.source = src;
  x.options = std::move(opts);
  return x;
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
