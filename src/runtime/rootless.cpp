#include "runtime/rootless.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "base/error.hpp"

namespace hull {

bool rootless_mode(std::string_view flag, unsigned euid, bool initial_user_namespace) {
  if (flag == "true") return true;
  if (flag == "false") return false;
  return euid != 0 || !initial_user_namespace;
}

bool rootless_mode(std::string_view flag) {
  if (flag == "true" || flag == "false") return flag == "true";
  const unsigned euid = ::geteuid();
  return rootless_mode(flag, euid, euid != 0 || in_initial_user_namespace());
}

std::string default_state_root(unsigned euid, bool initial_user_namespace, const char* xdg_runtime_dir,
                               const char* user) {
  if (!xdg_runtime_dir || !*xdg_runtime_dir) return "/run/hull";
  if (euid == 0 && (initial_user_namespace || (user && std::string_view(user) == "root"))) return "/run/hull";
  return std::string(xdg_runtime_dir) + "/hull";
}

std::string default_state_root() {
  const unsigned euid = ::geteuid();
  // The namespace is asked only of a root caller with an XDG_RUNTIME_DIR.
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  const bool initial = euid == 0 && xdg && *xdg && in_initial_user_namespace();
  return default_state_root(euid, initial, xdg, std::getenv("USER"));
}

void require_a_user_namespace(const spec::Spec& spec, const std::string& config_path) {
  if (::geteuid() == 0 || spec::lists_namespace(spec, spec::NamespaceType::User)) return;
  throw Error(config_path + ": .linux.namespaces: an ordinary user (uid " + std::to_string(::geteuid()) +
              ") can run a container only in a user namespace: add {\"type\": \"user\"} with uidMappings and "
              "gidMappings (`hull spec --rootless` writes such a config)");
}

void make_cgroup_mounts_readonly_without_cgroupns(spec::Spec& spec) {
  if (spec::lists_namespace(spec, spec::NamespaceType::Cgroup)) return;
  auto has = [](const spec::Mount& m, const char* option) {
    return std::find(m.options.begin(), m.options.end(), option) != m.options.end();
  };
  for (spec::Mount& m : spec.mounts) {
    if (m.type == "cgroup" || m.type == "cgroup2") {
      std::erase(m.options, "rw");
      if (!has(m, "ro")) m.options.push_back("ro");
    } else if (m.source == "/sys" && has(m, "rbind") && has(m, "ro") && !has(m, "rro")) {
      // `hull spec --rootless` binds the host's /sys: "ro" is for its top
      // mount only, the cgroup tree below it must be read-only too.
      m.options.push_back("rro");
    }
  }
}

}  // namespace hull
