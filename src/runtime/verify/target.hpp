#pragma once
// What every group of checks reads: the container's saved config, its init,
// its cgroup and the processes in it, gathered once per `hull verify`.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mountinfo.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "runtime/state_store.hpp"
#include "runtime/verify/verify.hpp"
#include "spec/spec.hpp"

namespace hull::verify {

struct Target {
  ContainerState state;
  spec::Spec spec;
  pid_t pid = 0;                           // the init, as the host sees it
  std::optional<cgroups::Manager> cgroup;  // none when state.json names no cgroup
  std::vector<pid_t> pids;                 // every process in the container's cgroups
  std::vector<MountInfo> mounts;           // /proc/<init>/mountinfo
  UniqueFd root;                           // O_PATH of /proc/<init>/root
  int preserved_fds = 0;                   // fds 3.. the init was given (--preserve-fds, LISTEN_FDS)
  std::string state_root;                  // --root, as the host sees it

  const spec::Linux& linux_section() const;  // an empty one when the config has none
};

// Rows collect here; each check group appends.
class Report {
 public:
  void holds(std::string property, std::string config, std::string kernel);
  void violated(std::string property, std::string config, std::string kernel, std::string why);
  void cannot_tell(std::string property, std::string config, std::string why);
  // With what the kernel shows, where it could be read but not judged.
  void cannot_tell(std::string property, std::string config, std::string kernel, std::string why);
  // holds when ok, else violated with why.
  void check(bool ok, std::string property, std::string config, std::string kernel, std::string why);
  std::vector<Row> rows;
};

// The check groups, one file each.
void check_namespaces(const Target& t, Report& r);
void check_root_and_mounts(const Target& t, Report& r);
void check_cgroup_limits(const Target& t, Report& r);
void check_cgroup_members(const Target& t, Report& r);
void check_devices(const Target& t, Report& r);
void check_processes(const Target& t, Report& r);
void check_init(const Target& t, Report& r);

// Where a controller's files are for this container: its v1 hierarchy when
// the host mounts one, else the v2 cgroup; nullopt when it has neither.
struct CgroupDir {
  std::string path;
  bool v2 = false;
};
std::optional<CgroupDir> controller_dir(const cgroups::Manager& cg, const std::string& controller);

// /proc/<pid>/status as key -> value ("CapEff" -> "000001ff..."); empty when
// the process is gone.
std::map<std::string, std::string> proc_status(pid_t pid);
// readlink(2) of path; "" when unreadable.
std::string read_link(const std::string& path);
// readlink of /proc/<pid>/<name>; "" when unreadable.
std::string proc_link(pid_t pid, const std::string& name);

}  // namespace hull::verify
