// linux.seccomp -> libseccomp -> BPF.
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "base/error.hpp"
#include "base/warn.hpp"
#include "seccomp/seccomp.hpp"

namespace hull::seccomp {
namespace {

struct CtxRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxRelease>;

std::string field(size_t i) { return "linux.seccomp.syscalls[" + std::to_string(i) + "]"; }

uint32_t translate_action(const std::string& name, std::optional<uint32_t> errno_ret, const std::string& where) {
  if (auto a = action_from_name(name, errno_ret)) return *a;
  if (action_from_name(name, std::nullopt))
    throw Error(where + ": errnoRet " + std::to_string(*errno_ret) + " given, but " + name +
                " returns no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)");
  throw Error(where + ": unknown action " + quote(name));
}

std::vector<scmp_arg_cmp> translate_args(const spec::Syscall& sc, const std::string& where) {
  std::vector<scmp_arg_cmp> out;
  for (size_t j = 0; j < sc.args.size(); ++j) {
    const auto& a = sc.args[j];
    std::string at = where + ".args[" + std::to_string(j) + "]";
    auto op = operator_from_name(a.op);
    if (!op) throw Error(at + ": unknown operator " + quote(a.op));
    if (a.index > 5) throw Error(at + ": index " + std::to_string(a.index) + " is not a syscall argument (0..5)");
    // MASKED_EQ is (arg & value) == valueTwo: datum_a is the mask.
    out.push_back(scmp_arg_cmp{a.index, static_cast<scmp_compare>(*op), a.value, a.valueTwo});
  }
  return out;
}

void add_rule(void* ctx, uint32_t action, int nr, const std::vector<scmp_arg_cmp>& args, const std::string& what) {
  int rc =
      seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()), args.empty() ? nullptr : args.data());
  if (rc < 0) throw Error(what + ": libseccomp refused the rule", -rc);
}

bool lets_through(uint32_t action) { return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG; }
// Whether a call the action meets may go on: at once, or as the seccomp
// agent (NOTIFY) or a tracer (TRACE) decides.
bool may_go_through(uint32_t action) {
  return lets_through(action) || action == SCMP_ACT_NOTIFY || (action & 0xffff0000U) == SCMP_ACT_TRACE(0);
}

// How a profile's rules treat one syscall the runtime itself must make
// under the filter, where `passes` says which actions let it go on. Read as
// the filter is built: a rule with the default action is not added (see
// compile), and in libseccomp the first rule without conditions decides
// every call of its syscall, replacing the rules with conditions before it
// and dropping every rule after it.
class SyscallReach {
 public:
  SyscallReach(const char* name, bool (*passes)(uint32_t), uint32_t default_action)
      : name_(name), passes_(passes), default_action_(default_action) {}
  void add_rule(const std::vector<std::string>& names, uint32_t action, bool conditional, const std::string& where) {
    if (action == default_action_ || !whole_by_.empty()) return;
    if (std::find(names.begin(), names.end(), name_) == names.end()) return;
    if (!conditional) {
      whole_action_ = action;
      whole_by_ = where;
      return;
    }
    (passes_(action) ? passes_for_some_args_ : refused_for_some_args_) = true;
  }
  // Every call passes.
  bool always_passes() const {
    return decided() ? passes_(whole_action_) : passes_(default_action_) && !refused_for_some_args_;
  }
  // The rule refusing it whatever its arguments; empty if none.
  std::string refused_always_by() const { return decided() && !passes_(whole_action_) ? whole_by_ : ""; }
  // Some call can pass.
  bool can_pass() const {
    return decided() ? passes_(whole_action_) : passes_(default_action_) || passes_for_some_args_;
  }

 private:
  bool decided() const { return !whole_by_.empty(); }
  const char* name_;
  bool (*passes_)(uint32_t);
  uint32_t default_action_;
  uint32_t whole_action_ = 0;
  std::string whole_by_;  // the rule without conditions, once there is one
  bool passes_for_some_args_ = false, refused_for_some_args_ = false;
};

