#pragma once
// Shared state of one benchmark run: the runtimes under test, where bundles
// and logs go, the config template, and the collected samples.
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "spawn.hpp"

namespace bench {

struct Runtime {
  std::string name;  // "hull", "crun", "runc"
  std::string bin;   // absolute path
  std::string root;  // --root state dir, private to this run
};

// One table row: samples per runtime (plus pseudo-columns such as "idle").
struct Row {
  std::string key;     // stable id, used by the report and the plot
  std::string title;   // human text
  std::string unit;    // "ms", "KiB", "containers/s"
  std::string target;  // the goal for hull, in words ("" = informational)
  std::map<std::string, std::vector<double>> samples;
  std::map<std::string, int> failures;
  std::string note;
};

struct Ctx {
  Reaper reaper;
  std::vector<Runtime> rts;
  std::string work;                         // scratch dir: bundles, pid files, logs
  std::string state;                        // tmpfs: each runtime's --root below it
  std::string tmpl;                         // config.json template text
  std::string seccomp_profile;              // a linux.seccomp object (JSON), or empty
  std::string rootfs;                       // shared read-only rootfs
  std::string cg_parent;                    // absolute cgroup path all containers nest under
  std::vector<std::string> cg_controllers;  // mounted v1 controllers (empty on a pure cgroup v2 host)
  bool v2 = false;                          // /sys/fs/cgroup is cgroup2 and no v1 controller was given
  // bench/small-parent.c, built by run.sh: `create` runs as its child so the
  // peak RSS row is not floored at the driver's own (see that file).
  std::string small_parent;
  // bench/floor_full.c, built by run.sh: measured beside the runtimes in the
  // `run` rows (column "floor"); empty = not measured.
  std::string floor_bin;
  // bench/floor_delete.c: deletes containers hull brought up, as one more
  // column of the density row's parallel delete; empty = not measured.
  std::string floor_delete_bin;
  int timeout_ms = 30000;
  bool short_mode = false;
  int iters = 30;
  std::vector<int> fill_levels{1, 10, 100, 1000};
  int par_n = 50, par_rounds = 10;
  int density_n = 200;   // running containers per runtime in the density rows
  int density_rounds = 1;  // samples per runtime in the density rows
  std::deque<Row> rows;  // deque: row() hands out references that must stay valid
  long seq = 0;          // makes container ids unique

  Row& row(const std::string& key, const std::string& title, const std::string& unit, const std::string& target);
  // Writes <work>/b/<id>/config.json from the template; returns the bundle dir.
  // With `seccomp`, linux.seccomp is seccomp_profile.
  std::string bundle(const std::string& id, bool netns, const std::string& args_json, bool seccomp = false);
  std::string new_id(const Runtime& rt, const std::string& what);
  std::vector<std::string> argv(const Runtime& rt, std::initializer_list<std::string> rest) const;
  // Beside the runtimes' state, on tmpfs: clients keep it there
  // (containerd: /run/containerd/.../<id>/init.pid), and on this VM's ext4
  // /run each create paid an inode allocation for it.
  std::string pid_dir() const { return (state.empty() ? work : state) + "/p"; }
  std::string pidfile(const std::string& id) const { return pid_dir() + "/" + id; }
  // The cgroup directory of `id` (empty: the benchmark's parent) in the
  // hierarchy of v1 controller `ctrl`; on a pure v2 host the one hierarchy.
  std::string cgroup_dir(const std::string& ctrl, const std::string& id) const;
  // The floors' CONTROLLERS argument: the v1 hierarchies, comma-separated,
  // or "-" on a pure cgroup v2 host.
  std::string controllers_arg() const;
  // Runtimes in an order that rotates with i, so no runtime always goes first.
  std::vector<const Runtime*> order(int i) const;
};

}  // namespace bench
