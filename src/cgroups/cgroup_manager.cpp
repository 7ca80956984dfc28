// Manager: planning, creation, placement, removal and the state.json form.
#include "cgroups/cgroup_manager.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/json_flat.hpp"
#include "base/json_write.hpp"
#include "base/log.hpp"
#include "base/user_namespace_map.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/events.hpp"
#include "cgroups/resources.hpp"
#include "cgroups/routing.hpp"
#include "cgroups/subtree.hpp"
#include "cgroups/subtree_control.hpp"
#include "cgroups/unset_values.hpp"

namespace hull::cgroups {

namespace {

// Root in the host's user namespace: euid 0 and the identity uid_map (a
// rootless runtime, or podman's uid 0 of the user's namespace, is not).
bool privileged_on_the_host() { return ::geteuid() == 0 && in_initial_user_namespace(); }

std::string parent_of(const std::string& dir) { return dir.substr(0, dir.rfind('/')); }

// create(): the v2 controllers `needed` by the limits in the container's
// parent `parent` (an error if it cannot have them) and, on pure v2, every
// other one the hierarchy has where allowed (runc's rule;
// cgroups/subtree_control.hpp).
void enable_v2_controllers(const Host& host, const std::string& parent, const std::set<std::string>& needed) {
  if (host.mode == Mode::Unified && !host.v2_mount.empty()) {
    // runc's rule: every controller of the hierarchy, where the kernel and
    // hull's rule allow. Those the limits need are checked after, and their
    // absence is the error it always was.
    host.v2_available("");  // reads the root's cgroup.controllers once
    std::set<std::string> have = enable_available_controllers(parent, host.v2_mount, *host.v2_controllers);
    bool all_needed = true;
    for (const auto& c : needed) all_needed = all_needed && have.count(c);
    if (all_needed) return;
  }
  // Hybrid: the cgroup2 mount beside v1 gets only what the limits need
  // (runc's v1 manager enables nothing there).
  enable_controllers(parent, host.v2_mount, needed, host);
}

}  // namespace

Manager Manager::plan(const spec::Linux* linux, std::string_view id, bool systemd, const Host& host,
                      bool user_manager) {
  std::optional<std::string> path = linux ? linux->cgroupsPath : std::nullopt;
  std::optional<SystemdUnit> unit;
  std::optional<SystemdBus> bus;
  std::optional<Error> bus_refused;
  Paths paths;
  if (systemd) {
    unit = systemd_unit(path, id, user_manager);  // a malformed cgroupsPath is named first, on any host
    if (host.mode != Mode::Unified)
      throw Error("--systemd-cgroup: the systemd cgroup driver needs a pure cgroup v2 host; this one is " +
                  host.describe() + "; run without --systemd-cgroup");
    paths.mode = Mode::Unified;
    std::string below = "/";
    if (user_manager) {
      try {
        unit->bus = user_manager_socket();
        bus.emplace(SystemdBus::connect(unit->bus));
        below = bus->manager_control_group() + "/";
      } catch (Error& e) {
        bus_refused = std::move(e);
      }
    }
    paths.v2 = host.v2_mount + below + unit->cgroup;
  } else {
    paths = resolve_paths(path, id, host);
  }
  Manager m(host, std::move(paths));
  m.unit_ = std::move(unit);
  m.bus_ = std::move(bus);
  m.bus_refused_ = std::move(bus_refused);
  m.id_ = id;
  if (linux && linux->resources) m.resources_ = without_unset_values(*linux->resources);
  // Every limit must have a controller on this host: fail before any mkdir.
  Router(m.host(), m.paths_).check(m.resources_);
  device_rules(m.resources_.devices);
  return m;
}

void Manager::set_unit_annotations(const std::map<std::string, std::string>& annotations) {
  if (unit_) unit_annotations_ = annotation_properties(annotations);
}

Manager::~Manager() {
  if (!owned_) return;
  if (!unit_) {
    remove_dirs();
    return;
  }
  try {
    stop_unit();
  } catch (const Error& e) {
    log::warn("undo the container's cgroup: " + std::string(e.what()));
  }
}

void Manager::make_tree(bool with_leaves) {
  make_v2_tree(with_leaves);
  make_v1_tree(with_leaves);
}

void Manager::make_v1_tree(bool with_leaves) {
  // The claimed leaf before any other (claim_leaf).
  const std::string first = with_leaves ? v1_claim_hierarchy() : std::string();
  if (!first.empty() && first != v1_made_first_) make_v1_dir(first, paths_.v1.at(first), true);
  for (const auto& [name, dir] : paths_.v1)
    if (name != v1_made_first_ && name != first) make_v1_dir(name, dir, with_leaves);
}

// The hierarchy a process joins first where it does (create_v1_memory_first
// makes its leaf before any other), else the first by name: create() and
// the plan that makes the v1 leaves after the clone both start there.
std::string Manager::v1_claim_hierarchy() const {
  if (!paths_.v2.empty() || paths_.v1.empty()) return "";
  std::string memory = v1_memory_first();
  return memory.empty() ? paths_.v1.begin()->first : memory;
}

// A leaf made before is read: its sub-cgroups count too (runc reads them
// all), as a container that runs its own cgroup manager keeps no process in
// its own. One this create made is another's only if a racing create got
// there first, which the claimed leaf alone tells (claim_leaf).
bool Manager::made_here_or_empty(const std::string& dir) {
  if (std::find(made_.begin(), made_.end(), dir) != made_.end()) return true;
  if (!pids_in({dir}).empty()) refuse_leaf(dir, "already has processes");
  return false;
}

// Two creates given one cgroupsPath race from their mkdir on: both find the
// leaf empty and place their inits. So the first leaf (v2's, else
// v1_claim_hierarchy()'s: the same for both) is locked from before it is
// read until create ends, after the init is in every hierarchy: the later
// create finds it locked, or holding the first's init, and is refused. Read
// whoever made it; a v2 leaf's "populated" counts its sub-cgroups in one
// read. A failed lock never waits: a `run` holds it until its container is
// created.
UniqueFd Manager::claim_leaf(const std::string& dir) {
  fault_point("create-cgroup-before-claim");
  UniqueFd fd = open_path(dir, O_DIRECTORY | O_RDONLY);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) refuse_leaf(dir, "is being set up for another container");
    throw_errno("lock cgroup " + dir);
  }
  bool busy = false;
  const std::optional<std::string> populated =
      dir == paths_.v2 ? event_value_at(fd.get(), dir, "populated") : std::nullopt;
  if (populated) {
    busy = *populated == "1";
  } else {
    // No cgroup.events: a v1 leaf, or the directory locked was removed (its
    // container deleted) and maybe another made at the path since, which the
    // path would be read for instead.
    struct stat locked {};
    struct stat at_path {};
    const At p = at(dir);
    if (::fstat(fd.get(), &locked) < 0 || ::fstatat(p.dir, p.rel, &at_path, 0) < 0 || locked.st_ino != at_path.st_ino ||
        locked.st_dev != at_path.st_dev)
      refuse_leaf(dir, "was removed or replaced while this create set it up");
    busy = !pids_in({dir}).empty();
  }
  if (busy) refuse_leaf(dir, "already has processes");
  claimed_ = true;
  return fd;
}

