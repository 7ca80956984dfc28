#include "scenarios.hpp"

#include "batch.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace bench {
namespace {

const char* kTrue = "[\"/bin/true\"]";
const char* kSleep = "[\"/bin/sleep\", \"100000\"]";

double ms(int64_t ns) { return double(ns) / 1e6; }

void failed(Row& r, const Runtime& rt, const std::string& what, const Outcome& o) {
  r.failures[rt.name]++;
  fprintf(stderr, "  %s %s failed (wait status 0x%x%s)\n", rt.name.c_str(), what.c_str(), o.status,
          o.timed_out ? ", timed out" : "");
}

pid_t read_pid(const std::string& path) { return pid_t(atol(read_file(path).c_str())); }

// What `create` held as it exited (small-parent --at-exit), KiB.
struct ExitMemory {
  long anon = -1, file = -1;
};

// `create`; returns the init pid read from --pid-file, 0 on failure. With
// `at_exit` (needs small-parent) also what the runtime held as it exited.
pid_t create(Ctx& c, const Runtime& rt, const std::string& id, const std::string& bundle, Outcome* o,
             ExitMemory* at_exit = nullptr) {
  std::vector<std::string> av = c.argv(rt, {"create", "--bundle", bundle, "--pid-file", c.pidfile(id), id});
  std::string probe = c.work + "/small-parent.out";
  if (!c.small_parent.empty()) {
    av.insert(av.begin(), {c.small_parent, probe});
    if (at_exit) av.insert(av.begin() + 1, "--at-exit");
    std::remove(probe.c_str());
  }
  *o = c.reaper.run(av, c.timeout_ms);
  if (!o->ok()) return 0;
  if (!c.small_parent.empty()) {
    // The runtime's own wall time, peak RSS and CPU, as its small parent saw them.
    long long ns = 0, cpu = 0;
    long rss = 0, hwm = 0, shmem = 0;
    ExitMemory m;
    int n = sscanf(read_file(probe).c_str(), "%lld %ld %lld %ld %ld %ld %ld", &ns, &rss, &cpu, &hwm, &m.anon, &m.file,
                   &shmem);
    if (n < 3 || (at_exit && n != 7)) return 0;
    o->ns = ns;
    o->maxrss_kb = rss;
    o->cpu_ns = cpu;
    if (at_exit) *at_exit = m;
  }
  pid_t p = read_pid(c.pidfile(id));
  if (p > 0) c.reaper.forget(p);  // a pid reused from an earlier orphan
  return p;
}

void force_delete(Ctx& c, const Runtime& rt, const std::string& id) {
  c.reaper.run(c.argv(rt, {"delete", "--force", id}), c.timeout_ms);
}

// Brings up a container from bundle `b`; returns its init pid (0 on failure).
pid_t up_bundle(Ctx& c, const Runtime& rt, const std::string& id, const std::string& b) {
  Outcome o;
  pid_t init = create(c, rt, id, b, &o);
  if (!init) return 0;
  o = c.reaper.run(c.argv(rt, {"start", id}), c.timeout_ms);
  if (!o.ok()) {
    force_delete(c, rt, id);
    return 0;
  }
  return init;
}

// Brings up a container running `args`; returns its init pid (0 on failure).
pid_t up(Ctx& c, const Runtime& rt, const std::string& id, bool netns, const char* args) {
  return up_bundle(c, rt, id, c.bundle(id, netns, args));
}

// Whether the runtime really put the container's init into its cgroup
// (memory controller): a runtime that skips cgroups would look faster for
// the wrong reason, so the table says so.
bool in_own_cgroup(Ctx& c, pid_t init, const std::string& id) {
  std::string want = (c.v2 ? "0::" : ":memory:") + c.cg_parent + "/" + id + "\n";
  return read_file("/proc/" + std::to_string(init) + "/cgroup").find(want) != std::string::npos;
}

// Pace::Quiet: every sample after a pause in which the host settles, as
// on a node that starts a container now and then rather than hundreds a
// second. Back to back, each sample also meets what the one before left
// running (the network namespace's teardown, deferred RCU frees) and the
// state it left the kernel in: after a write of a pid into cgroup.procs,
// the next such write within a grace period finds the global
// cgroup_threadgroup_rwsem's writer path still open (rcu_sync), while one
// after a pause waits for a whole RCU grace period first (milliseconds).
constexpr useconds_t kQuietPauseUs = 50000;
const char* const kQuietTail = ", one every 50 ms (quiet host)";
// Pace::Beside: a node is rarely empty. While a container with the same
// config runs, what it holds stays (on cgroup v2 its device filter, which
// hull then takes instead of loading one: cgroups/device_filter_cache.hpp).
const char* const kBesideTail = ", beside a running container";

void pause_before_sample(Pace pace) {
  if (pace == Pace::Quiet) usleep(kQuietPauseUs);
}

}  // namespace

