// floor: the kernel's price for what a runtime must do at minimum to run
// /bin/true in a container: clone3 into the same namespaces the benchmark
// config asks for, pivot_root into the rootfs, execve, wait. No cgroup, no
// mounts beyond the rootfs bind, no config parsing: everything a runtime
// spends above this is its own overhead.
//
// usage: floor ROOTFS ITERATIONS   (prints "floor_netns|floor_nonet median min max n" in ms)
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
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

static int64_t one(const char* rootfs, int netns) {
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
  if (waitpid((pid_t)pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "floor child failed: status 0x%x\n", st);
    exit(1);
  }
  return now_ns() - t0;
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
  one(argv[1], 1);  // warm-up
  for (int i = 0; i < n; ++i) {  // interleaved so drift hits both alike
    a[i] = one(argv[1], 1);
    b[i] = one(argv[1], 0);
  }
  report("floor_netns", a, n);
  report("floor_nonet", b, n);
  return 0;
}
