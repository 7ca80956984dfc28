#include "runtime/paths_below_the_rootfs.hpp"

#include <cstddef>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/fs.hpp"
#include "rootfs/bind_trees.hpp"
#include "rootfs/safe_path.hpp"
#include "runtime/container_setup.hpp"

namespace hull {

void read_destinations_below_the_rootfs(spec::Spec& spec, std::string& config_text, const std::string& bundle) {
  if (!spec.root) return;
  const std::string& path = spec.root->path;
  const std::string rootfs = path_in_bundle(path, bundle);
  // A path below the rootfs holds each of its components, the last one
  // too: the common destination ("/proc", "/dev/shm") is ruled out by a
  // search, without splitting it into components.
  const std::vector<std::string> root = rootfs::split_path(rootfs);
  if (root.empty()) return;
  std::vector<size_t> rewritten;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    std::string& dest = spec.mounts[i].destination;
    if (root.back() != ".." && dest.find(root.back()) == std::string::npos) continue;
    if (std::optional<std::string> inside = rootfs::path_below(rootfs, dest)) {
      dest = std::move(*inside);
      rewritten.push_back(i);
    }
  }
  if (rewritten.empty()) return;
  nlohmann::json config = nlohmann::json::parse(config_text);
  for (size_t i : rewritten) config["mounts"][i]["destination"] = spec.mounts[i].destination;
  config_text = config.dump();  // compact, as update rewrites it: saved, it must stay within its cap
  check_saved_config_fits(config_text, bundle + "/config.json");
}

void read_sources_below_the_rootfs(spec::Spec& spec, const std::string& bundle, const std::string& rootfs) {
  if (!spec.root) return;
  const std::string& path = spec.root->path;
  const std::string written = path_in_bundle(path, bundle);
  if (rootfs::clean_path(written) == rootfs) return;  // no symlink on the way: the sources are read as written
  for (spec::Mount& m : spec.mounts) {
    if (!m.source || m.source->empty() || !rootfs::is_bind(m)) continue;
    const std::string source = path_in_bundle(*m.source, bundle);
    std::optional<std::string> inside = rootfs::path_below(written, source);
    if (inside && !rootfs::path_below(rootfs, source)) m.source = rootfs + *inside;
  }
}

}  // namespace hull