void bench_run(Ctx& c, bool netns, bool seccomp, Pace pace) {
  // With the seccomp profile clients give every container (Docker's
  // default, from bench/seccomp-profile.json), with a network namespace.
  std::string sfx = seccomp ? "_seccomp" : netns ? "" : "_nonet";
  std::string tail = seccomp ? ", default seccomp profile" : netns ? "" : ", no netns";
  if (pace == Pace::Quiet) sfx += "_quiet", tail += kQuietTail;
  if (pace == Pace::Beside) sfx += "_beside", tail += kBesideTail;
  Row& r = c.row("run" + sfx, "run /bin/true" + tail, "ms", seccomp ? "≤ 0.5× crun" : "≤ 0.5× crun, ≤ 1.5× floor");
  Row& cpu = c.row("run_cpu" + sfx, "  CPU time of `run`" + tail, "ms", "");
  Row& rss = c.row("run_rss" + sfx, "peak RSS of `run`" + tail, "KiB", "");
  Row& faults = c.row("run_faults" + sfx, "  page faults of `run` (runtime, init, /bin/true)" + tail, "faults", "");
  // The full floor (bench/floor_full.c) is one more column, interleaved in
  // the same rotation: same rootfs, same cgroup parent, same namespaces. It
  // loads no seccomp program: no floor for the profile's row.
  Runtime floor{"floor", seccomp ? "" : c.floor_bin, ""};
  // The containers to run beside, removed however this row ends.
  struct Beside {
    Ctx& c;
    std::vector<std::tuple<const Runtime*, std::string, pid_t>> up;
    ~Beside() {
      for (auto& [rt, id, init] : up) {
        kill(init, SIGKILL);  // our own container's init
        c.reaper.wait_pid(init, c.timeout_ms);
        force_delete(c, *rt, id);
      }
    }
  } beside{c, {}};
  if (pace == Pace::Beside)
    for (auto& rt : c.rts) {
      std::string id = c.new_id(rt, "beside");
      if (pid_t init = up_bundle(c, rt, id, c.bundle(id, netns, kSleep, seccomp)))
        beside.up.emplace_back(&rt, id, init);
      else
        r.note += rt.name + ": its container to run beside did not start. ";
    }
  for (int i = -1; i < c.iters; ++i) {  // i = -1 warms caches and is not recorded
    std::vector<const Runtime*> who = c.order(i + 1);
    if (!floor.bin.empty()) who.insert(who.begin() + (i + 1) % (who.size() + 1), &floor);
    for (const Runtime* rt : who) {
      pause_before_sample(pace);
      std::string id = c.new_id(*rt, "run");
      Outcome o;
      if (rt == &floor) {
        o = c.reaper.run({floor.bin, netns ? "1" : "0", c.rootfs, c.cg_parent + "/" + id, c.controllers_arg()},
                         c.timeout_ms);
      } else {
        std::string b = c.bundle(id, netns, kTrue, seccomp);
        o = c.reaper.run(c.argv(*rt, {"run", "--bundle", b, id}), c.timeout_ms);
      }
      if (!o.ok()) {
        failed(r, *rt, "run", o);
        if (rt != &floor) force_delete(c, *rt, id);
        continue;
      }
      if (i < 0) continue;
      r.samples[rt->name].push_back(ms(o.ns));
      cpu.samples[rt->name].push_back(ms(o.cpu_ns));
      rss.samples[rt->name].push_back(double(o.maxrss_kb));
      faults.samples[rt->name].push_back(double(o.faults));
    }
  }
}

void bench_run_mounts(Ctx& c) {
  // kReadOnlyTmpfs read-only tmpfs in one directory, and kRbinds recursive
  // binds of that directory, each copying all of them: the shape that cost
  // hull seconds before the Hundred-and-sixth round (a mountinfo parse per
  // mount, a scan of every queued tmpfs per bind).
  constexpr int kReadOnlyTmpfs = 100, kRbinds = 10;
  const std::string tail = ", " + std::to_string(kReadOnlyTmpfs) + " read-only tmpfs, " + std::to_string(kRbinds) +
                           " rbinds above them, no netns";
  Row& r = c.row("run_mounts", "run /bin/true" + tail, "ms", "≤ crun");
  Row& cpu = c.row("run_mounts_cpu", "  CPU time of `run`" + tail, "ms", "");
  // The destinations exist in the shared rootfs (read-only in the config).
  const std::string ro_dir = c.rootfs + "/tmp/bench-ro", rb_dir = c.rootfs + "/tmp/bench-rb";
  std::string entries;
  mkdir(ro_dir.c_str(), 0755);
  mkdir(rb_dir.c_str(), 0755);
  for (int i = 0; i < kReadOnlyTmpfs; ++i) {
    mkdir((ro_dir + "/" + std::to_string(i)).c_str(), 0755);
    entries += "\n    { \"destination\": \"/tmp/bench-ro/" + std::to_string(i) +
               "\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"ro\", \"size=64k\"] },";
  }
  for (int i = 0; i < kRbinds; ++i) {
    mkdir((rb_dir + "/" + std::to_string(i)).c_str(), 0755);
    entries += "\n    { \"destination\": \"/tmp/bench-rb/" + std::to_string(i) +
               "\", \"type\": \"bind\", \"source\": \"" + ro_dir + "\", \"options\": [\"rbind\"] },";
  }
  for (int i = -1; i < c.iters; ++i) {
    for (const Runtime* rt : c.order(i + 1)) {
      std::string id = c.new_id(*rt, "mounts");
      std::string b = c.bundle(id, false, kTrue);
      std::string cfg = read_file(b + "/config.json");
      const size_t at = cfg.find("\"mounts\": [");
      if (at == std::string::npos) throw std::runtime_error("the config template has no \"mounts\" list");
      cfg.insert(at + 11, entries);
      if (!write_file(b + "/config.json", cfg)) throw std::runtime_error("cannot write bundle " + b);
      Outcome o = c.reaper.run(c.argv(*rt, {"run", "--bundle", b, id}), c.timeout_ms);
      if (!o.ok()) {
        failed(r, *rt, "run", o);
        force_delete(c, *rt, id);
        continue;
      }
      if (i < 0) continue;
      r.samples[rt->name].push_back(ms(o.ns));
      cpu.samples[rt->name].push_back(ms(o.cpu_ns));
    }
  }
}

void bench_lifecycle(Ctx& c, bool netns) {
  std::string sfx = netns ? "" : "_nonet";
  std::string tail = netns ? "" : ", no netns";
  Row& total = c.row("lifecycle" + sfx, "create+start+wait+delete" + tail, "ms", "≤ 0.5× crun");
  Row& cr = c.row("create" + sfx, "  create" + tail, "ms", "");
  Row& st = c.row("start" + sfx, "  start" + tail, "ms", "");
  Row& de = c.row("delete" + sfx, "  delete" + tail, "ms", "");
  Row& cpu = c.row("lifecycle_cpu" + sfx, "  CPU time of create+start+delete" + tail, "ms", "");
  Row* rss = netns ? &c.row("create_rss", "peak RSS of `create`", "KiB", "≤ 0.8× crun") : nullptr;
  for (int i = -1; i < c.iters; ++i) {
    for (const Runtime* rt : c.order(i + 1)) {
      std::string id = c.new_id(*rt, "life");
      std::string b = c.bundle(id, netns, kTrue);
      int64_t t0 = now_ns();
      Outcome oc;
      pid_t init = create(c, *rt, id, b, &oc);
      if (!init) {
        failed(total, *rt, "create", oc);
        force_delete(c, *rt, id);
        continue;
      }
      if (i < 0 && !in_own_cgroup(c, init, id))
        total.note += rt->name + ": the container's init is not in its cgroupsPath (memory " + c.cg_parent + "/" + id +
                      "), so cgroup work is not in its numbers. ";
      Outcome os = c.reaper.run(c.argv(*rt, {"start", id}), c.timeout_ms);
      if (!os.ok() || !c.reaper.wait_pid(init, c.timeout_ms)) {
        failed(total, *rt, "start/wait", os);
        force_delete(c, *rt, id);
        continue;
      }
      Outcome od = c.reaper.run(c.argv(*rt, {"delete", id}), c.timeout_ms);
      int64_t t1 = now_ns();
      if (!od.ok()) {
        failed(total, *rt, "delete", od);
        force_delete(c, *rt, id);
        continue;
      }
      if (i < 0) continue;
      total.samples[rt->name].push_back(ms(t1 - t0));
      cr.samples[rt->name].push_back(ms(oc.ns));
      st.samples[rt->name].push_back(ms(os.ns));
      de.samples[rt->name].push_back(ms(od.ns));
      cpu.samples[rt->name].push_back(ms(oc.cpu_ns + os.cpu_ns + od.cpu_ns));
      if (rss) rss->samples[rt->name].push_back(double(oc.maxrss_kb));
    }
  }
}

