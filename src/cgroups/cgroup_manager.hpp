#pragma once
// The container's cgroup(s): where they are, creating them with the config's
// limits, placing processes, freezing, signalling, statistics, removal.
//
// How the core uses it (create / run):
//
//   auto cg = cgroups::Manager::plan(spec.linux_ ? &*spec.linux_ : nullptr, id, g.systemd_cgroup);
//                                       // validates everything, no side effect yet
//   cg.create();                        // mkdir + limits; removed again if cg is destroyed un-disowned
//   clone3 with CLONE_INTO_CGROUP and cgroup = cg.clone_into_fd() when it is >= 0;
//   cg.add_process(init_pid, /*placed_in_v2=*/clone_into_cgroup_worked);
//                                       // v1 hierarchies (and v2 when clone3 could not place it)
//   state.cgroupPath = cg.to_state();   // JSON text, stored verbatim
//   write state.json; cg.disown();      // from here the cgroup outlives this process
//
// Later commands: auto cg = cgroups::Manager::load(state.cgroupPath);
//   pause/resume: cg.freeze() / cg.thaw();  kill --all: cg.kill_all(sig);
//   ps: cg.pids();  events --stats: cg.stats();  update: cg.update(resources);
//   delete: cg.kill_all(SIGKILL) if anything may be left, reap, then cg.destroy().
//
// cgroupsPath (config-linux.md "Cgroups Path"):
//   "/a/b"  relative to each hierarchy's root (the mount point).
//   "a/b"   v1 and hybrid: relative to the cgroup of the calling hull process
//           in each hierarchy; pure v2: relative to the PARENT of the caller's
//           cgroup, which unlike the caller's own holds no processes (runc's
//           rule; docs/cgroups.md).
//   unset   "<id>", relative as above (runc's default too).
//   A cgroup holding processes is never given controllers: that is an error
//   naming it. delete removes the container's directories and the parents
//   create made (state.json lists them) once they are empty.
//   ".." components are refused.
//
// --systemd-cgroup (pure v2 hosts): cgroupsPath is "slice:prefix:name"
// (systemd_unit.hpp). create() connects to systemd; add_process() starts a
// transient scope holding the init (Delegate=yes, the limits as unit
// properties, systemd_bus.hpp), waits for the job, then writes every limit
// to the scope's cgroup files as without systemd. The init is cloned outside
// it (clone_into_fd() is -1) and waits for placement. update() sets the
// properties too; destroy() empties the scope, then stops the unit, which
// removes its cgroup.
//
// Which hierarchy carries a limit: in hybrid mode a controller mounted as v1 is
// used through v1; one only the cgroup2 mount offers (hugetlb here) through
// v2. A limit for a controller neither offers is an error naming the
// controller and the host's layout. The container always gets a cgroup on the
// v2 mount in hybrid mode too (as runc does), so freeze/kill/pids work there.
//
// Device rules: default deny, then linux.resources.devices in order, then
// runc's default allow-list (devices.hpp). linux.devices entries get nodes,
// not rules. v1 writes devices.deny/devices.allow; v2 attaches a
// BPF_PROG_TYPE_CGROUP_DEVICE program.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/host.hpp"
#include "cgroups/self_placement.hpp"
#include "cgroups/systemd_bus.hpp"
#include "cgroups/systemd_unit.hpp"
#include "spec/spec.hpp"

