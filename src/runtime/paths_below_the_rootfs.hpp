#pragma once
// Paths of config.json written below root.path, read as the container's:
// mount destinations, and bind sources where root.path is a symlink.
//
// A mount destination written with the rootfs path in front
// ("/bundles/web/rootfs/data") names the container's "/data", as runc reads
// it (since 1.2 for every mount, libcontainer's LexicallyStripRoot; before,
// for the mount but not the mount point it made). Read once, as the bundle's
// config is read (create, restore): the spec then holds the container's
// path, and so does the config saved for later commands (exec, checkpoint,
// verify), which never see the prefix.
#include <string>

#include "spec/spec.hpp"

namespace hull {

// Rewrites each of spec.mounts' destinations that lies lexically at or below
// the rootfs (root.path, made absolute from `bundle`) as the container's
// path, in the spec and in `config_text`, config.json's text (its JSON
// rewritten, keys sorted as update writes them, only when a destination
// was; then refused if it outgrew a state file).
void read_destinations_below_the_rootfs(spec::Spec& spec, std::string& config_text, const std::string& bundle);

// A bind source written below root.path as the config names it
// ("rootfs/data" from the bundle, or absolute) is the image's: read inside
// the rootfs (rootfs/bind_trees.hpp), so that the image's symlinks never
// lead to a host path. Where root.path reaches `rootfs`, its real path,
// through a symlink, such a source is rewritten, in the spec only, as the
// same path below `rootfs`; otherwise it would be read from the host's "/"
// through the image's symlinks (found by review).
void read_sources_below_the_rootfs(spec::Spec& spec, const std::string& bundle, const std::string& rootfs);

}  // namespace hull
