// Runs a command as the child of this small static process and reports what
// the driver cannot measure itself:
//   small-parent [--at-exit] OUT CMD [ARGS...]
// writes "<wall ns> <peak RSS KiB> <cpu ns>" of CMD to OUT and exits with its
// status (128+N when killed by signal N). With --at-exit the line goes on with
// "<VmHWM> <RssAnon> <RssFile> <RssShmem>" (KiB) of CMD as it exits.
//
// Why: ru_maxrss of a process the driver spawns starts at the driver's own
// high-water RSS (posix_spawn's child shares the driver's memory, and the
// kernel keeps that maximum across execve), so every runtime below ~3.5 MB
// would read the same. A child forked from this process starts from a few
// hundred KiB. Timing runs from fork to wait4 here, so this process's own
// start-up is not in the runtime's numbers.
//
// Why --at-exit: peak RSS counts the file pages fault-around maps from the
// static binary, so a build whose hot code moved reads higher without
// allocating more (fifty-eighth round). The split tells the two apart. It is
// read from /proc/PID/status at ptrace's exit stop, when the process's memory
// is still there; being traced costs two stops, so it is a separate mode and
// its wall time is not a sample of anything.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long status_kib(const char* status, const char* key) {
  const char* at = strstr(status, key);
  return at ? atol(at + strlen(key)) : -1;
}

// Reads the memory fields of a process (KiB): VmHWM, RssAnon, RssFile, RssShmem.
static void read_memory(pid_t pid, long mem[4]) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE* f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f) fclose(f);
  buf[n] = 0;
  mem[0] = status_kib(buf, "VmHWM:");
  mem[1] = status_kib(buf, "RssAnon:");
  mem[2] = status_kib(buf, "RssFile:");
  mem[3] = status_kib(buf, "RssShmem:");
}

// Waits for the child to end, as wait4. A traced child (--at-exit) is
// followed through its stops: at its exit stop its memory is read into mem;
// the signals it gets on the way are passed on. A child that could not be
// traced just runs and ends, with mem left at -1.
static pid_t wait_for_child(pid_t pid, int traced, int* st, struct rusage* ru, long mem[4]) {
  int sig = 0, started = 0;
  for (;;) {
    if (wait4(pid, st, 0, ru) < 0) return -1;
    if (!WIFSTOPPED(*st)) return pid;
    if (!traced) continue;
    if (!started) {  // the stop at execve
      started = 1;
      ptrace(PTRACE_SETOPTIONS, pid, 0, (void*)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
    } else if (*st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
      read_memory(pid, mem);
    } else if (WSTOPSIG(*st) != SIGTRAP) {
      sig = WSTOPSIG(*st);
    }
    ptrace(PTRACE_CONT, pid, 0, (void*)(long)sig);
    sig = 0;
  }
}

int main(int argc, char** argv) {
  int at_exit = argc > 1 && strcmp(argv[1], "--at-exit") == 0;
  argv += at_exit;
  argc -= at_exit;
  if (argc < 3) {
    fprintf(stderr, "usage: small-parent [--at-exit] OUT CMD [ARGS...]\n");
    return 2;
  }
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("small-parent: fork");
    return 2;
  }
  if (pid == 0) {
    if (at_exit && ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) perror("small-parent: PTRACE_TRACEME");
    execv(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  long mem[4] = {-1, -1, -1, -1};
  int st;
  struct rusage ru;
  if (wait_for_child(pid, at_exit, &st, &ru, mem) < 0) {
    perror("small-parent: wait4");
    return 2;
  }
  long long ns = now_ns() - t0;
  long long cpu =
      (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
  FILE* f = fopen(argv[1], "w");
  int written = f ? fprintf(f, "%lld %ld %lld", ns, ru.ru_maxrss, cpu) : -1;
  if (written >= 0 && at_exit) written = fprintf(f, " %ld %ld %ld %ld", mem[0], mem[1], mem[2], mem[3]);
  if (written < 0 || fprintf(f, "\n") < 0 || fclose(f) != 0) {
    perror(argv[1]);
    return 2;
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
