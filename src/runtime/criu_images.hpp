#pragma once
// What checkpoint and restore both need around CRIU's images: the image and
// work directories, the container's cgroup paths as CRIU names them, and the
// stdio record (descriptors.json, runc's file) kept beside the images.
#include <string>
#include <utility>
#include <vector>

#include "cgroups/cgroup_manager.hpp"
#include "runtime/criu_args.hpp"
#include "runtime/operations.hpp"
#include "spec/spec.hpp"

namespace hull {

// The image path made absolute (default: ./checkpoint, as runc's), the work
// path too. With `create`, both are made (0700) when missing.
void resolve_criu_dirs(CriuOptions& o, bool create);
// CRIU's work directory: the work path, else the configuration file's
// work-dir where it sets one (relative: from hull's working directory, as
// CRIU takes it), else the image path.
std::string criu_work_dir(const CriuOptions& o, const std::string& configured_work_dir = "");
// Where CRIU writes its log: log_name, or the configuration file's log-file
// where it sets one (relative: as CRIU takes it, from the work directory),
// in criu_work_dir.
std::string criu_log_path(const CriuOptions& o, const char* log_name, const std::string& configured = "",
                          const std::string& configured_work_dir = "");

// The cgroup directory CRIU freezes the container with: the v1 freezer
// hierarchy's when there is one, else the v2 cgroup.
std::string freezer_cgroup(const cgroups::Paths& paths);
// The container's cgroups as --cgroup-root values ("/a/b" for v2,
// "cpu,cpuacct:/a/b" for v1), relative to their mounts.
std::vector<std::string> criu_cgroup_roots(const cgroups::Paths& paths, const cgroups::Host& host);

// The container's cgroups as a /proc/<pid>/cgroup text would name them.
std::string cgroup_membership(const cgroups::Paths& paths, const cgroups::Host& host);

// Without a cgroup namespace a cgroup mount is made of binds of the
// container's own cgroup directories, which CRIU cannot dump as mounts (it
// finds no mount of their hierarchy's root in the container): external
// mounts, keyed by their mount point in the container. On a dump each is
// its own cookie; on a restore (`restore`) each cookie is given the
// container's directory there, the one create would have bound. None with
// a cgroup namespace: its cgroup mounts are the kernel's, which CRIU dumps.
std::vector<ExternalMount> cgroup_external_mounts(const spec::Spec& spec, const cgroups::Paths& paths, bool restore);

// The file beside the images recording what fds 0-2 of the init were
// ("pipe:[123]", "/dev/null", ...), as runc writes it.
inline constexpr const char* kDescriptorsFile = "descriptors.json";
std::string descriptors_json(const std::vector<std::string>& fds);
// The fds of a restore that CRIU must hand over as the pipes the init had:
// index -> "pipe:[ino]" for each pipe in the record. `what` names the file.
std::vector<std::pair<int, std::string>> inherited_pipes(const std::string& json_text, const std::string& what);

}  // namespace hull
