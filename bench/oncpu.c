// Where a runtime's CPU goes, by the way it entered the kernel: a sampling
// on-CPU profile made with perf_event_open(2) alone (the bare benchmark host
// has no perf tool). Every CPU's clock is sampled (cpu-clock, idle excluded)
// with the kernel stack of the task it interrupted; each sample is filed
// under the system call whose handler is on that stack (clone3, mkdirat,
// ...), "page fault", "interrupt", or "user" (the task was running its own
// code: a static glibc's start-up, the runtime's parse...). Samples are told
// apart by the task's name (comm), followed through fork and exec from the
// kernel's own records, so the runtime ("hull"), its container init up to
// its execve (a clone of the runtime, the same name) and the program the
// container runs ("true") each count as themselves.
//   oncpu [--freq HZ] [--runs N] [--comm a,b,...] [--out FILE] -- command [args...]
// The report gives, per name in --comm, the CPU of each entry in µs per run
// (samples x period / N), and with two names their difference: the runtime
// beside the full floor (bench/oncpu.sh) says which kernel entry, or the
// runtime's own code, holds the distance between them on the host at hand.
// Exits with the command's status. Needs root (system-wide sampling and
// /proc/kallsyms' addresses).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CPUS 1024
#define MAX_COMMS 8
#define MAX_CLASSES 2048
#define RING_PAGES 256  // 1 MiB a CPU: a 16-way burst at 20 kHz is drained in time

// --- kernel symbols ---------------------------------------------------------

struct ksym {
  uint64_t addr;
  char* name;
};
static struct ksym* ksyms;
static size_t n_ksyms;

static int ksym_cmp(const void* a, const void* b) {
  const struct ksym* x = a;
  const struct ksym* y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int load_kallsyms(void) {
  FILE* f = fopen("/proc/kallsyms", "r");
  if (!f) return -1;
  size_t cap = 0;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    unsigned long long addr;
    char type, name[256];
    if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3) continue;
    if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
    if (n_ksyms == cap) {
      cap = cap ? cap * 2 : 65536;
      ksyms = realloc(ksyms, cap * sizeof *ksyms);
      if (!ksyms) return -1;
    }
    ksyms[n_ksyms].addr = addr;
    ksyms[n_ksyms].name = strdup(name);
    ++n_ksyms;
  }
  fclose(f);
  qsort(ksyms, n_ksyms, sizeof *ksyms, ksym_cmp);
  // All zero: addresses hidden (kptr_restrict, not root): no frame has a name.
  return n_ksyms > 0 && ksyms[n_ksyms - 1].addr != 0 ? 0 : -1;
}

static const char* ksym_name(uint64_t ip) {
  size_t lo = 0, hi = n_ksyms;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ksyms[mid].addr <= ip)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo ? ksyms[lo - 1].name : "?";
}

// --- entries ----------------------------------------------------------------

// Row names: the entries, and the kernel functions samples were taken in.
struct names {
  char name[MAX_CLASSES][64];
  int n;
};
static struct names entries, functions;

static int name_id(struct names* t, const char* name) {
  for (int i = 0; i < t->n; ++i)
    if (strcmp(t->name[i], name) == 0) return i;
  if (t->n == MAX_CLASSES) return 0;  // the first row ("user") takes the overflow
  snprintf(t->name[t->n], sizeof t->name[0], "%s", name);
  return t->n++;
}

static int class_id(const char* name) { return name_id(&entries, name); }

// One row per kind of work: the floor calls mkdir where hull calls mkdirat,
// and a handler the syscall table inlined is named by the function it calls.
static const char* const aliases[][2] = {
    {"mkdir", "mkdirat"},
    {"rmdir", "unlinkat"},
    {"unlink", "unlinkat"},
    {"symlink", "symlinkat"},
    {"mknod", "mknodat"},
    {"open", "openat"},
    {"rename", "renameat"},
    {"readlink", "readlinkat"},
    {"newstat", "newfstatat"},
    {"newlstat", "newfstatat"},
    {"ksys_write", "write"},
    {"ksys_read", "read"},
    {"__sys_sendmsg", "sendmsg"},
    {"__sys_recvmsg", "recvmsg"},
    {"kernel_wait4", "wait4"},
    {"ksys_mmap_pgoff", "mmap"},
    {"vm_mmap_pgoff", "mmap"},
    {"__sys_recvfrom", "recvfrom"},
    {"__sys_socketpair", "socketpair"},
    {"ksys_unshare", "unshare"},
    // The way in and out of every call, and what runs on the way out
    // (signal delivery, task work such as a deferred final fput).
    {"syscall_enter_from_user_mode", "syscall entry and exit"},
    {"syscall_exit_to_user_mode", "syscall entry and exit"},
    {"exit_to_user_mode_loop", "return to user: signals, task work"},
    {"exit_to_user_mode_prepare", "return to user: signals, task work"},
};

