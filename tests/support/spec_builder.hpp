#pragma once
// spec::Spec builders for the tests that call the library directly (the CLI
// tier writes JSON bundles: Bundle and default_config in the cli tests). One
// place for what "a default container" means to a library test.
#include <string>
#include <utility>
#include <vector>

#include "spec/spec.hpp"

namespace hull::test {

// A process running `busybox args...` with PATH set and cwd /, and an empty
// linux section: for the process stage run without a container around it.
inline spec::Spec busybox_spec(std::vector<std::string> args) {
  spec::Spec s;
  s.ociVersion = "1.2.0";
  s.process.emplace();
  s.process->args = std::move(args);
  s.process->args.insert(s.process->args.begin(), "busybox");
  s.process->env = {"PATH=/bin:/usr/bin"};
  s.process->cwd = "/";
  s.linux_.emplace();
  return s;
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

// One mount entry; an empty type leaves it unset (a bind mount).
inline spec::Mount make_mount(const std::string& dest, const std::string& type, const std::string& src,
                              std::vector<std::string> opts) {
  spec::Mount x;
  x.destination = dest;
  if (!type.empty()) x.type = type;
  x.source = src;
  x.options = std::move(opts);
  return x;
}

}  // namespace hull::test
