#include "runtime/rootfs_prefixed_destinations.hpp"

#include <nlohmann/json.hpp>

#include "rootfs/safe_path.hpp"

namespace hull {

std::vector<size_t> strip_rootfs_from_destinations(spec::Spec& spec, const std::string& rootfs) {
  std::vector<size_t> rewritten;
  // A path below the rootfs holds each of its components, the last one
  // too: the common destination ("/proc", "/dev/shm") is ruled out by a
  // search, without splitting it into components.
  const std::vector<std::string> root = rootfs::split_path(rootfs);
  if (root.empty()) return rewritten;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    std::string& dest = spec.mounts[i].destination;
    if (root.back() != ".." && dest.find(root.back()) == std::string::npos) continue;
    if (std::optional<std::string> inside = rootfs::path_below(rootfs, dest)) {
      dest = std::move(*inside);
      rewritten.push_back(i);
    }
  }
  return rewritten;
}

std::string with_destinations_of(const std::string& config_text, const spec::Spec& spec,
                                 const std::vector<size_t>& rewritten) {
  nlohmann::json config = nlohmann::json::parse(config_text);
  for (size_t i : rewritten) config["mounts"][i]["destination"] = spec.mounts[i].destination;
  return config.dump(2);
}

}  // namespace hull
