#include "rootfs/bind_trees.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>

#include "base/error.hpp"
#include "base/fd_limit.hpp"
#include "base/fs.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

namespace {

// m's options, with type "bind" read as the option "bind", as mount(8) does.
MountOptions options_of(const spec::Mount& m) {
  MountOptions o = parse_mount_options(m.options);
  if (m.type == "bind") o.flags |= MS_BIND;
  return o;
}

}  // namespace

bool is_idmapped(const spec::Mount& m, const MountOptions& o) {
  return o.idmap || !m.uidMappings.empty() || !m.gidMappings.empty();
}

bool is_idmapped(const spec::Mount& m) { return is_idmapped(m, parse_mount_options(m.options)); }

bool is_idmapped_bind(const spec::Mount& m) {
  const bool may_ask = !m.uidMappings.empty() || !m.gidMappings.empty() ||
                       std::any_of(m.options.begin(), m.options.end(),
                                   [](const std::string& o) { return o.find("idmap") != std::string::npos; });
  if (!may_ask) return false;
  MountOptions o = options_of(m);
  return o.bind() && !(o.flags & MS_REMOUNT) && is_idmapped(m, o);
}

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
                          const BindTreeRules& rules) {
  BindTrees out;
  UniqueFd rootfd;
  size_t held = 0;
  const bool share_with_host = binds_share_with_host(spec);
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const spec::Mount& m = spec.mounts[i];
    MountOptions o = options_of(m);
    if (o.flags & MS_REMOUNT) continue;  // changes a mount made before it: nothing to open
    if (!o.bind()) {
      if (is_idmapped(m, o))
        throw Error("id-mapped mount .mounts[" + std::to_string(i) +
                    "]: must be a bind mount (type \"bind\" or option \"bind\"/\"rbind\")");
      continue;
    }
    const bool idmapped = is_idmapped(m, o);
    if (rules.unprivileged && idmapped)
      throw Error("id-mapped mount .mounts[" + std::to_string(i) + "]: " + kIdmapNeedsHostRoot);
    if (rules.unprivileged) continue;
    // A source below the rootfs is the init's to clone, in its rootfs mount,
    // after the mounts before it (mounts.hpp), but for an id-mapped one below
    // an id-mapped rootfs. In a user namespace so is every other: the init
    // clones it from its own, locked copy of the host's mounts (and sends an
    // id-mapped one to be mapped, init_sends_trees_to_idmap).
    if (rules.user_namespace ? !(rules.rootfs_idmapped && idmapped) : !(share_with_host || idmapped)) continue;
    const std::string source = path_in_bundle(m.source.value_or(""), bundle);
    const std::optional<std::string> inside = path_below(rootfs, source);
    if (rules.user_namespace ? !inside : inside.has_value()) continue;
    std::string what = describe_mount(source, m.destination, "", o.flags, o.data_string());
    if (source.empty()) throw Error(what + ": a bind mount needs a source");
    out.trees.resize(spec.mounts.size());
    // Held until the init has them (over a thousand Kubernetes
    // Bidirectional volumes, under rshared, went past systemd's soft limit
    // of 1024; runc raises its own): the init puts the limit back once its
    // rootfs is set up (base/fd_limit.hpp).
    raise_fd_limit_holding(++held);
    if (inside) {
      if (!rootfd) rootfd = open_fd(rootfs, O_PATH | O_DIRECTORY);
      out.trees[i] = clone_mount_in_root(rootfd.get(), *inside, o.recursive_bind(), what);
    } else {
      out.trees[i] = clone_mount(AT_FDCWD, source, o.recursive_bind(), what);
    }
  }
  return out;
}

bool is_bind(const spec::Mount& m) { return options_of(m).bind(); }

std::string mount_name(const spec::Mount& m, size_t index, size_t config_mounts) {
  return index < config_mounts ? ".mounts[" + std::to_string(index) + "]"
                               : "the mount hull adds on " + quote(m.destination) + " for NOTIFY_SOCKET";
}

