// faultcost: what the kernel charges, on this host, for the things a runtime's
// `run` does by the hundred and a floor does fewer of: page faults of each
// kind, the fork of a process, a cross-CPU wakeup. hull takes about 90 more
// page faults per `run` than the full floor (bench/floor_full.c); on the
// development VM a fault costs 1.4-2.4 us, elsewhere it may cost more (a
// guest's first touch of a page can trap to the host), and this says how
// much. Medians of ROUNDS rounds.
//   faultcost FILE [ROUNDS]   FILE: a file to map (the hull binary), read first
// Prints a markdown table; exit 1 when a step fails.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum { kAnonPages = 512, kMaxRounds = 200 };

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static long minflt(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  qsort(v, n, sizeof *v, cmp);
  return v[n / 2];
}

static void die(const char* what) {
  fprintf(stderr, "faultcost: %s: %s\n", what, strerror(errno));
  exit(1);
}

static char* fresh_anon(size_t len) {
  char* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap");
  madvise(p, len, MADV_NOHUGEPAGE);  // 4 KiB pages, as a runtime's heap and stack take them
  return p;
}

// Per page: the first write to fresh anonymous memory, one fault each.
static double anon_fault(void) {
  size_t len = (size_t)kAnonPages * 4096;
  char* p = fresh_anon(len);
  double t = now_us();
  for (size_t i = 0; i < len; i += 4096) p[i] = 1;
  t = now_us() - t;
  munmap(p, len);
  return t / kAnonPages;
}

// Per page: the same memory made present by one madvise.
static double anon_populate(void) {
  size_t len = (size_t)kAnonPages * 4096;
  char* p = fresh_anon(len);
  double t = now_us();
  if (madvise(p, len, MADV_POPULATE_WRITE) < 0) die("madvise(MADV_POPULATE_WRITE)");
  t = now_us() - t;
  munmap(p, len);
  return t / kAnonPages;
}

// Per fault: reads of a file in the page cache, one byte per 4 KiB (the
// kernel maps the pages around each fault: fault-around, large folios).
static double file_fault(int fd, size_t len, double* pages_per_fault) {
  char* p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) die("mmap the file");
  volatile char sink = 0;
  long f0 = minflt();
  double t = now_us();
  for (size_t i = 0; i < len; i += 4096) sink += p[i];
  t = now_us() - t;
  long faults = minflt() - f0;
  (void)sink;
  munmap(p, len);
  if (faults < 1) faults = 1;
  *pages_per_fault = (double)(len / 4096) / faults;
  return t / faults;
}

// Per page: a child's first write to memory its parent wrote before the
// fork (copy-on-write), as a fork-style clone leaves the init's heap.
static double cow_fault(void) {
  size_t len = (size_t)kAnonPages * 4096;
  char* p = fresh_anon(len);
  memset(p, 1, len);
  double* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) die("mmap shared");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    double t = now_us();
    for (size_t i = 0; i < len; i += 4096) p[i] = 2;
    shared[0] = (now_us() - t) / kAnonPages;
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  double r = shared[0];
  munmap(shared, 4096);
  munmap(p, len);
  return r;
}

// From fork() in the parent to the child's first instruction (where the
// scheduler puts it), and to the child's exit seen by waitpid.
static double fork_to_child(double* to_reaped) {
  double* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) die("mmap shared");
  double t = now_us();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    shared[0] = now_us();
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  *to_reaped = now_us() - t;
  double r = shared[0] - t;
  munmap(shared, 4096);
  return r;
}

// Half a round trip of one byte over two pipes between two processes pinned
// to different CPUs, each blocking in read: one wakeup of a sleeping task on
// another CPU.
static double wakeup(void) {
  int ab[2], ba[2];
  if (pipe(ab) < 0 || pipe(ba) < 0) die("pipe");
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(ab[1]);  // the parent's close of it is then EOF here
    close(ba[0]);
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpus > 1 ? 1 : 0, &s);
    sched_setaffinity(0, sizeof s, &s);
    char c;
    while (read(ab[0], &c, 1) == 1) write(ba[1], &c, 1);
    _exit(0);
  }
  close(ab[0]);
  close(ba[1]);
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(0, &s);
  sched_setaffinity(0, sizeof s, &s);
  enum { kTrips = 2000 };
  char c = 'x';
  for (int i = 0; i < 100; ++i) {  // both settled on their CPUs
    write(ab[1], &c, 1);
    read(ba[0], &c, 1);
  }
  double t = now_us();
  for (int i = 0; i < kTrips; ++i) {
    write(ab[1], &c, 1);
    read(ba[0], &c, 1);
  }
  t = now_us() - t;
  close(ab[1]);
  waitpid(pid, NULL, 0);
  close(ba[0]);
  CPU_ZERO(&s);
  for (long i = 0; i < cpus && i < CPU_SETSIZE; ++i) CPU_SET(i, &s);
  sched_setaffinity(0, sizeof s, &s);
  return t / kTrips / 2;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: faultcost FILE [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 50;
  if (rounds < 1 || rounds > kMaxRounds) rounds = 50;
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(argv[1]);
  struct stat st;
  if (fstat(fd, &st) < 0) die("fstat");
  size_t len = (size_t)st.st_size & ~(size_t)4095;
  char buf[1 << 16];
  while (read(fd, buf, sizeof buf) > 0) {
  }  // into the page cache

  double anon[kMaxRounds], pop[kMaxRounds], file[kMaxRounds], cow[kMaxRounds], fork_us[kMaxRounds],
      reaped[kMaxRounds], wake[kMaxRounds], ppf = 0;
  for (int i = 0; i < rounds; ++i) {
    anon[i] = anon_fault();
    pop[i] = anon_populate();
    file[i] = file_fault(fd, len, &ppf);
    cow[i] = cow_fault();
    fork_us[i] = fork_to_child(&reaped[i]);
  }
  for (int i = 0; i < rounds && i < 10; ++i) wake[i] = wakeup();
  printf("Page faults and wakeups on this host (bench/faultcost.c, medians of %d rounds; %ld CPUs):\n\n", rounds,
         sysconf(_SC_NPROCESSORS_ONLN));
  printf("| what | us |\n|---|---|\n");
  printf("| anonymous page, first write (a fault per page) | %.2f |\n", median(anon, rounds));
  printf("| anonymous page, MADV_POPULATE_WRITE (per page) | %.2f |\n", median(pop, rounds));
  printf("| file page-cache read fault (%.1f pages mapped per fault) | %.2f |\n", ppf, median(file, rounds));
  printf("| copy-on-write page, child's first write after fork | %.2f |\n", median(cow, rounds));
  printf("| fork to the child's first instruction | %.1f |\n", median(fork_us, rounds));
  printf("| fork to the child reaped | %.1f |\n", median(reaped, rounds));
  printf("| wakeup of a task blocked in read on another CPU (half a pipe round trip) | %.1f |\n",
         median(wake, rounds < 10 ? rounds : 10));
  return 0;
}
