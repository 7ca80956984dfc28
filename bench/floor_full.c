// floor_full: the kernel's price for everything the benchmark's config
// (bench/config.template.json, which is `hull spec` minus the cgroup mount)
// asks of a runtime, done with the fewest syscalls and no runtime around it:
// the container cgroup with its limits, clone3 into the namespaces, every
// spec mount, /dev nodes and links, masked and read-only paths, read-only
// root, pivot_root, hostname, the loopback interface up in a new network
// namespace (as runc, crun and hull do), rlimit, groups, capabilities,
// no_new_privs, execve; then the wait and the cgroup's removal, as `run` does. No config
// parsing, no state dir, no sync with a parent: what a runtime spends above
// this is its own overhead. The driver (hullbench --floor) runs it as one
// more column of the `run` rows, interleaved with the runtimes.
//
// usage: floor_full NETNS(0|1) ROOTFS CGROUP_PATH CONTROLLERS
//   CGROUP_PATH: e.g. /hullbench.123/floor-run-7, created and removed here.
//   CONTROLLERS: comma list of cgroup v1 hierarchies under /sys/fs/cgroup
//   (hybrid/v1 host), or "-" on a pure cgroup v2 host (then clone3 puts the
//   child straight into the cgroup with CLONE_INTO_CGROUP).
// On v2 the floor writes memory.max, cpu.weight and pids.max and attaches the
// device rules of the v1 floor's devices.deny/devices.allow as the shortest
// BPF_PROG_TYPE_CGROUP_DEVICE program that says the same (a switch on major
// and minor, no access checks: every allowed device is rwm).
// Exit status: the container's, or 100+ for a failed step (named on stderr).
// With HULL_TRACE_PHASES=<fd> it writes hull's phase marks (bench/phases.py)
// at the end of each step, so the floor's phases stand beside hull's.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static void die(const char* what, int code) {
  fprintf(stderr, "floor_full: %s: %s\n", what, strerror(errno));
  _exit(code);
}

// A phase mark in hull's format (src/base/phase_trace.cpp): "<phase>
// <monotonic ns> <pid> <page faults so far>", one write per line. Without
// HULL_TRACE_PHASES a mark is one branch.
static int mark_fd = -1;
static void mark(const char* phase) {
  if (mark_fd < 0) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  char line[192];  // hull's fields (src/base/phase_trace.hpp)
  int n = snprintf(line, sizeof line, "%s %lld %d %ld %d %ld %ld\n", phase,
                   (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, (int)getpid(), ru.ru_minflt + ru.ru_majflt,
                   sched_getcpu(), ru.ru_nvcsw, ru.ru_nivcsw);
  if (n > 0 && (size_t)n < sizeof line) (void)!write(mark_fd, line, (size_t)n);
}

static void marks_from_env(void) {
  const char* v = getenv("HULL_TRACE_PHASES");
  if (!v || !*v) return;
  int fd = atoi(v);
  if (fd < 3 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return;  // not passed to /bin/true
  mark_fd = fd;
  mark("main");
}

static void write_str(const char* path, const char* s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, s, strlen(s)) < 0) die(path, 101);
  close(fd);
}

// v2: deny every device but c 1:3, 1:5, 1:7, 1:8, 1:9, 5:0, 5:2 and 136:*,
// each rwm: the rules the v1 branch below writes. r1 points to struct
// bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }.
static void attach_device_filter(int cgroup_fd) {
#define INSN(c, d, s, o, i) {.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)}
#define LDW(d, o) INSN(BPF_LDX | BPF_W | BPF_MEM, d, 1, o, 0)
#define JEQ(d, v, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, v)
#define JNE(d, v, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, v)
  static const struct bpf_insn prog[] = {
      LDW(2, 0),                                      // 0: access_type
      INSN(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff),  // 1: its device type
      JNE(2, BPF_DEVCG_DEV_CHAR, 16),                 // 2: not a char device -> deny (19)
      LDW(4, 4),                                      // 3: major
      LDW(5, 8),                                      // 4: minor
      JEQ(4, 136, 11),                                // 5: 136:* -> allow (17)
      JEQ(4, 5, 7),                                   // 6: 5:* -> 14
      JNE(4, 1, 11),                                  // 7: not 1:* -> deny (19)
      JEQ(5, 3, 8),                                   // 8: 1:3 -> allow (17)
      JEQ(5, 5, 7),                                   // 9
      JEQ(5, 7, 6),                                   // 10
      JEQ(5, 8, 5),                                   // 11
      JEQ(5, 9, 4),                                   // 12
      INSN(BPF_JMP | BPF_JA, 0, 0, 5, 0),             // 13: -> deny (19)
      JEQ(5, 0, 2),                                   // 14: 5:0 -> allow
      JEQ(5, 2, 1),                                   // 15: 5:2 -> allow
      INSN(BPF_JMP | BPF_JA, 0, 0, 2, 0),             // 16: -> deny (19)
      INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),  // 17: allow
      INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),           // 18
      INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),  // 19: deny
      INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),           // 20
  };
  static const char license[] = "Apache-2.0";
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t)(uintptr_t)prog;
  a.insn_cnt = sizeof prog / sizeof prog[0];
  a.license = (uint64_t)(uintptr_t)license;
  int prog_fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
  if (prog_fd < 0) die("load the device filter", 103);
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)cgroup_fd;
  a.attach_bpf_fd = (uint32_t)prog_fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) != 0) die("attach the device filter", 103);
  close(prog_fd);
