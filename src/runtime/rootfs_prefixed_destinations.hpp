#pragma once
// A mount destination written with the rootfs path in front
// ("/bundles/web/rootfs/data") names the container's "/data", as runc reads
// it (since 1.2 for every mount, libcontainer's LexicallyStripRoot; before,
// for the mount but not the mount point it made). Read once, at create:
// the spec then holds the container's path, and so does the config saved
// for later commands (exec, checkpoint, verify), which never see the prefix.
#include <cstddef>
#include <string>
#include <vector>

#include "spec/spec.hpp"

namespace hull {

// Rewrites each of spec.mounts' destinations that lies lexically at or below
// `rootfs` (root.path as the config gives it, made absolute from the
// bundle) as the container's path. Returns the indices it rewrote.
std::vector<size_t> strip_rootfs_from_destinations(spec::Spec& spec, const std::string& rootfs);

// config.json's text with the destinations of those mounts as the spec now
// has them (the JSON rewritten, keys sorted, as update rewrites it).
std::string with_destinations_of(const std::string& config_text, const spec::Spec& spec,
                                 const std::vector<size_t>& rewritten);

}  // namespace hull