static const char* canonical(const char* name) {
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; ++i)
    if (strcmp(name, aliases[i][0]) == 0) return aliases[i][1];
  return name;
}

static const char* strip_prefix(const char* s, const char* prefix) {
  size_t n = strlen(prefix);
  return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

// The entry of a sample whose kernel stack is ips[0..n) (innermost first):
// the system call on the stack (a fault or an interrupt taken inside one
// counts as the call's), else the fault or interrupt the task entered by.
// Where the syscall table's switch inlined the handler (6.9 and later
// inline most), the frame just inside it, or just inside do_syscall_64,
// names the call ("write" for ksys_write, "syscall? NAME" for the rest); a
// sample in do_syscall_64 itself is the entry and exit path.
static int classify(uint64_t ip, const uint64_t* ips, uint64_t n) {
  if (ip < 0x8000000000000000ULL) return class_id("user");
  const char* call = NULL;         // the outermost handler named as one
  const char* below_table = NULL;  // the frame x64_sys_call called
  const char* below_entry = NULL;  // the frame do_syscall_64 called
  const char* other = NULL;        // the outermost fault, interrupt or fork return
  int in_entry = 0;
  uint64_t last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (ips[i] >= PERF_CONTEXT_MAX) continue;  // context markers
    const char* f = ksym_name(ips[i]);
    const char* inner = i > 0 && ips[i - 1] < PERF_CONTEXT_MAX ? ksym_name(ips[i - 1]) : NULL;
    const char* s;
    last = ips[i];
    if ((s = strip_prefix(f, "__x64_sys_")) || (s = strip_prefix(f, "__do_sys_")) ||
        (s = strip_prefix(f, "__se_sys_")) || (s = strip_prefix(f, "__ia32_sys_")))
      call = s;
    else if (strcmp(f, "exc_page_fault") == 0 || strcmp(f, "asm_exc_page_fault") == 0)
      other = "page fault";
    else if (strncmp(f, "asm_sysvec_", 11) == 0 || strncmp(f, "sysvec_", 7) == 0 ||
             strcmp(f, "asm_common_interrupt") == 0 || strcmp(f, "common_interrupt") == 0)
      other = other ? other : "interrupt";
    else if (strcmp(f, "ret_from_fork") == 0 || strcmp(f, "ret_from_fork_asm") == 0)
      other = "ret_from_fork";
    else if (strcmp(f, "x64_sys_call") == 0)
      below_table = inner;
    else if (strcmp(f, "do_syscall_64") == 0) {
      in_entry = 1;
      below_entry = inner;
    }
  }
  if (call) return class_id(canonical(call));
  char name[64];
  const char* f = below_table ? below_table : below_entry;
  if (f) {
    if (canonical(f) != f) return class_id(canonical(f));
    snprintf(name, sizeof name, "syscall? %s", f);
    return class_id(name);
  }
  if (in_entry) return class_id("syscall entry and exit");
  if (other) return class_id(other);
  snprintf(name, sizeof name, "kernel: %s", last ? ksym_name(last) : "?");
  return class_id(name);
}

// --- records ----------------------------------------------------------------

enum kind { FORK, COMM, SAMPLE };  // in this order within one tick: names first
struct rec {
  uint64_t time;
  uint32_t kind, tid, ptid;
  int cls, fn;
  char comm[16];
};
static struct rec* recs;
static size_t n_recs, cap_recs;
static long lost;