#undef INSN
#undef LDW
#undef JEQ
#undef JNE
}

#define MAX_CTRL 16
static char cg_dirs[MAX_CTRL][512];
static int n_cg;

// Parent: one cgroup directory per hierarchy, with the config's limits.
static int make_cgroups(const char* path, char* ctrls, int v2) {
  char f[600];
  if (v2) {
    snprintf(cg_dirs[n_cg], sizeof cg_dirs[0], "/sys/fs/cgroup%s", path);
    if (mkdir(cg_dirs[n_cg], 0755) != 0) die(cg_dirs[n_cg], 102);
    const char* dir = cg_dirs[n_cg++];
    snprintf(f, sizeof f, "%s/memory.max", dir), write_str(f, "268435456");
    snprintf(f, sizeof f, "%s/cpu.weight", dir), write_str(f, "20");  // shares 512
    snprintf(f, sizeof f, "%s/pids.max", dir), write_str(f, "128");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) die(dir, 102);
    attach_device_filter(fd);
    return fd;
  }
  for (char* c = strtok(ctrls, ","); c && n_cg < MAX_CTRL; c = strtok(NULL, ",")) {
    char* dir = cg_dirs[n_cg++];
    snprintf(dir, sizeof cg_dirs[0], "/sys/fs/cgroup/%s%s", c, path);
    if (mkdir(dir, 0755) != 0) die(dir, 102);
    if (strcmp(c, "memory") == 0) {
      snprintf(f, sizeof f, "%s/memory.limit_in_bytes", dir), write_str(f, "268435456");
    } else if (strcmp(c, "cpu,cpuacct") == 0 || strcmp(c, "cpu") == 0) {
      snprintf(f, sizeof f, "%s/cpu.shares", dir), write_str(f, "512");
    } else if (strcmp(c, "pids") == 0) {
      snprintf(f, sizeof f, "%s/pids.max", dir), write_str(f, "128");
    } else if (strcmp(c, "devices") == 0) {
      // deny-all, then the default devices and the pty ones, as every runtime does
      static const char* rules[] = {"a",         "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",   "c 1:8 rwm",
                                    "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm", NULL};
      snprintf(f, sizeof f, "%s/devices.deny", dir), write_str(f, rules[0]);
      snprintf(f, sizeof f, "%s/devices.allow", dir);
      for (int i = 1; rules[i]; ++i) write_str(f, rules[i]);
    } else if (strcmp(c, "cpuset") == 0) {  // an empty cpuset takes no task
      char parent[600], buf[256];
      static const char* keys[] = {"cpuset.cpus", "cpuset.mems"};
      for (int j = 0; j < 2; ++j) {
        const char* k = keys[j];
        snprintf(parent, sizeof parent, "%s/../%s", dir, k);
        int fd = open(parent, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (n <= 0) die(parent, 102);
        close(fd);
        buf[n] = 0;
        snprintf(f, sizeof f, "%s/%s", dir, k), write_str(f, buf);
      }
    }
  }
  return -1;
}

static void mnt(const char* src, const char* dst, const char* type, unsigned long fl, const char* data, int code) {
  if (mount(src, dst, type, fl, data) != 0) die(dst, code);
}

// "lo" up: a new network namespace starts with it down.
static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = {0};
  memcpy(ifr.ifr_name, "lo", 3);
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) die("lo flags", 133);
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) die("lo up", 133);
  close(s);
}

