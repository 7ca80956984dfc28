#pragma once
// Bind-mount sources opened by the runtime for the init.
//
// Without a user namespace, an id-mapped mount can only be made on a tree
// the runtime detached, and a bind under a shared root must be a peer of
// the host's mount: those the runtime clones (open_tree(OPEN_TREE_CLONE))
// in its own namespaces before the init exists; the init inherits the fd at
// the clone and attaches it with move_mount; the runtime may still change
// the detached tree (MOUNT_ATTR_IDMAP) until it sends the init Continue,
// since both fds name the same mount.
//
// In a user namespace the init clones every bind from its own mount
// namespace, whose copy of the host's mounts the kernel locked (a submount
// stays on, a read-only one read-only) and made a slave of the host's (a
// shared root shares nothing back), as under runc; it sends an id-mapped
// one for the runtime to map (SyncMsg::IdmapTree). A clone the runtime made
// in its own namespaces would carry no locks. A user-namespaced init is an
// unprivileged user on the host, though: a source in a directory
// only host root may search (a 0700 volume dir, a root-only state dir; for
// a rootless runtime the user's private directories, which `podman
// --uidmap` maps away from the container's root) is out of its reach. For
// such a source the init asks the runtime (SyncMsg::BindSource), which
// opens it through the init's root, in the init's namespace, with its own
// credentials: the init clones the locked mount from that fd.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::rootfs {

struct MountOptions;

// True for a bind mount whose options or uidMappings/gidMappings ask for an
// id-mapped mount (idmap, ridmap).
bool is_idmapped(const spec::Mount& m);
bool is_idmapped(const spec::Mount& m, const MountOptions& o);
// A bind mount (not a remount) that asks to be id-mapped. Parses no options
// of a mount that cannot ask (no mappings of its own, no option naming
// idmap): nearly every mount.
bool is_idmapped_bind(const spec::Mount& m);

struct BindTrees {
  std::vector<UniqueFd> trees;  // by index in spec.mounts; empty for a mount not opened here

  // The fd for spec.mounts[i], -1 when there is none.
  int at(size_t i) const { return i < trees.size() ? trees[i].get() : -1; }
  std::vector<int> fds() const;
};

// Whether linux.rootfsPropagation asks for a shared root ("shared",
// "rshared"): then, as under runc, every bind of a container without a user
// namespace is a peer of its source's mount, so that what the container
// mounts below it reaches the host (Kubernetes' Bidirectional volumes). A
// clone the init made from its copy of the host's mounts, made rslave
// before anything else, could not be one.
bool binds_share_with_host(const spec::Spec& spec);

// Why an id-mapped mount (or rootfs) is refused to a runtime that is not
// root on the host.
inline constexpr const char* kIdmapNeedsHostRoot =
    "refused: the runtime is not root on the host, which id-mapping host files needs";

struct BindTreeRules {
  bool user_namespace = false;  // the container has one, created or joined
  // A runtime that is not root on the host may not clone mounts of its own
  // namespace: it clones nothing, and an id-mapped mount, which needs
  // privilege over the host's files, is refused.
  bool unprivileged = false;
  // The rootfs itself is id-mapped (the annotation org.hull.rootfs-idmap):
  // the init's copy of a source below it is mapped already, and a mount is
  // mapped once, so an id-mapped source there is opened here, as the image
  // has it, without the container's mounts before it.
  bool rootfs_idmapped = false;
};

// Without a user namespace, clones the source of every bind mount when
// binds share with the host (binds_share_with_host) and of every id-mapped
// one; relative sources resolve in `bundle`. A source below `rootfs` is
// left to the init, which clones it from its rootfs mount after the mounts
// before it (and sends it back to be id-mapped where asked), and in a user
// namespace every source, but for an id-mapped one below an id-mapped
// rootfs. Errors name the mount as the init's would.
BindTrees open_bind_trees(const spec::Spec& spec, const std::string& bundle, const std::string& rootfs,
                          const BindTreeRules& rules);

// Whether open_bind_trees leaves an id-mapped source to the init (below
// `rootfs`, cloned after the mounts before it; in a user namespace, any),
// which sends its tree for the runtime to id-map
// (InitPlan::runtime_serves_mounts).
bool init_sends_trees_to_idmap(const spec::Spec& spec, const std::string& bundle, const std::string& rootfs,
                               const BindTreeRules& rules);

// Whether the init, in a user namespace, may ask the runtime for a bind
// source it cannot reach (SyncMsg::BindSource, InitPlan::runtime_serves_mounts):
// any bind's, outside the rootfs or below it.
bool init_may_ask_for_sources(const spec::Spec& spec, const std::string& bundle, const BindTreeRules& rules);

// A SyncMsg::BindSource question: the mount's index in spec.mounts (its
// decimal text) and, for a source below the rootfs, the init's rootfs mount
// (the fd the message carried; -1 for any other).
struct BindSourceQuestion {
  const std::string& index;
  int init_rootfs = -1;
};

// The answer: the source of the bind the question names, opened (O_PATH)
// with the caller's credentials below the init's root directory
// (/proc/<pid>/root, which `open_init_root` opens once the question is
// found valid; the host's "/" as the init sees it before it pivots) or, for
// a source below `rootfs`, below the init's rootfs mount (the image's path,
// with the container's mounts before it). Its symlinks resolve there. The
// fd names a mount of the init's namespace: a mount of another one the
// init could not clone (open_tree: EINVAL), so it never gets an unlocked
// one this way. Errors name the mount as the init's do (`config_mounts`:
// how many of spec.mounts are config.json's).
UniqueFd open_source_for_init(const BindSourceQuestion& q, const std::function<UniqueFd()>& open_init_root,
                              const spec::Spec& spec, const std::string& bundle, const std::string& rootfs,
                              size_t config_mounts);

// A mount, as errors name it: ".mounts[2]" for config.json's (`index` below
// `config_mounts`), the runtime's own by what it is for.
std::string mount_name(const spec::Mount& m, size_t index, size_t config_mounts);

// A bind mount (type "bind", or the option "bind" or "rbind").
bool is_bind(const spec::Mount& m);

}  // namespace hull::rootfs
