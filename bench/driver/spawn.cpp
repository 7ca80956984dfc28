#include "spawn.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace bench {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool Outcome::ok() const { return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0; }

// The handler does nothing: its only job is to make wait4 fail with EINTR
// (installed without SA_RESTART) when a deadline timer fires.
static void on_alarm(int) {}

Reaper::Reaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) throw std::runtime_error("PR_SET_CHILD_SUBREAPER failed");
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGALRM, &sa, nullptr);
}

pid_t Reaper::spawn(const std::vector<std::string>& argv, const std::string& out_path, int64_t* t0) {
  std::vector<char*> av;
  for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.empty() ? "/dev/null" : out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  // Measured time starts here: the cost of spawning is part of every runtime's
  // number alike (posix_spawn is a vfork-style clone, cheap for the driver).
  *t0 = now_ns();
  int rc = posix_spawn(&pid, av[0], &fa, nullptr, av.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    fprintf(stderr, "spawn %s: %s\n", av[0], strerror(rc));
    return -1;
  }
  return pid;
}

static void arm(int64_t deadline_ns) {
  itimerval it{};
  int64_t left = deadline_ns - now_ns();
  if (left < 1000) left = 1000;
  it.it_value.tv_sec = left / 1000000000;
  it.it_value.tv_usec = (left % 1000000000) / 1000;
  setitimer(ITIMER_REAL, &it, nullptr);
}

static void disarm() {
  itimerval it{};
  setitimer(ITIMER_REAL, &it, nullptr);
}

Exit Reaper::reap_one(int64_t deadline_ns) {
  Exit e{};
  for (;;) {
    arm(deadline_ns);
    pid_t p = wait4(-1, &e.status, __WALL, &e.ru);
    e.at_ns = now_ns();
    disarm();
    if (p > 0) {
      e.pid = p;
      return e;
    }
    if (errno == EINTR && e.at_ns < deadline_ns) continue;
    e.pid = 0;  // deadline passed, or no child at all (ECHILD)
    return e;
  }
}

void Reaper::record(const Exit& e) {
  exited_[e.pid] = e.status;
  ++orphans_reaped;
}

Outcome Reaper::run(const std::vector<std::string>& argv, int timeout_ms, const std::string& out_path) {
  Outcome o;
  int64_t t0;
  pid_t pid = spawn(argv, out_path, &t0);
  if (pid < 0) return o;
  int64_t deadline = t0 + int64_t(timeout_ms) * 1000000;
  for (;;) {
    Exit e = reap_one(deadline);
    if (e.pid == pid) {
      o.ns = e.at_ns - t0;
      o.status = e.status;
      o.maxrss_kb = e.ru.ru_maxrss;
      o.cpu_ns = (int64_t(e.ru.ru_utime.tv_sec) + e.ru.ru_stime.tv_sec) * 1000000000 +
                 (int64_t(e.ru.ru_utime.tv_usec) + e.ru.ru_stime.tv_usec) * 1000;
      o.faults = e.ru.ru_minflt + e.ru.ru_majflt;
      return o;
    }
    if (e.pid > 0) {
      record(e);
      continue;
    }
    // Timed out: kill only the process we started, then reap it.
    o.timed_out = true;
    fprintf(stderr, "timeout: %s ... %s\n", argv[0].c_str(), argv.back().c_str());
    kill(pid, SIGKILL);
    deadline = now_ns() + 5000000000LL;
  }
}

bool Reaper::take_exited(pid_t pid, int* status) {
  auto it = exited_.find(pid);
  if (it == exited_.end()) return false;
  if (status) *status = it->second;
  exited_.erase(it);
  return true;
}

bool Reaper::wait_pid(pid_t pid, int timeout_ms, int* status) {
  int64_t deadline = now_ns() + int64_t(timeout_ms) * 1000000;
  for (;;) {
    if (take_exited(pid, status)) return true;
    Exit e = reap_one(deadline);
    if (e.pid == 0) return false;
    record(e);
  }
}

void Reaper::reap_nonblocking() {
  Exit e{};
  for (;;) {
    pid_t p = wait4(-1, &e.status, WNOHANG | __WALL, &e.ru);
    if (p <= 0) return;
    e.pid = p;
    record(e);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::trunc);
  f << data;
  return bool(f);
}

}  // namespace bench