void bench_create_memory(Ctx& c) {
  Row& anon = c.row("create_exit_anon", "`create` as it exits: anonymous pages (RssAnon)", "KiB", "");
  Row& file =
      c.row("create_exit_file", "`create` as it exits: file pages (RssFile: its binary and libraries)", "KiB", "");
  if (c.small_parent.empty()) {
    anon.note += "needs --small-parent. ";
    return;
  }
  for (int i = 0; i < c.iters; ++i) {
    for (const Runtime* rt : c.order(i)) {
      std::string id = c.new_id(*rt, "mem");
      Outcome o;
      ExitMemory m;
      const bool created = create(c, *rt, id, c.bundle(id, true, kTrue), &o, &m) != 0;
      if (!created) failed(anon, *rt, "create", o);
      force_delete(c, *rt, id);
      if (created && m.anon < 0 && anon.note.empty())
        anon.note = "small-parent could not read the runtime's memory at its exit (ptrace refused?). ";
      if (m.anon < 0) continue;
      anon.samples[rt->name].push_back(double(m.anon));
      file.samples[rt->name].push_back(double(m.file));
    }
  }
}

void bench_exec(Ctx& c, bool seccomp, Pace pace) {
  // seccomp: into a container with the default profile, which every exec'd
  // process gets too.
  std::string sfx = seccomp ? "_seccomp" : "", tail = seccomp ? ", default seccomp profile" : "";
  if (pace == Pace::Quiet) sfx += "_quiet", tail += kQuietTail;
  Row& r = c.row("exec" + sfx, "exec <id> /bin/true" + tail, "ms", "≤ 0.5× crun");
  Row& cpu = c.row("exec_cpu" + sfx, "  CPU time of `exec`" + tail, "ms", "");
  struct Live {
    const Runtime* rt;
    std::string id;
    pid_t init;
  };
  std::vector<Live> live;
  for (auto& rt : c.rts) {
    std::string id = c.new_id(rt, "exec");
    pid_t init = up_bundle(c, rt, id, c.bundle(id, true, kSleep, seccomp));
    if (!init) {
      r.failures[rt.name]++;
      r.note += rt.name + ": could not start the target container. ";
      continue;
    }
    // One probe exec first: a runtime without a working `exec` is skipped with
    // its own error message instead of failing every sample.
    std::string log = c.work + "/exec-probe-" + rt.name + ".log";
    std::string saved = c.reaper.err_path;
    c.reaper.err_path = log;
    Outcome o = c.reaper.run(c.argv(rt, {"exec", id, "/bin/true"}), c.timeout_ms);
    c.reaper.err_path = saved;
    if (!o.ok()) {
      std::string msg = read_file(log);
      if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
      r.note += rt.name + " skipped: `exec` failed (" + msg.substr(0, 120) + "). ";
    } else {
      live.push_back({&rt, id, init});
      continue;
    }
    kill(init, SIGKILL);
    c.reaper.wait_pid(init, c.timeout_ms);
    force_delete(c, rt, id);
  }
  for (int i = 0; i < c.iters; ++i) {
    for (size_t k = 0; k < live.size(); ++k) {
      Live& l = live[(k + i) % live.size()];
      pause_before_sample(pace);
      Outcome o = c.reaper.run(c.argv(*l.rt, {"exec", l.id, "/bin/true"}), c.timeout_ms);
      if (o.ok()) {
        r.samples[l.rt->name].push_back(ms(o.ns));
        cpu.samples[l.rt->name].push_back(ms(o.cpu_ns));
      } else
        failed(r, *l.rt, "exec", o);
    }
  }
  for (auto& l : live) {
    kill(l.init, SIGKILL);  // our own container's init
    c.reaper.wait_pid(l.init, c.timeout_ms);
    force_delete(c, *l.rt, l.id);
  }
}