// The listener learns about the filter from a message sent once it is
// loaded, under it, with sendmsg or sendmmsg. A syscall some rule denies, or
// hands to the agent (which has no fd yet to answer with: the process would
// wait for ever), cannot carry it; nor can one a rule only lets through for
// some arguments.
SendCall choose_fd_carrier(const SyscallReach& sendmsg, const SyscallReach& sendmmsg) {
  if (sendmsg.always_passes()) return SendCall::Sendmsg;
  if (sendmmsg.always_passes()) return SendCall::Sendmmsg;
  throw Error(
      "linux.seccomp: the filter lets neither \"sendmsg\" nor \"sendmmsg\" through, and the runtime sends the "
      "listener at listenerPath its fd with one of them once the filter is loaded: allow one of them");
}

// The runtime's last call, under the filter, is execve. A profile that
// refuses it whatever its arguments can start no process, and says nothing
// of it: the refusal's report may be refused too (write), and where
// exit_group is, glibc's _exit ends in a fault, status 139, as if the
// program had crashed (runc and crun fail such a profile without a word of
// why). Refused at create, naming what refuses it.
void check_execve_reach(const SyscallReach& execve) {
  constexpr const char* kWhy =
      ": it is the call that starts the container's process (and each hook run under the filter), so no process "
      "could start; allow it";
  if (!execve.refused_always_by().empty())
    throw Error(execve.refused_always_by() + ": refuses \"execve\" whatever its arguments" + kWhy);
  if (!execve.can_pass())
    throw Error(std::string("linux.seccomp.defaultAction: refuses \"execve\" and no rule lets it through") + kWhy);
}

std::vector<struct sock_filter> export_program(void* ctx) {
  int raw = ::memfd_create("hull-seccomp", MFD_CLOEXEC);
  if (raw < 0) throw_errno("memfd_create for the seccomp program");
  UniqueFd fd(raw);
  if (int rc = seccomp_export_bpf(ctx, fd.get()); rc < 0) throw Error("linux.seccomp: compile the filter", -rc);
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) != 0) throw Error("linux.seccomp: libseccomp produced no program");
  std::vector<struct sock_filter> prog(static_cast<size_t>(size) / sizeof(struct sock_filter));
  if (::pread(fd.get(), prog.data(), static_cast<size_t>(size), 0) != size) throw_errno("read the seccomp program");
  return prog;
}

}  // namespace

struct sock_fprog Program::fprog() const {
  return {static_cast<unsigned short>(instructions.size()), const_cast<struct sock_filter*>(instructions.data())};
}

