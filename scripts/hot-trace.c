// Lists the code a static PIE runs, in every process and thread it starts,
// until each of them executes another program or exits:
//   hot-trace OUT PROGRAM [ARGS...]
// single-steps them all with ptrace and writes to OUT the offset (from the
// program's load address, so link-time addresses of a PIE) of every 16-byte
// block of its text that ran, one hex number per line. For
// scripts/hot-text.sh: unlike valgrind it follows hull past the seal of its
// binary and into the container's init, up to the container's execve.
// Exits with PROGRAM's status (128+N when killed by signal N).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

// The tasks being traced: the leader and what it cloned, until they exit
// or exec.
static pid_t tasks[4096];
static int ntasks;

static void track(pid_t pid) {
  if (ntasks < (int)(sizeof tasks / sizeof tasks[0])) tasks[ntasks++] = pid;
}

static void untrack(pid_t pid) {
  for (int i = 0; i < ntasks; ++i)
    if (tasks[i] == pid) tasks[i] = tasks[--ntasks];
}

// Lets the tasks still traced go on untraced. Detaching clears the single
// step (a tracer that just exited would leave it set, and the task would
// die of the next SIGTRAP); a task blocked in a system call (an init
// waiting for `start`) is stopped with SIGSTOP first, which the detach
// discards.
static void detach_all(void) {
  for (int i = 0; i < ntasks; ++i) kill(tasks[i], SIGSTOP);
  while (ntasks > 0) {
    int st;
    pid_t pid = waitpid(-1, &st, __WALL);
    if (pid < 0) break;
    if (!WIFSTOPPED(st)) {
      untrack(pid);
      continue;
    }
    if (WSTOPSIG(st) == SIGSTOP && st >> 16 == 0) {
      ptrace(PTRACE_DETACH, pid, 0, 0);
      untrack(pid);
    } else {
      ptrace(PTRACE_CONT, pid, 0, 0);
    }
  }
}

// The program's executable mapping [lo, hi) and its load address, read
// from /proc/PID/maps once PROGRAM has been executed.
static uintptr_t lo, hi, base;

static void find_text(pid_t pid, const char* program) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE* f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  char real[4096];
  if (!realpath(program, real)) {
    perror(program);
    exit(2);
  }
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    unsigned long start, end, offset;
    char perms[8], file[4096] = "";
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &start, &end, perms, &offset, file) < 4) continue;
    if (strcmp(file, real) != 0) continue;
    if (offset == 0) base = start;
    if (perms[2] == 'x') lo = start, hi = end;
  }
  fclose(f);
  if (!hi || !base) {
    fprintf(stderr, "hot-trace: no executable mapping of %s in pid %d\n", real, pid);
    exit(2);
  }
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: hot-trace OUT PROGRAM [ARGS...]\n");
    return 2;
  }
  pid_t leader = fork();
  if (leader < 0) return perror("fork"), 2;
  if (leader == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execv(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int st;
  waitpid(leader, &st, 0);
  ptrace(PTRACE_SETOPTIONS, leader, 0,
         PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC);
  ptrace(PTRACE_CONT, leader, 0, 0);
  // Until the leader's execve the code is this tool's: nothing is recorded.
  waitpid(leader, &st, 0);
  if (!(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))) {
    fprintf(stderr, "hot-trace: %s did not start\n", argv[2]);
    return 2;
  }
  find_text(leader, argv[2]);
  size_t blocks = (hi - base) / 16 + 1;
  uint8_t* ran = calloc(blocks, 1);
  if (!ran) return perror("calloc"), 2;
  ptrace(PTRACE_SINGLESTEP, leader, 0, 0);
  track(leader);

  int status = 0;
  while (ntasks > 0) {
    pid_t pid = waitpid(-1, &st, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      untrack(pid);
      // A created container's init waits for `start` with no end in sight:
      // once the command is done, so is the trace (exit detaches the rest).
      if (pid == leader) {
        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        detach_all();
        break;
      }
      continue;
    }
    if (!WIFSTOPPED(st)) continue;
    int sig = WSTOPSIG(st), event = st >> 16;
    if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK) {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, 0, &child);
      track((pid_t)child);  // it reports a stop of its own, and is stepped then
      sig = 0;
    } else if (event == PTRACE_EVENT_EXEC) {
      // Another program (the container's): not ours to record.
      ptrace(PTRACE_DETACH, pid, 0, 0);
      untrack(pid);
      continue;
    } else if (sig == SIGTRAP || sig == SIGSTOP) {
      struct user_regs_struct regs;
      if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && regs.rip >= lo && regs.rip < hi)
        ran[(regs.rip - base) / 16] = 1;
      sig = 0;
    }
    ptrace(PTRACE_SINGLESTEP, pid, 0, sig);
  }

  FILE* out = fopen(argv[1], "w");
  if (!out) return perror(argv[1]), 2;
  for (size_t i = 0; i < blocks; ++i)
    if (ran[i]) fprintf(out, "%zx\n", i * 16);
  fclose(out);
  return status;
}