// The leaf is another's, whoever made it: never this create's to remove or
// to kill in when it is undone.
void Manager::refuse_leaf(const std::string& dir, const char* why) {
  made_.erase(std::remove(made_.begin(), made_.end(), dir), made_.end());
  throw Error("cgroup " + dir + " " + why + ": give the container a linux.cgroupsPath of its own");
}

// mkdir -p below `root` (which exists) of `dir`, the container's own
// directory (own) or a parent of it. What its own mkdir made is appended to
// made_, outermost first: one a concurrent create made first is not ours, to
// check for processes or to remove. The container's directory is tried
// first: its parents are missing only for the first container of a new
// cgroupsPath parent.
void Manager::make_dirs(const std::string& dir, const std::string& root, bool own) {
  if (dir.size() <= root.size()) return;
  if (!own) return make_parents(dir, root);
  if (make_dir(dir) == 0) {
    made_.push_back(dir);
    return;
  }
  if (errno == EEXIST) return;
  if (errno != ENOENT) throw_errno("mkdir " + dir);
  make_parents(parent_of(dir), root);
  if (make_dir(dir) == 0)
    made_.push_back(dir);
  else if (errno != EEXIST)
    throw_errno("mkdir " + dir);
}

// `dir` and those of its parents below `root` that are missing, outermost
// first.
std::vector<std::string> Manager::missing_below(const std::string& dir, const std::string& root) {
  std::vector<std::string> missing;  // innermost first
  for (std::string p = dir; p.size() > root.size() && ::access(p.c_str(), F_OK) != 0 && errno == ENOENT;
       p = parent_of(p))
    missing.push_back(p);
  std::reverse(missing.begin(), missing.end());
  return missing;
}