Program compile(const spec::Seccomp& config) {
  Program program;
  uint32_t def = translate_action(config.defaultAction, config.defaultErrnoRet, "linux.seccomp.defaultAction");
  if (def == SCMP_ACT_NOTIFY)
    throw Error(
        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY as the default would make the runtime's own last syscalls wait "
        "for a listener that has not been told yet");
  if (config.listenerMetadata && !config.listenerPath)
    throw Error("linux.seccomp.listenerMetadata is set without listenerPath");

  Ctx ctx(seccomp_init(def));
  if (!ctx) throw Error("linux.seccomp: libseccomp could not create a filter");
  // Our own syscall does the loading (see load()), so libseccomp's NNP
  // attribute is irrelevant; a binary tree keeps long allow-lists fast.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);

  std::vector<uint32_t> arches{seccomp_arch_native()};
  for (size_t i = 0; i < config.architectures.size(); ++i) {
    const std::string& name = config.architectures[i];
    const std::string field = "linux.seccomp.architectures[" + std::to_string(i) + "]";
    auto arch = arch_from_name(name);
    if (!arch) throw Error(field + ": unknown architecture " + quote(name));
    // config.md has unsupported values fail, as runc fails them; hull's
    // `features` leaves them out of "archs".
    if (*arch == 0)
      throw Error(field + ": " + name +
                  " is not supported by this build's libseccomp (hull features lists those it filters for)");
    int rc = seccomp_arch_add(ctx.get(), *arch);
    if (rc < 0 && rc != -EEXIST) throw Error(field + ": add " + name, -rc);
    if (rc == 0) arches.push_back(*arch);
  }

  // No flags given, not even []: SPEC_ALLOW, as runc >= 1.2 sets it. A
  // filter then forces no speculative-execution mitigation on the process
  // (where the kernel would, before 5.16 or with
  // spec_store_bypass_disable=seccomp): the mitigations are the host's
  // choice, and a profile that wants them lists its flags.
  if (!config.flags) {
    program.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  } else {
    for (const auto& name : *config.flags) {
      auto flag = flag_from_name(name);
      if (!flag) throw Error("linux.seccomp.flags: unknown flag " + quote(name));
      program.flags |= *flag;
    }
  }

  SyscallReach sendmsg_reach("sendmsg", lets_through, def), sendmmsg_reach("sendmmsg", lets_through, def);
  SyscallReach execve_reach("execve", may_go_through, def);
  for (size_t i = 0; i < config.syscalls.size(); ++i) {
    const auto& sc = config.syscalls[i];
    std::string where = field(i);
    for (const auto& name : sc.names)
      if (name.empty()) throw Error(where + ".names: an empty string is no syscall name");
    uint32_t action = translate_action(sc.action, sc.errnoRet, where);
    auto args = translate_args(sc, where);
    if (action == SCMP_ACT_NOTIFY) program.notify = true;
    for (auto* reach : {&sendmsg_reach, &sendmmsg_reach, &execve_reach})
      reach->add_rule(sc.names, action, !args.empty(), where);
    // libseccomp rejects a rule whose action is the default one; it would
    // change nothing anyway.
    if (action == def) continue;
    std::set<uint32_t> indexes;
    for (const auto& a : args) indexes.insert(a.arg);
    for (const auto& name : sc.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        hull::warn(where + ": unknown syscall " + quote(name) + " ignored");
        continue;
      }
      std::string what = where + " " + quote(name);
      // Conditions on distinct arguments are ANDed in one rule. libseccomp
      // cannot AND two conditions on the same argument, so those become one
      // rule each, ORed (what runc and crun do; Docker's profiles rely on it).
      if (indexes.size() == args.size()) {
        add_rule(ctx.get(), action, nr, args, what);
      } else {
        for (const auto& a : args) add_rule(ctx.get(), action, nr, {a}, what);
      }
    }
  }
  check_execve_reach(execve_reach);
  if (program.notify && !config.listenerPath)
    throw Error("linux.seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set");
  if (program.notify) program.fd_send_call = choose_fd_carrier(sendmsg_reach, sendmmsg_reach);
  if ((program.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !program.notify) {
    hull::warn(
        "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without SCMP_ACT_NOTIFY has no effect; ignored");
    program.flags &= ~static_cast<unsigned>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
  }
  program.instructions = enosys_stub(config, def, arches);
  auto filter = export_program(ctx.get());
  program.instructions.insert(program.instructions.end(), filter.begin(), filter.end());
  if (program.instructions.size() > BPF_MAXINSNS)
    throw Error("linux.seccomp: the filter compiles to " + std::to_string(program.instructions.size()) +
                " instructions, more than the kernel's " + std::to_string(BPF_MAXINSNS));
  return program;
}

UniqueFd load(const Program& program) {
  unsigned flags = program.flags;
  if (program.notify) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // TSYNC and a listener exclude each other unless TSYNC_ESRCH (5.7) says
    // how to report a thread that could not sync. We have one thread anyway.
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  struct sock_fprog prog = program.fprog();
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) {
    int err = errno;
    std::string hint;
    if (err == EACCES) hint = " (without noNewPrivileges loading needs CAP_SYS_ADMIN)";
    if (err == EINVAL) hint = " (a flag the running kernel does not support?)";
    throw_errno(err, "load the seccomp filter" + hint);
  }
  return UniqueFd(program.notify ? static_cast<int>(rc) : -1);
}

}  // namespace hull::seccomp