void bench_state_list(Ctx& c) {
  std::map<std::string, std::vector<std::string>> ids;
  int k_iters = c.short_mode ? 5 : 20;
  // Beside each runtime's root, a root of its own holding one stopped
  // container, whose `state` is measured in the same rounds: issue #8's
  // "state with 1000 within 1.2× of state with 1" asks whether a runtime's
  // state slows with the containers in its root, while by the last level the
  // host holds thousands of stopped containers and their cgroups, which slow
  // every process a little (bench/rounds.md, twenty-seventh round).
  std::map<std::string, std::pair<Runtime, std::string>> alone;
  for (auto& rt : c.rts) {
    Runtime one = rt;
    one.root = rt.root + "-alone";
    mkdir(one.root.c_str(), 0700);
    std::string id = c.new_id(one, "alone");
    c.bundle(id, true, kTrue);
    if (lifecycle_batch(c, one, {id}, /*keep=*/true).errors == 0) alone.emplace(rt.name, std::pair{one, id});
  }
  for (int level : c.fill_levels) {
    fprintf(stderr, "  filling to %d stopped containers per runtime\n", level);
    std::string lv = std::to_string(level);
    std::string present = lv + (level == 1 ? " container present" : " containers present");
    bool last = level == c.fill_levels.back();
    Row& st = c.row("state@" + lv, "state, " + present, "ms", last ? "within 1.2× of state with 1, same rounds" : "");
    Row& sta = c.row("state_alone@" + lv, "  state, 1 container present in a root of its own, same rounds", "ms", "");
    Row& ls = c.row("list@" + lv, "list, " + present, "ms", last ? "≤ 0.5× crun" : "");
    Row& stc = c.row("state_cpu@" + lv, "  CPU time of state, " + lv + " present", "ms", "");
    Row& lsc = c.row("list_cpu@" + lv, "  CPU time of list, " + lv + " present", "ms", "");
    // Filling is not measured: batches of 25 at once keep it short.
    for (auto& rt : c.rts) {
      auto& v = ids[rt.name];
      for (int tries = 0; int(v.size()) < level && tries < 3; ++tries) {
        while (int(v.size()) < level) {
          std::vector<std::string> batch;
          for (int k = int(v.size()); k < level && batch.size() < 25; ++k) {
            batch.push_back(c.new_id(rt, "fill"));
            c.bundle(batch.back(), true, kTrue);
          }
          BatchResult r = lifecycle_batch(c, rt, batch, /*keep=*/true);
          if (r.errors) {
            st.failures[rt.name] += r.errors;
            break;  // failed ones were force-deleted; retry the shortfall
          }
          v.insert(v.end(), batch.begin(), batch.end());
        }
      }
    }
    auto sample = [&](Row& r, Row* cpu, const Runtime& rt, const char* what, const std::vector<std::string>& argv) {
      Outcome o = c.reaper.run(argv, c.timeout_ms);
      if (!o.ok()) return failed(r, rt, what, o);
      r.samples[rt.name].push_back(ms(o.ns));
      if (cpu) cpu->samples[rt.name].push_back(ms(o.cpu_ns));
    };
    // One pass per command, each over every runtime: a command never follows
    // the same binary's, whose pages it would find warm.
    for (int i = 0; i < k_iters; ++i) {
      std::vector<const Runtime*> who;
      for (const Runtime* rt : c.order(i))
        if (!ids[rt->name].empty()) who.push_back(rt);
      for (const Runtime* rt : who) sample(st, &stc, *rt, "state", c.argv(*rt, {"state", ids[rt->name].front()}));
      for (const Runtime* rt : who)
        if (auto a = alone.find(rt->name); a != alone.end())
          sample(sta, nullptr, *rt, "state", c.argv(a->second.first, {"state", a->second.second}));
      for (const Runtime* rt : who) sample(ls, &lsc, *rt, "list", c.argv(*rt, {"list"}));
    }
  }
  for (auto& rt : c.rts) delete_batch(c, rt, ids[rt.name], 25);
  for (auto& [name, a] : alone) {
    delete_batch(c, a.first, {a.second}, 1);
    rmdir(a.first.root.c_str());
  }
}

// Counts what a runtime left behind after a parallel round: state entries that
// `list -q` still prints and cgroup directories under our parent.
static int leftovers(Ctx& c, const Runtime& rt, const std::string& prefix) {
  std::string out = c.work + "/list-" + rt.name;
  c.reaper.run(c.argv(rt, {"list", "-q"}), c.timeout_ms, out);
  int n = 0;
  std::istringstream in(read_file(out));
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) ++n;
  std::vector<std::string> hierarchies = c.v2 ? std::vector<std::string>{""} : c.cg_controllers;
  for (auto& ctrl : hierarchies) {
    std::string cmd = "ls " + c.cgroup_dir(ctrl, "") + " 2>/dev/null | grep -c '^" + prefix + "'";
    if (FILE* p = popen(cmd.c_str(), "r")) {
      int k = 0;
      if (fscanf(p, "%d", &k) == 1) n += k;
      pclose(p);
    }
  }
  return n;
}

// count full floors (bench/floor_full.c), par_n at a time, each client
// thread running one after the other as the runtimes' lifecycles do; their
// cgroups are named prefix<k>: the number that failed, *ns the batch's wall
// time.
static int floor_batch(Ctx& c, const Runtime& floor, bool netns, const std::string& prefix, int count, int64_t* ns) {
  std::vector<std::vector<std::string>> argvs;
  for (int k = 0; k < count; ++k)
    argvs.push_back(
        {floor.bin, netns ? "1" : "0", c.rootfs, c.cg_parent + "/" + prefix + std::to_string(k), c.controllers_arg()});
  const int64_t t0 = now_ns();
  const int errors = command_batch(c, argvs, c.par_n);
  *ns = now_ns() - t0;
  return errors;
}

// count lifecycles of rt, par_n clients at a time, as prefix<k>; their errors
// and leftovers added to row's failures and note (as `what`). Each bundle
// goes once its container is gone.
static BatchResult counted_lifecycles(Ctx& c, Row& row, const Runtime& rt, const std::string& prefix, int count,
                                      bool netns, const std::string& what) {
  std::vector<std::string> ids;
  for (int k = 0; k < count; ++k) {
    ids.push_back(prefix + std::to_string(k));
    c.bundle(ids.back(), netns, kTrue);
  }
  BatchResult r = lifecycle_batch(c, rt, ids, /*keep=*/false, c.par_n);
  int left = leftovers(c, rt, prefix);
  row.failures[rt.name] += r.errors + left;
  if (r.errors || left) {
    fprintf(stderr, "  %s %s: %d errors, %d leftovers\n", rt.name.c_str(), what.c_str(), r.errors, left);
    row.note +=
        rt.name + " " + what + ": " + std::to_string(r.errors) + " errors, " + std::to_string(left) + " leftovers. ";
  }
  std::error_code ec;
  for (auto& id : ids) std::filesystem::remove_all(c.work + "/b/" + id, ec);
  return r;
}