namespace hull::cgroups {

// The container's cgroup directories, absolute.
struct Paths {
  Mode mode = Mode::Unified;
  std::string v2;                         // "" when the container has no v2 cgroup (legacy)
  std::map<std::string, std::string> v1;  // hierarchy name ("cpu,cpuacct") -> directory
};

// A systemd cgroupsPath "slice:prefix:name".
struct SystemdPath {
  std::string slice, prefix, name;
};
SystemdPath parse_systemd_path(std::string_view value);

// `dir`/`sub` with one slash between them; `dir` when `sub` is empty.
std::string join_cgroup_path(const std::string& dir, const std::string& sub);

// The directory of `path`, a cgroup as /proc/<pid>/cgroup names it in
// `hierarchy` ("" for cgroup2, "cpu,cpuacct", "name=systemd"), where the
// host mounts its hierarchies in the standard layout: /sys/fs/cgroup/<path>
// for a unified host's v2, /sys/fs/cgroup/unified/<path> for a hybrid one's,
// /sys/fs/cgroup/<hierarchy>/<path> for v1 (a named hierarchy without "name=").
std::string standard_dir(Mode mode, std::string_view hierarchy, std::string_view path);

// The container's directory in the v1 hierarchy holding `controller`, or "".
// From the paths alone: their hierarchy names list their controllers.
std::string v1_dir(const Paths& paths, const std::string& controller);

// Where cgroupsPath (or its default for `id`) puts the container on `host`.
// Throws on ".." components or an empty value.
Paths resolve_paths(const std::optional<std::string>& cgroups_path, std::string_view id, const Host& host);

// OOM notifications of a container's memory cgroup (`events`): poll fd()
// for poll_events(); once it is ready, consume() returns how many OOM events
// happened since the last call (0 for a spurious wake-up or a removed cgroup).
// v1: memory.oom_control registered with cgroup.event_control on an eventfd.
// v2: memory.events, whose "oom_kill" counter is compared with the last read.
class OomWatch {
 public:
  OomWatch() = default;
  int fd() const { return fd_.get(); }  // -1: no memory cgroup to watch
  short poll_events() const;
  uint64_t consume();

 private:
  friend class Manager;
  bool v2_ = false;
  std::string dir_;
  UniqueFd fd_;           // v1: the eventfd; v2: memory.events
  UniqueFd oom_control_;  // v1: memory.oom_control, open while registered
  uint64_t last_ = 0;     // v2: oom_kill when last read
};

// Manager::thaw() where a cgroup above the container's holds the freeze.
class FrozenAbove : public Error {
 public:
  using Error::Error;
};

class Manager {
 public:
  // Resolves the paths and checks that every configured limit can be applied
  // on this host; makes nothing. `linux` may be null (no linux section).
  // With `user_manager` (rootless) the systemd driver speaks to the user's
  // own manager, as runc's and crun's do: connected here, and asked where
  // its units live; create() throws what prevented that.
  static Manager plan(const spec::Linux* linux, std::string_view id, bool systemd, const Host& host = Host::current(),
                      bool user_manager = false);
  // With the systemd driver: the unit properties the config's
  // org.systemd.property.* annotations give, for the unit's start
  // (annotation_properties); throws naming a bad one. Without it, nothing:
  // runc reads them only for its systemd driver too.
  void set_unit_annotations(const std::map<std::string, std::string>& annotations);
  // A manager for an existing container from to_state() text. Does not own
  // the cgroup. Without `host`, the host is detected only when something
  // needs more than the state holds (limits, stats, an error naming the
  // host's layout): delete, kill, pause and ps read and remove the
  // directories the state names, and skip the detection's statfs calls.
  static Manager load(const std::string& state, const Host* host = nullptr);

  Manager(Manager&&) noexcept = default;
  Manager& operator=(Manager&&) noexcept = default;
  // Removes the directories create() made unless disown() was called (best effort).
  ~Manager();

  // mkdir of every directory, controllers enabled on v2, limits written, the
  // v2 directory opened for CLONE_INTO_CGROUP. On failure, what was made is removed.
  // Fails if a cgroup of it that was there before holds processes, on any
  // hierarchy (spec: a non-empty cgroup is unfit; made_here_or_empty), or
  // another create of the same cgroupsPath got there first (claim_leaf).
  void create();
  // create() in two steps around the clone of a process that moves itself
  // into its v1 hierarchies (moves_itself_into_v1), so that the v1 work
  // overlaps with the process's first steps:
  // create_for_clone(): what clone3 needs, the v2 directory (CLONE_INTO_CGROUP);
  // on failure, what it made is removed. Owned from here.
  // create_after_clone(): the v1 directories and every limit. On failure the
  // directories stay for the destructor to remove, once the caller has
  // killed the process, which may be in the v2 one already.
  void create_for_clone();
  void create_after_clone();
  // Between create_for_clone() and create_after_clone(), where the process
  // joins its memory hierarchy first (v1_memory_first()): that hierarchy's
  // directory alone, so that the kernel memory of what the process makes
  // next (its network namespace, its mounts) is charged to the container
  // while create_after_clone() makes the others. On failure, as
  // create_after_clone().
  void create_v1_memory_first();
  // Called with to_state()'s text, listing them, before create() (or
  // create_parents()) makes a parent the container's cgroup lacks: the
  // caller writes it where delete reads it, so that a create killed after
  // that mkdir leaves a state naming the parent for delete --force to
  // remove. The parents exist for all but the first container of a
  // cgroupsPath parent: nothing is called then.
  void record_parents_with(std::function<void(const std::string& state)> record) {
    record_parents_ = std::move(record);
  }
  // The cgroup now belongs to the container (its state.json names it).
  void disown() noexcept { owned_ = false; }

