#include "cgroups/pids_limit.hpp"

#include <cerrno>
#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/host.hpp"

namespace hull::cgroups {
namespace {

// The pids cgroup at its limit among the one we run in and those above it,
// as " (...)", or "" where none is or none can be read.
std::string full_pids_cgroup() {
  const Host& host = Host::current();
  std::string mount, own;
  if (const V1Hierarchy* v1 = host.v1_for("pids")) {
    mount = v1->mount;
    own = v1->own_path;
  } else if (!host.v2_mount.empty()) {
    mount = host.v2_mount;
    own = host.v2_own_path;
  } else {
    return "";
  }
  for (std::string path = own; !path.empty() && path != "/"; path.resize(path.rfind('/'))) {
    try {
      const std::string max = read_value(mount + path, "pids.max");
      if (max == "max") continue;
      const std::string current = read_value(mount + path, "pids.current");
      if (std::stoull(current) < std::stoull(max)) continue;
      return " (the pids cgroup " + path + (path == own ? ", which hull runs in," : ", above the one hull runs in,") +
             " is at its pids.max of " + max + ")";
    } catch (const std::exception&) {
      // Unreadable or gone: the next one up may still say.
    }
  }
  return "";
}

}  // namespace

void throw_process_errno(const std::string& what) {
  const int err = errno;
  if (err != EAGAIN) throw_errno(err, what);
  std::string why;
  try {
    why = full_pids_cgroup();
  } catch (const std::exception&) {
  }
  if (why.empty()) why = " (no pids cgroup hull runs in is full: RLIMIT_NPROC or the kernel's threads-max may be)";
  throw_errno(err, what + why);
}

}  // namespace hull::cgroups
