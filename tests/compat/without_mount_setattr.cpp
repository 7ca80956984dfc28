// Runs hull with mount_setattr answering ENOSYS, as on Linux 5.10 and 5.11
// (Debian 11, Amazon Linux 2): the integration tests reach the runtime's
// fallback to mount(2) through it on any kernel (tests/CMakeLists.txt, test
// compat.without_mount_setattr). The filter stays with the container's
// processes, whose own mount_setattr then fails the same way.
//   without_mount_setattr [hull arguments...]
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>

#include "support/arch.hpp"

int main(int, char** argv) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeAuditArch, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount_setattr, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  // As root (CAP_SYS_ADMIN) without no_new_privs, which the container's
  // processes would otherwise inherit.
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    std::perror("without_mount_setattr: seccomp");
    return 125;
  }
  argv[0] = const_cast<char*>(HULL_BINARY);
  ::execv(HULL_BINARY, argv);
  std::perror("without_mount_setattr: execv " HULL_BINARY);
  return 127;
}
