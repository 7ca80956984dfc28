#include "runtime/rootless.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace hull {

bool rootless_mode(std::string_view flag) {
  if (flag == "true") return true;
  if (flag == "false") return false;
  return ::geteuid() != 0;
}

std::string default_state_root(bool rootless) {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (rootless && xdg && *xdg) return std::string(xdg) + "/hull";
  return "/run/hull";
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