namespace {

// The source of a bind the init clones itself and may ask the runtime to
// open (bind_trees.hpp), or nullopt for any other mount.
std::optional<std::string> source_init_may_ask_for(const spec::Mount& m, const std::string& bundle) {
  MountOptions o = options_of(m);
  if (!o.bind() || (o.flags & MS_REMOUNT)) return std::nullopt;
  std::string source = path_in_bundle(m.source.value_or(""), bundle);
  if (source.empty()) return std::nullopt;
  return source;
}

}  // namespace

bool init_may_ask_for_sources(const spec::Spec& spec, const std::string& bundle, const BindTreeRules& rules) {
  if (!rules.user_namespace) return false;
  return std::any_of(spec.mounts.begin(), spec.mounts.end(),
                     [&](const spec::Mount& m) { return source_init_may_ask_for(m, bundle).has_value(); });
}

UniqueFd open_source_for_init(const BindSourceQuestion& q, const std::function<UniqueFd()>& open_init_root,
                              const spec::Spec& spec, const std::string& bundle, const std::string& rootfs,
                              size_t config_mounts) {
  size_t i = 0;
  const auto [end, ec] = std::from_chars(q.index.data(), q.index.data() + q.index.size(), i);
  std::optional<std::string> source;
  if (ec == std::errc() && end == q.index.data() + q.index.size() && i < spec.mounts.size())
    source = source_init_may_ask_for(spec.mounts[i], bundle);
  // A source below the rootfs comes with the init's rootfs mount, where it
  // is read (after the mounts before it); any other with none.
  const std::optional<std::string> inside = source ? path_below(rootfs, *source) : std::nullopt;
  if (!source || (inside.has_value() != (q.init_rootfs >= 0)))
    throw Error("sync protocol: bind-source for " + quote(q.index) +
                " names no bind of the config the init clones itself, or came with the wrong fds");
  const spec::Mount& m = spec.mounts[i];
  const MountOptions o = options_of(m);
  // As the init names its mounts' errors (rootfs.cpp).
  const std::string what = "rootfs: " + mount_name(m, i, config_mounts) + ": " +
                           describe_mount(*source, m.destination, "", o.flags, o.data_string());
  const std::string unreachable = what + ": the container's root may not search the source's path";
  UniqueFd root;
  if (!inside) {
    try {
      root = open_init_root();
    } catch (const Error& e) {
      throw Error(unreachable + ", and the runtime may not open the container init's root to look for it (" +
                      e.message() +
                      "): make the path searchable by the container's root, or run hull as root (of the host, or "
                      "of a user namespace mapping the container's ids, as rootless podman does)",
                  e.code());
    }
  }
  // Its symlinks resolve below the init's root (or its rootfs), never into
  // the runtime's namespaces; a magic link cannot (a jump out of a scoped
  // lookup).
  const int fd = openat2_fd(inside ? q.init_rootfs : root.get(), inside ? inside->c_str() : source->c_str(),
                            O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd >= 0) return UniqueFd(fd);
  const int err = errno;
  if (err == ENOENT) throw Error(what + ": the source does not exist", ENOENT);
  std::string why = unreachable + ", and the runtime's openat2 of it in the init's mount namespace (the files " +
                    "as the init sees them) failed too";
  if (err == ELOOP || err == EXDEV)
    why += ": a link on the way may be a /proc magic link, which is not followed there: give the path it names";
  throw_errno(err, why);
}

bool init_sends_trees_to_idmap(const spec::Spec& spec, const std::string& bundle, const std::string& rootfs,
                               const BindTreeRules& rules) {
  if (rules.unprivileged) return false;
  return std::any_of(spec.mounts.begin(), spec.mounts.end(), [&](const spec::Mount& m) {
    if (!is_idmapped_bind(m)) return false;
    return path_below(rootfs, path_in_bundle(m.source.value_or(""), bundle)) ? !rules.rootfs_idmapped
                                                                             : rules.user_namespace;
  });
}

}  // namespace hull::rootfs
