#include "bundle.hpp"

#include <fstream>
#include <stdexcept>

#include "rootfs_template.hpp"

namespace hull::itest {

namespace fs = std::filesystem;
using nlohmann::json;

json default_config() {
  const json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", {"sh"}},
        {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
        {"cwd", "/"},
        {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", false}}},
      {"hostname", "hull-itest"},
      {"mounts",
       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
        {{"destination", "/dev"},
         {"type", "tmpfs"},
         {"source", "tmpfs"},
         {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
        {{"destination", "/dev/pts"},
         {"type", "devpts"},
         {"source", "devpts"},
         {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
        {{"destination", "/dev/shm"},
         {"type", "tmpfs"},
         {"source", "shm"},
         {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
        {{"destination", "/dev/mqueue"},
         {"type", "mqueue"},
         {"source", "mqueue"},
         {"options", {"nosuid", "noexec", "nodev"}}},
        {{"destination", "/sys"},
         {"type", "sysfs"},
         {"source", "sysfs"},
         {"options", {"nosuid", "noexec", "nodev", "ro"}}}}},
      {"linux",
       {{"namespaces",
         {{{"type", "pid"}},
          {{"type", "ipc"}},
          {{"type", "uts"}},
          {{"type", "mount"}},
          {{"type", "network"}},
          {{"type", "cgroup"}}}}}},
  };
}

Bundle::Bundle(fs::path dir) : config(default_config()), dir_(std::move(dir)) {
  // Without cgroupsPath the runtime names the cgroup after the container id, as
  // runc does; tests running in parallel reuse ids ("lc"), so each bundle gets
  // its own cgroup named after its unique directory, e.g. hull-itest.Ab12Cd-bundle.
  config["linux"]["cgroupsPath"] = dir_.parent_path().filename().string() + "-" + dir_.filename().string();
  fs::create_directory(dir_);
  make_rootfs(rootfs());
}

Bundle& Bundle::args(const std::vector<std::string>& argv) {
  config["process"]["args"] = argv;
  write();
  return *this;
}

void Bundle::write() const {
  std::ofstream f(config_path());
  f << config.dump(2) << '\n';
  if (!f.flush()) throw std::runtime_error("write " + config_path().string());
}

Bundle& Bundle::add_user_namespace(unsigned host_uid, unsigned host_gid) {
  auto map = [](unsigned host) { return nlohmann::json::array({{{"containerID", 0}, {"hostID", host}, {"size", 65536}}}); };
  config["linux"]["namespaces"].push_back({{"type", "user"}});
  config["linux"]["uidMappings"] = map(host_uid);
  config["linux"]["gidMappings"] = map(host_gid);
  return *this;
}

Bundle& Bundle::drop_mounts(std::initializer_list<std::string_view> destinations) {
  auto& mounts = config["mounts"];
  for (auto it = mounts.begin(); it != mounts.end();) {
    const std::string destination = (*it)["destination"];
    bool listed = false;
    for (std::string_view d : destinations) listed |= destination == d;
    it = listed ? mounts.erase(it) : it + 1;
  }
  return *this;
}

}  // namespace hull::itest
