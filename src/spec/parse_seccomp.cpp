// .linux.seccomp → spec::Seccomp. The names are libseccomp's, as the spec
// lists them (libseccomp v2.6.0); the seccomp module maps them to values.
#include "spec/parse.hpp"

namespace hull::spec::detail {
namespace {

std::string parse_action(const Node& n) {
  return n.one_of({"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
                   "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"},
                  "seccomp action");
}

std::string parse_arch(const Node& n) {
  return n.one_of({"SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",    "SCMP_ARCH_ARM",
                   "SCMP_ARCH_AARCH64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",   "SCMP_ARCH_MIPS",
                   "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
                   "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",  "SCMP_ARCH_PPC64LE",
                   "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",     "SCMP_ARCH_SHEB",
                   "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64"},
                  "seccomp architecture");
}

std::string parse_flag(const Node& n) {
  return n.one_of({"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                   "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
                  "seccomp flag");
}

SyscallArg parse_arg(const Node& n) {
  SyscallArg a;
  required_field(n, "index", a.index, &Node::u32);
  required_field(n, "value", a.value, &Node::u64);
  optional_field(n, "valueTwo", a.valueTwo, &Node::u64);
  required_field(n, "op", a.op, [](const Node& o) {
    return o.one_of({"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                     "SCMP_CMP_MASKED_EQ"},
                    "seccomp operator");
  });
  return a;
}

Syscall parse_syscall(const Node& n) {
  Syscall s;
  required_field(n, "names", s.names, &Node::strings);
  if (s.names.empty()) n.required("names").fail("must contain at least one syscall name");
  required_field(n, "action", s.action, parse_action);
  optional_field(n, "errnoRet", s.errnoRet, &Node::u32);
  if (auto a = n.get("args")) s.args = a->list(parse_arg);
  return s;
}

}  // namespace

Seccomp parse_seccomp(const Node& n) {
  Seccomp s;
  required_field(n, "defaultAction", s.defaultAction, parse_action);
  optional_field(n, "defaultErrnoRet", s.defaultErrnoRet, &Node::u32);
  if (auto a = n.get("architectures")) s.architectures = a->list(parse_arch);
  if (auto f = n.get("flags")) s.flags = f->list(parse_flag);
  optional_field(n, "listenerPath", s.listenerPath, &Node::string);
  optional_field(n, "listenerMetadata", s.listenerMetadata, &Node::string);
  if (auto c = n.get("syscalls")) s.syscalls = c->list(parse_syscall);
  return s;
}

}  // namespace hull::spec::detail
