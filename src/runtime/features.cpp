#include "runtime/features.hpp"

#include <seccomp.h>
#include <sys/capability.h>

#include <string>
#include <utility>
#include <vector>

#include "base/build_info.hpp"
#include "process/lsm.hpp"
#include "process/scheduling.hpp"
#include "process/self_protection.hpp"
#include "rootfs/mount_options.hpp"
#include "seccomp/seccomp.hpp"

namespace hull::features {

using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------
// What hull implements. A module that lands (or drops) a feature edits its
// line here; features.json must never claim more than hull does, because
// higher layers (containerd, CRI-O) decide what to put in config.json from it.
// ---------------------------------------------------------------------------
namespace {

constexpr const char* kOciVersionMin = "1.0.0";
constexpr const char* kOciVersionMax = "1.3.0";

// Hooks run by create/start/delete (runtime/operations).
constexpr const char* kHooks[] = {"prestart",       "createRuntime", "createContainer",
                                  "startContainer", "poststart",     "poststop"};

// Mount options: rootfs::supported_mount_options() (src/rootfs/mount_options),
// the same table the mount code parses with, so the two cannot drift apart.

// Namespaces the create path makes or joins.
constexpr const char* kNamespaces[] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};

// Cgroup managers (src/cgroups): v1, v2 and hybrid hosts through cgroupfs;
// rdma limits on either version; --systemd-cgroup on pure v2 hosts through
// systemd's private D-Bus socket, rootless through the user's manager's.
constexpr bool kCgroupV1 = true;
constexpr bool kCgroupV2 = true;
constexpr bool kCgroupSystemd = true;
constexpr bool kCgroupSystemdUser = true;
constexpr bool kCgroupRdma = true;

// Seccomp (src/seccomp, loaded by src/process just before execve): names,
// architectures and the kernel's accepted filter flags come from the seccomp
// module. SCMP_ACT_NOTIFY works because create connects to listenerPath and
// the init sends the listener fd there (ExecOptions::seccomp_listener in
// runtime/container_init.cpp); clear this if that path is ever removed.
constexpr bool kSeccompNotify = true;

// Memory policies (src/process/scheduling): the spec's names, kept when the
// process module knows them.
constexpr const char* kMemoryPolicyModes[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"};
constexpr const char* kMemoryPolicyFlags[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"};

// Security modules (src/process/lsm): profiles and labels are applied, and a
// config asking for an LSM the host lacks is refused, so "enabled" is whether
// the host has the module (what a caller can actually use here).

constexpr bool kNetDevices = true;

// ---------------------------------------------------------------------------

template <class T, size_t N>
Json array_of(const T (&items)[N]) {
  Json a = Json::array();
  for (const auto& item : items) a.push_back(item);
  return a;
}

Json memory_policy_section() {
  Json modes = Json::array(), flags = Json::array();
  for (const char* m : kMemoryPolicyModes)
    if (process::mempolicy_mode_from_name(m)) modes.push_back(m);
  for (const char* f : kMemoryPolicyFlags)
    if (process::mempolicy_flag_from_name(f)) flags.push_back(f);
  return {{"modes", modes}, {"flags", flags}};
}

}  // namespace

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

const char* spec_version() { return kOciVersionMax; }

std::vector<std::string> known_capabilities() {
  std::vector<std::string> names;
  // libcap names the capabilities it was built with and prints others as
  // numbers; 64 covers every capability a 64-bit set can hold.
  for (cap_value_t v = 0; v < 64; ++v) {
    char* text = cap_to_name(v);
    if (text == nullptr) continue;
    std::string name = text;
    cap_free(text);
    if (name.rfind("cap_", 0) != 0) continue;
    for (char& c : name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    names.push_back(std::move(name));
  }
  return names;
}

Json cgroup_section() {
  return {{"v1", kCgroupV1},
          {"v2", kCgroupV2},
          {"systemd", kCgroupSystemd},
          {"systemdUser", kCgroupSystemdUser},
          {"rdma", kCgroupRdma}};
}

Json seccomp_section() {
  Json actions = Json::array();
  for (const auto& a : seccomp::known_actions())
    if (kSeccompNotify || a != "SCMP_ACT_NOTIFY") actions.push_back(a);
  return {{"enabled", true},
          {"actions", actions},
          {"operators", seccomp::known_operators()},
          {"archs", seccomp::known_archs()},
          {"knownFlags", seccomp::known_flags()},
          {"supportedFlags", seccomp::supported_flags()}};
}

Json linux_section() {
  return {
      {"namespaces", array_of(kNamespaces)},
      {"capabilities", known_capabilities()},
      {"cgroup", cgroup_section()},
      {"seccomp", seccomp_section()},
      {"apparmor", {{"enabled", process::apparmor_enabled()}}},
      {"selinux", {{"enabled", process::selinux_enabled()}}},
      {"memoryPolicy", memory_policy_section()},
      // What the runtime implements (features-linux.md), as for netDevices,
      // not whether this host's CPU has RDT.
      {"intelRdt", {{"enabled", true}, {"schemata", true}, {"monitoring", true}}},
      // Whether uidMappings and gidMappings of mounts are read and used,
      // whatever the running kernel (features-linux.md: a kernel before
      // 5.12 refuses such a mount when it is made).
      {"mountExtensions", {{"idmap", {{"enabled", true}}}}},
      {"netDevices", {{"enabled", kNetDevices}}},
  };
}

Json document() {
  return {
      {"ociVersionMin", kOciVersionMin},
      {"ociVersionMax", kOciVersionMax},
      {"hooks", array_of(kHooks)},
      // Every option hull recognises, those the running kernel may lack
      // included (features.md: known at build time, not probed; rro and the
      // other recursive attributes need 5.12's mount_setattr).
      {"mountOptions", rootfs::supported_mount_options()},
      {"linux", linux_section()},
      // Annotations that change what hull does (runtime-spec 1.2), so an
      // engine can keep a pod's own from reaching them (CVE-2024-3154's
      // class): systemd unit properties with --systemd-cgroup, the CRIU
      // configuration file checkpoint and restore read (org.criu.config, a
      // host path, as runc lists it), and hull's org.hull.overlay-rootfs (a
      // host directory) and org.hull.rootfs-idmap.
      {"potentiallyUnsafeConfigAnnotations", Json::array({"org.systemd.property.", "org.criu.config", "org.hull."})},
      {"annotations",
       {{"io.github.seccomp.libseccomp.version", libseccomp_version()},
        {"io.github.hull.version", HULL_VERSION},
        {"io.github.hull.commit", build_info::commit()},
        {"io.github.hull.build.features", build_info::features()},
        // CVE-2019-5736: "true" when the binary cannot be reopened for writing
        // (it runs from a read-only mount), see src/process/self_protection.hpp.
        {"io.github.hull.binary.readonly", process::runtime_binary_on_readonly_mount() ? "true" : "false"},
        // checkpoint/restore through the criu program (as runc's
        // org.opencontainers.runc.checkpoint.enabled): whether it works
        // depends on the CRIU installed and the kernel, see README.md.
        {"io.github.hull.checkpoint.enabled", "true"},
        // How: the criu command line (not its swrk RPC), so a terminal
        // container is checkpointed as a shell job and restored onto a new
        // pty sent to --console-socket, or onto the caller's terminal with
        // --shell-job. Restore runs these hooks at CRIU's setup-namespaces
        // (runc 1.1's), and --lazy-pages serves the pages from the dump's
        // page server to a `criu lazy-pages` beside the restore.
        {"io.github.hull.checkpoint.criu", "cli"},
        {"io.github.hull.checkpoint.terminal", "console-socket,shell-job"},
        {"io.github.hull.checkpoint.restore-hooks", "prestart,createRuntime"},
        {"io.github.hull.checkpoint.lazy-pages", "true"}}},
  };
}

std::string document_text() { return document().dump(4) + "\n"; }

}  // namespace hull::features
