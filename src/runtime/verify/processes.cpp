// The container's processes: every process in its cgroup belongs to it (is
// in its namespaces) and none is hull; every process's capability sets are
// within the config's; the init's no_new_privs, seccomp, rlimits,
// oom_score_adj, user, groups and open fds are as configured.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <sstream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/text.hpp"
#include "base/user_namespace_map.hpp"
#include "namespaces/namespaces.hpp"
#include "process/capabilities.hpp"
#include "process/rlimits.hpp"
#include "rootfs/safe_path.hpp"
#include "runtime/verify/target.hpp"

namespace hull::verify {

namespace {

std::string cap_names(uint64_t mask) {
  std::vector<std::string> names;
  auto known = process::known_capability_names();
  for (int i = 0; i < 64; ++i) {
    if (!(mask & (uint64_t{1} << i))) continue;
    names.push_back(static_cast<size_t>(i) < known.size() ? std::string(known[static_cast<size_t>(i)])
                                                          : "cap " + std::to_string(i));
  }
  return names.empty() ? "none" : joined_fields(names, ",");
}

// Maps an id inside the container to the host through /proc/<pid>/uid_map
// (or gid_map): the kernel's own mapping, identity without a user namespace.
std::optional<uint64_t> to_host(pid_t pid, const char* map, uint64_t id) {
  std::string text;
  try {
    text = read_file("/proc/" + std::to_string(pid) + "/" + map);
  } catch (const Error&) {
    return std::nullopt;
  }
  std::istringstream in(text);
  uint64_t inside = 0, outside = 0, count = 0;
  while (in >> inside >> outside >> count)
    if (id >= inside && id - inside < count) return outside + (id - inside);
  return std::nullopt;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void check_members(const Target& t, Report& r) {
  std::vector<std::string> own;  // namespaces the container does not share with the host
  for (const auto& n : t.linux_section().namespaces) own.push_back(ns::proc_name(n.type));
  const std::string property = "cgroup holds only the container";
  if (own.empty()) {
    r.cannot_tell(property, "no namespaces", "the container shares every namespace with the host");
  } else {
    std::vector<std::string> strangers;
    for (pid_t p : t.pids) {
      std::vector<std::string> outside;
      for (const auto& name : own) {
        std::string theirs = proc_link(p, "ns/" + name);
        if (!theirs.empty() && theirs != proc_link(t.pid, "ns/" + name)) outside.push_back(name);
      }
      if (!outside.empty())
        strangers.push_back("pid " + std::to_string(p) + " (not in its " + joined_fields(outside, ",") + ")");
    }
    r.check(strangers.empty(), property, "in " + joined_fields(own, ","), "processes: " + std::to_string(t.pids.size()),
            "processes of another container or the host: " + joined_fields(strangers, ", "));
  }
  struct stat self {};
  if (::stat("/proc/self/exe", &self) < 0) {
    r.cannot_tell("no hull process inside", "none", std::string("stat /proc/self/exe: ") + std::strerror(errno));
    return;
  }
  std::vector<std::string> hulls;
  for (pid_t p : t.pids) {
    struct stat st {};
    std::string exe = "/proc/" + std::to_string(p) + "/exe";
    // Not st_dev: a hull process runs from a sealed overlayfs view of the
    // binary (process/sealed_binary.hpp), which reports its own device and
    // the file's inode number, size and mtime.
    if (::stat(exe.c_str(), &st) == 0 && st.st_ino == self.st_ino && st.st_size == self.st_size &&
        st.st_mtim.tv_sec == self.st_mtim.tv_sec && st.st_mtim.tv_nsec == self.st_mtim.tv_nsec)
      hulls.push_back(std::to_string(p));
  }
  r.check(hulls.empty(), "no hull process inside", "none",
          hulls.empty() ? "none" : "pids " + joined_fields(hulls, ", "), "a hull process is in the container's cgroup");
}

void check_capabilities(const Target& t, Report& r) {
  const auto& proc = t.spec.process;
  process::CapabilitySets want =
      process::capability_sets(proc ? proc->capabilities : std::nullopt, process::kernel_last_cap());
  struct Set {
    const char* name;
    const char* status_key;
    uint64_t allowed;
  };
  const Set sets[] = {{"bounding", "CapBnd", want.bounding},
                      {"effective", "CapEff", want.effective},
                      {"permitted", "CapPrm", want.permitted},
                      {"inheritable", "CapInh", want.inheritable},
                      {"ambient", "CapAmb", want.ambient}};
  std::vector<pid_t> pids = t.pids.empty() ? std::vector<pid_t>{t.pid} : t.pids;
  for (const Set& s : sets) {
    std::vector<std::string> beyond;
    for (pid_t p : pids) {
      auto status = proc_status(p);
      auto it = status.find(s.status_key);
      if (it == status.end()) continue;  // exited meanwhile
      uint64_t have = std::stoull(it->second, nullptr, 16);
      if (have & ~s.allowed) beyond.push_back("pid " + std::to_string(p) + " has " + cap_names(have & ~s.allowed));
    }
    r.check(beyond.empty(), std::string("capabilities ") + s.name, cap_names(s.allowed),
            beyond.empty() ? "within, processes: " + std::to_string(pids.size()) : joined_fields(beyond, "; "),
            "a process holds capabilities beyond the config's set");
  }
}

void check_seccomp(const Target& t, Report& r, std::map<std::string, std::string>& status) {
  bool configured = t.spec.linux_ && t.spec.linux_->seccomp;
  auto mine = proc_status(::getpid());
  // Filters are inherited: the init has hull's own (if any) plus the config's one.
  int own = mine.count("Seccomp_filters") ? std::stoi(mine["Seccomp_filters"]) : 0;
  std::string mode = status["Seccomp"];
  std::string want_mode = configured ? "2" : (own > 0 ? "2" : "0");
  r.check(mode == want_mode, "seccomp mode", want_mode == "2" ? "2 (filter)" : "0 (none)", mode,
          "the seccomp mode is not the configured one");
  if (!status.count("Seccomp_filters")) {
    r.cannot_tell("seccomp filters", std::to_string(own + (configured ? 1 : 0)),
                  "the kernel does not show Seccomp_filters");
    return;
  }
  std::string want = std::to_string(own + (configured ? 1 : 0));
  r.check(status["Seccomp_filters"] == want, "seccomp filters", want, status["Seccomp_filters"],
          "the number of filters is not the configured one");
}

// The init's limits from /proc/<init>/limits (readable by all, where
// prlimit on another user's process needs CAP_SYS_RESOURCE): one line per
// resource after the header, in the kernel's resource order, the values
// from column 26 on.
std::optional<std::pair<rlim_t, rlim_t>> limits_in_force(const std::string& limits, int resource) {
  std::istringstream in(limits);
  std::string line;
  for (int i = 0; i <= resource + 1 && std::getline(in, line);) ++i;
  if (line.size() <= 26) return std::nullopt;
  std::istringstream values(line.substr(26));
  std::string soft, hard;
  values >> soft >> hard;
  auto parse = [](const std::string& v) -> std::optional<rlim_t> {
    if (v == "unlimited") return RLIM_INFINITY;
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return static_cast<rlim_t>(std::stoull(v));
  };
  auto s = parse(soft), h = parse(hard);
  if (!s || !h) return std::nullopt;
  return std::pair{*s, *h};
}

// Raising a hard limit asks CAP_SYS_RESOURCE in the initial user
// namespace: only a container in it (hull's own namespace, where hull's is
// the initial one) whose bounding set keeps it may have done so itself. One
// in a user namespace of its own holds a full bounding set there, which
// raises nothing.
bool may_raise_hard_limits(const Target& t, const std::map<std::string, std::string>& status) {
  auto bounding = status.find("CapBnd");
  if (bounding == status.end() || !(std::stoull(bounding->second, nullptr, 16) & (uint64_t{1} << CAP_SYS_RESOURCE)))
    return false;
  return proc_link(::getpid(), "ns/user") == proc_link(t.pid, "ns/user") && in_initial_user_namespace();
}

// The program may set its soft limit anywhere up to its hard one and lower
// its hard one, without privilege: only a hard limit above the config's is
// beyond what the container could do itself, unless it may raise it.
void check_rlimits(const Target& t, Report& r, const std::map<std::string, std::string>& status) {
  if (!t.spec.process || t.spec.process->rlimits.empty()) return;
  const std::string path = "/proc/" + std::to_string(t.pid) + "/limits";
  std::string limits;
  try {
    limits = read_file(path);
  } catch (const Error&) {}
  const bool may_raise = may_raise_hard_limits(t, status);
  for (const auto& l : t.spec.process->rlimits) {
    std::string property = "rlimit " + l.type;
    std::string config = std::to_string(l.soft) + "/" + std::to_string(l.hard);
    auto resource = process::rlimit_from_name(l.type);
    if (!resource) {
      r.cannot_tell(property, config, "unknown rlimit");
      continue;
    }
    auto have = limits_in_force(limits, *resource);
    if (!have) {
      r.cannot_tell(property, config, "cannot read it from " + path);
      continue;
    }
    auto show = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); };
    auto as_rlim = [](uint64_t v) { return v == UINT64_MAX ? RLIM_INFINITY : static_cast<rlim_t>(v); };
    const std::string kernel = show(have->first) + "/" + show(have->second);
    if (have->first == as_rlim(l.soft) && have->second == as_rlim(l.hard))
      r.holds(property, config, kernel);
    else if (have->second <= as_rlim(l.hard))
      r.cannot_tell(property, config, kernel, "within the configured hard limit: the program may have set it itself");
    else if (may_raise)
      r.cannot_tell(property, config, kernel,
                    "the hard limit in force is above the configured one, which the program may have raised "
                    "itself: it keeps CAP_SYS_RESOURCE in the host's user namespace");
    else
      r.violated(property, config, kernel, "the hard limit in force is above the configured one");
  }
}

void check_identity(const Target& t, Report& r, std::map<std::string, std::string>& status) {
  if (!t.spec.process) return;
  const spec::User& u = t.spec.process->user;
  auto uid = to_host(t.pid, "uid_map", u.uid);
  auto gid = to_host(t.pid, "gid_map", u.gid);
  std::vector<std::string> uids = words(status["Uid"]), gids = words(status["Gid"]);
  if (!uid || !gid || uids.size() != 4 || gids.size() != 4) {
    r.cannot_tell("user", std::to_string(u.uid) + ":" + std::to_string(u.gid), "the id is not mapped to the host");
  } else {
    bool ok = true;
    for (const auto& v : uids) ok &= v == std::to_string(*uid);
    for (const auto& v : gids) ok &= v == std::to_string(*gid);
    r.check(ok, "user",
            std::to_string(u.uid) + ":" + std::to_string(u.gid) + " (host " + std::to_string(*uid) + ":" +
                std::to_string(*gid) + ")",
            "uid " + joined_fields(uids, " ") + " gid " + joined_fields(gids, " "), "the init runs as another user");
  }
  std::set<std::string> want, have;
  for (const auto& v : words(status["Groups"])) have.insert(v);
  bool mapped = true;
  for (uint32_t g : u.additionalGids) {
    auto h = to_host(t.pid, "gid_map", g);
    if (h) want.insert(std::to_string(*h));
    mapped &= h.has_value();
  }
  std::vector<std::string> want_list(want.begin(), want.end()), have_list(have.begin(), have.end());
  if (!mapped)
    r.cannot_tell("groups", joined_fields(want_list, ","), "a group is not mapped to the host");
  else
    r.check(want == have, "groups", want.empty() ? "none" : joined_fields(want_list, ","),
            have.empty() ? "none" : joined_fields(have_list, ","), "the init's supplementary groups differ");
}

// An fd only hull could have left: one of its memfds (the seccomp program,
// a hook's state) or a file under its state root. Any other may be the
// program's own (a server's sockets, its logs), opened after execve, where
// what hull left can no longer be told from it. The link text is the path
// in the init's mount namespace: a file of the container's at the state
// root's path is told apart by its inode; a deleted one, which has none to
// compare, by its file system, unless the container has a directory of its
// own at that path (then the file was one of its).
bool left_by_hull(const Target& t, const std::string& link, const std::string& target) {
  if (target.starts_with("/memfd:hull-")) return true;
  const std::string& state_root = t.state_root;
  if (state_root.empty() || !(target == state_root || target.starts_with(state_root + "/"))) return false;
  struct stat held {};
  if (::stat(link.c_str(), &held) != 0) return false;
  constexpr std::string_view deleted = " (deleted)";
  struct stat host {};
  if (!target.ends_with(deleted))
    return ::stat(target.c_str(), &host) == 0 && host.st_dev == held.st_dev && host.st_ino == held.st_ino;
  if (::stat(state_root.c_str(), &host) != 0 || host.st_dev != held.st_dev) return false;
  UniqueFd inside;
  try {
    if (t.root) inside = rootfs::open_in_root(t.root.get(), state_root);
  } catch (const Error&) {}  // no directory of the container's there either
  struct stat seen {};
  return !inside || ::fstat(inside.get(), &seen) != 0 || (seen.st_dev == host.st_dev && seen.st_ino == host.st_ino);
}

void check_fds(const Target& t, Report& r) {
  std::string dir = "/proc/" + std::to_string(t.pid) + "/fd";
  std::string config = t.preserved_fds > 0 ? "0-" + std::to_string(2 + t.preserved_fds) : "0-2";
  std::vector<std::pair<std::string, unsigned char>> entries;
  try {
    entries = directory_entries(open_fd(dir, O_RDONLY | O_DIRECTORY).get(), dir);
  } catch (const Error& e) {
    r.cannot_tell("init open fds", config, e.what());
    return;
  }
  std::vector<std::string> hulls, others;
  for (const auto& entry : entries) {
    int fd = std::atoi(entry.first.c_str());
    if (fd <= 2 + t.preserved_fds) continue;
    const std::string target = proc_link(t.pid, "fd/" + entry.first);
    (left_by_hull(t, dir + "/" + entry.first, target) ? hulls : others).push_back(std::to_string(fd) + " -> " + target);
  }
  if (!hulls.empty())
    r.violated(
        "init open fds", config, joined_fields(hulls, ", "),
        "the init holds an fd of hull's" +
            (others.empty() ? std::string() : " (and, maybe the program's own: " + joined_fields(others, ", ") + ")"));
  else if (!others.empty())
    r.cannot_tell("init open fds", config,
                  "fds beyond stdio and the preserved ones, which the program may have opened itself: " +
                      joined_fields(others, ", "));
  else
    r.holds("init open fds", config, std::to_string(entries.size()) + " fds");
}

}  // namespace

