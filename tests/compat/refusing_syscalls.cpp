// Runs hull under a seccomp filter that answers chosen system calls with an
// errno, as an older kernel does (ENOSYS) or the filter of an engine hull
// runs nested under (EPERM from Docker 20.10's profile for faccessat2). The
// filter stays with the container's processes, as it would there.
//   HULL_REFUSE=<call>[@<arg0>]:<errno>[,...] refusing_syscalls [hull arguments...]
// <call> is one of the names below; with @<arg0>, only calls whose first
// argument is that number (prctl@1: PR_SET_PDEATHSIG). <errno> is a number,
// or "kill": the process making the call is killed by SIGSYS.
// Without HULL_REFUSE: mount_setattr:ENOSYS, as on Linux 5.10 and 5.11
// (Debian 11, Amazon Linux 2), for the integration tests' run through the
// runtime's fallback to mount(2) (tests/CMakeLists.txt, test
// compat.without_mount_setattr).
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "support/arch.hpp"

namespace {

struct Call {
  const char* name;
  long nr;
};
const Call kCalls[] = {{"mount_setattr", SYS_mount_setattr},
                       {"faccessat2", SYS_faccessat2},
                       {"statx", SYS_statx},
                       {"prctl", SYS_prctl},
                       {"openat2", SYS_openat2},
                       {"pidfd_send_signal", SYS_pidfd_send_signal},
                       {"clone3", SYS_clone3}};

struct Refusal {
  long nr = -1;
  long arg0 = -1;  // -1: any
  unsigned err = 0;
  bool kill = false;
};

bool parse(const std::string& item, Refusal& r) {
  const size_t colon = item.rfind(':');
  if (colon == std::string::npos) return false;
  std::string call = item.substr(0, colon);
  if (const size_t at = call.find('@'); at != std::string::npos) {
    r.arg0 = std::strtol(call.c_str() + at + 1, nullptr, 10);
    call.resize(at);
  }
  for (const Call& c : kCalls)
    if (call == c.name) r.nr = c.nr;
  r.kill = item.substr(colon + 1) == "kill";
  r.err = static_cast<unsigned>(std::strtoul(item.c_str() + colon + 1, nullptr, 10));
  return r.nr >= 0 && (r.err > 0 || r.kill);
}

}  // namespace

int main(int, char** argv) {
  const char* spec = std::getenv("HULL_REFUSE");
  std::vector<Refusal> refusals;
  std::istringstream items(spec ? spec : "mount_setattr:" + std::to_string(ENOSYS));
  for (std::string item; std::getline(items, item, ',');) {
    Refusal r;
    if (!parse(item, r)) {
      std::fprintf(stderr, "refusing_syscalls: HULL_REFUSE: cannot read %s\n", item.c_str());
      return 125;
    }
    refusals.push_back(r);
  }
  std::vector<sock_filter> filter = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  // Per refusal: load the number, skip the rest of the refusal unless it
  // matches (and its first argument does), answer the errno (or kill).
  for (const Refusal& r : refusals) {
    const bool by_arg = r.arg0 >= 0;
    filter.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    filter.push_back(
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(r.nr), 0, static_cast<__u8>(by_arg ? 3 : 1)));
    if (by_arg) {
      filter.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
      filter.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(r.arg0), 0, 1));
    }
    filter.push_back(
        BPF_STMT(BPF_RET | BPF_K, r.kill ? SECCOMP_RET_KILL_PROCESS : SECCOMP_RET_ERRNO | (r.err & SECCOMP_RET_DATA)));
  }
  filter.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
  // As root (CAP_SYS_ADMIN) without no_new_privs, which the container's
  // processes would otherwise inherit.
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    std::perror("refusing_syscalls: seccomp");
    return 125;
  }
  argv[0] = const_cast<char*>(HULL_BINARY);
  ::execv(HULL_BINARY, argv);
  std::perror("refusing_syscalls: execv " HULL_BINARY);
  return 127;
}
