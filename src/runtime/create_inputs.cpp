#include "runtime/create_inputs.hpp"

#include <climits>
#include <cstdlib>
#include <utility>

#include "base/error.hpp"
#include "base/fd_limit.hpp"
#include "base/fs.hpp"
#include "runtime/paths_below_the_rootfs.hpp"
#include "runtime/rootless.hpp"
#include "runtime/state_file.hpp"
#include "runtime/systemd_passthrough.hpp"
#include "runtime/unix_socket.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/validate.hpp"

namespace hull {

namespace {

std::string absolute_dir(const std::string& path, const std::string& what) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) throw_errno(what + " " + path);
  return buf;
}

constexpr const char* kOverlayAnnotation = "org.hull.overlay-rootfs";

// The flag wins over the annotation; clients that cannot add flags (CRI)
// pass the annotation.
OverlayChoice overlay_choice(const CreateOptions& o, const spec::Spec& spec) {
  OverlayChoice c{o.overlay_rootfs, o.overlay_dir};
  if (!o.overlay_dir.empty()) c.enabled = true;
  auto a = spec.annotations.find(kOverlayAnnotation);
  if (!c.enabled && a != spec.annotations.end()) {
    if (a->second == "true") {
      c.enabled = true;
    } else if (a->second.starts_with('/')) {
      c.enabled = true;
      c.dir = a->second;
    } else if (a->second != "false") {
      throw Error(std::string("annotation ") + kOverlayAnnotation +
                  ": expected \"true\", \"false\" or an absolute directory, got " + quote(a->second));
    }
  }
  if (!c.dir.empty() && !c.dir.starts_with('/')) c.dir = absolute_dir(c.dir, "--overlay-dir");
  return c;
}

}  // namespace

std::string resolve_bundle(const std::string& given) { return absolute_dir(given.empty() ? "." : given, "bundle"); }

std::string resolve_rootfs(const spec::Spec& spec, const std::string& bundle) {
  const std::string& p = spec.root->path;
  return absolute_dir(path_in_bundle(p, bundle), "rootfs");
}

BundleConfig read_bundle_config(const GlobalOptions& g, const CreateOptions& o) {
  std::string bundle = resolve_bundle(o.bundle);
  std::string config_path = bundle + "/config.json";
  std::string config_text = read_file(config_path, spec::kMaxConfigSize);
  static_assert(spec::kMaxConfigSize <= kMaxStateFileSize, "a config read here must be readable once saved");
  spec::Spec spec = spec::parse_config(config_text, config_path);
  // Before validation, which then judges the container's paths.
  read_destinations_below_the_rootfs(spec, config_text, bundle);
  // Before validation: the mount and env they add are checked like the config's.
  const size_t config_mounts = spec.mounts.size();
  if (!o.notify_socket.empty()) pass_notify_socket(spec, o.notify_socket);
  pass_listen_fds(spec, o.listen_fds, o.listen_fdnames);
  spec::validate_for_create(spec, config_path);
  if (g.rootless || g.unprivileged) {
    require_a_user_namespace(spec, config_path);
    make_cgroup_mounts_readonly_without_cgroupns(spec);
  }
  std::string rootfs = resolve_rootfs(spec, bundle);
  read_sources_below_the_rootfs(spec, bundle, rootfs);
  OverlayChoice overlay = overlay_choice(o, spec);
  // Moved in, not assigned: a Spec's move assignment is code the runtime
  // has no other use for.
  return BundleConfig{std::move(bundle),  std::move(config_path), std::move(config_text), std::move(spec),
                      config_mounts,      std::move(rootfs),      std::move(overlay)};
}

InitInputs open_init_inputs(const BundleConfig& config, const CreateOptions& o, bool unprivileged,
                            ConsoleWiring console, const rootfs::BindTreeRules& bind_rules) {
  const spec::Spec& spec = config.spec;
  InitInputs in;
  in.namespaces = ns::plan_namespaces(spec.linux_->namespaces);
  in.bind_trees = rootfs::open_bind_trees(spec, config.bundle, config.rootfs, bind_rules);
  in.idmap_after_maps = idmap_before_clone(spec, in.namespaces, in.bind_trees);
  in.rootfs_tree = open_idmapped_rootfs(spec, config.rootfs, in.namespaces, unprivileged, config.overlay.enabled);
  in.console = open_console(console, path_in_bundle(o.console_socket, config.bundle));
  // Connected only for a filter that hands syscalls to the agent: the spec
  // sends the state "when the SCMP_ACT_NOTIFY action is used".
  if (spec.linux_->seccomp && spec.linux_->seccomp->listenerPath && seccomp::uses_notify(*spec.linux_->seccomp))
    in.seccomp_agent =
        connect_unix(path_in_bundle(*spec.linux_->seccomp->listenerPath, config.bundle), "linux.seccomp.listenerPath");
  return in;
}

void InitInputs::close_handed_to_init() {
  console.child.reset();
  seccomp_agent.reset();
  bind_trees = {};
  rootfs_tree.tree.reset();
  // Raised where many bind trees were held (rootfs/bind_trees.hpp).
  restore_fd_limit();
}

}  // namespace hull