static struct rec* new_rec(void) {
  if (n_recs == cap_recs) {
    cap_recs = cap_recs ? cap_recs * 2 : 1 << 16;
    recs = realloc(recs, cap_recs * sizeof *recs);
    if (!recs) {
      perror("oncpu: memory");
      exit(1);
    }
  }
  return &recs[n_recs++];
}

static void take(const struct perf_event_header* h) {
  const uint8_t* p = (const uint8_t*)(h + 1);
  if (h->type == PERF_RECORD_SAMPLE) {
    uint64_t ip = *(const uint64_t*)p;
    uint32_t pid = ((const uint32_t*)(p + 8))[0], tid = ((const uint32_t*)(p + 8))[1];
    uint64_t time = *(const uint64_t*)(p + 16);
    uint64_t nr = *(const uint64_t*)(p + 24);
    if (pid == 0) return;
    struct rec* r = new_rec();
    *r = (struct rec){.time = time, .kind = SAMPLE, .tid = tid};
    r->cls = classify(ip, (const uint64_t*)(p + 32), nr);
    r->fn = name_id(&functions, ip < 0x8000000000000000ULL ? "user" : ksym_name(ip));
  } else if (h->type == PERF_RECORD_COMM) {
    struct rec* r = new_rec();
    *r = (struct rec){.kind = COMM, .tid = ((const uint32_t*)p)[1]};
    snprintf(r->comm, sizeof r->comm, "%s", (const char*)(p + 8));
    r->time = *(const uint64_t*)((const uint8_t*)h + h->size - 8);  // sample_id_all: {pid, tid, time}
  } else if (h->type == PERF_RECORD_FORK) {
    const uint32_t* f = (const uint32_t*)p;  // pid, ppid, tid, ptid, time
    struct rec* r = new_rec();
    *r = (struct rec){.time = *(const uint64_t*)(p + 16), .kind = FORK, .tid = f[2], .ptid = f[3]};
  } else if (h->type == PERF_RECORD_LOST) {
    lost += (long)((const uint64_t*)p)[1];
  }
}

struct ring {
  int fd;
  struct perf_event_mmap_page* meta;
  uint8_t* data;
  uint64_t size;
};

static void drain(struct ring* r) {
  uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
  uint64_t tail = r->meta->data_tail;
  static uint8_t copy[65536];
  while (tail < head) {
    // Records are 8-byte aligned and so is the ring: a header never wraps,
    // a body may.
    const uint64_t off = tail % r->size;
    const struct perf_event_header* h = (const void*)(r->data + off);
    if (h->size == 0) break;  // (a size fits the copy: it is 16 bits)
    if (off + h->size > r->size) {
      const uint64_t first = r->size - off;
      memcpy(copy, r->data + off, first);
      memcpy(copy + first, r->data, h->size - first);
      h = (const void*)copy;
    }
    take(h);
    tail += h->size;
  }
  __atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
}

static int by_time(const void* a, const void* b) {
  const struct rec* x = a;
  const struct rec* y = b;
  if (x->time != y->time) return x->time < y->time ? -1 : 1;
  return (int)x->kind - (int)y->kind;  // same tick: a task named before it is sampled
}

// --- tid -> comm, replayed in time order --------------------------------------

#define TID_SLOTS (1 << 22)  // pid_max's ceiling
static char (*task_names)[16];

static const char* name_of(uint32_t tid) {
  if (tid >= TID_SLOTS) return "";
  if (!task_names[tid][0]) {  // started before us: what it is called now
    char path[64], buf[32] = "";
    snprintf(path, sizeof path, "/proc/%u/comm", tid);
    FILE* f = fopen(path, "r");
    if (f) {
      if (fgets(buf, sizeof buf, f)) buf[strcspn(buf, "\n")] = 0;
      fclose(f);
    }
    snprintf(task_names[tid], 16, "%s", buf[0] ? buf : "?");
  }
  return task_names[tid];
}

// The column a task's name falls in (comms[c] is "a" or "a+b+..."), or -1.
static int column_of(const char* name, char comms[][64], int n_comms) {
  const size_t len = strlen(name);
  for (int c = 0; c < n_comms; ++c)
    for (const char* p = comms[c]; *p;) {
      const char* end = strchr(p, '+');
      const size_t n = end ? (size_t)(end - p) : strlen(p);
      if (n == len && strncmp(p, name, n) == 0) return c;
      p += n + (end != NULL);
    }
  return -1;
}

