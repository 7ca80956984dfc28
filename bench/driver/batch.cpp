#include "batch.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <thread>

namespace bench {

namespace {

// Waits until deadline_ns for pid, a child of ours, to exit, and reaps it:
// its wait status in *status. Through a pidfd, so that a thread waits for
// its own child and no other (the driver is a subreaper: orphans of every
// runtime are its children too, reaped once the batch is done).
bool wait_child(pid_t pid, int64_t deadline_ns, int* status) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    bool exited = false;
    for (;;) {
      int64_t left = deadline_ns - now_ns();
      if (left <= 0) break;
      pollfd p{fd, POLLIN, 0};
      int r = poll(&p, 1, int(std::min<int64_t>(left / 1000000 + 1, INT_MAX)));
      if (r > 0) {
        exited = true;
        break;
      }
      if (r < 0 && errno != EINTR) break;
    }
    close(fd);
    if (!exited) return false;
  }
  // (Without pidfds, Linux < 5.3: a plain wait, with no deadline.)
  int st = 0;
  pid_t r;
  do r = waitpid(pid, &st, __WALL);
  while (r < 0 && errno == EINTR);
  if (r != pid) return false;
  if (status) *status = st;
  return true;
}

// argv to its end: true if it exited 0 by the deadline; otherwise it is
// killed (only the process we started) and reaped.
bool run_step(Ctx& c, const std::vector<std::string>& argv, int64_t deadline_ns) {
  int64_t ignored;
  pid_t p = c.reaper.spawn(argv, "", &ignored);
  if (p <= 0) return false;
  int st = 0;
  if (wait_child(p, deadline_ns, &st)) return WIFEXITED(st) && WEXITSTATUS(st) == 0;
  kill(p, SIGKILL);
  wait_child(p, now_ns() + 5000000000LL, nullptr);
  return false;
}

// fn(k) for every k < n, on min(n, width) threads, each taking the next k.
template <class F>
void on_threads(int n, int width, F fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, std::min(n, width)); ++i)
    threads.emplace_back([&] {
      for (int k; (k = next++) < n;) fn(k);
    });
  for (auto& t : threads) t.join();
}

}  // namespace

// Each container has a client of its own, a thread that runs its commands
// one after the other, as the shims of a node do: one thread starting every
// command would serialize them, since posix_spawn returns only once the
// child has exec'd (on the 2-CPU development VM that thread was in
// posix_spawn for 47 of the 49 ms of 16 parallel lifecycles).
BatchResult lifecycle_batch(Ctx& c, const Runtime& rt, const std::vector<std::string>& ids, bool keep, int width) {
  const int n = int(ids.size());
  if (width <= 0) width = n;
  std::vector<char> ok(size_t(n), 0);
  const int64_t t0 = now_ns();
  // Each client runs ceil(n / width) lifecycles one after the other.
  const int64_t deadline = t0 + int64_t(c.timeout_ms) * 4 * 1000000 * ((n + width - 1) / width);
  on_threads(n, width, [&](int k) {
    const std::string& id = ids[size_t(k)];
    if (!run_step(c, c.argv(rt, {"create", "--bundle", c.work + "/b/" + id, "--pid-file", c.pidfile(id), id}),
                  deadline))
      return;
    // The init is ours now: its parent, create, has exited (we are a subreaper).
    const pid_t init = pid_t(atol(read_file(c.pidfile(id)).c_str()));
    if (init <= 0 || !run_step(c, c.argv(rt, {"start", id}), deadline)) return;
    // /bin/true may exit before `start` itself returns; both are done here.
    if (!wait_child(init, deadline, nullptr)) return;
    if (!keep && !run_step(c, c.argv(rt, {"delete", id}), deadline)) return;
    ok[size_t(k)] = 1;
  });
  BatchResult r;
  r.ns = now_ns() - t0;
  c.reaper.reap_nonblocking();
  for (int k = 0; k < n; ++k) {
    if (!ok[size_t(k)]) {
      ++r.errors;
      c.reaper.run(c.argv(rt, {"delete", "--force", ids[size_t(k)]}), c.timeout_ms);
    }
  }
  return r;
}

int command_batch(Ctx& c, const std::vector<std::vector<std::string>>& argvs, int width) {
  std::atomic<int> failures{0};
  on_threads(int(argvs.size()), width, [&](int k) {
    if (!run_step(c, argvs[size_t(k)], now_ns() + int64_t(c.timeout_ms) * 1000000)) ++failures;
  });
  c.reaper.reap_nonblocking();
  return failures;
}

int delete_batch(Ctx& c, const Runtime& rt, const std::vector<std::string>& ids, int width) {
  std::vector<std::vector<std::string>> argvs;
  for (auto& id : ids) argvs.push_back(c.argv(rt, {"delete", "--force", id}));
  return command_batch(c, argvs, width);
}

}  // namespace bench
