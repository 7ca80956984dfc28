#pragma once
// What a test expects that differs by architecture, in one block per
// architecture: what the kernel reports of itself to a 32-bit personality,
// the dynamic loader glibc's programs name, the architectures an engine's
// seccomp profile lists (the native one first) and the one a hand-written
// filter checks; and the mkdir a trace or a seccomp notification shows
// (arm64, like every architecture newer than x86-64, has only mkdirat).
#include <linux/audit.h>
#include <sys/syscall.h>

#include <cstdint>

#include <string>
#include <vector>

#if defined(__aarch64__)
inline constexpr const char* kLinux32Machine = "armv8l";  // `uname -m` under personality(PER_LINUX32)
inline constexpr const char* kElfInterpreter = "/lib/ld-linux-aarch64.so.1";
inline const std::vector<std::string> kProfileArchitectures{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
inline constexpr uint32_t kNativeAuditArch = AUDIT_ARCH_AARCH64;
#else
inline constexpr const char* kLinux32Machine = "i686";
inline constexpr const char* kElfInterpreter = "/lib64/ld-linux-x86-64.so.2";
inline const std::vector<std::string> kProfileArchitectures{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
inline constexpr uint32_t kNativeAuditArch = AUDIT_ARCH_X86_64;
#endif

inline bool is_mkdir_call(long nr) {
#ifdef SYS_mkdir
  if (nr == SYS_mkdir) return true;
#endif
  return nr == SYS_mkdirat;
}
