// hull's default seccomp profile, for `hull spec`: an allow-list in the
// spirit of moby/containerd's and podman's (containers/common) defaults.
// Everything not listed fails with EPERM. Syscalls that only make sense with
// a capability are allowed when the container has it, so the profile never
// blocks what the capability set already grants (and never grants more).
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "seccomp/seccomp.hpp"

namespace hull::seccomp {
namespace {

// The allow-list, and below the rules per capability, are one literal each,
// split into names where used: an array of string_views is an array of
// pointers, which the static PIE's loader relocates at every start of every
// hull command (a copy-on-write fault per page: 10 KiB of them here) for a
// profile only `hull spec` reads. The last line's two are x86 only; unknown
// names on other architectures resolve per arch.
constexpr std::string_view kAllowed = R"(
accept accept4 access adjtimex alarm bind
brk cachestat capget capset chdir chmod
chown chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64
clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range
connect copy_file_range creat dup dup2 dup3
epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2
epoll_wait epoll_wait_old eventfd eventfd2 execve execveat
exit exit_group faccessat faccessat2 fadvise64 fadvise64_64
fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2
fchown fchown32 fchownat fcntl fcntl64 fdatasync
fgetxattr flistxattr flock fork fremovexattr fsetxattr
fstat fstat64 fstatat64 fstatfs fstatfs64 fsync
ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait
futex_waitv futex_wake futimesat getcpu getcwd getdents
getdents64 getegid getegid32 geteuid geteuid32 getgid
getgid32 getgroups getgroups32 getitimer getpeername getpgid
getpgrp getpid getppid getpriority getrandom getresgid
getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage
getsid getsockname getsockopt get_thread_area gettid gettimeofday
getuid getuid32 getxattr inotify_add_watch inotify_init inotify_init1
inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents
io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc
kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32
lgetxattr link linkat listen listxattr llistxattr
_llseek lremovexattr lseek lsetxattr lstat lstat64
madvise map_shadow_stack membarrier memfd_create memfd_secret mincore
mkdir mkdirat mknod mknodat mlock mlock2
mlockall mmap mmap2 mprotect mq_getsetattr mq_notify
mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink
mremap msgctl msgget msgrcv msgsnd msync
munlock munlockall munmap name_to_handle_at nanosleep newfstatat
_newselect open openat openat2 pause pidfd_open
pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect
poll ppoll ppoll_time64 prctl pread64 preadv
preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 ptrace
pwrite64 pwritev pwritev2 read readahead readlink
readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
recvmsg remap_file_pages removexattr rename renameat renameat2
restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo
sched_getaffinity sched_getattr sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler
sched_yield seccomp select semctl semget semop
semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg
sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32
setgid setgid32 setgroups setgroups32 setitimer setpgid
setpriority setregid setregid32 setresgid setresgid32 setresuid
setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid
setsockopt set_thread_area set_tid_address setuid setuid32 setxattr
shmat shmctl shmdt shmget shutdown sigaltstack
signalfd signalfd4 sigprocmask sigreturn socketcall socketpair
splice stat stat64 statfs statfs64 statx
symlink symlinkat sync sync_file_range syncfs sysinfo
tee tgkill time timer_create timer_delete timer_getoverrun
timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate
truncate64 ugetrlimit umask uname unlink unlinkat
utime utimensat utimensat_time64 utimes vfork vmsplice
wait4 waitid waitpid write writev
arch_prctl modify_ldt
)";

// Per capability, "CAP_X:" and the syscalls it allows.
constexpr std::string_view kCapRules = R"(
CAP_SYS_ADMIN: bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount mount_setattr
  move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog umount umount2
  unshare
CAP_SYS_BOOT: reboot
CAP_SYS_CHROOT: chroot
CAP_SYS_MODULE: delete_module init_module finit_module
CAP_SYS_PACCT: acct
CAP_SYS_PTRACE: kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev
CAP_SYS_RAWIO: iopl ioperm
CAP_SYS_TIME: settimeofday stime clock_settime clock_settime64
CAP_SYS_TTY_CONFIG: vhangup
CAP_SYS_NICE: get_mempolicy mbind set_mempolicy set_mempolicy_home_node
CAP_SYSLOG: syslog
CAP_BPF: bpf
CAP_PERFMON: perf_event_open
)";