  // restore --manage-cgroups-mode strict, where CRIU makes the container's
  // directories itself (its strict mode aborts on one that exists), in two
  // steps around CRIU:
  // create_parents(): all create() does short of the container's own
  // directories: their parents made, cpuset values inherited into the v1
  // parents, and the v2 controllers the limits need (on pure v2, all that
  // are allowed) enabled in the parent, so the directory CRIU makes can take
  // the limits. Refuses, touching nothing, a container directory that
  // already exists, and --systemd-cgroup (systemd makes the scope). Owned
  // from here: undone (the parents it made removed) unless disowned.
  void create_parents();
  // adopt_created(): once CRIU has made the directories and moved the
  // restored processes in, before they resume: they become the
  // container's (removed if the restore is undone) and the config's limits
  // and device rules are written, as create() writes them.
  void adopt_created();

  // Where a v2 device filter loaded for these rules is looked for and its
  // id kept for the next container (a path, device_filter_cache.hpp); set
  // before create() or update(). Unset: every filter is loaded.
  void keep_device_filters_in(std::string dir) { device_filter_cache_ = std::move(dir); }

  // O_DIRECTORY fd of the v2 cgroup for clone3(CLONE_INTO_CGROUP), -1 when
  // there is none (legacy) or create() was not called. If clone3 refuses it
  // (old kernel: E2BIG/ENOSYS; EBUSY/EOPNOTSUPP), clone without it and pass
  // placed_in_v2=false to add_process.
  int clone_into_fd() const { return v2_fd_.get(); }
  // The fd that holds create's lock on a legacy host's leaf (claim_leaf), or
  // -1: a child cloned before create ends must not hold it (nor the lock).
  int v1_claim_fd() const { return v1_claim_.get(); }
  // Whether a new process moves itself into v1 hierarchies (there are some,
  // and systemd, which places the init itself, is not in charge).
  bool moves_itself_into_v1() const { return !unit_ && !paths_.v1.empty(); }
  // The v1 hierarchy holding the memory controller that a new process can
  // join ahead of the others (create_v1_memory_first()), or "" where it
  // moves itself into none (moves_itself_into_v1()), the host mounts no v1
  // memory controller, or the freezer shares that hierarchy (joining it
  // could stop the process before its cgroups are checked).
  std::string v1_memory_first() const;
  // Which of its v1 hierarchies a process moves itself into: all, or in two
  // steps, the memory one (v1_memory_first()) and then the rest.
  enum class V1Part { All, Memory, Rest };
  // The v1 hierarchies' tasks files for that (self_placement.hpp), opened
  // unless open_now is false; empty unless moves_itself_into_v1().
  V1SelfPlacement v1_self_placement(bool open_now = true, V1Part part = V1Part::All) const;
  // Writes pid to cgroup.procs of every v1 hierarchy (unless the process
  // moved itself: placed_in_v1) and, unless the clone already put it there,
  // of the v2 cgroup. With systemd: starts the scope with pid in it and
  // applies the limits.
  void add_process(pid_t pid, bool placed_in_v2 = false, bool placed_in_v1 = false);
  // Whether systemd manages the cgroup (--systemd-cgroup): the init is
  // placed after the clone, and the directory exists only from then on.
  bool systemd() const { return unit_.has_value(); }
  // The connection to systemd create() opened for add_process(), or -1: a
  // child cloned between them must not hold it.
  int systemd_bus_fd() const noexcept { return bus_ ? bus_->fd() : -1; }

