#include "runtime/criu_args.hpp"

#include <unistd.h>

#include <algorithm>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/text.hpp"
#include "rootfs/bind_trees.hpp"
#include "rootfs/devices.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"

namespace hull {

namespace {

bool is_bind_mount(const spec::Mount& m) {
  return m.type.value_or("") == "bind" || rootfs::parse_mount_options(m.options).bind();
}

// CRIU keys mounts by their path inside the container, cleaned as the
// kernel reports it in mountinfo ("/data/", "/data/../data" -> "/data").
std::string mount_key(const std::string& destination) { return rootfs::clean_path("/" + destination); }

// The masked files all show the host's /dev/null: one cookie for them all.
constexpr const char* kDevNull = "/dev/null";
// The cookie of a terminal container's /dev/console.
constexpr const char* kConsoleCookie = "console";
constexpr const char* kConsole = "/dev/console";

std::vector<std::string> device_paths(const spec::Spec& spec) {
  return rootfs::device_node_paths(spec.linux_ ? spec.linux_->devices : std::vector<spec::Device>{});
}

void add_flag(std::vector<std::string>& a, bool on, const char* flag) {
  if (on) a.emplace_back(flag);
}

void add_external_mounts(std::vector<std::string>& a, const std::vector<ExternalMount>& mounts) {
  for (const ExternalMount& m : mounts) {
    a.emplace_back("--external");
    a.push_back("mnt[" + m.key + "]:" + m.value);
  }
}

// What dump and restore spell the same way.
void add_common(std::vector<std::string>& a, const CriuOptions& o, const char* log, const CriuConfigFile& config) {
  a.emplace_back("--no-default-config");
  if (!config.path.empty()) a.insert(a.end(), {"--config", config.path});
  a.insert(a.end(), {"--images-dir", o.image_path});
  if (config.log_file.empty()) a.insert(a.end(), {"--log-file", log});
  if (!config.verbosity) a.emplace_back("-v4");
  if (!o.work_path.empty()) a.insert(a.end(), {"--work-dir", o.work_path});
  add_flag(a, o.tcp_established, "--tcp-established");
  add_flag(a, o.ext_unix_sk, "--ext-unix-sk");
  add_flag(a, o.shell_job, "--shell-job");
  add_flag(a, o.file_locks, "--file-locks");
  add_flag(a, o.auto_dedup, "--auto-dedup");
  add_flag(a, o.lazy_pages, "--lazy-pages");
  for (const std::string& ns : o.empty_ns) a.insert(a.end(), {"--empty-ns", criu_empty_ns(ns)});
}

}  // namespace

CriuConfigFile criu_config_file(const spec::Spec& spec) {
  auto annotation = spec.annotations.find("org.criu.config");
  const std::string file = annotation != spec.annotations.end() ? annotation->second : "/etc/criu/runc.conf";
  if (file.empty() || ::access(file.c_str(), F_OK) < 0) return {};
  return parse_criu_config(file, read_file(file));
}

CriuConfigFile parse_criu_config(const std::string& path, std::string_view text) {
  CriuConfigFile c{path, {}, {}, false};
  for (std::string_view rest = text; !rest.empty();) {
    std::string_view line = next_line(rest);
    line = line.substr(0, line.find('#'));
    std::string_view key = next_word(line);
    std::string_view value;
    if (const size_t eq = key.find('='); eq != std::string_view::npos) {
      value = key.substr(eq + 1);  // taken as it stands, quotes too (CRIU 3.17)
      key = key.substr(0, eq);
    } else {
      value = next_word(line);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    }
    if (key == "log-file") c.log_file = value;
    if (key == "work-dir") c.work_dir = value;
    if (key == "verbosity") c.verbosity = true;
  }
  return c;
}

std::string criu_cgroups_mode(const std::string& mode) {
  if (mode.empty()) return "soft";
  if (mode == "soft" || mode == "full" || mode == "strict" || mode == "ignore") return mode;
  throw Error("invalid --manage-cgroups-mode " + quote(mode) + ": expected soft, full, strict or ignore");
}

std::string criu_empty_ns(const std::string& name) {
  if (name == "network" || name == "net") return "net";
  throw Error("invalid --empty-ns " + quote(name) + ": CRIU can leave only the network namespace empty");
}

std::string criu_namespace_key(spec::NamespaceType t) {
  if (t == spec::NamespaceType::Network) return "extRootNetNS";
  if (t == spec::NamespaceType::Pid) return "extRootPidNS";
  return "";
}

std::string criu_external_namespace(spec::NamespaceType t, ino_t inode) {
  const char* name = t == spec::NamespaceType::Network ? "net" : "pid";
  return std::string(name) + "[" + std::to_string(inode) + "]:" + criu_namespace_key(t);
}

std::string criu_join_namespace(spec::NamespaceType t, const std::string& where) {
  switch (t) {
    case spec::NamespaceType::Network: return "net";
    case spec::NamespaceType::Pid: return "pid";
    case spec::NamespaceType::Ipc: return "ipc";
    case spec::NamespaceType::Uts: return "uts";
    case spec::NamespaceType::User: return "user";
    case spec::NamespaceType::Mount: return "mnt";
    case spec::NamespaceType::Cgroup:
    case spec::NamespaceType::Time: break;
  }
  throw Error(where + ": CRIU cannot restore a process into a " + spec::to_string(t) + " namespace joined by path");
}

bool criu_terminal(const spec::Spec& spec) { return spec.process && spec.process->terminal; }

std::vector<ExternalMount> dump_external_mounts(const spec::Spec& spec, const std::vector<std::string>& masked_files) {
  std::vector<ExternalMount> out;
  for (const spec::Mount& m : spec.mounts) {
    if (!is_bind_mount(m)) continue;
    std::string key = mount_key(m.destination);
    out.push_back({key, key});
  }
  for (const std::string& path : masked_files) out.push_back({mount_key(path), kDevNull});
  if (criu_terminal(spec)) out.push_back({kConsole, kConsoleCookie});
  // In a user namespace each device is the host's node bound there (as
  // runc, every device is listed: one that was made with mknod is no mount,
  // and CRIU leaves its entry unused). Its cookie is its path.
  for (const std::string& path : device_paths(spec)) out.push_back({path, path});
  return out;
}

std::vector<ExternalMount> restore_external_mounts(const spec::Spec& spec, const std::string& bundle,
                                                   const std::string& console) {
  std::vector<ExternalMount> out;
  for (const spec::Mount& m : spec.mounts) {
    if (!is_bind_mount(m)) continue;
    out.push_back({mount_key(m.destination), path_in_bundle(m.source.value_or(""), bundle)});
  }
  if (spec.linux_ && !spec.linux_->maskedPaths.empty()) out.push_back({kDevNull, kDevNull});
  if (criu_terminal(spec)) {
    if (console.empty()) throw Error("restore a terminal container: no pty for its /dev/console");
    out.push_back({kConsoleCookie, console});
  }
  // The host's node of each device's path (masked files share /dev/null's).
  for (const std::string& path : device_paths(spec))
    if (std::find(out.begin(), out.end(), ExternalMount{path, path}) == out.end()) out.push_back({path, path});
  return out;
}

std::pair<std::string, std::string> page_server_address(const std::string& text) {
  // As runc reads it (Go's net.SplitHostPort, then a number): HOST:PORT, an
  // IPv6 address in brackets ([::1]:1234).
  auto bad = [&](const char* why) {
    return Error("invalid --page-server " + quote(text) + ": " + why + " (expected ADDRESS:PORT, [IPV6]:PORT)");
  };
  std::string host, port;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') throw bad("no port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.find(':');
    if (colon == std::string::npos) throw bad("no port");
    if (text.find(':', colon + 1) != std::string::npos) throw bad("too many colons");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) throw bad("no address");
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    throw bad("the port is not a number from 0 to 65535");
  return {host, port};
}

