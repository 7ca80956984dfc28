#pragma once
// Intel RDT (config-linux.md "IntelRdt"): the container's resctrl groups.
// A CTRL_MON group (a class of service: its schemata file sets the cache
// and memory bandwidth its tasks may use) named by closID, or by the
// container id when closID is unset, and with enableMonitoring a MON group
// mon_groups/<id> below it, whose mon_data counts the container's use.
//
// The resctrl file system is looked for at /sys/fs/resctrl, where the kernel
// makes its mount point; a host without it (no RDT in the CPU or kernel, or
// not mounted) fails the create, as the spec requires.
#include <sys/types.h>

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::resctrl {

inline constexpr const char* kMountPoint = "/sys/fs/resctrl";
// The state.json private field naming the container's CTRL_MON group: there
// when the container has resctrl groups (Groups::record).
inline constexpr const char* kStateKey = "intelRdtGroup";

// The mount point, checked to hold a resctrl file system. Throws naming
// linux.intelRdt and what to do otherwise.
std::string mount_point();

// The schemata lines a config asks for, in the order the spec writes them:
// l3CacheSchema's, memBwSchema, then schemata's.
std::vector<std::string> schemata_lines(const spec::IntelRdt& rdt);

// Whether the schemata file `current` already holds every domain value of
// `wanted` (lines "L3:0=ff;1=f"); the resource names may be padded, masks
// written with leading zeros, and a memory bandwidth rounded up to
// `mb_granularity` (info/MB/bandwidth_gran; 0: none), as the kernel stores
// it. Empty when it does, else the first line that differs, as the config
// writes it.
std::string first_difference(std::string_view current, const std::vector<std::string>& wanted,
                             uint64_t mb_granularity = 0);

// The groups of one container, as create plans them and state.json records them.
struct Groups {
  std::string control;  // the CTRL_MON group's directory
  std::string monitor;  // its mon_groups/<id>, "" without monitoring
  // The container's own (no closID), made by create: delete removes it.
  // Set before it is made (plan_new_container(), which refuses a group of
  // the container's name that is there already), so that a create killed
  // after its mkdir leaves a state.json that removes it.
  bool remove_control = false;

  bool empty() const { return control.empty(); }
  // Under state.json's private fields (ContainerState::extra), and back:
  // recorded() takes only the groups a create of `id` makes (the resctrl
  // mount, or one group below it; the MON group <control>/mon_groups/<id>;
  // removal only of <mount>/<id>), and throws for anything else a damaged
  // file names. Empty when none is recorded.
  void record(std::map<std::string, std::string>& extra) const;
  static Groups recorded(const std::map<std::string, std::string>& extra, std::string_view id);
};

// Which directories the config names under `mount` (mount_point()); nothing is read.
Groups plan(const std::string& mount, const spec::IntelRdt& rdt, std::string_view id);

// create's and restore's plan, at the mount point (mount_point()): without
// closID the CTRL_MON group is the container's own, to be made, and one
// there already is someone else's: refused now, before anything is made or
// recorded (the race with an administrator's mkdir of that name meanwhile
// is make()'s to refuse).
Groups plan_new_container(const spec::IntelRdt& rdt, std::string_view id);

// Makes or checks the groups by the spec's rules: a group without closID
// is made (an existing one is refused: it is not this container's) and
// gets the schemata; a closID group that exists must already hold the
// schemata asked for (it is shared: never rewritten), one that does not is
// made and written, unless no schemata are given (then it had to exist);
// the MON group is always made. What was made before a failure is removed.
// Returns whether it made the CTRL_MON group. Callers add the context
// "linux.intelRdt".
bool make(const Groups& g, const spec::IntelRdt& rdt);

// Removes what make() made, at scope exit, unless kept: a create that
// fails after make() leaves no group behind, a closID group it made
// included (none of the spec's containers uses it).
class Undo {
 public:
  Undo(const Groups& g, bool made_control) : g_(g), made_control_(made_control) {}
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;
  ~Undo();
  void keep() { kept_ = true; }

 private:
  const Groups& g_;
  bool made_control_;
  bool kept_ = false;
};

// The groups' tasks files, opened while the resctrl mount is in view: exec
// places its process after joining the container's mount namespace.
class TaskFiles {
 public:
  explicit TaskFiles(const Groups& g);
  // Moves `pid` (of the runtime's pid namespace) into the groups, the
  // CTRL_MON one first (the kernel takes a task into a MON group only from
  // its parent).
  void add(pid_t pid) const;

 private:
  UniqueFd control_, monitor_;
  std::string control_path_, monitor_path_;
};

// TaskFiles(g).add(pid).
void add(const Groups& g, pid_t pid);

// Removes the MON group, and the CTRL_MON group when made for the
// container; already gone is no error (a create killed before making them).
void remove(const Groups& g);

// A restore's processes: every thread of each (resctrl places threads).
void add_threads(const Groups& g, const std::vector<pid_t>& pids);

// `update --l3-cache-schema/--mem-bw-schema`: the lines written to the
// CTRL_MON group's schemata, one write each.
void write_schemata(const Groups& g, const std::vector<std::string>& lines);

// `events --stats` "intel_rdt", as runc's: the host's L3 and MB info, the
// root's and the group's schemata lines, and, with monitoring, the MON
// group's counters per L3 domain.
nlohmann::json stats(const std::string& mount, const Groups& g);

}  // namespace hull::resctrl
