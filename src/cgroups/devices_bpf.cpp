// cgroup v2 device control: a BPF_PROG_TYPE_CGROUP_DEVICE program built from
// the rules, loaded and attached with the bpf(2) syscall (no libbpf).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/device_filter_cache.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/devices_query.hpp"

namespace hull::cgroups {

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn load_word(uint8_t dst, int16_t off) { return insn(BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, off, 0); }
bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm); }
bpf_insn mov64_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

constexpr uint8_t kAll = kMknod | kRead | kWrite;

// struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }, with
// access_type (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*; r1 points to it.
constexpr int16_t kAccessType = 0, kMajor = 4, kMinor = 8;

// One rule: jumps past the block when the rule does not match, else returns
// its verdict. Each block loads from the context what it tests (r2 type, r3
// access bits, r4 major, r5 minor) and leaves r1 alone. Why not load them
// once at the top: every "no match" jump then carries what the tests before
// it learnt about r2-r5 into the next block, the verifier keeps each of those
// states apart and walks the rest of the program once per state: loading the
// default rules took 0.26 ms, 112 rules 0.1 s, and 412 were refused as too
// complex (bench/rounds.md, "Fourteenth round"). With nothing but r1 live
// where a block starts, all paths into it are one state, checked once.
void emit_rule(std::vector<bpf_insn>& prog, const DeviceRule& r) {
  std::vector<size_t> jumps;  // indexes of "no match" jumps to patch
  auto jump = [&](bpf_insn i) {
    jumps.push_back(prog.size());
    prog.push_back(i);
  };
  if (r.type != 'a') {
    prog.push_back(load_word(BPF_REG_2, kAccessType));
    prog.push_back(alu32_imm(BPF_AND, BPF_REG_2, 0xffff));
    jump(jump_imm(BPF_JNE, BPF_REG_2, r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
  }
  if ((r.access & kAll) != kAll) {
    prog.push_back(load_word(BPF_REG_3, kAccessType));
    prog.push_back(alu32_imm(BPF_RSH, BPF_REG_3, 16));
    if (r.allow) {
      // Allow matches only if every requested bit is granted.
      prog.push_back(alu32_imm(BPF_AND, BPF_REG_3, ~r.access & kAll));
      jump(jump_imm(BPF_JNE, BPF_REG_3, 0));
    } else {
      // Deny matches if any requested bit is forbidden.
      prog.push_back(alu32_imm(BPF_AND, BPF_REG_3, r.access & kAll));
      jump(jump_imm(BPF_JEQ, BPF_REG_3, 0));
    }
  }
  if (r.major >= 0) {
    prog.push_back(load_word(BPF_REG_4, kMajor));
    jump(jump_imm(BPF_JNE, BPF_REG_4, static_cast<int32_t>(r.major)));
  }
  if (r.minor >= 0) {
    prog.push_back(load_word(BPF_REG_5, kMinor));
    jump(jump_imm(BPF_JNE, BPF_REG_5, static_cast<int32_t>(r.minor)));
  }
  prog.push_back(mov64_imm(BPF_REG_0, r.allow ? 1 : 0));
  prog.push_back(exit_insn());
  for (size_t j : jumps) prog[j].off = static_cast<int16_t>(prog.size() - j - 1);
}

// The rules with each allow rule granting what the v1 kernel's exception
// for its device would hold by then: v1 (and runc's emulator of it, which
// its v2 filter is built from) merges the access of rules for the same
// type, major and minor into one exception, and a deny for that same
// device takes bits out of it; "a" with no numbers starts over. So "c
// 10:229 r" then "c 10:229 w" allow a read-write open, which neither rule
// alone matches in a program where an allow must grant every requested bit.
std::vector<DeviceRule> with_merged_access(const std::vector<DeviceRule>& rules) {
  std::vector<DeviceRule> out = rules;
  std::vector<DeviceRule> exceptions;  // per device: the access its allow rules have left it
  for (DeviceRule& r : out) {
    if (r.type == 'a' && r.major < 0 && r.minor < 0) {
      exceptions.clear();
      continue;
    }
    auto it = std::find_if(exceptions.begin(), exceptions.end(), [&](const DeviceRule& e) {
      return e.type == r.type && e.major == r.major && e.minor == r.minor;
    });
    if (it == exceptions.end()) {
      it = exceptions.insert(exceptions.end(), r);
      it->access = 0;
    }
    if (r.allow) {
      it->access |= r.access;
      r.access = it->access;
    } else {
      it->access &= ~r.access & kAll;
    }
  }
  return out;
}

// Before Linux 5.11 a BPF program is charged to its user's locked memory
// against RLIMIT_MEMLOCK (64 KiB by default there): root's device filters
// together reach it after a few dozen containers, and the load fails with
// EPERM. Loaded once more with the limit lifted for that call only, so no
// container inherits it (raising it needs CAP_SYS_RESOURCE; where that is
// missing the first EPERM stands). Later kernels charge the memory cgroup.
long load_with_memlock_lifted(bpf_attr& attr) {
  rlimit old{};
  if (::getrlimit(RLIMIT_MEMLOCK, &old) < 0 || old.rlim_cur == RLIM_INFINITY) return -1;
  const rlimit lifted{RLIM_INFINITY, RLIM_INFINITY};
  if (::setrlimit(RLIMIT_MEMLOCK, &lifted) < 0) return -1;
  const long fd = bpf_call(BPF_PROG_LOAD, attr);
  const int err = errno;
  (void)::setrlimit(RLIMIT_MEMLOCK, &old);  // lowering is always allowed
  errno = err;
  return fd;
}

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules_as_given) {
  const std::vector<DeviceRule> rules = with_merged_access(rules_as_given);
  std::vector<bpf_insn> prog;
  // Later rules override earlier ones, so the last rule is tested first. A
  // rule matching every access ends the program: what would follow could not
  // run, and older verifiers (Linux 6.1) reject unreachable instructions.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    emit_rule(prog, *it);
    if (it->type == 'a' && (it->access & kAll) == kAll && it->major < 0 && it->minor < 0) return prog;
  }
  prog.push_back(mov64_imm(BPF_REG_0, 0));  // default deny
  prog.push_back(exit_insn());
  return prog;
}

