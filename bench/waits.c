// Where a runtime's processes wait while a command runs: a sampling off-CPU
// profile made of /proc alone (no perf, no tracefs: the bare benchmark host
// may have neither). Every interval it reads the state of each task whose
// comm is one of the given names and, for a task asleep, its kernel stack
// (/proc/PID/task/TID/stack, root only). A task in D waits for a kernel lock
// or an RCU grace period (mutex_lock, down_write, synchronize_rcu...), one in
// S for its peer (a socket, a pidfd, a child). The report counts task-samples
// per state and per kernel stack, so a serial section shared by parallel
// containers shows as the stack they queue in. For a task in D inside a call
// that takes a path (open, mkdir, rename...), the path it named is added
// (/proc/PID/task/TID/syscall gives the call and its arguments; the string
// is read from the task's memory, a *at call's directory from its fd), with
// digits as N so that the containers' names fold into one site: a directory
// lock shows whose directory it is.
//   waits [--interval-us N] [--comm hull,crun] [--out FILE] -- command [args...]
// Exits with the command's status. A sample costs about 3 us per process on
// the host: a diagnostic step of its own, never beside a measured row.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMS 8
#define MAX_SITES 4096

struct site {
  char comm[16];
  char state;
  char frames[600];
  long count;
};

static struct site sites[MAX_SITES];
static int n_sites;
static char comms[MAX_COMMS][16];
static int n_comms;
static long per_state[MAX_COMMS][3];  // R, S, D task-samples per comm
static long samples, stacks_unreadable;

static int read_small(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return (int)n;
}

static int comm_index(const char* comm) {
  for (int i = 0; i < n_comms; ++i)
    if (strcmp(comms[i], comm) == 0) return i;
  return -1;
}

// The scheduler's own frames say nothing about what is waited for.
static int is_scheduler_frame(const char* f) {
  static const char* const names[] = {"__schedule",       "schedule",    "schedule_preempt_disabled",
                                      "schedule_timeout", "io_schedule", "preempt_schedule_common",
                                      "__cond_resched",   NULL};
  for (int i = 0; names[i]; ++i)
    if (strcmp(f, names[i]) == 0) return 1;
  return 0;
}

// "[<0>] mutex_lock+0x1d/0x40\n..." -> "mutex_lock < cgroup_mkdir < ...", at
// most 6 frames, up to the syscall's entry.
static void signature(const char* stack, char* out, size_t size) {
  out[0] = 0;
  size_t len = 0;
  int kept = 0;
  for (const char* line = stack; line && *line && kept < 6;) {
    const char* next = strchr(line, '\n');
    const char* name = strstr(line, "] ");
    if (name && (!next || name < next)) {
      name += 2;
      size_t n = strcspn(name, "+\n");
      char f[128];
      if (n >= sizeof f) n = sizeof f - 1;
      memcpy(f, name, n);
      f[n] = 0;
      if (strncmp(f, "do_syscall_64", 13) == 0 || strncmp(f, "entry_SYSCALL", 13) == 0) break;
      if (!is_scheduler_frame(f)) {
        len += (size_t)snprintf(out + len, size - len, "%s%s", kept ? " < " : "", f);
        if (len >= size) break;
        ++kept;
      }
    }
    line = next ? next + 1 : NULL;
  }
  if (!out[0]) snprintf(out, size, "(no kernel stack)");
}

// The path argument of the system calls that take one, for x86-64: which
// argument is the path and which (if any) the directory fd it is relative to.
struct path_call {
  long nr;
  const char* name;
  int path_arg, dirfd_arg;
};
static const struct path_call path_calls[] = {
    {2, "open", 0, -1},       {257, "openat", 1, 0},     {437, "openat2", 1, 0},    {83, "mkdir", 0, -1},
    {258, "mkdirat", 1, 0},   {84, "rmdir", 0, -1},      {87, "unlink", 0, -1},     {263, "unlinkat", 1, 0},
    {82, "rename", 0, -1},    {264, "renameat", 1, 0},   {316, "renameat2", 1, 0},  {262, "newfstatat", 1, 0},
    {332, "statx", 1, 0},     {165, "mount", 1, -1},     {166, "umount2", 0, -1},   {155, "pivot_root", 0, -1},
    {428, "open_tree", 1, 0}, {259, "mknodat", 1, 0},    {266, "symlinkat", 2, 1},  {265, "linkat", 3, 2},
    {188, "setxattr", 0, -1}, {191, "getxattr", 0, -1},  {463, "setxattrat", 1, 0}, {464, "getxattrat", 1, 0},
    {137, "statfs", 0, -1},   {4, "stat", 0, -1},        {6, "lstat", 0, -1},       {21, "access", 0, -1},
    {269, "faccessat", 1, 0}, {439, "faccessat2", 1, 0}, {267, "readlinkat", 1, 0}, {80, "chdir", 0, -1},
    {268, "fchmodat", 1, 0},  {260, "fchownat", 1, 0},   {59, "execve", 0, -1},     {322, "execveat", 1, 0},
};