  // Freezes every process and returns once the kernel reports them frozen
  // (v2 cgroup.events "frozen 1"; v1 freezer.state FROZEN). The v1 freezer
  // is used when mounted, else cgroup.freeze on v2.
  // thaw() fails (FrozenAbove), naming it, where a cgroup above holds the
  // freeze: the container's own freeze is cleared then.
  void freeze() const;
  void thaw() const;
  bool frozen() const;
  // frozen(), right after create made the cgroups: a v2 leaf made here has
  // its own cgroup.freeze 0, and is not read for it.
  bool frozen_when_made() const;
  // The nearest cgroup above the container's frozen by itself (v1:
  // freezer.self_freezing; v2: cgroup.freeze, on a hybrid host's unified
  // hierarchy too), from outside hull (a pod's or a slice's, `systemctl
  // freeze`): its freeze holds the container's whatever hull writes. ""
  // where none is.
  std::string frozen_ancestor() const;
  // Whether a frozen process acts on SIGKILL only once thawed: so with the
  // v1 freezer; v2's lets a fatal signal through (cgroup-v2.rst, "Processes
  // in the frozen cgroup can be killed by a fatal signal").
  bool sigkill_waits_for_thaw() const;
  // After a SIGKILL: thaws the v1 freezer where it holds the processes
  // frozen (the signal acts only once they are thawed), the container's own
  // cgroup and every sub-cgroup below it that the container froze itself (a
  // nested runtime's paused container: its processes would keep the init
  // of the container's pid namespace from exiting).
  void thaw_v1_freezer() const;
  // Whether the v2 cgroup (sub-cgroups included) came to hold no process
  // ("populated 0") or `also` became readable before the deadline. False at
  // once where there is no v2 cgroup to wait on (legacy, or removed since).
  bool wait_emptied(std::chrono::steady_clock::time_point deadline, int also) const;

  // Sends sig to every process in the cgroup (and its sub-cgroups). SIGKILL
  // uses cgroup.kill where the kernel has it; otherwise the cgroup is frozen,
  // signalled pid by pid and thawed, so no process forks past the signal.
  void kill_all(int sig) const;
  // Processes in the container's cgroup and its sub-cgroups.
  std::vector<pid_t> pids() const;
  // Whether pid is one of them.
  bool holds(pid_t pid) const;
  // The "data" object of runc's `events --stats`: cpu, memory, pids, blkio, hugetlb.
  nlohmann::json stats() const;

  // Starts watching for OOM events (see OomWatch).
  OomWatch watch_oom() const;
  // How many processes the OOM killer has killed in the memory cgroup (v1
  // memory.oom_control, v2 memory.events "oom_kill"); 0 without one.
  uint64_t oom_kills() const;
  // Whether the container's own memory limit was reached (v1 memory.failcnt,
  // v2 memory.events "oom"), which a kill by an ancestor's limit leaves 0.
  bool memory_limit_reached() const;

  // Applies new limits (the `update` command). Only fields that are set are
  // written; device rules are replaced only when resources.devices is non-empty.
  void update(const spec::Resources& resources);

  // Removes the container's directories (sub-cgroups first). Processes must
  // be gone: a populated cgroup is waited for briefly (exiting tasks), then
  // the error lists the pids left. before_kill, when given, is called once
  // before the processes left are killed (it may throw to refuse that).
  void destroy(const std::function<void()>& before_kill = {});

