#pragma once
// What a create reads and opens before it makes anything (create.cpp): a
// bad bundle, config or path fails here and leaves nothing behind.
#include <cstddef>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "namespaces/namespaces.hpp"
#include "rootfs/bind_trees.hpp"
#include "runtime/idmapped_mounts.hpp"
#include "runtime/launch_plan.hpp"
#include "runtime/launcher.hpp"
#include "runtime/operations.hpp"
#include "spec/spec.hpp"

namespace hull {

// The bundle directory as given (`--bundle=`: the current one, as runc reads
// it), and root.path in it, both made absolute and real.
std::string resolve_bundle(const std::string& given);
std::string resolve_rootfs(const spec::Spec& spec, const std::string& bundle);

// An overlay over the rootfs (--overlay-rootfs, --overlay-dir, or the
// annotation org.hull.overlay-rootfs).
struct OverlayChoice {
  bool enabled = false;
  std::string dir;  // "" = the state dir
};

// The bundle's config, parsed, completed with what the runtime adds (the
// notify socket's mount, the listen fds' env) and validated.
struct BundleConfig {
  std::string bundle;  // absolute
  std::string config_path;
  std::string config_text;  // saved as read: exec, update and delete use it
  spec::Spec spec;
  size_t config_mounts = 0;  // the config's own mounts, before those added
  std::string rootfs;        // absolute
  OverlayChoice overlay;
};
BundleConfig read_bundle_config(const GlobalOptions& g, const CreateOptions& o);

// What the init is handed, opened in the runtime's namespaces, where host
// paths resolve: the namespaces it joins, the bind trees, the id-mapped
// rootfs, its console's end and the seccomp agent's socket.
struct InitInputs {
  ns::NamespacePlan namespaces;
  rootfs::BindTrees bind_trees;
  std::vector<size_t> idmap_after_maps;  // idmap_before_clone's
  IdmappedRootfs rootfs_tree;
  ConsoleEnds console;
  UniqueFd seccomp_agent;
  // Once the init holds its copies (it is placed): ours close.
  // console.receiver, a terminal proxy's end, is the caller's.
  void close_handed_to_init();
};
InitInputs open_init_inputs(const BundleConfig& config, const CreateOptions& o, bool unprivileged,
                            ConsoleWiring console, const rootfs::BindTreeRules& bind_rules);

}  // namespace hull
