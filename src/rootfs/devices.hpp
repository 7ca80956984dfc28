#pragma once
// Device nodes and the /dev symlinks of a container.
#include <string>
#include <vector>

#include "spec/spec.hpp"

namespace hull::rootfs {

// Creates each device inside the rootfs (missing parent directories too) with
// mknod, type, numbers, mode and owner as given, then the devices the runtime
// spec requires in every container (/dev/null, zero, full, random, urandom,
// tty) where `devices` lists none of that path. Where mknod is not allowed
// (a user namespace) the host node of the same path is bind-mounted instead,
// after checking it is the same type and numbers. An existing node of the
// same type and numbers is kept as it is (owner and mode too: it may be a
// host node bound in); anything else at the path is replaced.
void create_devices(int rootfd, const std::vector<spec::Device>& devices);

// The paths of the nodes create_devices makes for `devices` (not /dev/ptmx,
// a link): in a user namespace each is a bind mount of the host's node there,
// which a checkpoint names to CRIU as an external mount.
std::vector<std::string> device_node_paths(const std::vector<spec::Device>& devices);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/core (when the host has
// /proc/kcore) and /dev/ptmx -> pts/ptmx. Existing entries are kept, except
// /dev/ptmx, which must lead to the container's devpts instance.
void create_dev_links(int rootfd);

}  // namespace hull::rootfs