// The missing parents of the container's directory in every hierarchy.
std::vector<std::string> Manager::missing_parents() const {
  std::vector<std::string> out;
  auto add = [&out](std::vector<std::string> missing) { out.insert(out.end(), missing.begin(), missing.end()); };
  if (!paths_.v2.empty()) add(missing_below(parent_of(paths_.v2), host().v2_mount));
  for (const auto& [name, dir] : paths_.v1) add(missing_below(parent_of(dir), host().v1.at(name).mount));
  return out;
}

// `dir` and those of its parents below `root` that are missing, made
// outermost first. The state learns of them before the first mkdir
// (record_parents_with): a create killed after it leaves a state.json that
// names them, for delete --force to remove once empty, as it removes the
// parents of a container that was created. Those of every hierarchy are
// named at once: one state write, not one per hierarchy (ten on a hybrid
// host, each some 80 µs on ext4). (One that a concurrent create makes
// between the probe and our mkdir is named too until create's next write:
// the rmdir of an empty parent another create is about to fill is the race
// every delete of a parent already runs.)
void Manager::make_parents(const std::string& dir, const std::string& root) {
  const std::vector<std::string> missing = missing_below(dir, root);
  if (missing.empty()) return;
  auto announced = [this](const std::string& p) {
    return std::find(announced_.begin(), announced_.end(), p) != announced_.end();
  };
  if (record_parents_ && !std::all_of(missing.begin(), missing.end(), announced)) {
    std::vector<std::string> to_make = missing_parents();
    for (const std::string& p : missing)
      if (std::find(to_make.begin(), to_make.end(), p) == to_make.end()) to_make.push_back(p);
    record_parents_(state_text(to_make));
    announced_ = std::move(to_make);
  }
  for (const std::string& p : missing) {
    if (make_dir(p) == 0) {
      made_.push_back(p);
      fault_point("create-cgroup-parent-made");
    } else if (errno != EEXIST) {
      throw_errno("mkdir " + p);
    }
  }
}

void Manager::make_v1_dir(const std::string& hierarchy, const std::string& dir, bool with_leaves) {
  const V1Hierarchy& h = host().v1.at(hierarchy);
  std::string top = with_leaves ? dir : parent_of(dir);
  make_dirs(top, h.mount, with_leaves);
  if (with_leaves && hierarchy == v1_claim_hierarchy())
    v1_claim_ = claim_leaf(dir);
  else if (with_leaves)
    made_here_or_empty(dir);
  // A parent at the hierarchy's root has its cpuset values already.
  if (h.controllers.count("cpuset") && (with_leaves || top.size() > h.mount.size())) v1::init_cpuset(top, h.mount);
}

void Manager::make_v2_tree(bool with_leaves) {
  if (paths_.v2.empty()) return;
  Router router(host(), paths_);
  make_dirs(with_leaves ? paths_.v2 : parent_of(paths_.v2), host().v2_mount, with_leaves);
  fault_point("create-cgroup-v2-made");
  enable_v2_controllers(host(), parent_of(paths_.v2), router.v2_controllers(resources_));
}

void Manager::create() {
  if (unit_) {
    // The scope needs its first process: it is started by add_process().
    with_context("create cgroup", [&] {
      if (bus_refused_) throw *bus_refused_;
      if (!bus_) bus_.emplace(connect_to_manager());
    });
    return;
  }
  create_for_clone();
  try {
    create_after_clone();
  } catch (const Error&) {
    remove_dirs();
    owned_ = false;
    throw;
  }
}

