#include "cgroups/placement.hpp"

#include <fcntl.h>

#include <algorithm>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/proc_cgroup.hpp"
#include "base/procfs.hpp"
#include "base/text.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/events.hpp"

namespace hull::cgroups {

namespace {

// A path relative to the container's cgroup. runc joins it onto that
// cgroup, so "/" is the container's cgroup itself and "/sub" is "sub"; ".."
// would leave it.
std::string relative_sub_path(std::string path, const std::string& arg) {
  path.erase(0, std::min(path.find_first_not_of('/'), path.size()));
  while (path.ends_with('/')) path.pop_back();
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0)
      throw Error("--cgroup " + quote(arg) +
                  ": a \"..\" component is not allowed (the path names a sub-cgroup of the container's)");
    start = end + 1;
  }
  return path;
}

// runc's --cgroup, which may be given several times: "path" (then alone) is
// a sub-cgroup in every hierarchy; "controller[,controller...]:path" one
// for the hierarchies holding those controllers.
struct SubPaths {
  std::optional<std::string> every;
  struct Named {
    std::string controller, path, arg;
    bool matched = false;
  };
  std::vector<Named> named;
};

SubPaths parse_subs(const std::vector<std::string>& args) {
  SubPaths s;
  for (const std::string& arg : args) {
    const size_t colon = arg.find(':');
    if (colon == std::string::npos) {
      if (args.size() != 1)
        throw Error("--cgroup " + quote(arg) +
                    ": a path without a controller must be the only --cgroup; give controller:path for each");
      s.every = relative_sub_path(arg, arg);
      continue;
    }
    if (arg.find(':', colon + 1) != std::string::npos)
      throw Error("--cgroup " + quote(arg) + ": more than one \":\" (give [controller[,controller...]:]path)");
    const std::string path = relative_sub_path(arg.substr(colon + 1), arg);
    const std::vector<std::string_view> controllers = list_fields(std::string_view(arg).substr(0, colon));
    if (controllers.empty()) throw Error("--cgroup " + quote(arg) + ": no controller before the \":\"");
    for (std::string_view controller : controllers) s.named.push_back({std::string(controller), path, arg});
  }
  return s;
}

// The sub-cgroup of one hierarchy: the path of every named controller it
// holds (`holds`), which must agree; "" (the container's own) for none.
template <typename Holds>
std::string sub_path_of(SubPaths& s, const std::string& hierarchy, Holds holds) {
  if (s.every) return *s.every;
  const SubPaths::Named* first = nullptr;
  for (SubPaths::Named& n : s.named) {
    if (!holds(n.controller)) continue;
    n.matched = true;
    if (first && first->path != n.path)
      throw Error("--cgroup " + quote(first->arg) + " and " + quote(n.arg) + " name two sub-cgroups of the " +
                  quote(hierarchy) + " hierarchy");
    if (!first) first = &n;
  }
  return first ? first->path : "";
}

}  // namespace

Placement::Placement(const Paths& paths, const std::vector<std::string>& subs, pid_t init_pid) : mode_(paths.mode) {
  SubPaths s = parse_subs(subs);
  if (subs.empty()) init_pid_ = init_pid;
  for (const auto& hierarchy : paths.v1) {
    const std::string& name = hierarchy.first;
    const std::string sub = sub_path_of(s, name, [&](const std::string& c) { return hierarchy_holds(name, c); });
    v1_.add(name, join_cgroup_path(hierarchy.second, sub));
    if (!sub.empty() && hierarchy_holds(name, "freezer")) v1_freezer_ = join_cgroup_path(hierarchy.second, sub);
  }
  if (!paths.v2.empty()) {
    // On a pure v2 host any controller the kernel knows (/proc/cgroups,
    // v1's names too: runc's "memory,devices:sub" for v1 hosts) is the one
    // hierarchy's, and a name it does not know (a typo) is refused, as on v1;
    // on a hybrid one the v2 hierarchy takes only a path for every hierarchy.
    const bool unified = paths.mode == Mode::Unified;
    const std::string known = unified && !s.named.empty() ? procfs::read("cgroups") : "";
    const std::string sub = sub_path_of(s, "unified", [&](const std::string& c) {
      for (std::string_view rest = known; !rest.empty();) {
        std::string_view line = next_line(rest);
        if (!line.starts_with('#') && next_word(line) == c) return true;
      }
      return false;
    });
    const std::string target = join_cgroup_path(paths.v2, sub);
    v2_target_ = target;
    v2_sub_ = !sub.empty();
    with_context("join cgroup " + target, [&] { v2_dir_ = open_path(target, O_RDONLY | O_DIRECTORY); });
  }
  for (const SubPaths::Named& n : s.named)
    if (!n.matched)
      throw Error("--cgroup " + quote(n.arg) + ": the container has no cgroup for controller " + quote(n.controller));
}

