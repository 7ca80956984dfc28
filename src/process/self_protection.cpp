#include "process/self_protection.hpp"

#include <sys/statvfs.h>

namespace hull::process {

bool runtime_binary_on_readonly_mount() {
  struct statvfs v;
  return ::statvfs("/proc/self/exe", &v) == 0 && (v.f_flag & ST_RDONLY);
}

}  // namespace hull::process
