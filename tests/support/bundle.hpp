#pragma once
// An OCI bundle for a test: <dir>/rootfs (busybox) and <dir>/config.json,
// written from a json the test may change before write().
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hull::itest {

// The base config every test starts from, close to `runc spec`: new pid, ipc,
// uts, mount, network and cgroup namespaces; proc, /dev tmpfs, devpts, shm,
// mqueue and a read-only sysfs; hostname "hull-itest"; root uid 0; rootfs
// writable (tests write to /tmp); args `sh`. Bundle adds a unique cgroupsPath.
nlohmann::json default_config();

class Bundle {
 public:
  // Creates dir (must not exist) with a fresh rootfs; config = default_config().
  explicit Bundle(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path rootfs() const { return dir_ / "rootfs"; }
  std::filesystem::path config_path() const { return dir_ / "config.json"; }

  // Sets process.args and writes config.json.
  Bundle& args(const std::vector<std::string>& argv);
  // Writes config.json from `config`.
  void write() const;
  // A new user namespace mapping the container's ids 0-65535 to host_uid and
  // host_gid onwards (not yet written).
  Bundle& add_user_namespace(unsigned host_uid = 100000, unsigned host_gid = 100000);
  // Removes the config's mounts on these destinations (not yet written).
  Bundle& drop_mounts(std::initializer_list<std::string_view> destinations);

  nlohmann::json config;

 private:
  std::filesystem::path dir_;
};

}  // namespace hull::itest