// Without a network namespace too: making and dismantling one takes the
// kernel's rtnl and pernet locks (and the dismantling runs on one kworker,
// outside every runtime's CPU time), which all runtimes' containers then
// share; the row without shows what the runtimes themselves allow.
void bench_parallel(Ctx& c, bool netns) {
  std::string n = std::to_string(c.par_n);
  std::string sfx = netns ? "" : "_nonet", tail = netns ? "" : ", no netns";
  Row& thr = c.row("parallel" + sfx, n + " parallel lifecycles" + tail + ", throughput", "containers/s",
                   netns ? "no error, no leftover" : "");
  Row& wall = c.row("parallel_wall" + sfx, n + " parallel lifecycles" + tail + ", round wall time", "ms", "");
  // The full floor as one more column, in the same rotation: as many
  // bench/floor_full.c at a time, each one container's whole life (cgroup,
  // clone3, mounts, execve, wait, cgroup removal). What the kernel's locks
  // allow 16 lifecycles at a time, whoever makes them: the throughput no
  // runtime can reach.
  Runtime floor{"floor", c.floor_bin, ""};
  for (int round = 0; round < c.par_rounds; ++round) {
    std::vector<const Runtime*> who = c.order(round);
    if (!floor.bin.empty()) who.insert(who.begin() + round % (who.size() + 1), &floor);
    for (const Runtime* rt : who) {
      if (rt == &floor) {
        int64_t ns = 0;
        int errors = floor_batch(c, floor, netns, "floor-par" + sfx + std::to_string(round) + "-", c.par_n, &ns);
        thr.failures["floor"] += errors;
        if (errors) continue;
        thr.samples["floor"].push_back(c.par_n / (double(ns) / 1e9));
        wall.samples["floor"].push_back(ms(ns));
        continue;
      }
      const std::string prefix = rt->name + "-par" + sfx + std::to_string(round) + "-";
      BatchResult r = counted_lifecycles(c, thr, *rt, prefix, c.par_n, netns, "round " + std::to_string(round));
      thr.samples[rt->name].push_back(c.par_n / (double(r.ns) / 1e9));
      wall.samples[rt->name].push_back(ms(r.ns));
    }
  }
}

// The same par_n clients without rounds: each starts its next lifecycle as
// soon as its own is done, as a node's shims do, kSustainedPerClient
// lifecycles each per sample. A round of par_n started together (above)
// waits for its slowest container and puts all of them on the same step at
// the same moment (every mkdir on the parent cgroup's lock, every network
// namespace on rtnl_lock): a burst. This row is the rate kept up once the
// clients have drifted apart.
// --short (CI's proof that the harness works, not a measurement): 2 each,
// which took this row and its no-netns twin from 37 to about 15 s of CI's run.
static constexpr int kSustainedPerClient = 5;

void bench_sustained(Ctx& c, bool netns) {
  std::string n = std::to_string(c.par_n);
  std::string sfx = netns ? "" : "_nonet", tail = netns ? "" : ", no netns";
  Row& thr =
      c.row("sustained" + sfx, n + " clients, lifecycles back to back" + tail + ", throughput", "containers/s", "");
  Runtime floor{"floor", c.floor_bin, ""};
  const int total = c.par_n * (c.short_mode ? 2 : kSustainedPerClient);
  const int samples = std::max(2, c.par_rounds / 2);
  for (int round = 0; round < samples; ++round) {
    std::vector<const Runtime*> who = c.order(round);
    if (!floor.bin.empty()) who.insert(who.begin() + round % (who.size() + 1), &floor);
    for (const Runtime* rt : who) {
      const std::string prefix = rt->name + "-sus" + sfx + std::to_string(round) + "-";
      if (rt == &floor) {
        int64_t ns = 0;
        const int errors = floor_batch(c, floor, netns, prefix, total, &ns);
        thr.failures["floor"] += errors;
        if (!errors) thr.samples["floor"].push_back(total / (double(ns) / 1e9));
        continue;
      }
      BatchResult r = counted_lifecycles(c, thr, *rt, prefix, total, netns, "sample " + std::to_string(round));
      thr.samples[rt->name].push_back(total / (double(r.ns) / 1e9));
    }
  }
}

// What a memory cgroup holds, in KiB. peak/now are the page counter
// (v1 memory.max_usage_in_bytes / memory.usage_in_bytes, v2 memory.peak /
// memory.current), which the kernel charges in per-CPU batches of 64 pages:
// a cgroup charged from two CPUs reads 256 KiB higher without holding more.
// user and kernel are exact: user pages from memory.stat (v1 rss, v2 anon);
// kernel memory as its v1 peak (memory.kmem.max_usage_in_bytes, charged
// page by page) or, on v2, memory.stat kernel now.
struct Charge {
  double peak = 0, now = 0, user = 0, kernel = 0;
  double own = 0;  // RssAnon of the one process in the cgroup (busybox sleep)
};

// A process's own anonymous pages (/proc/PID/status RssAnon), KiB; -1 if unknown.
static double rss_anon(pid_t pid) {
  std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  size_t at = status.find("RssAnon:");
  return at == std::string::npos ? -1 : atof(status.c_str() + at + 8);
}

static double stat_field(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string key; in >> key;) {
    double v = 0;
    in >> v;
    if (key == name) return v;
  }
  return -1;
}

static bool read_charge(const std::string& dir, Charge* c) {
  std::string a = read_file(dir + "/memory.max_usage_in_bytes");
  std::string b = read_file(dir + "/memory.usage_in_bytes");
  std::string stat = read_file(dir + "/memory.stat");
  double user, kernel;
  if (!a.empty() || !b.empty()) {
    user = stat_field(stat, "rss");
    kernel = atof(read_file(dir + "/memory.kmem.max_usage_in_bytes").c_str());
  } else {
    a = read_file(dir + "/memory.peak");
    b = read_file(dir + "/memory.current");
    user = stat_field(stat, "anon");
    kernel = stat_field(stat, "kernel");
  }
  if (a.empty() || b.empty() || user < 0 || kernel < 0) return false;
  c->peak = atof(a.c_str()) / 1024;
  c->now = atof(b.c_str()) / 1024;
  c->user = user / 1024;
  c->kernel = kernel / 1024;
  return true;
}

// How long a container (or the idle reference) runs before its cgroup is
// read: the kernel flushes a cgroup's memory.stat counters on read only
// once enough updates piled up (64 per CPU: 1024 pages on 16 CPUs, far more
// than a sleeping busybox makes), and otherwise by its periodic flush, every
// 2 s. That flush can come later: on the 16-core host 4 of 5 hull samples
// still read anon 0 and kernel 0 after 2.1 s (twenty-ninth round). A flushed
// cgroup holds at least its process's own anonymous pages and some kernel
// memory, so the read is repeated until it does, for up to 4 s more; a
// sample that never does is left out of the memory.stat rows and counted in
// their note. A stale read can also be high: pages freed before the last
// flush (the init's own, at its execve) still counted. One hull sample of
// the fortieth round read anon 100 KiB against its process's 52 while
// memory.current was no higher than the other samples'. So anon above the
// process's own is read again too, until it matches or the 4 s are over: by
// then a periodic flush has come, and what is left was charged.
constexpr useconds_t kSettleUs = 2100000;
constexpr useconds_t kFlushPollUs = 100000;
constexpr int kFlushPolls = 40;