void Placement::add(pid_t pid, bool placed_in_v2) const {
  if (placed_in_v2 || !v2_dir_) return;
  try {
    // Opened only here: clone3 places the process on every kernel hull
    // runs on, and this file is then never written.
    UniqueFd procs =
        with_context("join cgroup " + v2_target_, [&] { return open_at(v2_dir_.get(), "cgroup.procs", O_WRONLY); });
    // The cgroup named: a write can fail for reasons of that one cgroup (pids.max reached).
    write_all(procs.get(), std::to_string(pid), v2_target_ + "/cgroup.procs");
  } catch (const Error& e) {
    if (e.code() != EBUSY || init_pid_ <= 0) throw;
    join_inits_cgroup(pid);
  }
}

namespace {
// thaw: what thaws it; named: --cgroup named it.
void refuse_if_frozen(bool frozen, const std::string& dir, const char* thaw, bool named) {
  if (frozen)
    throw Error("cgroup " + dir +
                " is frozen (by the container, or from outside hull): a process placed there would wait for its "
                "thaw, and this exec with it; thaw it (" +
                thaw + ", there or in the frozen cgroup above it)" + (named ? ", or give --cgroup another" : ""));
}
constexpr const char* kThawV2 = "write 0 to cgroup.freeze";
}  // namespace

void Placement::refuse_frozen() {
  refuse_frozen_ = true;
  if (v2_sub_) refuse_if_frozen(frozen_or_freezing_at(v2_dir_.get(), v2_target_), v2_target_, kThawV2, true);
  if (!v1_freezer_.empty())
    refuse_if_frozen(read_value(v1_freezer_, "freezer.state") != "THAWED", v1_freezer_, "write THAWED to freezer.state",
                     true);
}

void Placement::join_inits_cgroup(pid_t pid) const {
  // Read in the procfs opened before the runtime joined the container's
  // namespaces; the directory is opened below the container's own, by fd,
  // for the same reason (the host's cgroupfs is not mounted there).
  const std::string text = procfs::read(std::to_string(init_pid_) + "/cgroup");
  std::string dir;
  for (const ProcCgroupEntry& e : parse_proc_cgroup(text))
    if (e.hierarchy.empty()) dir = standard_dir(mode_, e.hierarchy, e.path);
  const std::string prefix = v2_target_ + "/";
  if (!dir.starts_with(prefix))
    throw Error("write " + v2_target_ +
                    "/cgroup.procs: the container's cgroup takes no process (controllers are "
                    "enabled in it), and its init's cgroup " +
                    quote(dir.empty() ? "(none)" : dir) + " is not below it",
                EBUSY);
  with_context("join the init's cgroup " + dir, [&] {
    if (refuse_frozen_) {
      UniqueFd init_dir = open_at(v2_dir_.get(), dir.substr(prefix.size()), O_RDONLY | O_DIRECTORY);
      refuse_if_frozen(frozen_or_freezing_at(init_dir.get(), dir), dir, kThawV2, false);
    }
    UniqueFd procs = open_at(v2_dir_.get(), dir.substr(prefix.size()) + "/cgroup.procs", O_WRONLY);
    write_all(procs.get(), std::to_string(pid), dir + "/cgroup.procs");
  });
}

}  // namespace hull::cgroups
