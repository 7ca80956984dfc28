// Runs a command as the child of this small static process and reports what
// the driver cannot measure itself:
//   small-parent OUT CMD [ARGS...]
// writes "<wall ns> <peak RSS KiB> <cpu ns>" of CMD to OUT and exits with its
// status (128+N when killed by signal N).
//
// Why: ru_maxrss of a process the driver spawns starts at the driver's own
// high-water RSS (posix_spawn's child shares the driver's memory, and the
// kernel keeps that maximum across execve), so every runtime below ~3.5 MB
// would read the same. A child forked from this process starts from a few
// hundred KiB. Timing runs from fork to wait4 here, so this process's own
// start-up is not in the runtime's numbers.
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: small-parent OUT CMD [ARGS...]\n");
    return 2;
  }
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("small-parent: fork");
    return 2;
  }
  if (pid == 0) {
    execv(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int st;
  struct rusage ru;
  if (wait4(pid, &st, 0, &ru) < 0) {
    perror("small-parent: wait4");
    return 2;
  }
  long long ns = now_ns() - t0;
  long long cpu =
      (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
  FILE* f = fopen(argv[1], "w");
  if (!f || fprintf(f, "%lld %ld %lld\n", ns, ru.ru_maxrss, cpu) < 0 || fclose(f) != 0) {
    perror(argv[1]);
    return 2;
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
