// Spec names of seccomp actions, operators, architectures and flags.
#include <linux/seccomp.h>
#include <seccomp.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "seccomp/seccomp.hpp"

namespace hull::seccomp {
namespace {

constexpr std::pair<std::string_view, int> kOperators[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
                                                           {"SCMP_CMP_LT", SCMP_CMP_LT},
                                                           {"SCMP_CMP_LE", SCMP_CMP_LE},
                                                           {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                                                           {"SCMP_CMP_GE", SCMP_CMP_GE},
                                                           {"SCMP_CMP_GT", SCMP_CMP_GT},
                                                           {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};

// The spec's list (libseccomp 2.6). Those the installed libseccomp predates
// map to 0: known names, but this build cannot filter for them.
#ifndef SCMP_ARCH_LOONGARCH64
#define SCMP_ARCH_LOONGARCH64 0
#endif
#ifndef SCMP_ARCH_M68K
#define SCMP_ARCH_M68K 0
#endif
#ifndef SCMP_ARCH_SH
#define SCMP_ARCH_SH 0
#endif
#ifndef SCMP_ARCH_SHEB
#define SCMP_ARCH_SHEB 0
#endif
constexpr std::pair<std::string_view, uint32_t> kArchs[] = {{"SCMP_ARCH_X86", SCMP_ARCH_X86},
                                                            {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
                                                            {"SCMP_ARCH_X32", SCMP_ARCH_X32},
                                                            {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
                                                            {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
                                                            {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
                                                            {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
                                                            {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
                                                            {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
                                                            {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
                                                            {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
                                                            {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
                                                            {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
                                                            {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
                                                            {"SCMP_ARCH_S390", SCMP_ARCH_S390},
                                                            {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
                                                            {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
                                                            {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
                                                            {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
                                                            {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
                                                            {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
                                                            {"SCMP_ARCH_SH", SCMP_ARCH_SH},
                                                            {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB}};

constexpr std::pair<std::string_view, unsigned> kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV}};

constexpr std::string_view kActions[] = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                         "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                                         "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};

template <class T, size_t N>
std::optional<T> lookup(const std::pair<std::string_view, T> (&table)[N], std::string_view name) {
  for (const auto& [n, v] : table)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace

std::optional<uint32_t> action_from_name(std::string_view name, std::optional<uint32_t> errno_ret) {
  // The kernel keeps 16 bits of data; a larger errno would silently wrap.
  uint32_t data = errno_ret.value_or(EPERM) & 0xffff;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(data);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(data);
  if (errno_ret) return std::nullopt;
  if (name == "SCMP_ACT_KILL") return SCMP_ACT_KILL;
  if (name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return std::nullopt;
}

std::optional<int> operator_from_name(std::string_view name) { return lookup(kOperators, name); }
std::optional<uint32_t> arch_from_name(std::string_view name) { return lookup(kArchs, name); }
std::optional<unsigned> flag_from_name(std::string_view name) { return lookup(kFlags, name); }

std::vector<std::string> known_actions() { return {std::begin(kActions), std::end(kActions)}; }

std::vector<std::string> known_operators() {
  std::vector<std::string> out;
  for (const auto& [n, v] : kOperators) out.emplace_back(n);
  return out;
}

std::vector<std::string> known_archs() {
  std::vector<std::string> out;
  for (const auto& [n, v] : kArchs)
    if (v != 0) out.emplace_back(n);
  return out;
}

std::vector<std::string> known_flags() {
  std::vector<std::string> out;
  for (const auto& [n, v] : kFlags) out.emplace_back(n);
  return out;
}

// seccomp(2) checks the flags before it reads the program: with a NULL
// program a flag it knows gives EFAULT, one it does not EINVAL. Nothing is
// ever installed. WAIT_KILLABLE_RECV is only valid with NEW_LISTENER.
std::vector<std::string> supported_flags() {
  std::vector<std::string> out;
  for (const auto& [n, v] : kFlags) {
    unsigned flags = v;
    if (v == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, nullptr) < 0 && errno == EFAULT) out.emplace_back(n);
  }
  return out;
}

}  // namespace hull::seccomp
