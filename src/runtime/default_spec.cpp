#include "runtime/default_spec.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "seccomp/seccomp.hpp"

namespace hull {

namespace {

using Json = nlohmann::ordered_json;

Json mount(const char* destination, const char* type, const char* source, std::initializer_list<const char*> options) {
  Json m = {{"destination", destination}, {"type", type}, {"source", source}};
  if (options.size() > 0) m["options"] = options;
  return m;
}

// Only what a shell needs; everything else a container gets must be asked for.
const std::vector<std::string> kCapabilities = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

Json process_section() {
  Json caps = kCapabilities;
  return {
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", Json::array({"sh"})},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
      {"cwd", "/"},
      // No inheritable or ambient set: granting them lets a setuid-less exec
      // keep capabilities the image author did not expect (CVE-2022-29162).
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits", Json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
      {"noNewPrivileges", true},
  };
}

Json mounts() {
  return Json::array({
      mount("/proc", "proc", "proc", {}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  });
}

// linux.seccomp as config.json spells it (config-linux.md), optional fields
// only when set.
Json seccomp_json(const spec::Seccomp& s) {
  Json j = {{"defaultAction", s.defaultAction}};
  if (s.defaultErrnoRet) j["defaultErrnoRet"] = *s.defaultErrnoRet;
  if (!s.architectures.empty()) j["architectures"] = s.architectures;
  if (s.flags) j["flags"] = *s.flags;
  Json rules = Json::array();
  for (const spec::Syscall& r : s.syscalls) {
    Json rule = {{"names", r.names}, {"action", r.action}};
    if (r.errnoRet) rule["errnoRet"] = *r.errnoRet;
    if (!r.args.empty()) {
      Json args = Json::array();
      for (const spec::SyscallArg& a : r.args)
        args.push_back({{"index", a.index}, {"value", a.value}, {"valueTwo", a.valueTwo}, {"op", a.op}});
      rule["args"] = std::move(args);
    }
    rules.push_back(std::move(rule));
  }
  j["syscalls"] = std::move(rules);
  return j;
}

Json linux_section(const DefaultSpecOptions& o) {
  Json namespaces = Json::array();
  for (const char* type : {"pid", "network", "ipc", "uts", "mount"}) {
    namespaces.push_back({{"type", type}});
  }
  if (o.cgroup_namespace.value_or(host_is_pure_cgroup_v2())) namespaces.push_back({{"type", "cgroup"}});
  Json linux = {
      // Deny every device by default; the runtime adds the standard ones.
      {"resources", {{"devices", Json::array({{{"allow", false}, {"access", "rwm"}}})}}},
      {"namespaces", namespaces},
      // Kernel interfaces that leak host information or allow host-wide
      // actions; hidden or read-only like runc does.
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };
  // The profile follows the capability set above: what the bounding set
  // grants stays callable, nothing more.
  if (o.seccomp) linux["seccomp"] = seccomp_json(seccomp::default_profile(kCapabilities));
  return linux;
}

void make_rootless(nlohmann::ordered_json& spec) {
  Json& linux = spec["linux"];
  Json namespaces = Json::array();
  for (const Json& n : linux["namespaces"])
    if (n["type"] != "network" && n["type"] != "user") namespaces.push_back(n);
  namespaces.push_back({{"type", "user"}});
  linux["namespaces"] = std::move(namespaces);
  linux["uidMappings"] = Json::array({{{"containerID", 0}, {"hostID", ::geteuid()}, {"size", 1}}});
  linux["gidMappings"] = Json::array({{{"containerID", 0}, {"hostID", ::getegid()}, {"size", 1}}});
  linux.erase("resources");
  Json mounts = Json::array();
  for (Json m : spec["mounts"]) {
    if (m["destination"] == "/sys") {
      mounts.push_back(mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
      continue;
    }
    Json options = Json::array();
    for (const Json& o : m["options"]) {
      std::string v = o.get<std::string>();
      if (!v.starts_with("uid=") && !v.starts_with("gid=")) options.push_back(v);
    }
    m["options"] = std::move(options);
    mounts.push_back(std::move(m));
  }
  spec["mounts"] = std::move(mounts);
}

}  // namespace

bool host_is_pure_cgroup_v2() {
  struct statfs fs {};
  return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

nlohmann::ordered_json default_spec(const DefaultSpecOptions& o) {
  nlohmann::ordered_json spec = {
      {"ociVersion", "1.3.0"}, {"process", process_section()}, {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "hull"},    {"mounts", mounts()},           {"linux", linux_section(o)},
  };
  if (o.rootless) make_rootless(spec);
  return spec;
}

std::string default_spec_text(const DefaultSpecOptions& o) { return default_spec(o).dump(1, '\t') + "\n"; }

void write_default_spec(const std::string& bundle, const DefaultSpecOptions& o) {
  std::string path = (bundle.empty() || bundle == ".") ? "config.json" : bundle + "/config.json";
  // O_EXCL makes "refuse to overwrite" one atomic step; runc's message.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == EEXIST) throw Error("File " + path + " exists. Remove it first");
    throw_errno("create " + path);
  }
  UniqueFd owned(fd);
  write_all(owned.get(), default_spec_text(o), path);
}

}  // namespace hull
