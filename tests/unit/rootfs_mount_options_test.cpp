// Mount option parsing: every name of the OCI "Linux mount options" table.
#include <gtest/gtest.h>
#include <libmount/libmount.h>
#include <sys/mount.h>

#include <algorithm>

#include "base/error.hpp"
#include "rootfs/libmount_optmap.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "support/error_of.hpp"

namespace hull::rootfs {
namespace {

MountOptions parse_options(std::initializer_list<const char*> o) {
  std::vector<std::string> v(o.begin(), o.end());
  return parse_mount_options(v);
}

struct FlagCase {
  const char* name;
  unsigned long set;
  unsigned long cleared;
};

class SetsFlag : public ::testing::TestWithParam<FlagCase> {};

TEST_P(SetsFlag, SetsOrClearsTheRightMsFlag) {
  const FlagCase& c = GetParam();
  MountOptions o = parse_options({c.name});
  EXPECT_EQ(o.flags, c.set) << c.name << ": " << mount_flags_to_string(o.flags);
  EXPECT_EQ(o.cleared, c.cleared) << c.name << ": " << mount_flags_to_string(o.cleared);
  EXPECT_TRUE(o.data.empty()) << c.name;
  EXPECT_TRUE(o.propagation.empty()) << c.name;
  EXPECT_TRUE(o.recursive.empty()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    OciTable, SetsFlag,
    ::testing::Values(FlagCase{"async", 0, MS_SYNCHRONOUS}, FlagCase{"sync", MS_SYNCHRONOUS, 0},
                      FlagCase{"dirsync", MS_DIRSYNC, 0}, FlagCase{"dev", 0, MS_NODEV}, FlagCase{"nodev", MS_NODEV, 0},
                      FlagCase{"exec", 0, MS_NOEXEC}, FlagCase{"noexec", MS_NOEXEC, 0}, FlagCase{"suid", 0, MS_NOSUID},
                      FlagCase{"nosuid", MS_NOSUID, 0}, FlagCase{"ro", MS_RDONLY, 0}, FlagCase{"rw", 0, MS_RDONLY},
                      FlagCase{"mand", MS_MANDLOCK, 0}, FlagCase{"nomand", 0, MS_MANDLOCK},
                      FlagCase{"remount", MS_REMOUNT, 0}, FlagCase{"bind", MS_BIND, 0},
                      FlagCase{"rbind", MS_BIND | MS_REC, 0}, FlagCase{"atime", 0, MS_NOATIME},
                      FlagCase{"noatime", MS_NOATIME, 0}, FlagCase{"diratime", 0, MS_NODIRATIME},
                      FlagCase{"nodiratime", MS_NODIRATIME, 0}, FlagCase{"relatime", MS_RELATIME, 0},
                      FlagCase{"norelatime", 0, MS_RELATIME}, FlagCase{"strictatime", MS_STRICTATIME, 0},
                      FlagCase{"nostrictatime", 0, MS_STRICTATIME}, FlagCase{"lazytime", MS_LAZYTIME, 0},
                      FlagCase{"nolazytime", 0, MS_LAZYTIME}, FlagCase{"iversion", MS_I_VERSION, 0},
                      FlagCase{"noiversion", 0, MS_I_VERSION}, FlagCase{"nosymfollow", MS_NOSYMFOLLOW, 0}),
    [](const auto& info) { return std::string(info.param.name); });

struct PropagationCase {
  const char* name;
  unsigned long flags;
};
class Propagation : public ::testing::TestWithParam<PropagationCase> {};

TEST_P(Propagation, IsAPropagationChangeNotAFlag) {
  MountOptions o = parse_options({GetParam().name});
  ASSERT_EQ(o.propagation.size(), 1u);
  EXPECT_EQ(o.propagation[0], GetParam().flags);
  EXPECT_EQ(o.flags, 0u);
  EXPECT_EQ(parse_rootfs_propagation(GetParam().name), GetParam().flags);
}

INSTANTIATE_TEST_SUITE_P(
    OciTable, Propagation,
    ::testing::Values(PropagationCase{"private", MS_PRIVATE}, PropagationCase{"rprivate", MS_PRIVATE | MS_REC},
                      PropagationCase{"shared", MS_SHARED}, PropagationCase{"rshared", MS_SHARED | MS_REC},
                      PropagationCase{"slave", MS_SLAVE}, PropagationCase{"rslave", MS_SLAVE | MS_REC},
                      PropagationCase{"unbindable", MS_UNBINDABLE},
                      PropagationCase{"runbindable", MS_UNBINDABLE | MS_REC}),
    [](const auto& info) { return std::string(info.param.name); });

struct RecursiveCase {
  const char* name;
  uint64_t attr_set;
  uint64_t attr_clr;
};
class Recursive : public ::testing::TestWithParam<RecursiveCase> {};

TEST_P(Recursive, IsAMountSetattrWithTheRightBits) {
  MountOptions o = parse_options({GetParam().name});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_TRUE(o.data.empty());
  EXPECT_EQ(o.recursive.attr_set(), GetParam().attr_set) << mount_attrs_to_string(o.recursive.attr_set());
  EXPECT_EQ(o.recursive.attr_clr(), GetParam().attr_clr) << mount_attrs_to_string(o.recursive.attr_clr());
}

INSTANTIATE_TEST_SUITE_P(
    OciTable, Recursive,
    ::testing::Values(RecursiveCase{"rro", MOUNT_ATTR_RDONLY, 0}, RecursiveCase{"rrw", 0, MOUNT_ATTR_RDONLY},
                      RecursiveCase{"rnosuid", MOUNT_ATTR_NOSUID, 0}, RecursiveCase{"rsuid", 0, MOUNT_ATTR_NOSUID},
                      RecursiveCase{"rnodev", MOUNT_ATTR_NODEV, 0}, RecursiveCase{"rdev", 0, MOUNT_ATTR_NODEV},
                      RecursiveCase{"rnoexec", MOUNT_ATTR_NOEXEC, 0}, RecursiveCase{"rexec", 0, MOUNT_ATTR_NOEXEC},
                      RecursiveCase{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
                      RecursiveCase{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
                      RecursiveCase{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      RecursiveCase{"rnorelatime", 0, 0}, RecursiveCase{"ratime", 0, 0},
                      RecursiveCase{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
                      RecursiveCase{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
                      RecursiveCase{"rnostrictatime", 0, 0}, RecursiveCase{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
                      RecursiveCase{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW}),
    [](const auto& info) { return std::string(info.param.name); });

// Turning an atime mode off goes back to the kernel's default only where
// that mode was chosen: rnoatime's noatime stays (runc, and mount(2)'s
// noatime,norelatime), and alone it changes nothing (a bind source's
// noatime stays, as under runc).
TEST(MountOptions, TurningAnotherAtimeModeOffKeepsTheChosenOne) {
  EXPECT_EQ(parse_options({"rnoatime", "rnorelatime"}).recursive.atime, MOUNT_ATTR_NOATIME);
  EXPECT_EQ(parse_options({"rnoatime", "rnostrictatime"}).recursive.atime, MOUNT_ATTR_NOATIME);
  EXPECT_EQ(parse_options({"rstrictatime", "rnorelatime"}).recursive.atime, MOUNT_ATTR_STRICTATIME);
  EXPECT_EQ(parse_options({"rstrictatime", "rnostrictatime"}).recursive.atime, MOUNT_ATTR_RELATIME);
  // ratime turns noatime off (mount(8)'s atime), not strictatime.
  EXPECT_EQ(parse_options({"rstrictatime", "ratime"}).recursive.atime, MOUNT_ATTR_STRICTATIME);
  EXPECT_EQ(parse_options({"rnoatime", "ratime"}).recursive.atime, MOUNT_ATTR_RELATIME);
}

TEST(MountOptions, UnknownOptionsAreDataInOrder) {
  MountOptions o =
      parse_options({"nosuid", "mode=755", "size=65536k", "newinstance", "ptmxmode=0666", "lowerdir=/a:/b"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
  EXPECT_EQ(o.data_string(), "mode=755,size=65536k,newinstance,ptmxmode=0666,lowerdir=/a:/b");
}

TEST(MountOptions, Tmpcopyup) {
  MountOptions o = parse_options({"tmpcopyup", "mode=1777"});
  EXPECT_TRUE(o.tmpcopyup);
  EXPECT_EQ(o.data_string(), "mode=1777");
}

TEST(MountOptions, DefaultsIsNoFlagAndNoData) {
  MountOptions o = parse_options({"defaults"});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_TRUE(o.data.empty());
}

TEST(MountOptions, LastOfOpposingOptionsWins) {
  EXPECT_EQ(parse_options({"ro", "rw"}).flags, 0u);
  EXPECT_EQ(parse_options({"ro", "rw"}).cleared, static_cast<unsigned long>(MS_RDONLY));
  EXPECT_EQ(parse_options({"rw", "ro"}).flags, static_cast<unsigned long>(MS_RDONLY));
  EXPECT_EQ(parse_options({"rw", "ro"}).cleared, 0u);
  EXPECT_EQ(parse_options({"rro", "rrw"}).recursive.attr_set(), 0u);
  EXPECT_EQ(parse_options({"rro", "rrw"}).recursive.attr_clr(), static_cast<uint64_t>(MOUNT_ATTR_RDONLY));
}

// Each atime mode is a flag of its own (mount(8), runc): given several, the
// kernel's order decides, and a bind's attributes follow that order.
TEST(MountOptions, AtimeModesAreFlagsOfTheirOwnAndStrictatimeWins) {
  EXPECT_EQ(parse_options({"noatime", "relatime"}).flags, static_cast<unsigned long>(MS_NOATIME | MS_RELATIME));
  EXPECT_EQ(parse_options({"strictatime", "noatime"}).flags, static_cast<unsigned long>(MS_STRICTATIME | MS_NOATIME));
  EXPECT_EQ(parse_options({"noatime", "atime"}).flags, 0u);
  EXPECT_EQ(*parse_options({"bind", "noatime", "relatime"}).mount_attrs().atime,
            static_cast<uint64_t>(MOUNT_ATTR_NOATIME));
  EXPECT_EQ(*parse_options({"bind", "strictatime", "noatime"}).mount_attrs().atime,
            static_cast<uint64_t>(MOUNT_ATTR_STRICTATIME));
}

// "acl" is MS_POSIXACL to runc, not data a tmpfs would refuse.
TEST(MountOptions, AclIsTheFlagNotData) {
  MountOptions o = parse_options({"acl", "size=1m"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_POSIXACL));
  EXPECT_EQ(o.data, std::vector<std::string>{"size=1m"});
  o = parse_options({"acl", "noacl"});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_EQ(o.cleared, static_cast<unsigned long>(MS_POSIXACL));
}

TEST(MountOptions, PropagationChangesKeepTheirOrder) {
  MountOptions o = parse_options({"rbind", "rprivate", "shared"});
  ASSERT_EQ(o.propagation.size(), 2u);
  EXPECT_EQ(o.propagation[0], static_cast<unsigned long>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(o.propagation[1], static_cast<unsigned long>(MS_SHARED));
  EXPECT_TRUE(o.recursive_bind());
}

TEST(MountOptions, BindAttrsFollowFlags) {
  MountAttrs a = parse_options({"bind", "ro", "nosuid", "dev", "noatime", "nosymfollow"}).mount_attrs();
  EXPECT_EQ(a.set, static_cast<uint64_t>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOSYMFOLLOW));
  EXPECT_EQ(a.clear, static_cast<uint64_t>(MOUNT_ATTR_NODEV));
  ASSERT_TRUE(a.atime);
  EXPECT_EQ(*a.atime, static_cast<uint64_t>(MOUNT_ATTR_NOATIME));
  EXPECT_EQ(a.attr_clr(), static_cast<uint64_t>(MOUNT_ATTR_NODEV | MOUNT_ATTR__ATIME));
  // Superblock flags have no per-mount form.
  EXPECT_TRUE(parse_options({"bind", "sync", "lazytime"}).mount_attrs().empty());
  // Turning an atime mode off means relatime, the kernel default.
  EXPECT_EQ(*parse_options({"bind", "atime"}).mount_attrs().atime, static_cast<uint64_t>(MOUNT_ATTR_RELATIME));
  EXPECT_FALSE(parse_options({"bind"}).mount_attrs().atime);
}

// On a bind, what an option turns off stays as the source has it (runc):
// "rw" from containerd leaves a read-only source read-only.
TEST(MountOptions, ABindSetsButNeverClears) {
  EXPECT_TRUE(parse_options({"rbind", "rw", "suid", "dev", "exec", "atime", "diratime"}).bind_attrs().empty());
  MountAttrs a = parse_options({"bind", "ro", "dev", "noatime"}).bind_attrs();
  EXPECT_EQ(a.set, static_cast<uint64_t>(MOUNT_ATTR_RDONLY));
  EXPECT_EQ(a.clear, 0u);
  ASSERT_TRUE(a.atime);
  EXPECT_EQ(*a.atime, static_cast<uint64_t>(MOUNT_ATTR_NOATIME));
}

TEST(MountOptions, SupportedListCoversTheOciTable) {
  std::vector<std::string> all = supported_mount_options();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  for (const char* n : {"acl", "noacl"}) EXPECT_TRUE(std::binary_search(all.begin(), all.end(), n)) << n;
  for (const char* n : {"async",          "atime",       "bind",         "defaults",    "dev",
                        "diratime",       "dirsync",     "exec",         "iversion",    "lazytime",
                        "mand",           "noatime",     "nodev",        "nodiratime",  "noexec",
                        "noiversion",     "nolazytime",  "nomand",       "norelatime",  "nostrictatime",
                        "nosuid",         "nosymfollow", "private",      "ratime",      "rbind",
                        "rdev",           "rdiratime",   "relatime",     "remount",     "rexec",
                        "rnoatime",       "rnodev",      "rnodiratime",  "rnoexec",     "rnorelatime",
                        "rnostrictatime", "rnosuid",     "rnosymfollow", "ro",          "rprivate",
                        "rrelatime",      "rro",         "rrw",          "rshared",     "rslave",
                        "rstrictatime",   "rsuid",       "rsymfollow",   "runbindable", "rw",
                        "shared",         "slave",       "strictatime",  "suid",        "sync",
                        "tmpcopyup",      "unbindable"}) {
    EXPECT_TRUE(std::binary_search(all.begin(), all.end(), n)) << n;
  }
  EXPECT_FALSE(std::binary_search(all.begin(), all.end(), "mode=755"));
}

// A bind remount's flags (no mount_setattr): every attribute, the atime
// field as one of mount(2)'s three.
TEST(MountOptions, AttributesAsMountFlags) {
  EXPECT_EQ(mount_flags_of_attrs(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOSYMFOLLOW),
            MS_RDONLY | MS_NOSUID | MS_NOSYMFOLLOW | MS_RELATIME);
  EXPECT_EQ(mount_flags_of_attrs(MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME), MS_NODEV | MS_NOATIME);
  EXPECT_EQ(mount_flags_of_attrs(MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_STRICTATIME),
            MS_NOEXEC | MS_NODIRATIME | MS_STRICTATIME);
}

TEST(MountOptions, FlagPrinterNamesFlags) {
  EXPECT_EQ(mount_flags_to_string(MS_NOSUID | MS_NODEV), "MS_NOSUID|MS_NODEV");
  EXPECT_EQ(mount_flags_to_string(MS_BIND | MS_REC | MS_RDONLY), "MS_RDONLY|MS_BIND|MS_REC");
  EXPECT_EQ(mount_flags_to_string(0), "0");
  EXPECT_EQ(mount_flags_to_string(MS_NOSUID | (1ul << 29)), "MS_NOSUID|0x20000000");
  EXPECT_EQ(mount_attrs_to_string(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSYMFOLLOW),
            "MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSYMFOLLOW");
  EXPECT_EQ(mount_attrs_to_string(MOUNT_ATTR__ATIME | MOUNT_ATTR_NODEV), "MOUNT_ATTR__ATIME|MOUNT_ATTR_NODEV");
  EXPECT_EQ(mount_attrs_to_string(MOUNT_ATTR_NOATIME), "MOUNT_ATTR_NOATIME");
}

TEST(MountOptions, RootfsPropagationRejectsUnknown) {
  const std::string what = test::error_of([] { parse_rootfs_propagation("sideways"); });
  EXPECT_NE(what.find("\"sideways\""), std::string::npos) << what;
  EXPECT_THROW(parse_rootfs_propagation("ro"), Error);
}

// The table compiled into hull is libmount's own, entry for entry (it is
// generated at build time by tools/gen_libmount_optmap.cpp).
TEST(MountOptions, GeneratedTableIsLibmountsLinuxMap) {
  const libmnt_optmap* m = mnt_get_builtin_optmap(MNT_LINUX_MAP);
  ASSERT_NE(m, nullptr);
  size_t i = 0;
  for (; m->name; ++m, ++i) {
    ASSERT_LT(i, kLibmountLinuxMapSize);
    EXPECT_EQ(kLibmountLinuxMap[i].name, std::string_view(m->name));
    EXPECT_EQ(kLibmountLinuxMap[i].id, static_cast<unsigned long>(m->id)) << m->name;
    EXPECT_EQ(kLibmountLinuxMap[i].invert, (m->mask & MNT_INVERT) != 0) << m->name;
  }
  EXPECT_EQ(i, kLibmountLinuxMapSize);
}

// fsconfig takes one option at a time, each value under 256 bytes: data
// that mount(2)'s whole-string parsers read otherwise (an LSM's quoted
// context, overlay's "\\,", tmpfs's NUMA node list, a long lowerdir or
// source) is mounted with mount(2).
TEST(FsconfigTakes, OnlyDataEachOfWhoseOptionsMeansTheSameAlone) {
  EXPECT_TRUE(fsconfig_takes("tmpfs", ""));
  EXPECT_TRUE(fsconfig_takes("tmpfs", "size=64k,mode=755,uid=1000,noswap,huge=within_size"));
  EXPECT_TRUE(fsconfig_takes("tmpfs", "mpol=bind:0"));
  EXPECT_TRUE(fsconfig_takes("tmpfs", "lowerdir=/a:/b,upperdir=/u,workdir=/w"));
  EXPECT_FALSE(fsconfig_takes("tmpfs", "mpol=bind:0,2"));
  EXPECT_FALSE(fsconfig_takes("tmpfs", "context=\"system_u:object_r:container_file_t:s0:c1,c2\""));
  EXPECT_FALSE(fsconfig_takes("tmpfs", "lowerdir=/l\\,c:/l1"));
  EXPECT_FALSE(fsconfig_takes("overlay", "lowerdir=" + std::string(250, 'x')));
  EXPECT_TRUE(fsconfig_takes("overlay", "lowerdir=" + std::string(240, 'x')));
  EXPECT_FALSE(fsconfig_takes(std::string(256, 's'), "size=1m"));
  EXPECT_TRUE(fsconfig_takes("", "=x,size=1m"));
}

}  // namespace
}  // namespace hull::rootfs
