#include "batch.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>

namespace bench {

BatchResult lifecycle_batch(Ctx& c, const Runtime& rt, const std::vector<std::string>& ids, bool keep) {
  enum Phase { kCreate, kStart, kDelete, kDone };
  struct C {
    Phase phase = kCreate;
    bool started = false, init_exited = false, failed = false;
  };
  int n = int(ids.size());
  std::vector<C> cs(n);
  std::map<pid_t, int> by_proc, by_init;
  int done = 0;
  int64_t t0 = now_ns(), ignored;
  auto finish = [&](int k, bool failed) {
    cs[k].phase = kDone;
    cs[k].failed = failed;
    ++done;
  };
  auto spawn = [&](int k, std::vector<std::string> argv) {
    pid_t p = c.reaper.spawn(argv, "", &ignored);
    if (p > 0)
      by_proc[p] = k;
    else
      finish(k, true);
  };
  // Both the start command and the init must be gone before the next step:
  // /bin/true can exit before `start` itself returns.
  auto after_run = [&](int k) {
    if (keep)
      finish(k, false);
    else {
      cs[k].phase = kDelete;
      spawn(k, c.argv(rt, {"delete", ids[k]}));
    }
  };
  for (int k = 0; k < n; ++k)
    spawn(k, c.argv(rt, {"create", "--bundle", c.work + "/b/" + ids[k], "--pid-file", c.pidfile(ids[k]), ids[k]}));
  int64_t deadline = t0 + int64_t(c.timeout_ms) * 4 * 1000000;
  while (done < n) {
    Exit e = c.reaper.reap_one(deadline);
    if (e.pid == 0) break;  // timed out; the unfinished ones count as errors
    if (auto it = by_init.find(e.pid); it != by_init.end()) {
      int k = it->second;
      by_init.erase(it);
      cs[k].init_exited = true;
      if (cs[k].started) after_run(k);
      continue;
    }
    auto it = by_proc.find(e.pid);
    if (it == by_proc.end()) continue;  // an orphaned helper of a runtime
    int k = it->second;
    by_proc.erase(it);
    if (!(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0)) {
      finish(k, true);
      continue;
    }
    if (cs[k].phase == kCreate) {
      pid_t init = pid_t(atol(read_file(c.pidfile(ids[k])).c_str()));
      c.reaper.forget(init);
      by_init[init] = k;
      cs[k].phase = kStart;
      spawn(k, c.argv(rt, {"start", ids[k]}));
    } else if (cs[k].phase == kStart) {
      cs[k].started = true;
      if (cs[k].init_exited) after_run(k);
    } else {
      finish(k, false);
    }
  }
  BatchResult r;
  r.ns = now_ns() - t0;
  for (auto& [p, k] : by_proc) kill(p, SIGKILL);  // only runtime processes we spawned
  c.reaper.reap_nonblocking();
  for (int k = 0; k < n; ++k) {
    if (cs[k].failed || cs[k].phase != kDone) {
      ++r.errors;
      c.reaper.run(c.argv(rt, {"delete", "--force", ids[k]}), c.timeout_ms);
    }
  }
  return r;
}

int command_batch(Ctx& c, const std::vector<std::vector<std::string>>& argvs, int width) {
  int failures = 0;
  size_t next = 0;
  std::map<pid_t, size_t> running;
  int64_t ignored;
  while (next < argvs.size() || !running.empty()) {
    while (next < argvs.size() && int(running.size()) < width) {
      pid_t p = c.reaper.spawn(argvs[next], "", &ignored);
      if (p > 0)
        running[p] = next;
      else
        ++failures;
      ++next;
    }
    if (running.empty()) continue;
    Exit e = c.reaper.reap_one(now_ns() + int64_t(c.timeout_ms) * 1000000);
    if (e.pid == 0) break;
    auto it = running.find(e.pid);
    if (it == running.end()) continue;
    if (!(WIFEXITED(e.status) && WEXITSTATUS(e.status) == 0)) ++failures;
    running.erase(it);
  }
  for (auto& [p, k] : running) kill(p, SIGKILL);
  c.reaper.reap_nonblocking();
  return failures;
}

int delete_batch(Ctx& c, const Runtime& rt, const std::vector<std::string>& ids, int width) {
  std::vector<std::vector<std::string>> argvs;
  for (auto& id : ids) argvs.push_back(c.argv(rt, {"delete", "--force", id}));
  return command_batch(c, argvs, width);
}

}  // namespace bench