  const Paths& paths() const { return paths_; }
  // Serialisable description for state.json: {"mode":..., "v2":..., "v1":{...}}.
  std::string to_state() const;
  // Deprecated or ignored settings met while applying (kernel memory ...).
  // create() and update() also log each one with log::warn.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Manager(std::optional<Host> host, Paths paths) : host_(std::move(host)), paths_(std::move(paths)) {}
  const Host& host() const;
  void apply(const spec::Resources& r, bool updating);
  // Enables in the v2 parent (and up) the controllers `r` needs that it
  // lacks: for a cgroup made elsewhere (a systemd unit), or limits new to it.
  void enable_controllers_for(const spec::Resources& r) const;
  // The directories of every hierarchy (or, without with_leaves, only their
  // parents), cpuset values inherited into new v1 ones, the v2 controllers
  // enabled in the parent; what it makes goes to made_.
  void make_tree(bool with_leaves);  // both of:
  void make_v1_tree(bool with_leaves);
  void make_v1_dir(const std::string& hierarchy, const std::string& dir, bool with_leaves);
  void make_v2_tree(bool with_leaves);
  void make_dirs(const std::string& dir, const std::string& root, bool own);
  void make_parents(const std::string& dir, const std::string& root);
  static std::vector<std::string> missing_below(const std::string& dir, const std::string& root);
  std::vector<std::string> missing_parents() const;
  // to_state() with parents_to_make (outermost first) listed as made.
  std::string state_text(const std::vector<std::string>& parents_to_make) const;
  // create(): whether its own mkdir made the leaf `dir`. One it did not make
  // is refused if it holds processes: another container's, given the same
  // cgroupsPath.
  bool made_here_or_empty(const std::string& dir);
  // create(): opens and locks the container's first leaf, kept locked by
  // the fd returned for the rest of create; refuses it if it is locked or
  // holds processes.
  UniqueFd claim_leaf(const std::string& dir);
  // The v1 hierarchy whose leaf claim_leaf locks on a host without v2, ""
  // elsewhere: the same for every create of a cgroupsPath, whichever plan.
  std::string v1_claim_hierarchy() const;
  // Throws "cgroup <dir> <why>: give the container a linux.cgroupsPath of
  // its own", dir out of made_ first.
  [[noreturn]] void refuse_leaf(const std::string& dir, const char* why);
  void remove_dirs() noexcept;
  std::vector<std::string> all_dirs() const;
  bool remove_tree(const std::string& dir);
  std::vector<pid_t> remaining_pids() const;  // pids_in(all_dirs())
  static std::vector<pid_t> pids_in(const std::vector<std::string>& dirs, bool with_subs = true);
  // Whether dir is a strict ancestor of one of the container's directories.
  bool is_ancestor(const std::string& dir) const;
  // The directories in made_ above the container's own ones, outermost first.
  std::vector<std::string> made_parents() const;
  void kill_leftovers(const std::vector<pid_t>& left) const;
  void start_unit(pid_t pid);
  void stop_unit();
  // The hierarchy used for freezing: the v1 freezer if mounted, else v2 ("" if none).
  std::string freezer_dir(bool& v2) const;
  // Hybrid: whether the v2 cgroup beside the v1 freezer is frozen.
  bool unified_frozen_beside_v1(bool just_made) const;
  bool frozen_reading(bool just_made) const;
  bool v2_frozen(const std::string& dir, bool just_made) const;  // frozen_or_freezing; see frozen_when_made
  // The directory whose cgroup.procs (and sub-cgroups) pids() reads.
  std::string procs_dir() const;

  mutable std::optional<Host> host_;  // load() without a host: detected on first use
  Paths paths_;
  spec::Resources resources_;          // as planned (create)
  HeldDir v2_fd_;                      // on pure v2 and hybrid hosts, locked by claim_leaf; at() walks from it
  UniqueFd v1_claim_;                  // on legacy hosts, the first v1 leaf, locked by claim_leaf
  bool claimed_ = false;               // claim_leaf passed (or adopt_created): an init of ours may be in the leaves
  bool v2_made_here_ = false;          // create()'s own mkdir made the v2 leaf: no device program in it before create's
  std::vector<std::string> made_;      // directories create() made, outermost first (load: the parents)
  std::string v1_made_first_;          // the hierarchy create_v1_memory_first() made (make_v1_tree skips it)
  std::string device_filter_cache_;    // keep_device_filters_in()
  std::function<void(const std::string&)> record_parents_;  // record_parents_with()
  std::vector<std::string> announced_;  // parents the last record_parents_ call named (make_parents)
  bool owned_ = false;
  std::vector<std::string> warnings_;
  std::optional<SystemdUnit> unit_;               // --systemd-cgroup; load(): only the name is known
  std::vector<dbus::Property> unit_annotations_;  // set_unit_annotations
  std::string id_;                                // the container's, for the unit's description
  std::optional<SystemdBus> bus_;                 // create() (plan(), a user's manager) to add_process()
  std::optional<hull::Error> bus_refused_;           // plan(): why the user's manager could not be asked
  SystemdBus connect_to_manager() const;          // the system's, or the user's that owns the unit
  bool unit_started_ = false;                     // stopped again if the create fails
};

}  // namespace hull::cgroups