// The charge of the cgroup at dir, whose one process is pid, once settled;
// false if the cgroup could not be read. *flushed: memory.stat was current.
static bool read_settled_charge(const std::string& dir, pid_t pid, Charge* ch, bool* flushed) {
  usleep(kSettleUs);
  for (int poll = 0;; ++poll) {
    if (!read_charge(dir, ch)) return false;
    ch->own = rss_anon(pid);
    *flushed = ch->user >= ch->own && ch->kernel > 0;
    const bool settled = *flushed && (ch->own < 0 || ch->user == ch->own);
    if (settled || poll == kFlushPolls) return true;
    usleep(kFlushPollUs);
  }
}

// The reference: a process that does nothing (busybox sleep, chrooted into the
// same rootfs) put into a fresh memory cgroup with the same limit before it
// execs. Whatever a container's cgroup holds beyond this was charged by the
// runtime's own work inside the cgroup (init-side setup before execve).
static bool idle_charge(Ctx& c, int i, Charge* charge, bool* flushed) {
  std::string dir = c.cgroup_dir("memory", "idle-" + std::to_string(i));
  if (mkdir(dir.c_str(), 0755) != 0) return false;
  write_file(dir + (c.v2 ? "/memory.max" : "/memory.limit_in_bytes"), "268435456");
  pid_t p = fork();
  if (p == 0) {
    write_file(dir + "/cgroup.procs", "0");
    if (chroot(c.rootfs.c_str()) == 0 && chdir("/") == 0) execl("/bin/sleep", "sleep", "100000", (char*)nullptr);
    _exit(127);
  }
  bool ok = read_settled_charge(dir, p, charge, flushed);
  kill(p, SIGKILL);
  c.reaper.wait_pid(p, c.timeout_ms);
  rmdir(dir.c_str());
  return ok;
}

void bench_memory(Ctx& c) {
  Row& peak =
      c.row("cg_peak", "container cgroup: peak memory charge (page counter, per-CPU batches of 256 KiB)", "KiB", "");
  Row& cur = c.row("cg_now", "container cgroup: memory charge once running (page counter)", "KiB", "");
  Row& user = c.row("cg_user", "container cgroup: user pages once running (memory.stat, exact)", "KiB", "");
  Row& extra = c.row("cg_user_extra",
                     "container cgroup: user pages beyond the container process's own (memory.stat - its RssAnon)",
                     "KiB", "0 (nothing left charged by the runtime)");
  Row& kernel = c.row("cg_kernel",
                      std::string("container cgroup: kernel memory (") +
                          (c.v2 ? "memory.stat kernel, once running" : "memory.kmem peak") + ")",
                      "KiB", "");
  std::map<std::string, int> unflushed;
  auto record = [&](const std::string& who, const Charge& ch, bool flushed) {
    peak.samples[who].push_back(ch.peak);
    cur.samples[who].push_back(ch.now);
    if (!flushed) {
      unflushed[who]++;
      return;
    }
    user.samples[who].push_back(ch.user);
    if (ch.own >= 0) extra.samples[who].push_back(ch.user - ch.own);
    kernel.samples[who].push_back(ch.kernel);
  };
  int n = c.short_mode ? 2 : 5;
  for (int i = 0; i < n; ++i) {
    Charge ch;
    bool flushed = false;
    if (idle_charge(c, i, &ch, &flushed)) record("idle", ch, flushed);
    for (const Runtime* rt : c.order(i)) {
      std::string id = c.new_id(*rt, "mem");
      pid_t init = up(c, *rt, id, true, kSleep);
      if (!init) {
        peak.failures[rt->name]++;
        continue;
      }
      if (read_settled_charge(c.cgroup_dir("memory", id), init, &ch, &flushed))
        record(rt->name, ch, flushed);
      else
        peak.failures[rt->name]++;
      kill(init, SIGKILL);
      c.reaper.wait_pid(init, c.timeout_ms);
      Outcome o = c.reaper.run(c.argv(*rt, {"delete", id}), c.timeout_ms);
      if (!o.ok()) force_delete(c, *rt, id);
    }
  }
  char waited[16];
  snprintf(waited, sizeof waited, "%.1f", (kSettleUs + kFlushPolls * kFlushPollUs) / 1e6);
  for (const auto& [who, count] : unflushed) {
    std::string note = who + ": " + std::to_string(count) + " of " + std::to_string(n) +
                       " samples left out, memory.stat not flushed " + waited + " s after the start. ";
    user.note += note;
    extra.note += note;
    kernel.note += note;
  }
}

void cleanup_containers(Ctx& c) {
  for (auto& rt : c.rts) {
    std::string out = c.work + "/list-" + rt.name;
    c.reaper.run(c.argv(rt, {"list", "-q"}), c.timeout_ms, out);
    std::istringstream in(read_file(out));
    for (std::string id; std::getline(in, id);)
      if (!id.empty()) force_delete(c, rt, id);
  }
  c.reaper.reap_nonblocking();
}

}  // namespace bench