// Child, in its new namespaces: the init's work from joining the cgroup to execve.
// Its marks end hull's init phases of the same names; hostname and loopback
// come first, where hull's init does them ("namespaces").
static void child(const char* rootfs, int v2, int netns) {
  char f[600];
  mark("init_entry");
  if (!v2)  // "0": the writer itself; v2 got there with CLONE_INTO_CGROUP
    for (int i = 0; i < n_cg; ++i) snprintf(f, sizeof f, "%.511s/tasks", cg_dirs[i]), write_str(f, "0");
  if (sethostname("bench", 5) != 0) die("sethostname", 125);
  if (netns) loopback_up();
  mark("namespaces");
  umask(0);
  mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL, 110);
  mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL, 111);
  if (chdir(rootfs) != 0) die("chdir rootfs", 112);
  mark("rootfs_bind");
  mnt("proc", "proc", "proc", 0, NULL, 113);
  mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", 114);
  if (mkdir("dev/pts", 0755) != 0) die("mkdir dev/pts", 115);
  mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", 115);
  if (mkdir("dev/shm", 01777) != 0) die("mkdir dev/shm", 116);
  mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k", 116);
  if (mkdir("dev/mqueue", 0755) != 0) die("mkdir dev/mqueue", 117);
  mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, 117);
  mnt("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL, 118);
  mark("mounts");
  static const struct {
    const char* path;
    unsigned maj, min;
  } devs[] = {{"dev/null", 1, 3},   {"dev/zero", 1, 5},    {"dev/full", 1, 7},
              {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; ++i)
    if (mknod(devs[i].path, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) != 0) die(devs[i].path, 119);
  static const char* links[][2] = {{"/proc/self/fd", "dev/fd"},
                                   {"/proc/self/fd/0", "dev/stdin"},
                                   {"/proc/self/fd/1", "dev/stdout"},
                                   {"/proc/self/fd/2", "dev/stderr"},
                                   {"pts/ptmx", "dev/ptmx"}};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; ++i)
    if (symlink(links[i][0], links[i][1]) != 0) die(links[i][1], 120);
  mark("dev_nodes");
  // Masked: /dev/null over a file, an empty read-only tmpfs over a directory;
  // one try each (a file bind onto a directory fails ENOTDIR), absent ones skipped.
  static const char* masked[] = {"proc/acpi",          "proc/asound",     "proc/kcore",       "proc/keys",
                                 "proc/latency_stats", "proc/timer_list", "proc/timer_stats", "proc/sched_debug",
                                 "sys/firmware",       "proc/scsi"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; ++i) {
    if (mount("dev/null", masked[i], NULL, MS_BIND, NULL) == 0 || errno == ENOENT) continue;
    if (errno != ENOTDIR && errno != EISDIR) die(masked[i], 121);
    mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL, 121);
  }
  static const char* ro[] = {"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger"};
  for (size_t i = 0; i < sizeof ro / sizeof ro[0]; ++i) {
    if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) != 0) {
      if (errno == ENOENT) continue;
      die(ro[i], 122);
    }
    mnt(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, 122);
  }
  mark("masked_readonly");
  if (syscall(SYS_pivot_root, ".", ".") != 0) die("pivot_root", 123);
  if (umount2(".", MNT_DETACH) != 0) die("umount old root", 123);
  if (chdir("/") != 0) die("chdir /", 123);
  mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, 124);  // root.readonly
  mark("pivot");
  struct rlimit rl = {1024, 1024};
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) die("setrlimit", 126);
  if (setgroups(0, NULL) != 0) die("setgroups", 127);
  // bounding set: drop every capability but the three the config keeps,
  // up to the kernel's last one (EINVAL past it)
  const uint64_t keep = 1ULL << CAP_AUDIT_WRITE | 1ULL << CAP_KILL | 1ULL << CAP_NET_BIND_SERVICE;
  for (int cap = 0;; ++cap) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      die("PR_CAPBSET_DROP", 128);
    }
  }
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2] = {{(uint32_t)keep, (uint32_t)keep, (uint32_t)keep}, {0, 0, 0}};
  if (syscall(SYS_capset, &h, d) != 0) die("capset", 129);
  static const int ambient[] = {CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};
  for (int i = 0; i < 3; ++i)
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, ambient[i], 0, 0) != 0) die("ambient raise", 130);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", 131);
  mark("process_setup");
  char* argv[] = {"/bin/true", NULL};
  char* envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
  execve(argv[0], argv, envp);
  die("execve", 132);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: floor_full NETNS(0|1) ROOTFS CGROUP_PATH CONTROLLERS|-\n");
    return 2;
  }
  marks_from_env();
  int netns = atoi(argv[1]);
  struct statfs sf;
  int v2 = strcmp(argv[4], "-") == 0;
  if (v2 && (statfs("/sys/fs/cgroup", &sf) != 0 || sf.f_type != CGROUP2_SUPER_MAGIC)) {
    fprintf(stderr, "floor_full: no controllers given and /sys/fs/cgroup is not cgroup2\n");
    return 2;
  }
  int cgfd = make_cgroups(argv[3], argv[4], v2);
  mark("cgroup");
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (netns ? CLONE_NEWNET : 0);
  if (v2) ca.flags |= CLONE_INTO_CGROUP, ca.cgroup = (uint64_t)cgfd;
  ca.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0) child(argv[2], v2, netns);
  if (pid < 0) die("clone3", 103);
  mark("cloned");
  int st;
  if (waitpid((pid_t)pid, &st, 0) < 0) die("waitpid", 104);
  mark("exited");
  for (int i = n_cg - 1; i >= 0; --i)
    if (rmdir(cg_dirs[i]) != 0) die(cg_dirs[i], 105);
  mark("deleted");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