void Manager::create_for_clone() {
  try {
    make_v2_tree(true);
    if (!paths_.v2.empty()) {
      v2_made_here_ = std::find(made_.begin(), made_.end(), paths_.v2) != made_.end();
      v2_fd_ = HeldDir(paths_.v2, claim_leaf(paths_.v2));
    }
    owned_ = true;
  } catch (Error& e) {
    remove_dirs();
    owned_ = false;
    e.add_context("create cgroup");
    throw;
  }
}

void Manager::create_v1_memory_first() {
  const std::string name = v1_memory_first();
  if (name.empty()) return;
  with_context("create cgroup", [&] { make_v1_dir(name, paths_.v1.at(name), true); });
  v1_made_first_ = name;
}

void Manager::create_after_clone() {
  with_context("create cgroup", [&] {
    make_v1_tree(true);
    apply(resources_, false);
  });
  for (const auto& w : warnings_) log::warn(w);
}

void Manager::create_parents() {
  if (unit_)
    throw Error(
        "restore with --manage-cgroups-mode strict: not with --systemd-cgroup, where systemd makes the container's "
        "scope, and CRIU's strict mode restores only into cgroups it makes itself; use soft or full");
  for (const auto& dir : all_dirs())
    if (::access(dir.c_str(), F_OK) == 0)
      throw Error("restore with --manage-cgroups-mode strict: the cgroup " + dir +
                      " already exists, and CRIU's strict mode restores only into cgroups it makes itself; remove "
                      "it or use soft or full",
                  EEXIST);
  try {
    make_tree(false);
    owned_ = true;
  } catch (Error& e) {
    remove_dirs();
    owned_ = false;
    e.add_context("create the parents of the cgroup");
    throw;
  }
}

void Manager::adopt_created() {
  for (const auto& dir : all_dirs()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
      throw_errno("CRIU's strict restore made no cgroup " + dir);
    made_.push_back(dir);
  }
  claimed_ = true;  // CRIU's strict mode made them all: what is in them is this restore's
  with_context("apply the limits to the cgroup CRIU made", [&] {
    if (!paths_.v2.empty()) v2_fd_ = HeldDir(paths_.v2, open_path(paths_.v2, O_DIRECTORY | O_RDONLY));
    apply(resources_, false);
  });
  for (const auto& w : warnings_) log::warn(w);
}

void Manager::apply(const spec::Resources& r, bool updating) {
  Router router(host(), paths_);
  ApplyOptions o{updating, &warnings_};
  router.apply(r, o);
  if (updating && r.devices.empty()) return;
  std::vector<DeviceRule> rules = device_rules(r.devices);
  if (std::string dir = router.v1_dir("devices"); !dir.empty()) {
    try {
      v1_set_devices(dir, rules);
    } catch (const Error& e) {
      // Rootless, in v1 cgroups the user was given: devices.allow and
      // .deny need CAP_SYS_ADMIN on the host whoever owns them. runc 1.1
      // leaves the devices controller alone there, for the reason below.
      if (e.code() != EPERM || privileged_on_the_host()) throw;
      warnings_.push_back("rootless: no device rules in " + dir +
                          " (writing them needs CAP_SYS_ADMIN on the host); the container's devices are the host's "
                          "nodes bound in, guarded by their permissions");
    }
  } else if (!paths_.v2.empty()) {
    UniqueFd fd =
        v2_fd_ ? UniqueFd(::fcntl(v2_fd_.get(), F_DUPFD_CLOEXEC, 3)) : open_path(paths_.v2, O_DIRECTORY | O_RDONLY);
    if (!fd) throw_errno("duplicate the fd of " + paths_.v2);
    try {
      v2_set_devices(fd.get(), paths_.v2, rules, updating || !v2_made_here_, device_filter_cache_);
    } catch (const Error& e) {
      // Rootless, in a delegated cgroup: only CAP_BPF/CAP_SYS_ADMIN in the
      // host's user namespace may load a device filter. runc skips it there
      // too: a user namespace cannot mknod, so the container's devices are
      // the host's nodes bound in, guarded by their own permissions.
      if (e.code() != EPERM || privileged_on_the_host()) throw;
      warnings_.push_back("rootless: no device filter on " + paths_.v2 +
                          " (loading one needs CAP_BPF on the host); the container's devices are the host's "
                          "nodes bound in, guarded by their permissions");
    }
  } else if (!r.devices.empty()) {
    throw Error("linux.resources.devices: no devices controller: " + host().describe());
  } else {
    warnings_.push_back("no devices controller on this host: device access is not restricted");
  }
}

