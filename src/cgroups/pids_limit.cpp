#include "cgroups/pids_limit.hpp"

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/host.hpp"

namespace hull::cgroups {
namespace {

// The pids hierarchy's mount and the caller's cgroup in it, as `host` saw
// them; nullopt where there is none.
std::optional<std::pair<std::string, std::string>> pids_place(const Host& host) {
  if (const V1Hierarchy* v1 = host.v1_for("pids")) return std::pair(v1->mount, v1->own_path);
  if (!host.v2_mount.empty()) return std::pair(host.v2_mount, host.v2_own_path);
  return std::nullopt;
}

// The pids cgroup at its limit among `own` (the one we run in, or with
// `container`, the container's we cloned into) and those above it, as
// " (...)", or "" where none is or none can be read.
std::string full_pids_cgroup(const std::pair<std::string, std::string>& place, bool container = false) {
  const auto& [mount, own] = place;
  for (std::string path = own; !path.empty() && path != "/"; path.resize(path.rfind('/'))) {
    try {
      const std::string max = read_value(mount + path, "pids.max");
      if (max == "max") continue;
      const std::string current = read_value(mount + path, "pids.current");
      if (std::stoull(current) < std::stoull(max)) continue;
      const char* where = path == own ? (container ? ", the container's," : ", which hull runs in,")
                                      : (container ? ", above the container's," : ", above the one hull runs in,");
      return " (the pids cgroup " + path + where + " is at its pids.max of " + max + ")";
    } catch (const std::exception&) {
      // Unreadable or gone: the next one up may still say.
    }
  }
  return "";
}

std::string why_no_process() {
  const Host& cached = Host::current();
  std::optional<std::pair<std::string, std::string>> place = pids_place(cached);
  if (!place) return " (RLIMIT_NPROC or the kernel's threads-max may be reached)";
  const std::string now = read_file("/proc/self/cgroup");
  if (now == cached.detected_from) {
    std::string why = full_pids_cgroup(*place);
    return why.empty() ? " (no pids cgroup hull runs in is full: RLIMIT_NPROC or the kernel's threads-max may be)"
                       : why;
  }
  // Moved since Host::current() was read, by the runtime it was cloned from:
  // the container's init, which runs the createContainer and startContainer
  // hooks in the container's cgroup. Where it is now is named where it can
  // be read (not from inside a cgroup namespace, whose root it sees as "/").
  try {
    place = pids_place(Host::detect("/sys/fs/cgroup", now));
    if (std::string why = place ? full_pids_cgroup(*place) : ""; !why.empty()) return why;
  } catch (const std::exception&) {}
  return " (the container's pids cgroup, which hull runs in now, or one above it may be at its pids.max; else "
         "RLIMIT_NPROC or the kernel's threads-max)";
}

// A clone3 into the container's v2 cgroup charges its pid there, not to
// hull's cgroup: the container's cgroup and those above it (a pod's at its
// limit) are the ones to name. nullopt where pids are counted in v1, which
// charges hull's own cgroup.
std::optional<std::string> why_no_process_in(int cgroup_fd) {
  const Host& host = Host::current();
  if (host.v1_for("pids") || host.v2_mount.empty()) return std::nullopt;
  const std::string dir = procfs::read_link("self/fd/" + std::to_string(cgroup_fd));
  if (!dir.starts_with(host.v2_mount + "/")) return std::nullopt;
  std::string why = full_pids_cgroup({host.v2_mount, dir.substr(host.v2_mount.size())}, true);
  return why.empty() ? " (neither the container's pids cgroup nor one above it is full: RLIMIT_NPROC or the "
                       "kernel's threads-max may be)"
                     : why;
}

}  // namespace

void throw_process_errno(const std::string& what, int into_cgroup_fd) {
  const int err = errno;
  if (err != EAGAIN) throw_errno(err, what);
  std::string why;
  try {
    std::optional<std::string> in_container = into_cgroup_fd >= 0 ? why_no_process_in(into_cgroup_fd) : std::nullopt;
    why = in_container ? *in_container : why_no_process();
  } catch (const std::exception&) {}
  throw_errno(err, what + why);
}

}  // namespace hull::cgroups
