// hullbench: measures OCI runtimes side by side.
// Each sample is fork(vfork)+exec+wait of one runtime command, timed with
// CLOCK_MONOTONIC inside this long-lived process, so the driver's own start-up
// is never in a number. Runtimes are interleaved sample by sample.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>

#include "ctx.hpp"
#include "report.hpp"
#include "scenarios.hpp"

using namespace bench;

static void usage() {
  fprintf(stderr,
          "usage: hullbench --work DIR [--state DIR] --out DIR --template FILE [--seccomp-profile FILE] --rootfs DIR\n"
          "  [--floor FLOOR_FULL_BIN] [--floor-delete FLOOR_DELETE_BIN] --cgroup-parent /PATH --controllers a,b,.. "
          "--runtime NAME=BIN [--runtime ..]\n"
          "  [--iters N] [--fill 1,10,100,1000] [--par N] [--rounds R] [--short]\n"
          "  [--only run,mounts,lifecycle,exec,statelist,parallel,sustained,memory,density] [--density N] "
          "[--density-rounds R]\n");
  exit(2);
}

static std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string x; std::getline(in, x, sep);)
    if (!x.empty()) v.push_back(x);
  return v;
}

int main(int argc, char** argv) {
  Ctx c;
  std::string out, tmpl_path, seccomp_path;
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--work")
      c.work = val();
    else if (a == "--state")
      c.state = val();
    else if (a == "--out")
      out = val();
    else if (a == "--template")
      tmpl_path = val();
    else if (a == "--seccomp-profile")
      seccomp_path = val();
    else if (a == "--rootfs")
      c.rootfs = val();
    else if (a == "--small-parent")
      c.small_parent = val();
    else if (a == "--floor")
      c.floor_bin = val();
    else if (a == "--floor-delete")
      c.floor_delete_bin = val();
    else if (a == "--cgroup-parent")
      c.cg_parent = val();
    else if (a == "--controllers")
      c.cg_controllers = split(val(), ',');
    else if (a == "--iters")
      c.iters = atoi(val().c_str());
    else if (a == "--par")
      c.par_n = atoi(val().c_str());
    else if (a == "--density")
      c.density_n = atoi(val().c_str());
    else if (a == "--density-rounds")
      c.density_rounds = atoi(val().c_str());
    else if (a == "--rounds")
      c.par_rounds = atoi(val().c_str());
    else if (a == "--short")
      c.short_mode = true;
    else if (a == "--only")
      for (auto& s : split(val(), ',')) only.insert(s);
    else if (a == "--fill") {
      c.fill_levels.clear();
      for (auto& s : split(val(), ',')) c.fill_levels.push_back(atoi(s.c_str()));
    } else if (a == "--runtime") {
      std::string v = val();
      auto eq = v.find('=');
      if (eq == std::string::npos) usage();
      c.rts.push_back({v.substr(0, eq), v.substr(eq + 1), ""});
    } else
      usage();
  }
  if (c.work.empty() || out.empty() || tmpl_path.empty() || c.rootfs.empty() || c.cg_parent.empty() || c.rts.empty() ||
      c.fill_levels.empty())
    usage();
  struct statfs sf;
  c.v2 = c.cg_controllers.empty() && statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
  c.tmpl = read_file(tmpl_path);
  if (!seccomp_path.empty()) c.seccomp_profile = read_file(seccomp_path);
  mkdir((c.work + "/b").c_str(), 0755);
  mkdir(c.pid_dir().c_str(), 0755);
  for (auto& rt : c.rts) {
    rt.root = (c.state.empty() ? c.work : c.state) + "/root-" + rt.name;
    mkdir(rt.root.c_str(), 0700);
  }
  c.reaper.err_path = c.work + "/runtime-stderr.log";
  auto want = [&](const char* s) { return only.empty() || only.count(s); };
  auto step = [&](const char* what) {
    fprintf(stderr, "== %s\n", what);
    fflush(stderr);
  };

  if (want("run")) {
    step("run /bin/true");
    bench_run(c, true);
    step("run /bin/true, no netns");
    bench_run(c, false);
    if (!c.seccomp_profile.empty()) {
      step("run /bin/true, default seccomp profile");
      bench_run(c, true, true);
    }
    step("run /bin/true, one every 50 ms");
    bench_run(c, true, false, Pace::Quiet);
    step("run /bin/true, beside a running container");
    bench_run(c, true, false, Pace::Beside);
  }
  if (want("mounts")) {
    step("run /bin/true, read-only tmpfs and rbinds above them");
    bench_run_mounts(c);
  }
  if (want("lifecycle")) {
    step("create+start+wait+delete");
    bench_lifecycle(c, true);
    step("create+start+wait+delete, no netns");
    bench_lifecycle(c, false);
    step("what create holds as it exits");
    bench_create_memory(c);
  }
  if (want("exec")) {
    step("exec");
    bench_exec(c);
    if (!c.seccomp_profile.empty()) {
      step("exec <id> /bin/true, default seccomp profile");
      bench_exec(c, true);
    }
    step("exec <id> /bin/true, one every 50 ms");
    bench_exec(c, false, Pace::Quiet);
  }
  if (want("memory")) {
    step("memory charged to the container cgroup");
    bench_memory(c);
  }
  if (want("density")) {
    step("host memory per running container");
    bench_density(c);
  }
  if (want("parallel")) {
    step("parallel lifecycles");
    bench_parallel(c, true);
    step("parallel lifecycles, no netns");
    bench_parallel(c, false);
  }
  if (want("sustained")) {
    step("parallel clients, lifecycles back to back");
    bench_sustained(c, true);
    step("parallel clients, lifecycles back to back, no netns");
    bench_sustained(c, false);
  }
  if (want("statelist")) {
    step("state and list with many containers");
    bench_state_list(c);
  }
  step("cleanup");
  cleanup_containers(c);
  write_report(c, out);
  fprintf(stderr, "orphans reaped by the driver: %ld\n", c.reaper.orphans_reaped);
  return 0;
}