namespace bench {
namespace {

// /proc/meminfo fields, in KiB.
std::map<std::string, double> meminfo() {
  std::map<std::string, double> m;
  std::istringstream in(read_file("/proc/meminfo"));
  for (std::string k; in >> k;) {
    double v = 0;
    in >> v;
    in.ignore(64, '\n');
    if (!k.empty() && k.back() == ':') k.pop_back();
    m[k] = v;
  }
  return m;
}

// Children of this process (the driver) that are not in `inits`: a runtime
// that leaves a monitor process per container (conmon-like) shows here,
// since the driver is the subreaper everything orphaned lands on.
int stray_children(const std::vector<pid_t>& inits) {
  std::string me = std::to_string(getpid());
  int n = 0;
  if (FILE* p = popen(("ps -o pid= --ppid " + me).c_str(), "r")) {
    for (long pid; fscanf(p, "%ld", &pid) == 1;)
      if (std::find(inits.begin(), inits.end(), pid_t(pid)) == inits.end()) ++n;
    pclose(p);
  }
  return n - 1;  // the ps itself
}

int count_lines(const std::string& path) {
  std::string s = read_file(path);
  return int(std::count(s.begin(), s.end(), '\n'));
}

// Namespaces of `pid` that are not the driver's own (the driver runs in the
// host's namespaces but its private mount namespace, which containers copy).
int own_namespaces(pid_t pid) {
  int n = 0;
  for (const char* k : {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"}) {
    char a[64] = "", b[64] = "";
    std::string p = "/proc/" + std::to_string(pid) + "/ns/" + k, q = std::string("/proc/self/ns/") + k;
    ssize_t x = readlink(p.c_str(), a, sizeof a - 1), y = readlink(q.c_str(), b, sizeof b - 1);
    if (x > 0 && y > 0 && std::string(a, size_t(x)) != std::string(b, size_t(y))) ++n;
  }
  return n;
}

// /proc/slabinfo: cache name -> bytes in objects in use (active_objs ×
// objsize). Not num_objs: slab pages freed objects leave behind are reused
// by the next runtime's containers, so totals would favour whoever runs later.
std::map<std::string, double> slabinfo() {
  std::map<std::string, double> m;
  std::istringstream in(read_file("/proc/slabinfo"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("slabinfo", 0) == 0) continue;
    std::istringstream l(line);
    std::string name;
    double active = 0, num = 0, size = 0;
    if (l >> name >> active >> num >> size) m[name] += active * size;
  }
  return m;
}

// The caches that grew most, per container, as a Markdown table.
std::string slab_table(const std::string& rt, int k, std::map<std::string, double>& a,
                       std::map<std::string, double>& b) {
  std::vector<std::pair<double, std::string>> d;
  double total = 0;
  for (auto& [name, bytes] : b) {
    double delta = (bytes - a[name]) / 1024 / k;
    total += delta;
    d.push_back({delta, name});
  }
  std::sort(d.rbegin(), d.rend());
  char buf[160];
  std::string md =
      "\n" + rt + ": /proc/slabinfo growth per container (" + std::to_string(k) + " containers), top 15\n\n";
  md += "| cache | KiB per container |\n|---|---|\n";
  for (size_t i = 0; i < d.size() && i < 15; ++i) {
    snprintf(buf, sizeof buf, "| %s | %.2f |\n", d[i].second.c_str(), d[i].first);
    md += buf;
  }
  snprintf(buf, sizeof buf, "| (all caches) | %.1f |\n", total);
  return md + buf;
}

double du_kib(const std::string& dir) {
  double kib = 0;
  if (FILE* p = popen(("du -sk " + dir + " 2>/dev/null").c_str(), "r")) {
    if (fscanf(p, "%lf", &kib) != 1) kib = 0;
    pclose(p);
  }
  return kib;
}

// Network namespaces are freed by a kernel worker after their last process
// is gone, batch after batch: 1000 take seconds, and a phase started
// meanwhile shares the CPUs with that teardown (crun's forced delete of 1000
// read 2.9 s once and 4.1 s right after hull's 1000). Waits until the host
// is quiet again (at least 90 % idle over half a second, from /proc/stat),
// for at most 60 s.
double idle_fraction_over(useconds_t us) {
  auto sample = [] {
    std::istringstream in(read_file("/proc/stat"));
    std::string cpu;
    double v, total = 0, idle = 0;
    in >> cpu;
    for (int i = 0; i < 8 && in >> v; ++i) {
      total += v;
      if (i == 3 || i == 4) idle += v;  // idle, iowait
    }
    return std::pair{total, idle};
  };
  auto [t0, i0] = sample();
  usleep(us);
  auto [t1, i1] = sample();
  return t1 > t0 ? (i1 - i0) / (t1 - t0) : 1.0;
}

void settle_host() {
  for (int i = 0; i < 120; ++i)
    if (idle_fraction_over(500000) >= 0.9) return;
  fprintf(stderr, "  the host is still busy after 60 s; measuring anyway\n");
}

}  // namespace

// As the issue's 16-core measurement: 16 deletes at a time.
constexpr int kDensityDeleteWidth = 16;

void bench_density(Ctx& c) {
  int n = c.density_n;
  std::string t = std::to_string(n) + " running containers: ";
  Row& avail = c.row("density_avail", t + "MemAvailable drop per container", "KiB", "≤ runc");
  Row& back = c.row("density_back", t + "  MemAvailable regained per container at delete", "KiB", "");
  Row& slab = c.row("density_slab", t + "  Slab per container", "KiB", "");
  Row& sunr = c.row("density_sunreclaim", t + "  SUnreclaim per container", "KiB", "");
  Row& sact =
      c.row("density_slab_active", t + "  slab objects in use (/proc/slabinfo active) per container", "KiB", "");
  Row& shm = c.row("density_shmem", t + "  Shmem (tmpfs: state dir, pid file) per container", "KiB", "");
  Row& cg = c.row("density_cgroup", t + "  container cgroup charge (memory.usage) per container", "KiB", "");
  Row& st = c.row("density_state", t + "  state dir (--root, tmpfs) per container", "KiB", "");
  Row& mnt = c.row("density_mounts", t + "  mounts in the container's mount namespace", "mounts", "");
  Row& hmnt = c.row("density_hostmounts", t + "  mounts left in the runtime's namespace per container", "mounts", "");
  Row& ns = c.row("density_ns", t + "  namespaces per container (not the host's)", "namespaces", "");
  Row& stray = c.row("density_procs", t + "  runtime processes left running per container", "processes", "0");
  Row& wall = c.row("density_wall", t + "  time to create+start them one by one", "ms", "");
  Row& del =
      c.row("density_delete", t + "  delete --force of them all, " + std::to_string(kDensityDeleteWidth) + " at a time",
            "ms", "≤ 0.5× crun");
  std::string slab_md;
  // Warm-up, not recorded: the first runtime measured would otherwise pay
  // for growing the slab caches (kernel objects of n containers) whose
  // freed pages the later runtimes reuse.
  {
    const Runtime& rt = *c.order(0).front();
    std::vector<std::pair<std::string, pid_t>> up_ids;
    for (int k = 0; k < n; ++k) {
      std::string id = c.new_id(rt, "warm");
      if (pid_t init = up(c, rt, id, true, kSleep)) up_ids.push_back({id, init});
    }
    fprintf(stderr, "  warm-up: %zu %s containers up, deleting\n", up_ids.size(), rt.name.c_str());
    for (auto& [id, init] : up_ids) {
      kill(init, SIGKILL);
      c.reaper.wait_pid(init, c.timeout_ms);
      if (!c.reaper.run(c.argv(rt, {"delete", id}), c.timeout_ms).ok()) force_delete(c, rt, id);
    }
  }
  auto measure = [&](const Runtime* rt, bool first_round) {
    std::vector<std::string> ids, all;
    std::vector<pid_t> inits;
    // Bundles first, so the driver's own tmpfs writes are not in the Shmem delta.
    for (int k = 0; k < n; ++k) {
      all.push_back(c.new_id(*rt, "dense"));
      c.bundle(all.back(), true, kSleep);
    }
    double root_before = du_kib(rt->root);
    int mounts_before = count_lines("/proc/self/mountinfo");
    auto slab_before = slabinfo();
    auto before = meminfo();
    int64_t t0 = now_ns();
    for (auto& id : all) {
      pid_t init = up_bundle(c, *rt, id, c.work + "/b/" + id);
      if (!init) {
        avail.failures[rt->name]++;
        continue;
      }
      ids.push_back(id);
      inits.push_back(init);
    }
    int64_t t1 = now_ns();
    usleep(500000);  // let deferred frees (RCU, per-cpu caches) settle alike for all
    auto after = meminfo();
    auto slab_after = slabinfo();
    double charge = 0;
    for (auto& id : ids) {
      Charge ch;
      if (read_charge(c.cgroup_dir("memory", id), &ch)) charge += ch.now;
    }
    int k = int(ids.size());
    if (k) {
      avail.samples[rt->name].push_back((before["MemAvailable"] - after["MemAvailable"]) / k);
      slab.samples[rt->name].push_back((after["Slab"] - before["Slab"]) / k);
      sunr.samples[rt->name].push_back((after["SUnreclaim"] - before["SUnreclaim"]) / k);
      shm.samples[rt->name].push_back((after["Shmem"] - before["Shmem"]) / k);
      cg.samples[rt->name].push_back(charge / k);
      st.samples[rt->name].push_back((du_kib(rt->root) - root_before) / k);
      mnt.samples[rt->name].push_back(count_lines("/proc/" + std::to_string(inits[0]) + "/mountinfo"));
      hmnt.samples[rt->name].push_back(double(count_lines("/proc/self/mountinfo") - mounts_before) / k);
      ns.samples[rt->name].push_back(own_namespaces(inits[0]));
      stray.samples[rt->name].push_back(double(stray_children(inits)) / k);
      wall.samples[rt->name].push_back(ms(t1 - t0));
      double used = 0;
      for (auto& [name, bytes] : slab_after) used += bytes - slab_before[name];
      sact.samples[rt->name].push_back(used / 1024 / k);
      if (first_round) slab_md += slab_table(rt->name, k, slab_before, slab_after);
    }
    // Running containers go as a node drains them: `delete --force`, which
    // kills each init and waits for it, several at a time.
    fprintf(stderr, "  %s: %d containers up, deleting\n", rt->name.c_str(), k);
    int64_t d0 = now_ns();
    int undeleted = delete_batch(c, *rt, ids, kDensityDeleteWidth);
    int64_t d1 = now_ns();
    c.reaper.reap_nonblocking();  // the inits, reparented to us
    if (undeleted) {
      del.failures[rt->name] += undeleted;
      for (auto& id : ids) force_delete(c, *rt, id);
    } else if (k) {
      del.samples[rt->name].push_back(ms(d1 - d0));
    }
    usleep(500000);
    if (k) back.samples[rt->name].push_back((meminfo()["MemAvailable"] - after["MemAvailable"]) / k);
    for (auto& id : all) std::system(("rm -rf '" + c.work + "/b/" + id + "'").c_str());
  };
  // The delete row's floor: as many containers, brought up by hull, each
  // deleted by bench/floor_delete.c (kill, wait, cgroup and state removal,
  // nothing else) as many at a time as the runtimes' deletes.
  const Runtime* hull = nullptr;
  for (auto& rt : c.rts)
    if (rt.name == "hull") hull = &rt;
  auto measure_floor = [&] {
    std::vector<std::string> ids;
    std::vector<std::vector<std::string>> argvs;
    for (int k = 0; k < n; ++k) {
      std::string id = c.new_id(*hull, "floordel");
      pid_t init = up(c, *hull, id, true, kSleep);
      if (!init) {
        del.failures["floor"]++;
        continue;
      }
      ids.push_back(id);
      argvs.push_back({c.floor_delete_bin, std::to_string(init), c.cg_parent + "/" + id, c.controllers_arg(),
                       hull->root + "/" + id});
    }
    fprintf(stderr, "  floor: %zu hull containers up, deleting with floor_delete\n", ids.size());
    int64_t d0 = now_ns();
    int undeleted = command_batch(c, argvs, kDensityDeleteWidth);
    int64_t d1 = now_ns();
    c.reaper.reap_nonblocking();
    if (undeleted) {
      del.failures["floor"] += undeleted;
      for (auto& id : ids) force_delete(c, *hull, id);
    } else if (!ids.empty()) {
      del.samples["floor"].push_back(ms(d1 - d0));
    }
    for (auto& id : ids) std::system(("rm -rf '" + c.work + "/b/" + id + "'").c_str());
  };
  // One sample per runtime and round: a forced delete of many containers
  // varies by a third from one run to the next on the development VM, so
  // the rounds rotate the order, the floor included, and each phase starts
  // on a quiet host.
  for (int round = 0; round < c.density_rounds; ++round) {
    std::vector<const Runtime*> who = c.order(round);
    if (hull && !c.floor_delete_bin.empty()) who.insert(who.begin() + round % (who.size() + 1), nullptr);
    for (const Runtime* rt : who) {
      settle_host();
      if (rt)
        measure(rt, round == 0);
      else
        measure_floor();
    }
  }
  write_file(c.work + "/density-slab.md", slab_md);
}

}  // namespace bench
