// The -ENOSYS stub in front of a filter (runc's rule): a syscall numbered
// above the newest one the profile names, for the arch it is made on, is one
// the profile's author could not know about, so it gets ENOSYS (programs fall
// back, e.g. clone3 -> clone) rather than the default EPERM or a kill.
#include <linux/audit.h>
#include <linux/filter.h>
#include <seccomp.h>

#include <cerrno>
#include <map>

#include "base/error.hpp"
#include "seccomp/seccomp.hpp"

namespace hull::seccomp {
namespace {

// x32 processes make their syscalls on AUDIT_ARCH_X86_64 with this bit set.
constexpr uint32_t kX32Bit = 0x40000000;

// Jump targets resolved once the stub's length is known.
enum Target : int { kNext = -1, kEnosys = -2, kFilter = -3 };

struct Insn {
  uint16_t code;
  int jt, jf;  // kNext, kEnosys, kFilter or an absolute stub index
  uint32_t k;
};

struct Limits {
  std::optional<int> native;  // newest syscall number of the arch proper
  std::optional<int> x32;     // on x86_64: of the x32 ABI
};

bool permissive(uint32_t action) {
  // A tracer handles new syscalls itself; ENOSYS would break its emulation.
  return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG || (action & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_TRACE(0);
}

}  // namespace

std::vector<struct sock_filter> enosys_stub(const spec::Seccomp& config, uint32_t default_action,
                                            const std::vector<uint32_t>& arches) {
  if (permissive(default_action)) return {};
  if (default_action == SCMP_ACT_ERRNO(ENOSYS)) return {};

  // audit arch -> newest syscall number the profile names on it.
  std::map<uint32_t, Limits> limits;
  for (uint32_t arch : arches) {
    bool x32 = arch == SCMP_ARCH_X32;
    uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : arch;
    for (const auto& sc : config.syscalls)
      for (const auto& name : sc.names) {
        int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
        if (nr < 0) continue;  // unknown there, or a multiplexed pseudo-syscall
        auto& slot = x32 ? limits[audit].x32 : limits[audit].native;
        if (!slot || nr > *slot) slot = nr;
      }
  }

  std::vector<Insn> stub;
  auto emit = [&](uint16_t code, uint32_t k, int jt = kNext, int jf = kNext) { stub.push_back({code, jt, jf, k}); };
  for (const auto& [audit, lim] : limits) {
    if (!lim.native && !lim.x32) continue;
    emit(BPF_LD | BPF_W | BPF_ABS, 4);  // seccomp_data.arch
    size_t arch_check = stub.size();
    emit(BPF_JMP | BPF_JEQ | BPF_K, audit, kNext, 0);  // jf patched to the next section
    emit(BPF_LD | BPF_W | BPF_ABS, 0);                 // seccomp_data.nr
    if (audit == AUDIT_ARCH_X86_64) {
      // The x32 bit picks the limit; without one for that ABI the filter decides.
      size_t jset = stub.size();
      emit(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, kNext);
      if (lim.native) emit(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(*lim.native), kEnosys, kNext);
      emit(BPF_JMP | BPF_JA | BPF_K, 0, kFilter, kFilter);
      stub[jset].jt = static_cast<int>(stub.size());
      if (lim.x32) emit(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(*lim.x32), kEnosys, kNext);
      emit(BPF_JMP | BPF_JA | BPF_K, 0, kFilter, kFilter);
    } else {
      emit(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(*lim.native), kEnosys, kNext);
      emit(BPF_JMP | BPF_JA | BPF_K, 0, kFilter, kFilter);
    }
    stub[arch_check].jf = static_cast<int>(stub.size());
  }
  if (stub.empty()) return {};
  emit(BPF_JMP | BPF_JA | BPF_K, 0, kFilter, kFilter);  // an arch no section matched
  size_t enosys = stub.size();
  emit(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS));
  size_t filter = stub.size();

  std::vector<struct sock_filter> out;
  for (size_t i = 0; i < stub.size(); ++i) {
    const Insn& in = stub[i];
    auto offset = [&](int target) -> size_t {
      size_t to = target == kNext     ? i + 1
                  : target == kEnosys ? enosys
                  : target == kFilter ? filter
                                      : static_cast<size_t>(target);
      return to - i - 1;
    };
    struct sock_filter f {
      in.code, 0, 0, in.k
    };
    if (BPF_CLASS(in.code) == BPF_JMP) {
      if (BPF_OP(in.code) == BPF_JA) {
        f.k = static_cast<uint32_t>(offset(in.jt));
      } else {
        size_t jt = offset(in.jt), jf = offset(in.jf);
        if (jt > 255 || jf > 255) throw Error("linux.seccomp: the ENOSYS stub needs a jump longer than BPF allows");
        f.jt = static_cast<uint8_t>(jt);
        f.jf = static_cast<uint8_t>(jf);
      }
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace hull::seccomp