void check_cgroup_members(const Target& t, Report& r) {
  if (t.cgroup) check_members(t, r);
}

void check_processes(const Target& t, Report& r) { check_capabilities(t, r); }

void check_init(const Target& t, Report& r) {
  auto status = proc_status(t.pid);
  bool nnp = t.spec.process && t.spec.process->noNewPrivileges;
  r.check(status["NoNewPrivs"] == (nnp ? "1" : "0"), "no_new_privs", nnp ? "1" : "0", status["NoNewPrivs"],
          "no_new_privs is not as configured");
  check_seccomp(t, r, status);
  check_rlimits(t, r, status);
  if (t.spec.process && t.spec.process->oomScoreAdj) {
    std::string have;
    try {
      have = read_file("/proc/" + std::to_string(t.pid) + "/oom_score_adj");
      while (!have.empty() && have.back() == '\n') have.pop_back();
    } catch (const Error& e) {
      have = "?";
    }
    // The program may change its own: up freely, and down to the floor its
    // parent left (oom_score_adj_min, set only by a writer with
    // CAP_SYS_RESOURCE, which hull may lack: rootless, a CI job's container).
    const std::string want = std::to_string(*t.spec.process->oomScoreAdj);
    if (have == want)
      r.holds("oom_score_adj", want, have);
    else
      r.cannot_tell("oom_score_adj", want, have, "the program may have set it itself");
  }
  check_identity(t, r, status);
  check_fds(t, r);
}

}  // namespace hull::verify
