// floor: the kernel's price for what a runtime must do at minimum to run
// /bin/true in a container: clone3 into the same namespaces the benchmark
// config asks for, pivot_root into the rootfs, execve, wait. No cgroup, no
// mounts beyond the rootfs bind, no config parsing: everything a runtime
// spends above this is its own overhead.
//
// usage: floor ROOTFS ITERATIONS
// prints "NAME median min max n" in ms: wall time (clone3 .. wait4) and the
// child's CPU time, with and without a new network namespace.
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Runs in the child: same steps a runtime's init does before execve, minimal.
static void child(const char* rootfs) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) _exit(10);
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) != 0) _exit(11);
  if (chdir(rootfs) != 0) _exit(12);
  if (syscall(SYS_pivot_root, ".", ".") != 0) _exit(13);
  if (umount2(".", MNT_DETACH) != 0) _exit(14);
  if (chdir("/") != 0) _exit(15);
  char* argv[] = {"/bin/true", NULL};
  char* envp[] = {"PATH=/bin", NULL};
  execve(argv[0], argv, envp);
  _exit(16);
}

// Returns wall ns; *cpu gets the child's user+sys ns (from wait4's rusage).
static int64_t one(const char* rootfs, int netns, int64_t* cpu) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (netns ? CLONE_NEWNET : 0);
  ca.exit_signal = SIGCHLD;
  int64_t t0 = now_ns();
  long pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0) child(rootfs);
  if (pid < 0) {
    perror("clone3");
    exit(1);
  }
  int st;
  struct rusage ru;
  if (wait4((pid_t)pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "floor child failed: status 0x%x\n", st);
    exit(1);
  }
  int64_t wall = now_ns() - t0;
  *cpu = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
         ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
  return wall;
}

static int cmp(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}

static void report(const char* name, int64_t* v, int n) {
  qsort(v, n, sizeof *v, cmp);
  double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  printf("%s %.3f %.3f %.3f %d\n", name, med / 1e6, v[0] / 1e6, v[n - 1] / 1e6, n);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: floor ROOTFS ITERATIONS\n");
    return 2;
  }
  int n = atoi(argv[2]);
  if (n < 1) n = 1;
  int64_t* a = calloc(n, sizeof *a);
  int64_t* b = calloc(n, sizeof *b);
  int64_t* ac = calloc(n, sizeof *ac);
  int64_t* bc = calloc(n, sizeof *bc);
  int64_t ignored;
  one(argv[1], 1, &ignored);     // warm-up
  for (int i = 0; i < n; ++i) {  // interleaved so drift hits both alike
    a[i] = one(argv[1], 1, &ac[i]);
    b[i] = one(argv[1], 0, &bc[i]);
  }
  report("floor_netns", a, n);
  report("floor_nonet", b, n);
  report("floor_netns_cpu", ac, n);  // CPU of the container child only
  report("floor_nonet_cpu", bc, n);
  return 0;
}