std::vector<std::string> criu_dump_args(const CheckpointOptions& o, const DumpTarget& t) {
  std::vector<std::string> a{o.pre_dump ? "pre-dump" : "dump", "--tree", std::to_string(t.pid)};
  add_common(a, o.criu, kDumpLog, t.config);
  a.insert(a.end(), {"--root", t.rootfs, "--manage-cgroups=" + criu_cgroups_mode(o.criu.manage_cgroups_mode)});
  if (!t.freeze_cgroup.empty()) a.insert(a.end(), {"--freeze-cgroup", t.freeze_cgroup});
  // Pre-dump tracks memory so the next dump writes only what changed;
  // a dump on top of a parent must track it too.
  if (o.pre_dump || !o.parent_path.empty()) a.emplace_back("--track-mem");
  if (!o.parent_path.empty()) a.insert(a.end(), {"--prev-images-dir", o.parent_path});
  add_flag(a, o.leave_running && !o.pre_dump, "--leave-running");
  add_flag(a, o.tcp_skip_in_flight, "--skip-in-flight");
  add_flag(a, o.link_remap, "--link-remap");
  if (!o.page_server.empty()) {
    auto [address, port] = page_server_address(o.page_server);
    // A lazy dump listens there itself; else the pages go to that server.
    if (!o.criu.lazy_pages) a.emplace_back("--page-server");
    a.insert(a.end(), {"--address", address, "--port", port});
  }
  if (o.status_fd >= 0) a.insert(a.end(), {"--status-fd", std::to_string(o.status_fd)});
  // The mounts matter only to the final dump, which saves the mount tree.
  if (!o.pre_dump) add_external_mounts(a, t.mounts);
  for (const std::string& ns : t.external_namespaces) a.insert(a.end(), {"--external", ns});
  return a;
}

std::vector<std::string> criu_restore_args(const RestoreOptions& o, const RestoreTarget& t) {
  std::vector<std::string> a{"restore"};
  add_common(a, o.criu, kRestoreLog, t.config);
  a.insert(a.end(), {"--restore-detached", "--restore-sibling", "--root", t.root, "--pidfile", t.pid_file,
                     "--manage-cgroups=" + criu_cgroups_mode(o.criu.manage_cgroups_mode)});
  for (const std::string& root : t.cgroup_roots) a.insert(a.end(), {"--cgroup-root", root});
  // Device nodes may sit at other paths on the restoring host (runc sets it too).
  a.emplace_back("--evasive-devices");
  add_external_mounts(a, t.mounts);
  for (const auto& [fd, resource] : t.inherit_fds)
    a.insert(a.end(), {"--inherit-fd", "fd[" + std::to_string(fd) + "]:" + resource});
  for (const auto& [name, path] : t.join_namespaces) a.insert(a.end(), {"--join-ns", name + ":" + path});
  if (!t.action_script.empty()) a.insert(a.end(), {"--action-script", t.action_script});
  if (!o.lsm_profile.empty()) a.insert(a.end(), {"--lsm-profile", o.lsm_profile});
  if (!o.lsm_mount_context.empty()) a.insert(a.end(), {"--lsm-mount-context", o.lsm_mount_context});
  return a;
}

}  // namespace hull
