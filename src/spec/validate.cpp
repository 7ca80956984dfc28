#include "spec/validate.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "base/error.hpp"
#include "base/path_components.hpp"
#include "base/warn.hpp"
#include "spec/parse.hpp"
#include "spec/sysctl_namespace.hpp"

namespace hull::spec {
namespace {

using detail::member_path;
using detail::quote_json;

constexpr size_t kNamespaceTypeCount = 8;
static_assert(static_cast<size_t>(NamespaceType::Time) + 1 == kNamespaceTypeCount);

std::string namespace_path(size_t i) { return ".linux.namespaces[" + std::to_string(i) + "]"; }

bool is_absolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

// Whether p, read lexically from "/" (".." stops at the root), is the root.
bool names_root(std::string_view p) {
  size_t depth = 0;
  for_each_path_component(p, [&](std::string_view c) {
    if (c != "..")
      ++depth;
    else if (depth > 0)
      --depth;
  });
  return depth == 0;
}

bool is_bind_remount(const Mount& m) {
  auto has = [&](std::string_view option) {
    return std::find(m.options.begin(), m.options.end(), option) != m.options.end();
  };
  return has("remount") && (has("bind") || has("rbind") || m.type == "bind");
}

// The kernel's dev_valid_name(): 1 to 15 bytes (IFNAMSIZ - 1), not "." or
// "..", no "/", ":" or whitespace.
bool is_interface_name(const std::string& n) {
  if (n.empty() || n.size() > 15 || n == "." || n == "..") return false;
  return n.find_first_of("/: \t\n\v\f\r") == std::string::npos;
}

[[noreturn]] void fail_at(const std::string& file, const std::string& path, std::string_view problem) {
  throw Error(file + ": " + path + ": " + std::string(problem));
}

// Past kMaxUserId (spec.hpp), the process could keep the runtime's root.
void check_user_id(const std::string& file, const std::string& path, uint32_t id) {
  if (id > kMaxUserId)
    fail_at(file, path,
            "uids and gids must be in range 0-" + std::to_string(kMaxUserId) + ", got " + std::to_string(id));
}

// What a process needs wherever it comes from (config.json's .process, an
// exec's --process file); `at` is its JSON path (".process", or "" for a
// file that is the process object).
constexpr size_t kMaxGroups = 65536;  // NGROUPS_MAX

void check_process_fields(const Process& p, const std::string& file, const std::string& at) {
  if (p.args.empty()) fail_at(file, at + ".args", "must contain at least one entry");
  if (p.args[0].empty()) fail_at(file, at + ".args[0]", "must not be empty");
  if (!is_absolute(p.cwd)) fail_at(file, at + ".cwd", "must be an absolute path, got " + quote_json(p.cwd));
  check_user_id(file, at + ".user.uid", p.user.uid);
  check_user_id(file, at + ".user.gid", p.user.gid);
  // setgroups(2) takes NGROUPS_MAX at most, and says only EINVAL; the
  // init passes each group once (process/identity.cpp), so repeats count once.
  if (p.user.additionalGids.size() > kMaxGroups) {
    std::vector<uint32_t> distinct = p.user.additionalGids;
    std::sort(distinct.begin(), distinct.end());
    const size_t n = static_cast<size_t>(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
    if (n > kMaxGroups)
      fail_at(file, at + ".user.additionalGids",
              "has " + std::to_string(n) + " different groups; the kernel takes at most 65536");
  }
  for (size_t i = 0; i < p.user.additionalGids.size(); ++i)
    check_user_id(file, at + ".user.additionalGids[" + std::to_string(i) + "]", p.user.additionalGids[i]);
  // A terminal's window size is 16 bits a side (struct winsize): 70000 rows
  // would silently be 4464. Ignored, as the spec says, without a terminal.
  if (p.terminal && p.consoleSize) {
    if (p.consoleSize->height > 65535)
      fail_at(file, at + ".consoleSize.height",
              std::to_string(p.consoleSize->height) + " rows: a terminal has at most 65535");
    if (p.consoleSize->width > 65535)
      fail_at(file, at + ".consoleSize.width",
              std::to_string(p.consoleSize->width) + " columns: a terminal has at most 65535");
  }
  // umask(2) keeps the permission bits alone: 1000 would silently be 0750.
  if (p.user.umask && *p.user.umask > 0777)
    fail_at(file, at + ".user.umask",
            std::to_string(*p.user.umask) + " is not a file mode mask (0 to 511, octal 0777)");
  // As runc's init refuses them: execve would pass them on, and what a
  // program makes of "X" or "=x" is its own guess.
  for (size_t i = 0; i < p.env.size(); ++i) {
    const std::string& e = p.env[i];
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      fail_at(file, at + ".env[" + std::to_string(i) + "]",
              "invalid environment variable " + quote_json(e) + ": " +
                  (eq == std::string::npos ? "missing '='" : "the name is empty"));
  }
  for (size_t i = 0; i < p.rlimits.size(); ++i) {
    const Rlimit& r = p.rlimits[i];
    const std::string path = at + ".rlimits[" + std::to_string(i) + "]";
    // The spec: duplicated rlimit types MUST be an error.
    for (size_t j = 0; j < i; ++j)
      if (r.type == p.rlimits[j].type)
        fail_at(file, path + ".type",
                "duplicate rlimit " + quote_json(r.type) + " (first at " + at + ".rlimits[" + std::to_string(j) + "])");
    // setrlimit(2) would refuse it with EINVAL, after the namespaces exist.
    if (r.soft > r.hard)
      fail_at(file, path + ".soft",
              "soft limit " + std::to_string(r.soft) + " is above the hard limit " + std::to_string(r.hard));
  }
}

class Checker {
 public:
  Checker(const Spec& spec, const std::string& file) : spec_(spec), file_(file) {}

  void run() {
    if (!spec_.linux_) fail(".linux", "required field is missing (hull runs Linux containers)");
    if (!spec_.root) fail(".root", "required field is missing");
    if (spec_.root->path.empty()) fail(".root.path", "must not be empty");
    check_process();
    for (size_t i = 0; i < spec_.mounts.size(); ++i) check_mount_destination(i);
    check_hooks();
    index_namespaces();
    check_namespace_needs();
    check_user_namespace_mappings();
    check_id_mappings(".linux.uidMappings", spec_.linux_->uidMappings);
    check_id_mappings(".linux.gidMappings", spec_.linux_->gidMappings);
    for (size_t i = 0; i < spec_.mounts.size(); ++i) {
      const Mount& m = spec_.mounts[i];
      if (m.uidMappings.empty() && m.gidMappings.empty()) continue;
      const std::string at = ".mounts[" + std::to_string(i) + "]";
      check_id_mappings(at + ".uidMappings", m.uidMappings);
      check_id_mappings(at + ".gidMappings", m.gidMappings);
    }
    warn_relative(".linux.maskedPaths", spec_.linux_->maskedPaths);
    warn_relative(".linux.readonlyPaths", spec_.linux_->readonlyPaths);
    check_uts_name(".hostname", spec_.hostname);
    check_uts_name(".domainname", spec_.domainname);
    if (spec_.annotations.contains("")) fail(".annotations", "a key must not be empty (config.md)");
    warn_handler_annotations();
    check_sysctls();
    check_net_devices();
    const Linux& l = *spec_.linux_;
    // Normalized path -> the first device listed at it.
    std::unordered_map<std::string, size_t> device_at;
    for (size_t i = 0; i < l.devices.size(); ++i) check_device(i, device_at);
    if (l.resources)
      for (size_t i = 0; i < l.resources->devices.size(); ++i) check_device_rule(i);
    if (l.seccomp && l.seccomp->listenerMetadata && !l.seccomp->listenerPath)
      fail(".linux.seccomp.listenerMetadata", "requires .linux.seccomp.listenerPath");
  }

 private:
  [[noreturn]] void fail(const std::string& path, std::string_view problem) const { fail_at(file_, path, problem); }

  void absolute(const std::string& path, const std::string& value) const {
    if (!is_absolute(value)) fail(path, "must be an absolute path, got " + quote_json(value));
  }

  // The kernel's dev_t has 12 bits of major and 20 of minor; mknod(2) refuses
  // more with EINVAL, and makedev(3) would first cut the number to 32 bits.
  void check_device(size_t i, std::unordered_map<std::string, size_t>& device_at) const {
    const std::string at = ".linux.devices[" + std::to_string(i) + "]";
    const Device& d = spec_.linux_->devices[i];
    absolute(at + ".path", d.path);
    device_number_in_range(at, "major", d.major, 12, false);
    device_number_in_range(at, "minor", d.minor, 20, false);
    // One path listed twice: the same node twice is harmless (docker --device
    // given twice); two different ones leave no way to know which is meant
    // (runc makes the first, the node made last would win here). Every
    // later one at a path is the same as the first, or refused: comparing
    // with each earlier one took 6 s for 8000 devices.
    std::string path = std::filesystem::path(d.path).lexically_normal().string();
    while (path.size() > 1 && path.back() == '/') path.pop_back();  // "/dev/foo/" is /dev/foo
    const auto [first, added] = device_at.try_emplace(std::move(path), i);
    if (added) return;
    const size_t j = first->second;
    const Device& e = spec_.linux_->devices[j];
    if (e.type != d.type || e.major != d.major || e.minor != d.minor || e.fileMode != d.fileMode || e.uid != d.uid ||
        e.gid != d.gid)
      fail(at + ".path", quote_json(d.path) + " is also .linux.devices[" + std::to_string(j) +
                             "], as a different device or with other owner or mode");
  }

  // In a cgroup device rule -1 is the wildcard runc's configs write for
  // "all"; any other negative number became "*" as well, allowing far more
  // than was asked.
  void check_device_rule(size_t i) const {
    const std::string at = ".linux.resources.devices[" + std::to_string(i) + "]";
    const DeviceCgroup& d = spec_.linux_->resources->devices[i];
    device_number_in_range(at, "major", d.major, 12, true);
    device_number_in_range(at, "minor", d.minor, 20, true);
  }

  void device_number_in_range(const std::string& at, const char* field, const std::optional<int64_t>& n, int bits,
                              bool wildcard) const {
    const int64_t max = (int64_t{1} << bits) - 1;
    if (n && (*n < (wildcard ? -1 : 0) || *n > max))
      fail(at + "." + field, std::to_string(*n) + " is not a device " + field + " number (0-" + std::to_string(max) +
                                 (wildcard ? ", or -1 for all)" : ")"));
  }

  // The runtime-spec lets a Linux mount's destination be relative (deprecated)
  // and says it is then relative to "/"; runc warns and mounts it there.
  void check_mount_destination(size_t i) const {
    const std::string path = ".mounts[" + std::to_string(i) + "].destination";
    const std::string& dest = spec_.mounts[i].destination;
    if (dest.empty()) fail(path, "must not be empty");
    // Attached before the pivot, the mount would lie under the rootfs the
    // init pivots into, never seen (runc pivots into it instead). A bind
    // remount covers nothing: it changes the rootfs mount's own flags
    // (nosuid, nodev, which .root has no field for), as runc's does.
    if (names_root(dest) && !is_bind_remount(spec_.mounts[i]))
      fail(path, quote_json(dest) +
                     " is the container's root, where a mount would stay hidden under the rootfs (.root.path "
                     "names the root filesystem; a \"bind\", \"remount\" entry changes its flags)");
    if (!is_absolute(dest))
      warn(file_ + ": " + path + ": " + quote_json(dest) +
           " is not an absolute path; it is taken relative to \"/\" (relative destinations are deprecated)");
  }

  // The spec says these MUST be absolute; runc takes a relative one from "/"
  // without a word, and so does hull, but says so, as for a mount.
  void warn_relative(const std::string& field, const std::vector<std::string>& paths) const {
    for (size_t i = 0; i < paths.size(); ++i)
      if (!is_absolute(paths[i]))
        warn(file_ + ": " + field + "[" + std::to_string(i) + "]: " + quote_json(paths[i]) +
             " is not an absolute path; it is taken relative to \"/\"");
  }

  // crun's handler annotations ask for a microVM (krun) or a WebAssembly
  // runtime in place of the container; runc ignores them without a word,
  // so a user who expected a VM's isolation would never learn they had none.
  void warn_handler_annotations() const {
    for (const char* key : {"run.oci.handler", "module.wasm.image/variant"}) {
      auto a = spec_.annotations.find(key);
      if (a != spec_.annotations.end())
        warn(file_ + ": .annotations[" + quote_json(key) + "]: " + quote_json(a->second) +
             " names a handler of crun's; hull has none, and runs the container as an ordinary Linux container "
             "(for a microVM or WebAssembly, use a runtime built with that handler)");
    }
  }

  void check_process() const {
    if (!spec_.process) fail(".process", "required field is missing");
    check_process_fields(*spec_.process, file_, ".process");
  }

  void check_hooks() const {
    const std::pair<const char*, const std::vector<Hook>*> lists[] = {
        {"prestart", &spec_.hooks.prestart},
        {"createRuntime", &spec_.hooks.createRuntime},
        {"createContainer", &spec_.hooks.createContainer},
        {"startContainer", &spec_.hooks.startContainer},
        {"poststart", &spec_.hooks.poststart},
        {"poststop", &spec_.hooks.poststop},
    };
    for (auto [name, hooks] : lists)
      for (size_t i = 0; i < hooks->size(); ++i)
        absolute(std::string(".hooks.") + name + "[" + std::to_string(i) + "].path", (*hooks)[i].path);
  }

  void index_namespaces() {
    const auto& nss = spec_.linux_->namespaces;
    for (size_t i = 0; i < nss.size(); ++i) {
      auto& slot = ns_index_[static_cast<size_t>(nss[i].type)];
      if (slot)
        fail(namespace_path(i) + ".type",
             "duplicate namespace " + quote_json(to_string(nss[i].type)) + " (first at " + namespace_path(*slot) + ")");
      slot = i;
      if (nss[i].path) absolute(namespace_path(i) + ".path", *nss[i].path);
    }
  }

  const Namespace* find(NamespaceType t) const {
    auto slot = ns_index_[static_cast<size_t>(t)];
    return slot ? &spec_.linux_->namespaces[*slot] : nullptr;
  }

  // `path` asks for a namespace of type t: a new one, or (any_ok) a joined one too.
  void need_namespace(const std::string& path, NamespaceType t, bool any_ok) const {
    const std::string name = std::string(to_string(t)) + " namespace";
    const std::string kind = (any_ok ? (t == NamespaceType::Ipc ? "an " : "a ") : "a new ") + name;
    const Namespace* ns = find(t);
    if (!ns) fail(path, "requires " + kind + ", but .linux.namespaces has no " + quote_json(to_string(t)) + " entry");
    if (ns->path && !any_ok)
      fail(path, "requires " + kind + ", but " + namespace_path(*ns_index_[static_cast<size_t>(t)]) + " joins " +
                     quote_json(*ns->path));
  }

  void check_namespace_needs() const {
    // Settings that only make sense inside a namespace of their own: applying
    // them in a shared or the host's namespace would change it for everyone
    // (runc refuses a hostname without a private uts namespace for this reason).
    struct Need {
      const char* path;
      NamespaceType type;
      bool any_ok;  // joining an existing namespace is enough
      bool (*applies)(const Spec&);
    };
    static const Need kNeeds[] = {
        // An empty name is no name, as with runc (the init sets none). A
        // joined one is allowed, as runc does (the init refuses a path that
        // names hull's own).
        {".hostname", NamespaceType::Uts, true, [](const Spec& s) { return s.hostname && !s.hostname->empty(); }},
        {".domainname", NamespaceType::Uts, true, [](const Spec& s) { return s.domainname && !s.domainname->empty(); }},
        {".linux.timeOffsets", NamespaceType::Time, false,
         [](const Spec& s) { return !s.linux_->timeOffsets.empty(); }},
        {".linux.uidMappings", NamespaceType::User, true, [](const Spec& s) { return !s.linux_->uidMappings.empty(); }},
        {".linux.gidMappings", NamespaceType::User, true, [](const Spec& s) { return !s.linux_->gidMappings.empty(); }},
        // Without a mount namespace the container shares the caller's, where
        // hull mounts nothing (config mounts are skipped, as crun does); these
        // cannot be had without mounts, and silently dropping them would
        // leave /proc/kcore readable or the root writable (runc refuses the
        // masked and read-only paths the same way).
        {".linux.maskedPaths", NamespaceType::Mount, true,
         [](const Spec& s) { return !s.linux_->maskedPaths.empty(); }},
        {".linux.readonlyPaths", NamespaceType::Mount, true,
         [](const Spec& s) { return !s.linux_->readonlyPaths.empty(); }},
        {".root.readonly", NamespaceType::Mount, true, [](const Spec& s) { return s.root->readonly; }},
        {".linux.rootfsPropagation", NamespaceType::Mount, true,
         [](const Spec& s) { return s.linux_->rootfsPropagation.has_value(); }},
        {".linux.devices", NamespaceType::Mount, true, [](const Spec& s) { return !s.linux_->devices.empty(); }},
    };
    for (const Need& n : kNeeds)
      if (n.applies(spec_)) need_namespace(n.path, n.type, n.any_ok);
  }

  void check_user_namespace_mappings() const {
    // A new user namespace without mappings leaves every id unmapped
    // (overflow uid 65534); nothing could be set up as root inside it.
    const Namespace* user = find(NamespaceType::User);
    if (!user || user->path) return;
    std::string at = namespace_path(*ns_index_[static_cast<size_t>(NamespaceType::User)]);
    if (spec_.linux_->uidMappings.empty()) fail(at, "a new user namespace needs .linux.uidMappings");
    if (spec_.linux_->gidMappings.empty()) fail(at, "a new user namespace needs .linux.gidMappings");
  }

  // The kernel's rules for an id map (user_namespaces(7)), which it
  // enforces only with an EINVAL for the whole write: no empty range, none
  // reaching id 4294967295 (it wraps), no two overlapping on either side,
  // at most 340 lines, less than a page of text in all.
  void check_id_mappings(const std::string& path, const std::vector<IDMapping>& maps) const {
    constexpr size_t kMaxLines = 340;
    constexpr uint64_t kIdLimit = uint64_t{1} << 32;
    if (maps.size() > kMaxLines)
      fail(path, "has " + std::to_string(maps.size()) + " entries; the kernel takes at most 340");
    // Written as "containerID hostID size\n" a line.
    auto digits = [](uint32_t v) {
      size_t n = 1;
      for (; v >= 10; v /= 10) ++n;
      return n;
    };
    size_t text = 0;
    for (const IDMapping& m : maps) text += digits(m.containerID) + digits(m.hostID) + digits(m.size) + 3;
    static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    if (text >= page)
      fail(path, "is " + std::to_string(text) + " bytes written as text; the kernel takes at most " +
                     std::to_string(page - 1) + " (use fewer or larger ranges)");
    auto overlap = [](uint32_t a, uint32_t b, uint32_t size_a, uint32_t size_b) {
      return uint64_t{a} < uint64_t{b} + size_b && uint64_t{b} < uint64_t{a} + size_a;
    };
    for (size_t i = 0; i < maps.size(); ++i) {
      const IDMapping& m = maps[i];
      // Built on failure only: every create with a user namespace checks these.
      auto at = [&](size_t k) { return path + "[" + std::to_string(k) + "]"; };
      if (m.size == 0) fail(at(i) + ".size", "must be at least 1");
      if (uint64_t{m.containerID} + m.size >= kIdLimit)
        fail(at(i), "containerID + size must be at most 4294967295 (ids are 32-bit)");
      if (uint64_t{m.hostID} + m.size >= kIdLimit)
        fail(at(i), "hostID + size must be at most 4294967295 (ids are 32-bit)");
      for (size_t j = 0; j < i; ++j) {
        if (overlap(maps[j].containerID, m.containerID, maps[j].size, m.size))
          fail(at(i), "its container ids overlap those of " + at(j));
        if (overlap(maps[j].hostID, m.hostID, maps[j].size, m.size))
          fail(at(i), "its host ids overlap those of " + at(j));
      }
    }
  }

  // sethostname and setdomainname take at most 64 bytes (__NEW_UTS_LEN); a
  // longer name failed in the init as "invalid argument".
  void check_uts_name(const std::string& path, const std::optional<std::string>& name) const {
    constexpr size_t kMaxUtsName = 64;
    if (name && name->size() > kMaxUtsName)
      fail(path, "is " + std::to_string(name->size()) + " bytes long; the kernel takes at most 64");
  }

  void check_sysctls() const {
    // Only sysctls that live in a namespace of the container's may be set:
    // any other would change the host. The classification is the sysctl
    // module's, so this early check and the one in the container's init
    // cannot disagree.
    for (const auto& [key, value] : spec_.linux_->sysctl) {
      std::string path = ".linux.sysctl[" + quote_json(key) + "]";
      // The key becomes a path under /proc/sys; ".." would climb out of the namespaced subtree.
      if (key.find("..") != std::string::npos) fail(path, "invalid sysctl name");
      // Two fields for one setting, one of them overridden unseen (runc
      // refuses it too).
      if (key == "kernel.hostname" || key == "kernel/hostname")
        fail(path, "conflicts with .hostname, which sets the container's hostname; set that instead");
      auto type = sysctl_namespace(key);
      if (!type) fail(path, "not a namespaced sysctl, so setting it would change the host");
      // A joined one too, as runc (a pod's network namespace, made by
      // containerd, gets the pod's sysctls); the init refuses the one hull runs in.
      need_namespace(path, *type, true);
    }
  }

  void check_net_devices() const {
    const auto& devices = spec_.linux_->netDevices;
    if (devices.empty()) return;
    // Moving a device into the namespace the runtime runs in would do nothing
    // but could rename a host interface.
    need_namespace(".linux.netDevices", NamespaceType::Network, true);
    std::map<std::string, std::string> taken;  // name in the container -> host name
    for (const auto& [host_name, device] : devices) {
      const std::string at = member_path(".linux.netDevices", host_name);
      const char* kRule = " (1 to 15 bytes, no \"/\", \":\" or whitespace, not \".\" or \"..\")";
      if (!is_interface_name(host_name)) fail(at, "invalid interface name " + quote_json(host_name) + kRule);
      // An empty name keeps the host's, as in runc 1.3.
      const std::string& name = device.name && !device.name->empty() ? *device.name : host_name;
      if (!is_interface_name(name)) fail(at + ".name", "invalid interface name " + quote_json(name) + kRule);
      // "%d" asks the kernel for a free number, so a template never clashes.
      // The kernel takes one "%", followed by "d", and refuses other templates
      // only once the device has left the runtime's namespace.
      if (const size_t pct = name.find('%'); pct != std::string::npos) {
        if (name.compare(pct, 2, "%d") != 0 || name.find('%', pct + 1) != std::string::npos)
          fail(at + ".name", "invalid interface name template " + quote_json(name) +
                                 " (one \"%d\", which the kernel numbers, and no other \"%\")");
        continue;
      }
      auto [it, fresh] = taken.emplace(name, host_name);
      if (!fresh)
        fail(at, "moves to the same name " + quote_json(name) + " as " + member_path(".linux.netDevices", it->second));
    }
  }

  const Spec& spec_;
  const std::string& file_;
  std::array<std::optional<size_t>, kNamespaceTypeCount> ns_index_{};
};

}  // namespace

void validate_for_create(const Spec& spec, const std::string& file_name) { Checker(spec, file_name).run(); }

void validate_exec_process(const Process& process, const std::string& file_name) {
  check_process_fields(process, file_name, "");
}

}  // namespace hull::spec