// One markdown table: a row per name, largest first (by its largest column),
// µs per run in each column and, for two columns, their difference; rows
// under `floor` µs in every column, and rows past `limit`, left out.
static void print_table(FILE* out, const char* what, const struct names* t, long counts[][MAX_COMMS], const long* total,
                        char comms[][64], int n_comms, double us, double floor, int limit) {
  fprintf(out, "| %s |", what);
  for (int c = 0; c < n_comms; ++c) fprintf(out, " %s |", comms[c]);
  if (n_comms == 2) fprintf(out, " %s − %s |", comms[0], comms[1]);
  fprintf(out, "\n|---|");
  for (int c = 0; c < n_comms + (n_comms == 2); ++c) fprintf(out, "---|");
  fprintf(out, "\n| **total** |");
  for (int c = 0; c < n_comms; ++c) fprintf(out, " **%.0f** |", (double)total[c] * us);
  if (n_comms == 2) fprintf(out, " **%+.0f** |", (double)(total[0] - total[1]) * us);
  fprintf(out, "\n");
  static int order[MAX_CLASSES];
  static long largest[MAX_CLASSES];
  for (int k = 0; k < t->n; ++k) {
    order[k] = k;
    largest[k] = 0;
    for (int c = 0; c < n_comms; ++c)
      if (counts[k][c] > largest[k]) largest[k] = counts[k][c];
  }
  for (int a = 1; a < t->n; ++a) {  // insertion sort: a few hundred rows
    const int x = order[a];
    int b = a;
    for (; b > 0 && largest[order[b - 1]] < largest[x]; --b) order[b] = order[b - 1];
    order[b] = x;
  }
  for (int k = 0, shown = 0; k < t->n && shown < limit; ++k) {
    const int row = order[k];
    if (largest[row] == 0 || (double)largest[row] * us < floor) continue;
    ++shown;
    fprintf(out, "| %s |", t->name[row]);
    for (int c = 0; c < n_comms; ++c) fprintf(out, " %.0f |", (double)counts[row][c] * us);
    if (n_comms == 2) fprintf(out, " %+.0f |", (double)(counts[row][0] - counts[row][1]) * us);
    fprintf(out, "\n");
  }
}

