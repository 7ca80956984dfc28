#include "rootfs/bind_trees.hpp"

#include <fcntl.h>
#include <sys/mount.h>

#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

namespace {
bool idmapped(const spec::Mount& m, const MountOptions& o) {
  return o.idmap || !m.uidMappings.empty() || !m.gidMappings.empty();
}
}  // namespace

bool is_idmapped(const spec::Mount& m) { return idmapped(m, parse_mount_options(m.options)); }

bool binds_share_with_host(const spec::Spec& spec) {
  return spec.linux_ && spec.linux_->rootfsPropagation &&
         (parse_rootfs_propagation(*spec.linux_->rootfsPropagation) & MS_SHARED) != 0;
}

std::vector<int> BindTrees::fds() const {
  std::vector<int> out;
  out.reserve(trees.size());
  for (const UniqueFd& t : trees) out.push_back(t.get());
  return out;
}

BindTrees open_bind_trees(const spec::Spec& spec, const std::string& bundle, const std::string& rootfs,
                          bool user_namespace, bool rootless) {
  BindTrees out;
  UniqueFd rootfd;
  const bool share_with_host = binds_share_with_host(spec);
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const spec::Mount& m = spec.mounts[i];
    MountOptions o = parse_mount_options(m.options);
    if (m.type == "bind") o.flags |= MS_BIND;
    if (o.flags & MS_REMOUNT) continue;  // changes a mount made before it: nothing to open
    if (!o.bind()) {
      if (idmapped(m, o))
        throw Error("id-mapped mount .mounts[" + std::to_string(i) +
                    "]: must be a bind mount (type \"bind\" or option \"bind\"/\"rbind\")");
      continue;
    }
    if (rootless && idmapped(m, o))
      throw Error("id-mapped mount .mounts[" + std::to_string(i) +
                  "]: refused in rootless mode (id-mapping host files needs root on the host)");
    if (rootless || (!user_namespace && !share_with_host && !idmapped(m, o))) continue;
    std::string source = m.source.value_or("");
    if (!source.empty() && source[0] != '/') source = bundle + "/" + source;
    std::string what = describe_mount(source, m.destination, "", o.flags, o.data_string());
    if (source.empty()) throw Error(what + ": a bind mount needs a source");
    // A source below the rootfs is the init's to clone, in its rootfs mount,
    // after the mounts before it (mounts.hpp); one to id-map is opened here,
    // as the image has it, its symlinks kept inside the rootfs.
    const std::optional<std::string> inside = path_below(rootfs, source);
    if (inside && !idmapped(m, o)) continue;
    out.trees.resize(spec.mounts.size());
    if (inside) {
      if (!rootfd) rootfd = open_fd(rootfs, O_PATH | O_DIRECTORY);
      out.trees[i] = clone_mount_in_root(rootfd.get(), *inside, o.recursive_bind(), what);
    } else {
      out.trees[i] = clone_mount(AT_FDCWD, source, o.recursive_bind(), what);
    }
  }
  return out;
}

}  // namespace hull::rootfs
