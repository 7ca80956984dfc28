// Path helpers and message formats of the rootfs module (no root needed).
#include <gtest/gtest.h>
#include <sys/mount.h>

#include "base/error.hpp"
#include "base/mountinfo.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/overlay.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {
namespace {

TEST(SafePath, SplitDropsEmptyAndDot) {
  EXPECT_EQ(split_path("/a//b/./c/"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_path("a/../b"), (std::vector<std::string>{"a", "..", "b"}));
  EXPECT_TRUE(split_path("/").empty());
  EXPECT_TRUE(split_path("").empty());
}

TEST(SafePath, CleanPathKeepsDotDot) {
  EXPECT_EQ(clean_path("proc"), "/proc");
  EXPECT_EQ(clean_path("//dev/./pts/"), "/dev/pts");
  EXPECT_EQ(clean_path("/a/../b"), "/a/../b");
  EXPECT_EQ(clean_path(""), "/");
}

TEST(SafePath, PathBelowARootIsThePathTheContainerNames) {
  EXPECT_EQ(path_below("/b/rootfs", "/b/rootfs/data"), "/data");
  EXPECT_EQ(path_below("/b/rootfs/", "//b/./rootfs//mnt/x/"), "/mnt/x");
  EXPECT_EQ(path_below("/b/rootfs", "/b/rootfs"), "/");
  EXPECT_EQ(path_below("/b/rootfs", "/b/other/../rootfs/a/../c"), "/c");  // read lexically, as runc does
  EXPECT_EQ(path_below("/b/rootfs", "b/rootfs/data"), "/data");           // relative: from "/"
  EXPECT_EQ(path_below("/b/rootfs", "/b/rootfs/../rootfs2/data"), std::nullopt);
  EXPECT_EQ(path_below("/b/rootfs", "/b/rootfs2/data"), std::nullopt);  // whole components only
  EXPECT_EQ(path_below("/b/rootfs", "/data"), std::nullopt);
  EXPECT_EQ(path_below("/", "/data"), std::nullopt);  // nothing to take away
}

TEST(SafePath, FdPath) { EXPECT_EQ(fd_path(7), "/proc/self/fd/7"); }

TEST(MountMessages, DescribeMountNamesFlagsAndData) {
  EXPECT_EQ(describe_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755"),
            "mount \"tmpfs\" on \"/run\" (flags MS_NOSUID|MS_NODEV, data \"mode=755\")");
  EXPECT_EQ(describe_mount("/src", "/dst", "", MS_BIND | MS_REC, ""),
            "mount \"/src\" on \"/dst\" (flags MS_BIND|MS_REC)");
  EXPECT_EQ(describe_mount("none", "/sys", "sysfs", 0, ""), "mount \"none\" on \"/sys\" (type \"sysfs\", flags 0)");
}

TEST(Mountinfo, ParsesFieldsAndEscapes) {
  auto v = parse_mountinfo(
      "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:4 - ext3 /dev/root rw,errors=continue\n"
      "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].id, 36);
  EXPECT_EQ(v[0].parent, 35);
  EXPECT_EQ(v[0].root, "/mnt1");
  EXPECT_EQ(v[0].mount_point, "/mnt two");
  EXPECT_EQ(v[0].options, "rw,noatime");
  EXPECT_EQ(v[0].optional, (std::vector<std::string>{"master:1", "shared:4"}));
  EXPECT_EQ(v[0].fs_type, "ext3");
  EXPECT_EQ(v[0].source, "/dev/root");
  EXPECT_EQ(v[0].super_options, "rw,errors=continue");
  EXPECT_TRUE(v[1].optional.empty());
  EXPECT_EQ(v[1].fs_type, "proc");
}

// A line cut short (a mount point being renamed as it is read, a damaged
// copy) is an error naming it, not a half-filled entry; blank lines are skipped.
TEST(Mountinfo, RefusesAShortLineAndSkipsBlankOnes) {
  EXPECT_EQ(parse_mountinfo("\n22 1 0:21 / /proc rw - proc proc rw\n\n").size(), 1u);
  EXPECT_EQ(parse_mountinfo("22 1 0:21 / /proc rw - proc proc").at(0).super_options, "");
  for (const char* bad : {"22 1 0:21 / /proc\n", "22 1 0:21 / /proc rw - proc\n", "x 1 0:21 / /p rw - proc proc rw\n",
                          "22 1x 0:21 / /p rw - proc proc rw\n"}) {
    try {
      parse_mountinfo(bad);
      ADD_FAILURE() << "parsed: " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("mountinfo: cannot parse line"), std::string::npos) << e.what();
    }
  }
}

// The cgroup mount asks for its types only: the other lines are not kept,
// the kept ones are whole (their optional fields too).
TEST(Mountinfo, KeepsOnlyTheTypesAsked) {
  auto v = parse_mountinfo(
      "36 35 98:0 /mnt1 /mnt rw master:1 - ext3 /dev/root rw\n"
      "40 30 0:35 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
      "22 1 0:21 / /proc rw - proc proc rw\n",
      [](std::string_view type) { return type == "cgroup"; });
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].id, 40);
  EXPECT_EQ(v[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(v[0].optional, std::vector<std::string>{"shared:9"});
  EXPECT_EQ(v[0].super_options, "rw,cpu,cpuacct");
}

TEST(Overlay, EscapesColonAndBackslashRefusesComma) {
  EXPECT_EQ(overlay_escape("/a:b\\c"), "/a\\:b\\\\c");
  EXPECT_THROW(overlay_escape("/a,b"), Error);
}

}  // namespace
}  // namespace hull::rootfs