std::string Manager::v1_memory_first() const {
  if (!moves_itself_into_v1()) return "";
  for (const auto& [name, dir] : paths_.v1)
    if (hierarchy_holds(name, "memory")) return hierarchy_holds(name, "freezer") ? "" : name;
  return "";
}

V1SelfPlacement Manager::v1_self_placement(bool open_now, V1Part part) const {
  V1SelfPlacement placement;
  if (!moves_itself_into_v1()) return placement;
  const std::string memory = part == V1Part::All ? "" : v1_memory_first();
  for (const auto& [name, dir] : paths_.v1) {
    if (part == V1Part::Memory && name != memory) continue;
    if (part == V1Part::Rest && name == memory) continue;
    placement.add(name, dir, open_now);
  }
  return placement;
}

void Manager::add_process(pid_t pid, bool placed_in_v2, bool placed_in_v1) {
  if (unit_) {
    start_unit(pid);
    return;
  }
  std::string p = std::to_string(pid);
  if (!placed_in_v1)
    for (const auto& [name, dir] : paths_.v1) write_value(dir, "cgroup.procs", p);
  if (!paths_.v2.empty() && !placed_in_v2) write_value(paths_.v2, "cgroup.procs", p);
}

void Manager::update(const spec::Resources& requested) {
  const spec::Resources resources = without_unset_values(requested);
  Router(host(), paths_).check(resources);
  enable_controllers_for(resources);
  size_t before = warnings_.size();
  with_context("update cgroup", [&] { apply(resources, true); });
  if (unit_) {
    // systemd keeps the unit's properties: set them too, or a daemon-reload
    // would bring the old limits back. Only once the files took them: the
    // checks made before writing (checkBeforeUpdate) come first, and a write
    // the kernel refuses leaves the unit as it was, for the caller's undo of
    // the files. systemd then writes its own forms of some (a cpu quota in
    // 10 ms steps): the files get the config's again, as runc leaves them.
    with_context("update cgroup", [&] {
      SystemdBus bus = connect_to_manager();
      with_idle_weight_fallback(resource_properties(resources), [&](const std::vector<dbus::Property>& props) {
        bus.set_unit_properties(unit_->name, props);
      });
    });
    const size_t said = warnings_.size();
    with_context("update cgroup", [&] { apply(resources, true); });
    warnings_.resize(said);  // each said once
  }
  for (size_t i = before; i < warnings_.size(); ++i) log::warn(warnings_[i]);
}

void Manager::enable_controllers_for(const spec::Resources& r) const {
  if (!paths_.v2.empty())
    enable_controllers(parent_of(paths_.v2), host().v2_mount, Router(host(), paths_).v2_controllers(r), host());
}

std::string Manager::to_state() const { return state_text({}); }

std::string Manager::state_text(const std::vector<std::string>& parents_to_make) const {
  // Members in nlohmann::json's order (sorted), as earlier hulls wrote them.
  JsonWriter w;
  try {
    w.begin_object();
    // The parents create() made (absolute or nested cgroupsPath), so that
    // delete removes them too once empty, and never one it did not make.
    std::vector<std::string> parents = made_parents();
    parents.insert(parents.end(), parents_to_make.begin(), parents_to_make.end());
    if (!parents.empty()) w.key("made").strings(parents);
    w.key("mode").string(to_string(paths_.mode));
    if (unit_ && !unit_->bus.empty()) w.key("systemdBus").string(unit_->bus);
    if (unit_) w.key("systemdUnit").string(unit_->name);
    w.key("v1").string_map(paths_.v1);
    w.key("v2").string(paths_.v2);
    w.end_object();
  } catch (JsonWriteError& e) {
    e.add_context("record the container's cgroup paths: a path is not valid UTF-8");
    throw;
  }
  return w.take();
}