UniqueFd load_device_program(const std::vector<bpf_insn>& prog, const std::string& what) {
  static const char license[] = "Apache-2.0";
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(prog.data());
  attr.insn_cnt = static_cast<uint32_t>(prog.size());
  attr.license = reinterpret_cast<uint64_t>(license);
  long fd = bpf_call(BPF_PROG_LOAD, attr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  int err = errno;
  if (err == EPERM) {
    fd = load_with_memlock_lifted(attr);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    // The memory charged, the program itself refused (before Linux 5.11).
    if (errno == E2BIG || errno == EINVAL || errno == EACCES) err = errno;
  }
  // The verifier's limit on branches pending at once (8192): each rule's
  // "no match" tests leave about two (review "scale", hundred-and-tenth
  // round: 4000 rules load, 5000 do not; runc 1.1.5's program loads 9000).
  // E2BIG on Linux 6.18; EFAULT on 6.1, whose verifier answers its own
  // failure to push a branch so.
  if (err == E2BIG || err == EFAULT)
    throw_errno(err, "load the device filter for " + what + " (the kernel's verifier finds the program for " +
                         std::to_string(prog.size()) +
                         " instructions too complex: linux.resources.devices takes about 4000 rules)");
  if (err != EINVAL && err != EACCES) throw_errno(err, "load the device filter for " + what);
  // Load again with the verifier's log so the error says what it disliked.
  std::string log(size_t{64} * 1024, '\0');
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  fd = bpf_call(BPF_PROG_LOAD, attr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  log.resize(std::strlen(log.c_str()));
  throw_errno(err, "load the device filter for " + what + " (verifier: " + log + ")");
}

void v2_set_devices(int cgroup_fd, const std::string& cgroup_path, const std::vector<DeviceRule>& rules, bool replace,
                    const std::string& filter_cache) {
  std::vector<bpf_insn> prog = device_program(rules);
  LoadedFilter filter = find_loaded_filter(prog, filter_cache);
  if (!filter.fd) {
    filter.fd = load_device_program(prog, cgroup_path);
    keep_loaded_filter(prog, filter.fd.get(), filter_cache);
  }
  std::vector<uint32_t> old;
  if (replace) old = attached_device_program_ids(cgroup_fd, cgroup_path);
  // A filter taken from the cache may be this cgroup's already (an update
  // to the rules it has; a cgroup an earlier container with these rules
  // had): it stays, as the kernel refuses to attach it twice. (Attached
  // there without BPF_F_ALLOW_MULTI by someone else, it stays too: the
  // same instructions, where a second attach would have been refused.)
  const bool has_it = filter.id != 0 && std::find(old.begin(), old.end(), filter.id) != old.end();
  if (!has_it) {
    bpf_attr attr{};
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(filter.fd.get());
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf_call(BPF_PROG_ATTACH, attr) < 0) throw_errno("attach the device filter to " + cgroup_path);
  }

  for (uint32_t id : old) {
    if (id == filter.id) continue;
    bpf_attr get{};
    get.prog_id = id;
    long fd = bpf_call(BPF_PROG_GET_FD_BY_ID, get);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      throw_errno("open device filter " + std::to_string(id) + " of " + cgroup_path);
    }
    UniqueFd old_fd(static_cast<int>(fd));
    bpf_attr det{};
    det.target_fd = static_cast<uint32_t>(cgroup_fd);
    det.attach_bpf_fd = static_cast<uint32_t>(old_fd.get());
    det.attach_type = BPF_CGROUP_DEVICE;
    if (bpf_call(BPF_PROG_DETACH, det) < 0 && errno != ENOENT)
      throw_errno("detach the old device filter " + std::to_string(id) + " from " + cgroup_path);
  }
}

}  // namespace hull::cgroups