int main(int argc, char** argv) {
  long freq = 4000, runs = 1;
  char comm_list[256] = "hull";
  const char* out_path = NULL;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) {
    if (strcmp(argv[i], "--freq") == 0 && i + 1 < argc)
      freq = atol(argv[++i]);
    else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      runs = atol(argv[++i]);
    else if (strcmp(argv[i], "--comm") == 0 && i + 1 < argc)
      snprintf(comm_list, sizeof comm_list, "%s", argv[++i]);
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out_path = argv[++i];
    else {
      fprintf(stderr, "oncpu: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (i + 1 >= argc || freq <= 0 || runs <= 0) {
    fprintf(stderr, "usage: oncpu [--freq HZ] [--runs N] [--comm a,b] [--out FILE] -- command [args...]\n");
    return 2;
  }
  // A column is one name or several joined by '+' (hull+hull.bench).
  char comms[MAX_COMMS][64];
  int n_comms = 0;
  for (char* t = strtok(comm_list, ","); t && n_comms < MAX_COMMS; t = strtok(NULL, ","))
    snprintf(comms[n_comms++], sizeof comms[0], "%s", t);
  if (load_kallsyms() < 0) {
    fprintf(stderr, "oncpu: /proc/kallsyms has no addresses (run as root)\n");
    return 1;
  }
  task_names = calloc(TID_SLOTS, sizeof *task_names);
  if (!task_names) return 1;
  class_id("user");
  name_id(&functions, "user");

  long ncpu = sysconf(_SC_NPROCESSORS_CONF);
  if (ncpu > MAX_CPUS) ncpu = MAX_CPUS;
  static struct ring rings[MAX_CPUS];
  static struct pollfd pfds[MAX_CPUS];
  int n_rings = 0;
  const uint64_t period_ns = 1000000000ULL / (uint64_t)freq;
  long page = sysconf(_SC_PAGESIZE);
  for (int cpu = 0; cpu < ncpu; ++cpu) {
    struct perf_event_attr a = {0};
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_CPU_CLOCK;
    a.sample_period = period_ns;
    a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
    a.exclude_callchain_user = 1;
    a.exclude_idle = 1;
    a.comm = 1;
    a.task = 1;
    a.sample_id_all = 1;
    a.watermark = 1;
    a.wakeup_watermark = (uint32_t)(RING_PAGES * page / 4);
    int fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      if (errno == ENODEV || errno == EINVAL) continue;  // an offline CPU
      fprintf(stderr, "oncpu: perf_event_open on cpu %d: %s\n", cpu, strerror(errno));
      return 1;
    }
    void* m = mmap(NULL, (size_t)(RING_PAGES + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
      fprintf(stderr, "oncpu: mmap of cpu %d's ring: %s\n", cpu, strerror(errno));
      return 1;
    }
    rings[n_rings] = (struct ring){fd, m, (uint8_t*)m + page, (uint64_t)RING_PAGES * page};
    pfds[n_rings] = (struct pollfd){fd, POLLIN, 0};
    ++n_rings;
  }

  pid_t child = fork();
  if (child < 0) {
    perror("oncpu: fork");
    return 1;
  }
  if (child == 0) {
    execvp(argv[i + 1], argv + i + 1);
    fprintf(stderr, "oncpu: exec %s: %s\n", argv[i + 1], strerror(errno));
    _exit(127);
  }
  int status = 0;
  for (;;) {
    poll(pfds, (nfds_t)n_rings, 50);
    for (int k = 0; k < n_rings; ++k) drain(&rings[k]);
    pid_t w = waitpid(child, &status, WNOHANG);
    if (w == child) break;
    if (w < 0 && errno != EINTR) {
      perror("oncpu: waitpid");
      return 1;
    }
  }
  for (int k = 0; k < n_rings; ++k) {
    ioctl(rings[k].fd, PERF_EVENT_IOC_DISABLE, 0);
    drain(&rings[k]);
  }

  // Replay in time order: who each task was when it was sampled.
  qsort(recs, n_recs, sizeof *recs, by_time);
  static long by_entry[MAX_CLASSES][MAX_COMMS], by_function[MAX_CLASSES][MAX_COMMS], total[MAX_COMMS];
  long samples = 0;
  for (size_t k = 0; k < n_recs; ++k) {
    struct rec* r = &recs[k];
    if (r->tid >= TID_SLOTS) continue;
    if (r->kind == COMM) {
      snprintf(task_names[r->tid], 16, "%s", r->comm);
    } else if (r->kind == FORK) {
      snprintf(task_names[r->tid], 16, "%s", name_of(r->ptid));
    } else {
      ++samples;
      const int c = column_of(name_of(r->tid), comms, n_comms);
      if (c < 0) continue;
      ++by_entry[r->cls][c];
      ++by_function[r->fn][c];
      ++total[c];
    }
  }

  FILE* out = out_path ? fopen(out_path, "w") : stdout;
  if (!out) {
    perror(out_path);
    return 1;
  }
  const double us = (double)period_ns / 1000.0 / (double)runs;
  fprintf(out, "CPU in µs per run (%ld runs; cpu-clock every %.0f µs on %d CPUs, %ld samples, %ld lost)\n\n", runs,
          (double)period_ns / 1000.0, n_rings, samples, lost);
  fprintf(out,
          "By kernel entry: the system call whose handler was on the stack, a page fault, an interrupt, or the\n"
          "task's own code (user).\n\n");
  print_table(out, "entry", &entries, by_entry, total, comms, n_comms, us, 1.0, MAX_CLASSES);
  fprintf(out,
          "\nBy the kernel function the sample was taken in (the first 30; a lock's slow path or an\n"
          "optimistic spin shows here as CPU, where a sleeping wait would show in bench/waits.c).\n\n");
  print_table(out, "function", &functions, by_function, total, comms, n_comms, us, 0.0, 30);
  if (out != stdout) fclose(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