// Read with the flat reader: delete, kill and state load the cgroup of every
// container they touch, and building nlohmann's DOM for these 600 bytes was
// two thirds of the instructions of the load (callgrind: 73k of 110k).
Manager Manager::load(const std::string& state, const Host* host) {
  Paths p;
  std::vector<std::string> made;
  std::optional<SystemdUnit> unit;
  try {
    json_flat::Members j;
    if (json_flat::parse_object(state, j) != json_flat::Result::Ok) throw Error("not a JSON object");
    auto text = [&](const char* key) -> std::string {
      const json_flat::Value* v = json_flat::find(j, key);
      if (!v || v->kind != json_flat::Kind::String) throw Error(std::string("\"") + key + "\" must be a string");
      return v->text;
    };
    std::string mode = text("mode");
    if (mode == "unified")
      p.mode = Mode::Unified;
    else if (mode == "hybrid")
      p.mode = Mode::Hybrid;
    else if (mode == "legacy")
      p.mode = Mode::Legacy;
    else
      throw Error("unknown mode " + quote(mode));
    p.v2 = text("v2");
    const json_flat::Value* v1 = json_flat::find(j, "v1");
    if (!v1 || v1->kind != json_flat::Kind::Object || !v1->strings_only)
      throw Error("\"v1\" must be an object of strings");
    for (const auto& [name, dir] : v1->members) p.v1[name] = dir;
    if (const json_flat::Value* m = json_flat::find(j, "made")) {
      if (m->kind != json_flat::Kind::Array || !m->strings_only) throw Error("\"made\" must be an array of strings");
      made = m->items;
    }
    if (json_flat::find(j, "systemdUnit")) {
      unit.emplace();
      unit->name = text("systemdUnit");
      if (!unit->name.ends_with(".scope") && !unit->name.ends_with(".slice"))
        throw Error("cgroup state names the systemd unit " + quote(unit->name) + ", neither a scope nor a slice");
      if (json_flat::find(j, "systemdBus")) unit->bus = text("systemdBus");
    }
  } catch (Error& e) {
    e.add_context("cgroup state " + quote(state));
    throw;
  }
  Manager m(host ? std::optional<Host>(*host) : std::nullopt, std::move(p));
  m.unit_ = std::move(unit);
  // Only strict ancestors of the container's own directories: a state file
  // naming another directory cannot make delete rmdir it.
  for (auto& dir : made)
    if (m.is_ancestor(dir)) m.made_.push_back(std::move(dir));
  return m;
}

const Host& Manager::host() const {
  if (!host_) host_ = Host::current();
  return *host_;
}

bool Manager::is_ancestor(const std::string& dir) const {
  if (dir.empty() || dir.find("/..") != std::string::npos) return false;
  for (const auto& own : all_dirs())
    if (own.size() > dir.size() + 1 && own.starts_with(dir) && own[dir.size()] == '/') return true;
  return false;
}

std::vector<std::string> Manager::made_parents() const {
  std::vector<std::string> out;
  for (const auto& dir : made_)
    if (is_ancestor(dir)) out.push_back(dir);
  return out;
}

std::vector<std::string> Manager::all_dirs() const {
  std::vector<std::string> out;
  for (const auto& [name, dir] : paths_.v1) out.push_back(dir);
  if (!paths_.v2.empty()) out.push_back(paths_.v2);
  return out;
}

// Removes dir and its sub-cgroups, deepest first. false on EBUSY (still populated).
// A container's cgroup is most often a leaf: rmdir comes first, and only its
// refusal (EBUSY: processes, or sub-cgroups) reads the directory, which saved
// 5 syscalls per hierarchy on delete (issue #16). Sub-cgroups are removed
// through their parents' descriptors: a container may nest them deeper than
// a path can name.
bool Manager::remove_tree(const std::string& dir) {
  if (remove_dir(dir) == 0 || errno == ENOENT) return true;
  if (errno != EBUSY) throw_errno("rmdir " + dir);
  bool had_subs = false;
  const bool emptied = walk_below(dir, {}, [&had_subs](int parent_fd, const SubCgroup& sub) {
    had_subs = true;
    if (::unlinkat(parent_fd, sub.names.back().c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return true;
    if (errno == EBUSY) return false;
    throw_errno("rmdir " + sub.text());
  });
  if (!emptied || !had_subs) return false;
  if (remove_dir(dir) == 0 || errno == ENOENT) return true;
  if (errno == EBUSY) return false;
  throw_errno("rmdir " + dir);
}

}  // namespace hull::cgroups
