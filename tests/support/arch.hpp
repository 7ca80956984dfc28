#pragma once
// What a test expects that differs by architecture: the system call numbers
// a trace or a seccomp notification is compared with (arm64, like every
// architecture newer than x86-64, has only the *at forms: no mkdir, no
// readlink), what the kernel reports of itself to a 32-bit personality, the
// dynamic loader glibc's programs name, the architectures an engine's
// seccomp profile lists, and the one a hand-written filter checks.
#include <linux/audit.h>
#include <sys/syscall.h>

#include <cstdint>

#include <string>
#include <vector>

inline bool is_mkdir_call(long nr) {
#ifdef SYS_mkdir
  if (nr == SYS_mkdir) return true;
#endif
  return nr == SYS_mkdirat;
}

// `uname -m` under personality(PER_LINUX32): the kernel's compat machine name.
inline const char* linux32_machine() {
#if defined(__aarch64__)
  return "armv8l";
#else
  return "i686";
#endif
}

// PT_INTERP of a dynamic glibc program (the test programs themselves).
inline const char* elf_interpreter() {
#if defined(__aarch64__)
  return "/lib/ld-linux-aarch64.so.1";
#else
  return "/lib64/ld-linux-x86-64.so.2";
#endif
}

// The "architectures" of Docker's and containerd's default profiles here,
// the native one first.
inline std::vector<std::string> profile_architectures() {
#if defined(__aarch64__)
  return {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#else
  return {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#endif
}

// seccomp_data.arch of this build's own system calls.
#if defined(__aarch64__)
inline constexpr uint32_t kNativeAuditArch = AUDIT_ARCH_AARCH64;
#else
inline constexpr uint32_t kNativeAuditArch = AUDIT_ARCH_X86_64;
#endif
