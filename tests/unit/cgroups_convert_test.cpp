// Conversions, cgroupsPath resolution and systemd path parsing.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/convert.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups {
namespace {

using test::error_of;

TEST(CgroupConvert, SharesToWeightMapsDefaultToDefaultAndKeepsRangeEnds) {
  EXPECT_EQ(shares_to_weight(0), 0u);
  EXPECT_EQ(shares_to_weight(2), 1u);
  EXPECT_EQ(shares_to_weight(1024), 100u);
  EXPECT_EQ(shares_to_weight(262144), 10000u);
  EXPECT_EQ(shares_to_weight(1000000), 10000u);
  // Monotonic in between.
  uint64_t prev = 0;
  for (uint64_t s = 2; s <= 262144; s *= 2) {
    EXPECT_GT(shares_to_weight(s), prev) << s;
    prev = shares_to_weight(s);
  }
  EXPECT_EQ(shares_to_weight(512), 59u);    // 10^1.7647 rounded up
  EXPECT_EQ(shares_to_weight(2048), 174u);  // 10^2.2386 rounded up
}

// Linear from blkio's 10-1000 onto io.weight's 1-10000, and clamped: a BFQ
// weight below 10 (v1 takes 1-1000) or a u16 above 1000 still gives a value
// the kernel and systemd take.
TEST(CgroupConvert, BlkioWeightToIoWeightIsLinearOverTheRangesAndClamped) {
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
  EXPECT_EQ(blkio_weight_to_io_weight(1), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(9), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(1001), 10000u);
  EXPECT_EQ(blkio_weight_to_io_weight(65535), 10000u);
}

TEST(CgroupConvert, SwapIsMemoryPlusSwapOnV1AndSwapAloneOnV2) {
  EXPECT_EQ(swap_for_v2(300, 100), "200");
  EXPECT_EQ(swap_for_v2(100, 100), "0");
  EXPECT_EQ(swap_for_v2(-1, 100), "max");
  EXPECT_EQ(swap_for_v2(std::nullopt, -1), "max");  // unlimited memory: swap too, as on v1
  EXPECT_EQ(swap_for_v2(100, -1), "100");           // unlimited memory: the value is swap's own limit
  EXPECT_EQ(swap_for_v2(std::nullopt, 100), std::nullopt);
  EXPECT_EQ(swap_for_v2(std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(error_of([] { swap_for_v2(50, 100); }),
            "linux.resources.memory.swap: memory+swap limit 50 is below the memory limit 100");
  EXPECT_EQ(error_of([] { swap_for_v2(50, std::nullopt); }),
            "linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2");
}

TEST(CgroupConvert, PageSizesAreCheckedBeforeBecomingFileNames) {
  check_page_size("2MB");
  check_page_size("64KB");
  check_page_size("1GB");
  for (const char* bad : {"", "MB", "2M", "2mb", "2TB", "../x", "2MB/../..", "1.5GB"})
    EXPECT_NE(error_of([&] { check_page_size(bad); }), test::kNoError) << bad;
}

Host hybrid_host() {
  Host h;
  h.mode = Mode::Hybrid;
  h.v2_mount = "/sys/fs/cgroup/unified";
  h.v2_own_path = "/";
  h.v2_controllers = std::set<std::string>{"hugetlb"};
  h.v1["memory"] = {"/sys/fs/cgroup/memory", "/process_api/abc", {"memory"}};
  h.v1["cpu,cpuacct"] = {"/sys/fs/cgroup/cpu,cpuacct", "/", {"cpu", "cpuacct"}};
  h.v1["name=systemd"] = {"/sys/fs/cgroup/systemd", "/user.slice", {"name=systemd"}};
  return h;
}

TEST(CgroupPaths, AbsolutePathsStartAtEachHierarchyRoot) {
  Paths p = resolve_paths("/runtime/web", "web", hybrid_host());
  EXPECT_EQ(p.mode, Mode::Hybrid);
  EXPECT_EQ(p.v2, "/sys/fs/cgroup/unified/runtime/web");
  EXPECT_EQ(p.v1.at("memory"), "/sys/fs/cgroup/memory/runtime/web");
  EXPECT_EQ(p.v1.at("cpu,cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/runtime/web");
  EXPECT_EQ(p.v1.at("name=systemd"), "/sys/fs/cgroup/systemd/runtime/web");
}

TEST(CgroupPaths, RelativePathsStartAtTheCallersCgroup) {
  Paths p = resolve_paths("pod1/web", "web", hybrid_host());
  EXPECT_EQ(p.v2, "/sys/fs/cgroup/unified/pod1/web");
  EXPECT_EQ(p.v1.at("memory"), "/sys/fs/cgroup/memory/process_api/abc/pod1/web");
  EXPECT_EQ(p.v1.at("name=systemd"), "/sys/fs/cgroup/systemd/user.slice/pod1/web");
}

TEST(CgroupPaths, DefaultIsTheIdBelowTheCaller) {
  EXPECT_EQ(resolve_paths(std::nullopt, "web", hybrid_host()).v1.at("memory"),
            "/sys/fs/cgroup/memory/process_api/abc/web");
  EXPECT_EQ(resolve_paths(std::string(), "web", hybrid_host()).v2, "/sys/fs/cgroup/unified/web");
}

TEST(CgroupPaths, JoinedWithOneSlashAndNothingForAnEmptySub) {
  EXPECT_EQ(join_cgroup_path("/sys/fs/cgroup/memory/web", "sub"), "/sys/fs/cgroup/memory/web/sub");
  EXPECT_EQ(join_cgroup_path("/sys/fs/cgroup/", "web"), "/sys/fs/cgroup/web");
  EXPECT_EQ(join_cgroup_path("/sys/fs/cgroup/unified/web", ""), "/sys/fs/cgroup/unified/web");
}

TEST(CgroupPaths, NormalisesAndRefusesClimbingOut) {
  EXPECT_EQ(resolve_paths("/a//b/./c/", "x", hybrid_host()).v2, "/sys/fs/cgroup/unified/a/b/c");
  EXPECT_EQ(error_of([] { resolve_paths("../../etc", "x", hybrid_host()); }),
            "cgroupsPath \"../../etc\": \"..\" is not allowed");
  EXPECT_EQ(error_of([] { resolve_paths("/a/../../b", "x", hybrid_host()); }),
            "cgroupsPath \"/a/../../b\": \"..\" is not allowed");
  EXPECT_EQ(error_of([] { resolve_paths("/", "x", hybrid_host()); }), "cgroupsPath \"/\": names the hierarchy root");
}

TEST(CgroupPaths, UnifiedAndLegacyHostsGetOnlyTheirHierarchies) {
  Host u;
  u.mode = Mode::Unified;
  u.v2_mount = "/sys/fs/cgroup";
  u.v2_own_path = "/user.slice/session-1.scope";
  Paths p = resolve_paths("c1", "x", u);
  EXPECT_EQ(p.v2, "/sys/fs/cgroup/user.slice/c1");
  EXPECT_TRUE(p.v1.empty());
  Host l = hybrid_host();
  l.mode = Mode::Legacy;
  l.v2_mount.clear();
  EXPECT_EQ(resolve_paths("c1", "x", l).v2, "");
}

// runc's fs2 rule: the caller's own cgroup holds processes, its parent is
// where relative paths and the default start (the hierarchy root at most).
TEST(CgroupPaths, PureV2RelativePathsStartAtTheParentOfTheCallersCgroup) {
  Host u;
  u.mode = Mode::Unified;
  u.v2_mount = "/sys/fs/cgroup";
  u.v2_own_path = "/test.slice/session.scope";
  EXPECT_EQ(resolve_paths(std::nullopt, "web", u).v2, "/sys/fs/cgroup/test.slice/web");
  EXPECT_EQ(resolve_paths("pod/web", "web", u).v2, "/sys/fs/cgroup/test.slice/pod/web");
  EXPECT_EQ(resolve_paths("/pod/web", "web", u).v2, "/sys/fs/cgroup/pod/web");
  u.v2_own_path = "/init.scope";
  EXPECT_EQ(resolve_paths(std::nullopt, "web", u).v2, "/sys/fs/cgroup/web");
  u.v2_own_path = "/";
  EXPECT_EQ(resolve_paths(std::nullopt, "web", u).v2, "/sys/fs/cgroup/web");
}

TEST(CgroupPaths, SystemdPathsAreSliceColonPrefixColonName) {
  SystemdPath p = parse_systemd_path("system.slice:docker:abc");
  EXPECT_EQ(p.slice, "system.slice");
  EXPECT_EQ(p.prefix, "docker");
  EXPECT_EQ(p.name, "abc");
  EXPECT_EQ(parse_systemd_path(":hull:abc").slice, "");
  EXPECT_EQ(error_of([] { parse_systemd_path("/a/b"); }),
            "cgroupsPath \"/a/b\": with --systemd-cgroup it must be \"slice:prefix:name\"");
  EXPECT_EQ(error_of([] { parse_systemd_path("system:docker:abc"); }),
            "cgroupsPath \"system:docker:abc\": \"system\" is not a slice name (*.slice)");
  EXPECT_EQ(error_of([] { parse_systemd_path("system.slice:docker:"); }),
            "cgroupsPath \"system.slice:docker:\": the name part is empty");
}

TEST(CgroupPaths, SystemdDriverIsAClearError) {
  spec::Linux linux;
  linux.cgroupsPath = "system.slice:hull:abc";
  std::string msg = error_of([&] { Manager::plan(&linux, "abc", true, hybrid_host()); });
  EXPECT_EQ(msg.rfind("--systemd-cgroup: ", 0), 0u) << msg;
  linux.cgroupsPath = "/not/systemd";
  EXPECT_EQ(error_of([&] { Manager::plan(&linux, "abc", true, hybrid_host()); }),
            "cgroupsPath \"/not/systemd\": with --systemd-cgroup it must be \"slice:prefix:name\"");
}

}  // namespace
}  // namespace hull::cgroups
