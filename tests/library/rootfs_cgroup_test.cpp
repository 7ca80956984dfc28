// type "cgroup" mounts on this (hybrid or unified) host: the container sees
// its own cgroups, read-only when asked, with or without a cgroup namespace.
#include <linux/magic.h>
#include <sys/vfs.h>

#include <set>

#include "rootfs/cgroup_mount.hpp"
#include "rootfs_test_util.hpp"

namespace hull::rootfs {
namespace {

using namespace hull::rootfs::testing;

bool host_is_unified() {
  struct statfs sfs {};
  return ::statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

std::string check_cgroup_tree(bool fresh) {
  Checks c;
  auto mi = read_mountinfo();
  if (host_is_unified()) {
    const MountInfo* m = find_mount(mi, "/sys/fs/cgroup");
    c.expect(m && m->fs_type == "cgroup2" && has_opt(m, "ro"), "cgroup2 ro at /sys/fs/cgroup");
    return c.failures;
  }
  const MountInfo* top = find_mount(mi, "/sys/fs/cgroup");
  c.expect(top && top->fs_type == "tmpfs" && has_opt(top, "ro"), "a ro tmpfs holds the hierarchies");
  int hierarchies = 0;
  for (const MountInfo& m : mi) {
    if (m.mount_point.rfind("/sys/fs/cgroup/", 0) != 0) continue;
    ++hierarchies;
    c.expect(m.fs_type == "cgroup" || m.fs_type == "cgroup2", m.mount_point + " is a cgroup fs");
    c.expect(has_opt(&m, "ro") && has_opt(&m, "nosuid") && has_opt(&m, "noexec"), m.mount_point + " ro nosuid noexec");
    if (fresh) c.expect(m.root == "/", m.mount_point + " rooted at the namespace's root");
  }
  c.expect(hierarchies > 0, "hierarchies mounted");
  c.expect(::access("/sys/fs/cgroup/memory/memory.limit_in_bytes", R_OK) == 0 ||
               ::access("/sys/fs/cgroup/unified/cgroup.procs", R_OK) == 0,
           "cgroup files readable");
  return c.failures;
}

TEST(RootfsCgroup, WithoutCgroupNamespaceOwnCgroupsAreBound) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  EXPECT_EQ(run_setup(tb, default_spec(tb.rootfs()), {}, {}, [] { return check_cgroup_tree(false); }), "");
  EXPECT_EQ(mounts_under(tb.dir()), 0);
}

// A "cgroup" mount that asks only rw (a runtime-tools config): the tmpfs of
// the hierarchies is still nosuid, nodev, noexec; it was mounted with the
// config's flags alone.
TEST(RootfsCgroup, AWritableCgroupMountsTmpfsIsNosuidNodevNoexec) {
  HULL_REQUIRE_ROOT();
  if (host_is_unified()) GTEST_SKIP() << "a pure cgroup v2 host mounts cgroup2 itself, with no tmpfs";
  TempBundle tb;
  spec::Spec s = default_spec(tb.rootfs());
  for (spec::Mount& m : s.mounts)
    if (m.destination == "/sys/fs/cgroup") m.options = {"rw"};
  EXPECT_EQ(run_setup(tb, s, {}, {},
                      [] {
                        Checks c;
                        const std::vector<MountInfo> mi = read_mountinfo();
                        const MountInfo* top = find_mount(mi, "/sys/fs/cgroup");
                        c.expect(top && top->fs_type == "tmpfs", "a tmpfs holds the hierarchies");
                        for (const char* opt : {"nosuid", "nodev", "noexec"})
                          c.expect(has_opt(top, opt),
                                   std::string("the tmpfs is ") + opt + ": " + (top ? top->options : ""));
                        c.expect(!has_opt(top, "ro"), "the tmpfs is writable, as asked");
                        return c.failures;
                      }),
            "");
}

// /sys/fs/cgroup mounted again over the first (a CI runner's, or a
// container's /sys bind with a fresh cgroup tree on it): mountinfo lists
// each hierarchy twice at the same mount point, and each was mounted twice
// in the container; one the new tree lacks, or any under a bare tmpfs (where
// a rootless caller cannot unmount the host's), failed the mount. Only the
// mounts seen there count.
TEST(RootfsCgroup, OnlyTheHierarchiesSeenAtTheirMountPointsAreListed) {
  HULL_REQUIRE_ROOT();
  if (host_is_unified()) GTEST_SKIP() << "a pure cgroup v2 host has one hierarchy at /sys/fs/cgroup";
  TempBundle tb;
  const std::string saved = tb.dir() + "/saved";
  std::string out = in_child([&] {
    std::filesystem::create_directories(saved);
    if (::mount("/sys/fs/cgroup", saved.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) throw_errno("rbind");
    const std::vector<CgroupHierarchyMount> before =
        cgroup_hierarchy_mounts("cgroup", read_file("/proc/self/cgroup"), false);
    if (::mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0, nullptr) < 0) throw_errno("cover /sys/fs/cgroup");
    Checks c;
    for (const CgroupHierarchyMount& h : cgroup_hierarchy_mounts("cgroup", read_file("/proc/self/cgroup"), false))
      c.expect(false, h.name + " listed under a bare tmpfs");
    // The new tree: each hierarchy again but the first.
    std::set<std::string> bound;
    for (size_t i = 1; i < before.size(); ++i) {
      const std::string mount_point = "/sys/fs/cgroup/" + before[i].name;
      std::filesystem::create_directories(mount_point);
      if (::mount((saved + "/" + before[i].name).c_str(), mount_point.c_str(), nullptr, MS_BIND, nullptr) < 0)
        throw_errno("bind " + before[i].name);
      bound.insert(before[i].name);
    }
    std::multiset<std::string> listed;
    for (const CgroupHierarchyMount& h : cgroup_hierarchy_mounts("cgroup", read_file("/proc/self/cgroup"), false))
      listed.insert(h.name);
    c.expect(before.size() > 1, "fewer than two hierarchies to test with");
    c.expect(listed == std::multiset<std::string>(bound.begin(), bound.end()),
             "listed " + std::to_string(listed.size()) + " of the " + std::to_string(bound.size()) + " bound");
    return c.failures;
  });
  EXPECT_EQ(out, "");
  EXPECT_EQ(mounts_under(tb.dir()), 0);
}

TEST(RootfsCgroup, WithCgroupNamespaceFreshMounts) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  spec::Spec s = default_spec(tb.rootfs());
  spec::Namespace cg;
  cg.type = spec::NamespaceType::Cgroup;
  s.linux_->namespaces.push_back(cg);
  std::string out = in_child([&] {
    if (::unshare(CLONE_NEWCGROUP) < 0) throw_errno("unshare cgroup");
    SetupOptions o;
    o.bundle = tb.bundle();
    o.rootfs = tb.rootfs();
    setup_rootfs(s, o);
    return check_cgroup_tree(true);
  });
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace hull::rootfs