// " [openat /run/x/pid/.hull-parN-N.tmp]" for a task blocked in such a call,
// "" otherwise (not in one, or the task is gone).
static void blocked_path(const char* pid, const char* tid, char* out, size_t size) {
  out[0] = 0;
#ifndef __x86_64__
  return;  // the numbers above are x86-64's
#endif
  char path[600], buf[512];
  snprintf(path, sizeof path, "/proc/%s/task/%s/syscall", pid, tid);
  if (read_small(path, buf, sizeof buf) <= 0) return;
  unsigned long v[9] = {0};
  char* p = buf;
  long nr = strtol(p, &p, 10);
  for (int i = 0; i < 6; ++i) v[i] = strtoul(p, &p, 16);
  const struct path_call* call = NULL;
  for (size_t i = 0; i < sizeof path_calls / sizeof path_calls[0]; ++i)
    if (path_calls[i].nr == nr) call = &path_calls[i];
  if (!call) return;
  char name[256] = "";
  struct iovec local = {name, sizeof name - 1}, remote = {(void*)v[call->path_arg], sizeof name - 1};
  ssize_t n = process_vm_readv(atoi(tid), &local, 1, &remote, 1, 0);
  if (n <= 0) return;
  name[n] = 0;
  char dir[300] = "";
  if (call->dirfd_arg >= 0 && name[0] != '/' && (int)v[call->dirfd_arg] >= 0) {
    snprintf(path, sizeof path, "/proc/%s/fd/%d", pid, (int)v[call->dirfd_arg]);
    ssize_t d = readlink(path, dir, sizeof dir - 2);
    if (d > 0) {
      dir[d] = '/';
      dir[d + 1] = 0;
    }
  }
  char whole[600];
  snprintf(whole, sizeof whole, "%s%s", dir, name);
  size_t len = (size_t)snprintf(out, size, " [%s ", call->name);
  for (const char* c = whole; *c && len + 2 < size; ++c) {
    if (*c >= '0' && *c <= '9') {
      out[len++] = 'N';
      while (c[1] >= '0' && c[1] <= '9') ++c;
    } else {
      // Nothing that would end the report's table row or line.
      out[len++] = *c == '|' || (unsigned char)*c < 0x20 ? '?' : *c;
    }
  }
  if (len + 2 <= size) {
    out[len++] = ']';
    out[len] = 0;
  }
}

static void count(const char* comm, char state, const char* frames) {
  for (int i = 0; i < n_sites; ++i)
    if (sites[i].state == state && strcmp(sites[i].comm, comm) == 0 && strcmp(sites[i].frames, frames) == 0) {
      ++sites[i].count;
      return;
    }
  if (n_sites == MAX_SITES) return;
  struct site* s = &sites[n_sites++];
  snprintf(s->comm, sizeof s->comm, "%s", comm);
  s->state = state;
  snprintf(s->frames, sizeof s->frames, "%s", frames);
  s->count = 1;
}

static void sample_task(const char* pid, const char* tid) {
  char path[600], buf[1024];
  snprintf(path, sizeof path, "/proc/%s/task/%s/stat", pid, tid);
  if (read_small(path, buf, sizeof buf) < 0) return;
  char* open = strchr(buf, '(');
  char* close_ = strrchr(buf, ')');
  if (!open || !close_ || close_[1] != ' ') return;
  *close_ = 0;
  int c = comm_index(open + 1);
  if (c < 0) return;
  char state = close_[2];
  int slot = state == 'R' ? 0 : state == 'D' ? 2 : state == 'S' ? 1 : -1;
  if (slot < 0) return;
  ++per_state[c][slot];
  if (slot == 0) return;
  char stack[4096], frames[600];
  snprintf(path, sizeof path, "/proc/%s/task/%s/stack", pid, tid);
  if (read_small(path, stack, sizeof stack) <= 0) {
    ++stacks_unreadable;
    return;
  }
  signature(stack, frames, sizeof frames - 200);
  if (slot == 2) blocked_path(pid, tid, frames + strlen(frames), 200);
  count(comms[c], state, frames);
}

