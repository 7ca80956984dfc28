// Which mounts wait for the container's network namespace: the init enters
// a namespace its thread made before the first of them (rootfs/mounts.hpp).
#include <gtest/gtest.h>

#include "rootfs/mounts.hpp"

namespace hull::rootfs {
namespace {

spec::Mount mount_of(const char* type, std::vector<std::string> options = {}) {
  spec::Mount m;
  m.destination = "/mnt";
  m.type = type;
  m.options = std::move(options);
  return m;
}

TEST(MountTakesNetworkNamespace, SysfsAndNetworkFilesystemsDo) {
  for (const char* type : {"sysfs", "nfs", "nfs4", "cifs", "smb3", "9p", "ceph"})
    EXPECT_TRUE(mount_takes_network_namespace(mount_of(type))) << type;
}

TEST(MountTakesNetworkNamespace, FilesystemsWithoutNetworkStateDoNot) {
  for (const char* type : {"proc", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2", "overlay", "ramfs", "devtmpfs"})
    EXPECT_FALSE(mount_takes_network_namespace(mount_of(type))) << type;
}

TEST(MountTakesNetworkNamespace, BindsDoNotWhateverTheirType) {
  EXPECT_FALSE(mount_takes_network_namespace(mount_of("bind")));
  EXPECT_FALSE(mount_takes_network_namespace(mount_of("none", {"rbind", "ro"})));
  EXPECT_FALSE(mount_takes_network_namespace(mount_of("", {"bind"})));
  // A bind of a sysfs mount shows the devices of the namespace that mounted it.
  EXPECT_FALSE(mount_takes_network_namespace(mount_of("sysfs", {"rbind"})));
}

TEST(MountTakesNetworkNamespace, ATypeNotKnownHereIsTakenTo) {
  EXPECT_TRUE(mount_takes_network_namespace(mount_of("hugetlbfs")));
  EXPECT_TRUE(mount_takes_network_namespace(mount_of("somefs", {"ro"})));
}

}  // namespace
}  // namespace hull::rootfs
