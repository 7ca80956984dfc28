#pragma once
// Device nodes and the /dev symlinks of a container.
#include <vector>

#include "spec/spec.hpp"

namespace hull::rootfs {

// The devices the runtime spec requires in every container (config-linux.md,
// "Default Devices"): /dev/null, zero, full, random, urandom, tty.
std::vector<spec::Device> default_devices();

// Creates each device inside the rootfs (missing parent directories too) with
// mknod, type, numbers, mode and owner as given. Where mknod is not allowed
// (a user namespace) the host node of the same path is bind-mounted instead,
// after checking it is the same type and numbers. An existing node of the
// same type and numbers is kept; anything else at the path is replaced.
void create_devices(int rootfd, const std::vector<spec::Device>& devices);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/core (when the host has
// /proc/kcore) and /dev/ptmx -> pts/ptmx. Existing entries are kept, except
// /dev/ptmx, which must lead to the container's devpts instance.
void create_dev_links(int rootfd);

}  // namespace hull::rootfs
