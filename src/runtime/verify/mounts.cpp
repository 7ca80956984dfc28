// The container's filesystem: the root is the bundle's rootfs (read-only when
// asked), masked paths masked, read-only paths read-only, every configured
// mount present with its flags and propagation. Read from the init's
// mountinfo and, for what a path is, through /proc/<init>/root with openat2
// RESOLVE_IN_ROOT (a symlink in the container never leads out of it).
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "base/error.hpp"
#include "base/text.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/verify/target.hpp"

namespace hull::verify {

namespace {

// The topmost mount at `path` (mountinfo lists mounts in the order they were
// made, so the last one at a point is the one visible there).
const MountInfo* mount_at(const Target& t, const std::string& path) {
  const MountInfo* found = nullptr;
  for (const auto& m : t.mounts)
    if (m.mount_point == path) found = &m;
  return found;
}

bool has_option(const std::string& options, const std::string& name) {
  std::istringstream in(options);
  for (std::string o; std::getline(in, o, ',');)
    if (o == name) return true;
  return false;
}

std::string describe(const MountInfo& m) {
  std::string s = m.fs_type + " " + m.options;
  for (const auto& o : m.optional) s += " " + o;
  return s;
}

// Per-mount flags the config asks for, as mountinfo names them.
std::vector<std::string> wanted_flags(const rootfs::MountOptions& o) {
  std::vector<std::string> out;
  if (o.flags & MS_RDONLY) out.push_back("ro");
  if (o.flags & MS_NOSUID) out.push_back("nosuid");
  if (o.flags & MS_NODEV) out.push_back("nodev");
  if (o.flags & MS_NOEXEC) out.push_back("noexec");
  return out;
}

// The propagation the last propagation option asks for, and whether the
// mount shows it ("shared:N", "master:N", "unbindable" in the optional fields).
std::optional<std::string> wanted_propagation(const rootfs::MountOptions& o) {
  if (o.propagation.empty()) return std::nullopt;
  unsigned long p = o.propagation.back();
  if (p & MS_SHARED) return "shared";
  if (p & MS_SLAVE) return "slave";
  if (p & MS_UNBINDABLE) return "unbindable";
  return "private";
}
std::string shown_propagation(const MountInfo& m) {
  bool shared = false, slave = false, unbindable = false;
  for (const auto& f : m.optional) {
    shared |= f.starts_with("shared:");
    slave |= f.starts_with("master:");
    unbindable |= f == "unbindable";
  }
  if (unbindable) return "unbindable";
  if (shared) return "shared";  // "shared" wins over "slave" for shared+slave mounts: both are asked as shared
  if (slave) return "slave";
  return "private";
}

// The kernel's fs type matches what the config's type promises.
bool type_matches(const std::string& config_type, const MountInfo& m) {
  if (config_type == "cgroup" || config_type == "cgroup2")
    // hull mounts v1 hierarchies under a tmpfs; a cgroup namespace shows cgroup2.
    return m.fs_type == "cgroup" || m.fs_type == "cgroup2" || m.fs_type == "tmpfs";
  return m.fs_type == config_type;
}

// A root the config makes read-only (root.readonly, or "/" among
// readonlyPaths) must be. One it leaves writable may still be read-only
// (a read-only bind or file system under the rootfs, as runc runs it too):
// stricter than asked, which breaks no promise.
void check_root_readonly(const Target& t, Report& r, const spec::Root& root, bool ro) {
  const auto& paths = t.linux_section().readonlyPaths;
  const bool asked = root.readonly || std::any_of(paths.begin(), paths.end(),
                                                  [](const std::string& p) { return rootfs::clean_path(p) == "/"; });
  if (asked || !ro) {
    r.check(ro == asked, "root readonly", asked ? "ro" : "rw", ro ? "ro" : "rw", "the root is writable");
    return;
  }
  struct statvfs host {};
  if (::statvfs(t.state.rootfs.c_str(), &host) == 0 && (host.f_flag & ST_RDONLY))
    r.holds("root readonly", "rw", "ro (the rootfs is read-only on the host)");
  else
    r.cannot_tell("root readonly", "rw", "ro",
                  "the root is read-only, which the config does not ask: the program may have made it so");
}

void check_root(const Target& t, Report& r) {
  struct stat mine {
  }, bundle{};
  const spec::Root root = t.spec.root.value_or(spec::Root{});
  bool overlay = t.state.extra.count(kOverlayDirKey) || t.state.annotations.count("org.hull.overlay-rootfs");
  const MountInfo* slash = mount_at(t, "/");
  if (::fstat(t.root.get(), &mine) < 0) {
    r.cannot_tell("root", t.state.rootfs, "stat /proc/" + std::to_string(t.pid) + "/root: " + std::strerror(errno));
  } else if (overlay) {
    std::string shown = slash ? slash->fs_type : "no mount at /";
    r.check(slash && slash->fs_type == "overlay", "root", "overlay over " + t.state.rootfs, shown,
            "the root is not hull's overlay of the rootfs");
  } else if (::stat(t.state.rootfs.c_str(), &bundle) < 0) {
    r.cannot_tell("root", t.state.rootfs, "stat " + t.state.rootfs + ": " + std::strerror(errno));
  } else {
    bool same = mine.st_dev == bundle.st_dev && mine.st_ino == bundle.st_ino;
    auto id = [](const struct stat& s) {
      return std::to_string(major(s.st_dev)) + ":" + std::to_string(minor(s.st_dev)) + " ino " +
             std::to_string(s.st_ino);
    };
    r.check(same && slash, "root", t.state.rootfs + " (" + id(bundle) + ")", id(mine),
            same ? "the root is not a mount point (not pivoted into)" : "the root is not the bundle's rootfs");
  }
  if (slash) check_root_readonly(t, r, root, has_option(slash->options, "ro"));
}

void check_masked(const Target& t, Report& r) {
  for (const std::string& p : t.linux_section().maskedPaths) {
    std::string path = rootfs::clean_path(p);
    std::string property = "masked " + path;
    UniqueFd fd;
    try {
      fd = rootfs::open_in_root(t.root.get(), path);
    } catch (const Error& e) {
      r.cannot_tell(property, "masked", e.what());
      continue;
    }
    if (!fd) {
      r.holds(property, "masked", "absent");
      continue;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) {
      r.cannot_tell(property, "masked", std::string("stat: ") + std::strerror(errno));
      continue;
    }
    const MountInfo* m = mount_at(t, path);
    if (S_ISDIR(st.st_mode)) {
      bool ok = m && m->fs_type == "tmpfs" && has_option(m->options, "ro") && st.st_nlink <= 2;
      r.check(ok, property, "empty ro tmpfs", m ? describe(*m) : "directory, not a mount",
              "the directory is not covered by an empty read-only tmpfs");
    } else {
      bool null = S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
      std::string shown = null ? "/dev/null (1:3)" : S_ISCHR(st.st_mode) ? "char device" : "not /dev/null";
      if (!m) shown += ", not a mount";
      r.check(null && m, property, "/dev/null bound over it", shown, "the file is not covered by /dev/null");
    }
  }
}

void check_readonly(const Target& t, Report& r) {
  for (const std::string& p : t.linux_section().readonlyPaths) {
    std::string path = rootfs::clean_path(p);
    std::string property = "readonly " + path;
    const MountInfo* m = mount_at(t, path);
    if (!m) {
      UniqueFd fd;
      try {
        fd = rootfs::open_in_root(t.root.get(), path);
      } catch (const Error& e) {
        r.cannot_tell(property, "ro", e.what());
        continue;
      }
      if (!fd)
        r.holds(property, "ro", "absent");
      else
        r.violated(property, "ro", "not a mount", "the path is not a read-only mount");
      continue;
    }
    r.check(has_option(m->options, "ro"), property, "ro", describe(*m), "the path is mounted read-write");
  }
}

void check_configured_mounts(const Target& t, Report& r) {
  for (const spec::Mount& cm : t.spec.mounts) {
    std::string path = rootfs::clean_path(cm.destination);
    std::string property = "mount " + path;
    rootfs::MountOptions o = rootfs::parse_mount_options(cm.options);
    std::string type = cm.type.value_or(o.bind() ? "bind" : "");
    std::vector<std::string> flags = wanted_flags(o);
    std::optional<std::string> propagation = wanted_propagation(o);
    std::string config =
        type + (flags.empty() ? "" : " " + joined_fields(flags, ",")) + (propagation ? " " + *propagation : "");
    const MountInfo* m = mount_at(t, path);
    if (!m) {
      r.violated(property, config, "no mount", "the mount is missing");
      continue;
    }
    std::string why;
    if (!o.bind() && type != "bind" && type != "none" && !type.empty() && !type_matches(type, *m))
      why = "filesystem type " + m->fs_type;
    for (const auto& f : flags)
      if (!has_option(m->options, f)) why += std::string(why.empty() ? "" : "; ") + "not " + f;
    if (propagation && shown_propagation(*m) != *propagation)
      why += std::string(why.empty() ? "" : "; ") + "propagation " + shown_propagation(*m);
    r.check(why.empty(), property, config, describe(*m), why);
  }
}

}  // namespace

void check_root_and_mounts(const Target& t, Report& r) {
  check_root(t, r);
  check_configured_mounts(t, r);
  check_masked(t, r);
  check_readonly(t, r);
}

}  // namespace hull::verify
