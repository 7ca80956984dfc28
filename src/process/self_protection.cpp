#include "process/self_protection.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>

#include "base/error.hpp"
#include "base/procfs.hpp"
#include "base/unique_fd.hpp"

namespace hull::process {

bool runtime_binary_on_readonly_mount() {
  // Through base/procfs: exec's helper is in no pid namespace the
  // container's /proc shows.
  try {
    UniqueFd exe = procfs::open_link_target("self/exe", O_PATH);
    struct statvfs v;
    return ::fstatvfs(exe.get(), &v) == 0 && (v.f_flag & ST_RDONLY);
  } catch (const Error&) {
    return false;
  }
}

}  // namespace hull::process