static void sample_once(void) {
  DIR* proc = opendir("/proc");
  if (!proc) return;
  ++samples;
  for (struct dirent* e; (e = readdir(proc));) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[300], comm[32];
    snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
    int n = read_small(path, comm, sizeof comm);
    if (n <= 0) continue;
    comm[strcspn(comm, "\n")] = 0;
    if (comm_index(comm) < 0) continue;  // threads share the process's name at first; good enough here
    snprintf(path, sizeof path, "/proc/%s/task", e->d_name);
    DIR* tasks = opendir(path);
    if (!tasks) continue;
    for (struct dirent* t; (t = readdir(tasks));)
      if (t->d_name[0] >= '0' && t->d_name[0] <= '9') sample_task(e->d_name, t->d_name);
    closedir(tasks);
  }
  closedir(proc);
}

static int by_count(const void* a, const void* b) {
  long x = ((const struct site*)a)->count, y = ((const struct site*)b)->count;
  return x < y ? 1 : x > y ? -1 : 0;
}

static void report(FILE* out, long elapsed_ms) {
  fprintf(out, "# waits: %ld samples in %ld ms", samples, elapsed_ms);
  if (stacks_unreadable)
    fprintf(out, ", %ld kernel stacks unreadable (not root, or no CONFIG_STACKTRACE)", stacks_unreadable);
  fprintf(out, "\n\n| comm | running (R) | asleep (S) | waiting in the kernel (D) |\n|---|---|---|---|\n");
  for (int c = 0; c < n_comms; ++c) {
    long t = per_state[c][0] + per_state[c][1] + per_state[c][2];
    if (!t) continue;
    fprintf(out, "| %s | %.1f %% | %.1f %% | %.1f %% |\n", comms[c], 100.0 * per_state[c][0] / t,
            100.0 * per_state[c][1] / t, 100.0 * per_state[c][2] / t);
  }
  qsort(sites, (size_t)n_sites, sizeof sites[0], by_count);
  for (int pass = 0; pass < 2; ++pass) {
    const char want = pass == 0 ? 'D' : 'S';
    fprintf(
        out, "\n%s\n\n| comm | share of its task-samples | kernel stack (innermost first) |\n|---|---|---|\n",
        pass == 0 ? "Waiting in the kernel (D): locks, RCU grace periods, I/O" : "Asleep (S): peers, children, pidfds");
    int shown = 0;
    for (int i = 0; i < n_sites && shown < (pass == 0 ? 25 : 12); ++i) {
      if (sites[i].state != want) continue;
      int c = comm_index(sites[i].comm);
      long t = per_state[c][0] + per_state[c][1] + per_state[c][2];
      fprintf(out, "| %s | %.2f %% | %s |\n", sites[i].comm, 100.0 * sites[i].count / t, sites[i].frames);
      ++shown;
    }
  }
}

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int main(int argc, char** argv) {
  long interval_us = 1000;
  const char* out_path = NULL;
  char names[256] = "hull,crun,runc";
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) {
    if (strcmp(argv[i], "--interval-us") == 0 && i + 1 < argc)
      interval_us = atol(argv[++i]);
    else if (strcmp(argv[i], "--comm") == 0 && i + 1 < argc)
      snprintf(names, sizeof names, "%s", argv[++i]);
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out_path = argv[++i];
    else {
      fprintf(stderr, "usage: waits [--interval-us N] [--comm a,b] [--out FILE] -- command [args...]\n");
      return 2;
    }
  }
  if (i + 1 >= argc) {
    fprintf(stderr, "waits: no command after --\n");
    return 2;
  }
  for (char *save = NULL, *tok = strtok_r(names, ",", &save); tok && n_comms < MAX_COMMS;
       tok = strtok_r(NULL, ",", &save))
    snprintf(comms[n_comms++], sizeof comms[0], "%.15s", tok);

  const long start = now_ms();
  pid_t child = fork();
  if (child < 0) {
    perror("waits: fork");
    return 1;
  }
  if (child == 0) {
    execvp(argv[i + 1], argv + i + 1);
    fprintf(stderr, "waits: exec %s: %s\n", argv[i + 1], strerror(errno));
    _exit(127);
  }
  int status = 0;
  for (;;) {
    pid_t w = waitpid(child, &status, WNOHANG);
    if (w == child) break;
    if (w < 0 && errno != EINTR) {
      perror("waits: waitpid");
      return 1;
    }
    sample_once();
    struct timespec d = {interval_us / 1000000, (interval_us % 1000000) * 1000};
    nanosleep(&d, NULL);
  }
  FILE* out = out_path ? fopen(out_path, "w") : stdout;
  if (!out) {
    perror(out_path);
    return 1;
  }
  report(out, now_ms() - start);
  if (out != stdout) fclose(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