// Namespace flags of clone(2): CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME.
constexpr uint64_t kCloneNamespaceFlags = 0x7E020080;

// Calls f with each word of text (words are separated by spaces and newlines).
template <class F>
void for_each_word(std::string_view text, F&& f) {
  for (size_t end = 0;;) {
    size_t begin = text.find_first_not_of(" \n", end);
    if (begin == std::string_view::npos) return;
    end = text.find_first_of(" \n", begin);
    f(text.substr(begin, end - begin));
    if (end == std::string_view::npos) return;
  }
}

bool known(std::string_view name) { return seccomp_syscall_resolve_name(std::string(name).c_str()) != __NR_SCMP_ERROR; }

// Only names this libseccomp can resolve, so compiling the profile here
// warns about nothing.
std::vector<std::string> names(std::initializer_list<std::string_view> list) {
  std::vector<std::string> out;
  for (auto n : list)
    if (known(n)) out.emplace_back(n);
  return out;
}

}  // namespace

spec::Seccomp default_profile(const std::vector<std::string>& capabilities) {
  auto has = [&](std::string_view cap) {
    return std::find(capabilities.begin(), capabilities.end(), cap) != capabilities.end();
  };
  spec::Seccomp p;
  p.defaultAction = "SCMP_ACT_ERRNO";
  p.defaultErrnoRet = EPERM;
#if defined(__x86_64__)
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
  p.architectures = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#endif

  spec::Syscall allow;
  allow.action = "SCMP_ACT_ALLOW";
  for_each_word(kAllowed, [&](std::string_view n) {
    if (known(n)) allow.names.emplace_back(n);
  });
  p.syscalls.push_back(allow);

  // personality: only the harmless domains (LINUX, LINUX32, UNAME26 variants,
  // and the query 0xffffffff); not ADDR_NO_RANDOMIZE & co, which weaken ASLR.
  for (uint64_t persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL})
    p.syscalls.push_back({names({"personality"}), "SCMP_ACT_ALLOW", std::nullopt, {{0, persona, 0, "SCMP_CMP_EQ"}}});

  // socket: everything but AF_VSOCK (40), which reaches the hypervisor's
  // host. Not for i386 programs, whose socketcall(2) hides the family in
  // memory (docs/security.md, "Known gaps").
  p.syscalls.push_back({names({"socket"}), "SCMP_ACT_ALLOW", std::nullopt, {{0, 40, 0, "SCMP_CMP_NE"}}});

  if (!has("CAP_SYS_ADMIN")) {
    // clone without namespace flags; clone3 hides its flags in memory seccomp
    // cannot read, so it reports ENOSYS and libc falls back to clone.
#if defined(__s390__) || defined(__s390x__)
    constexpr uint32_t kFlagsArg = 1;
#else
    constexpr uint32_t kFlagsArg = 0;
#endif
    p.syscalls.push_back({names({"clone"}),
                          "SCMP_ACT_ALLOW",
                          std::nullopt,
                          {{kFlagsArg, kCloneNamespaceFlags, 0, "SCMP_CMP_MASKED_EQ"}}});
    p.syscalls.push_back({names({"clone3"}), "SCMP_ACT_ERRNO", ENOSYS, {}});
  }
  // "CAP_X:" starts a capability's rule; the names after it are its syscalls.
  spec::Syscall rule;
  bool granted = false;
  auto finish_rule = [&] {
    if (granted && !rule.names.empty()) p.syscalls.push_back(rule);
    rule = {};
  };
  for_each_word(kCapRules, [&](std::string_view w) {
    if (w.ends_with(':')) {
      finish_rule();
      granted = has(w.substr(0, w.size() - 1));
      rule.action = "SCMP_ACT_ALLOW";
    } else if (granted && known(w)) {
      rule.names.emplace_back(w);
    }
  });
  finish_rule();
  return p;
}

}  // namespace hull::seccomp
