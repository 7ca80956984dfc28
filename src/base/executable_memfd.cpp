#include "base/executable_memfd.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace hull {

UniqueFd executable_memfd(const char* name, unsigned flags) {
  constexpr unsigned kMfdExec = 0x10U;  // MFD_EXEC; older headers lack it
  flags |= MFD_CLOEXEC;
  int fd = static_cast<int>(::syscall(SYS_memfd_create, name, flags | kMfdExec));
  if (fd < 0 && errno == EINVAL) fd = static_cast<int>(::syscall(SYS_memfd_create, name, flags));
  return UniqueFd(fd);
}

}  // namespace hull
