// User namespaces as root, in full: bind sources only host root can reach,
// a user namespace joined by path (its maps, runc's join order, the new
// namespaces owned by it), and id-mapped mounts. Checked from inside the
// container: /proc/self/uid_map, id, file owners, /proc/self/ns links.
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "harness.hpp"
#include "host_mounts.hpp"
#include "kernel_version.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

// Why a directory's file system cannot be id-mapped on this kernel, or "".
// The kernel refuses (EINVAL) a file system without FS_ALLOW_IDMAP: tmpfs has
// it only since 6.3 (the VM lane boots Debian's 6.1 with /tmp on tmpfs), 9p
// never had it. hull's refusal there is the right answer, not what the test
// is about.
std::string idmap_unsupported_on(const fs::path& dir) {
  struct statfs sf {};
  if (::statfs(dir.c_str(), &sf) != 0) return "";
  if (sf.f_type == V9FS_MAGIC) return "9p has no id-mapped mounts";
  // The VM lane run from a checkout below /tmp (scripts/vm/run-in-vm) puts
  // the test's temp dir on an overlay over 9p, whose layers cannot be
  // id-mapped: mount_setattr answers EINVAL.
  if (sf.f_type == OVERLAYFS_SUPER_MAGIC) return "overlayfs: its layers here may have no id-mapped mounts";
  if (sf.f_type == TMPFS_MAGIC && !test::kernel_at_least(6, 3))
    return "tmpfs has id-mapped mounts since Linux 6.3, this is " + test::kernel_release();
  return "";
}

nlohmann::json id_map(unsigned container, unsigned host, unsigned size) {
  return {{{"containerID", container}, {"hostID", host}, {"size", size}}};
}

nlohmann::json bind(const fs::path& source, const std::string& dest, std::vector<std::string> options = {}) {
  options.insert(options.begin(), "rbind");
  return {{"destination", dest}, {"type", "bind"}, {"source", source.string()}, {"options", options}};
}

// A 0700 root-owned directory holding `vol/file`: only host root may search it.
fs::path locked_volume(const fs::path& temp) {
  fs::path locked = temp / "locked";
  fs::create_directories(locked / "vol");
  std::ofstream(locked / "vol" / "file") << "secret-ok\n";
  fs::permissions(locked, fs::perms::owner_all);
  return locked / "vol";
}

std::string squeeze(const std::string& s) { return std::regex_replace(s, std::regex("[ \t]+"), " "); }

// runc opens bind sources before the init enters its user namespace: a
// volume under a path the mapped root may not search still mounts.
TEST_F(HullTest, UserNamespacedBindSourceOnlyHostRootCanReachIsMounted) {
  Bundle& b = bundle();
  b.add_user_namespace();
  fs::create_directories(b.rootfs() / "mnt/vol");  // the mapped root may not create it in a root-owned rootfs
  b.config["mounts"].push_back(bind(locked_volume(temp_dir()), "/mnt/vol"));
  ProcResult r = run_sh(b, "cat /mnt/vol/file; id -u");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "secret-ok\n0\n");
}

// That source comes with the kernel's locks on the host's mounts below it,
// as any other: the runtime opens it in the init's mount namespace, where
// the init clones its locked copy. The runtime's own clone, attached where
// the init could not reach the source, carried none: a container root with
// CAP_SYS_ADMIN in its user namespace unmounted a host's submount and made
// a read-only one writable (runc 1.1 keeps the locks).
TEST_F(HullTest, ABindSourceOnlyHostRootCanReachKeepsTheHostsSubmountsLocked) {
  const fs::path vol = locked_volume(temp_dir());
  LockedSubmounts submounts(vol);
  ASSERT_TRUE(submounts.made()) << std::strerror(errno);
  Bundle& b = bundle();
  b.add_user_namespace();
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config["process"]["capabilities"][set].push_back("CAP_SYS_ADMIN");
  fs::create_directories(b.rootfs() / "mnt/vol");
  b.config["mounts"].push_back(bind(vol, "/mnt/vol"));
  ProcResult r = run_sh(b, "cat /mnt/vol/file; " + LockedSubmounts::try_to_undo("/mnt/vol"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "secret-ok\n");
  EXPECT_FALSE(fs::exists(vol / "ro" / "w"));
}

// A host directory above the rootfs (its bundle, through a link in a
// directory only host root may search) bound recursively copies the
// rootfs's read-only tmpfs: the copy turns read-only with it. Where the
// runtime opens the source, where it really is was not found, and the copy
// stayed writable (review of the hundred-and-tenth round).
TEST_F(HullTest, ABindFromAboveTheRootfsTheRuntimeOpensLeavesNoReadOnlyTmpfsWritable) {
  Bundle& b = bundle();
  b.add_user_namespace();
  fs::create_directories(b.rootfs() / "a/t");
  fs::create_directories(b.rootfs() / "mnt/b");
  const fs::path locked = temp_dir() / "locked";
  fs::create_directories(locked);
  fs::create_directory_symlink(b.dir(), locked / "bundle");
  fs::permissions(locked, fs::perms::owner_all);
  b.config["mounts"].push_back(
      {{"destination", "/a/t"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"ro", "size=64k"}}});
  b.config["mounts"].push_back(bind(locked / "bundle", "/mnt/b"));
  ProcResult r = run_sh(b, "for d in /a/t /mnt/b/rootfs/a/t; do touch $d/x 2>/dev/null || echo $d: refused; done");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/a/t: refused\n/mnt/b/rootfs/a/t: refused\n");
}

// The same in a user namespace joined by path (a Kubernetes pod's, which
// its containers join): the init makes its mount namespace there once it
// has joined, and the runtime opens the source in that one.
TEST_F(HullTest, ABindSourceOnlyHostRootCanReachKeepsItsLocksInAJoinedUserNamespace) {
  const fs::path vol = locked_volume(temp_dir());
  LockedSubmounts submounts(vol);
  ASSERT_TRUE(submounts.made()) << std::strerror(errno);
  const pid_t owner_pid = create_user_namespace_owner("owner");
  ASSERT_GT(owner_pid, 0);
  Bundle& b = bundle();
  b.config["linux"]["namespaces"].push_back(
      {{"type", "user"}, {"path", "/proc/" + std::to_string(owner_pid) + "/ns/user"}});
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config["process"]["capabilities"][set].push_back("CAP_SYS_ADMIN");
  fs::create_directories(b.rootfs() / "mnt/vol");
  b.config["mounts"].push_back(bind(vol, "/mnt/vol"));
  ProcResult r = run_sh(b, "cat /mnt/vol/file; " + LockedSubmounts::try_to_undo("/mnt/vol"));
  EXPECT_EQ(hull({"delete", "--force", "owner"}).exit_code, 0);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "secret-ok\n");
  EXPECT_FALSE(fs::exists(vol / "ro" / "w"));
}

// The same for a source below the rootfs ("$rootfs/data/sub") in a
// directory of the image the container's root may not search: the runtime
// opens it below the init's rootfs mount, sent with the question, and the
// init clones it (found by the re-review; runc and crun mount it).
TEST_F(HullTest, ASourceBelowTheRootfsOnlyHostRootCanReachIsMounted) {
  Bundle& b = bundle();
  b.add_user_namespace();
  fs::create_directories(b.rootfs() / "data/sub");
  fs::create_directories(b.rootfs() / "mnt/b");
  std::ofstream(b.rootfs() / "data/sub/z") << "image-ok\n";
  fs::permissions(b.rootfs() / "data", fs::perms::owner_all);
  b.config["mounts"].push_back(bind(b.rootfs() / "data/sub", "/mnt/b"));
  ProcResult r = run_sh(b, "cat /mnt/b/z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "image-ok\n");
}

// --no-pivot detaches the host's mounts outside the rootfs; in a user
// namespace one below a directory the container's root may not search is
// out of its reach (EACCES) and was an error, also without a bind of it
// (found by review; runc 1.1.5 runs it).
TEST_F(HullTest, NoPivotInAUserNamespaceLeavesAHostMountItCannotReach) {
  LockedSubmounts submounts(locked_volume(temp_dir()));
  ASSERT_TRUE(submounts.made()) << std::strerror(errno);
  Bundle& b = bundle();
  b.add_user_namespace();
  b.args({"sh", "-c", "id -u"});
  ProcResult r = hull({"run", "--no-pivot", "--bundle", b.dir().string(), "nopivot"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n");
}

// --overlay-rootfs in a user namespace: the container's root makes the
// overlay directory, and may not write the state directory, the default
// place (host root's alone): the error says to name one it may write
// (found by review: "mkdir ...: permission denied"), where it runs.
TEST_F(HullTest, AnOverlayRootfsInAUserNamespaceNeedsADirectoryItsRootMayWrite) {
  Bundle& b = bundle();
  b.add_user_namespace();
  // The file system of the container's "/".
  b.args({"sh", "-c", "awk '$5 == \"/\" { for (i = 7; $i != \"-\"; i++); print $(i + 1) }' /proc/self/mountinfo"});
  ProcResult r = hull({"run", "--overlay-rootfs", "--bundle", b.dir().string(), "ovlns"});
  EXPECT_TRUE(
      failed_with(r, {"overlay rootfs: mkdir ", "in a user namespace give --overlay-dir a directory it may write"}))
      << r.err;
  const fs::path dir = temp_dir() / "overlay";
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit);
  r = hull({"run", "--overlay-dir", dir.string(), "--bundle", b.dir().string(), "ovlns"});
  // The VM lanes run from a checkout below /tmp put the temp dir on an
  // overlay over 9p, where Debian 6.1's kernel refuses this overlay mount
  // in a user namespace (EINVAL): the message above is what is checked then.
  if (r.exit_code != 0 && r.err.find("overlay rootfs: mount") != std::string::npos &&
      r.err.find("invalid argument") != std::string::npos)
    GTEST_SKIP() << "this kernel refuses the overlay mount in a user namespace: " << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "overlay\n");
}

// An id-mapped bind and a bind under a shared root, in a user namespace,
// keep the kernel's locks too: the init clones them from its own namespace
// (and sends the id-mapped one for the runtime to map). The runtime's own
// clones, attached until 2026-12-06, carried none: a container root with
// CAP_SYS_ADMIN unmounted a host's submount and wrote through a read-only
// one (found by review). A shared root in a user namespace shares nothing
// back, as under runc: the kernel makes that namespace's copies slaves.
TEST_F(HullTest, IdMappedAndSharedRootBindsInAUserNamespaceKeepTheHostsSubmountsLocked) {
  const fs::path vol = temp_dir() / "vol";
  fs::create_directories(vol);
  std::ofstream(vol / "file") << "host-root-owned\n";
  LockedSubmounts submounts(vol);
  ASSERT_TRUE(submounts.made()) << std::strerror(errno);
  const bool idmap = idmap_unsupported_on(vol).empty();
  for (const std::string variant : {"idmap", "shared-root"}) {
    if (variant == "idmap" && !idmap) continue;
    SCOPED_TRACE(variant);
    Bundle& b = bundle("bundle-" + variant);
    b.add_user_namespace();
    for (const char* set : {"bounding", "effective", "permitted"})
      b.config["process"]["capabilities"][set].push_back("CAP_SYS_ADMIN");
    fs::create_directories(b.rootfs() / "mnt/vol");
    if (variant == "idmap") {
      b.config["mounts"].push_back(bind(vol, "/mnt/vol", {"idmap"}));
    } else {
      b.config["linux"]["rootfsPropagation"] = "rshared";
      b.config["mounts"].push_back(bind(vol, "/mnt/vol"));
    }
    // Through the id-mapped mount host root's file is the container root's.
    ProcResult r = run_sh(b, "stat -c %u /mnt/vol/file; " + LockedSubmounts::try_to_undo("/mnt/vol"), variant);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, variant == "idmap" ? "0\n" : "65534\n");
    EXPECT_FALSE(fs::exists(vol / "ro" / "w"));
  }
}

// In a user namespace mknod is refused, and each device is the host's node
// bound in. A config entry for a path already there (a default device the
// config lists again, or an entry listed twice) leaves that node alone:
// hull never chowns or chmods through the bind, which would change the
// host's node. The namespace maps host root, who could change it; the run
// is in a private mount namespace whose /dev is a tmpfs of stand-in nodes.
TEST_F(HullTest, AUserNamespacesDevicesAreTheHostsNodesLeftAsTheyAre) {
  Bundle& b = bundle();
  b.add_user_namespace(0, 0);
  auto dev = [](const char* path, int minor, int mode, int owner) {
    return nlohmann::json{{"path", path},     {"type", "c"},  {"major", 1},  {"minor", minor},
                          {"fileMode", mode}, {"uid", owner}, {"gid", owner}};
  };
  b.config["linux"]["devices"] = {dev("/dev/zero", 5, 0600, 1234), dev("/dev/zero", 5, 0600, 1234),
                                  dev("/dev/null", 3, 0600, 0)};
  b.args({"stat", "-c", "%a %u %g", "/dev/zero", "/dev/null"});
  b.write();
  const std::string script =
      "mount -t tmpfs -o mode=755 stand-in /dev && "
      "mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/full c 1 7 && "
      "mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9 && mknod -m 666 /dev/tty c 5 0 && "
      "\"$0\" --root \"$1\" run --bundle \"$2\" userns-devices; echo \"exit $?\"; "
      "stat -c '%a %u %g' /dev/zero /dev/null";
  ProcResult r = run_process({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script,
                              runtime_binary(), state_root().string(), b.dir().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Inside and after: the stand-ins as made, 0666 root's.
  EXPECT_EQ(r.out, "666 0 0\n666 0 0\nexit 0\n666 0 0\n666 0 0\n") << r.err;
}

// A device path that is a symlink on the host (udev's /dev/disk/by-id/...
// names): in a user namespace the node it leads to is bound, as runc binds
// it; a link to another device is still refused. An earlier hull refused
// both ("host ... is a different file"); the refusal says what is there.
TEST_F(HullTest, AUserNamespacesDeviceBehindAHostSymlinkIsTheNodeItLeadsTo) {
  const fs::path link = temp_dir() / "null-link";
  fs::create_symlink("/dev/null", link);
  auto device = [&](int minor) {
    return nlohmann::json::array({{{"path", link.string()}, {"type", "c"}, {"major", 1}, {"minor", minor}}});
  };
  Bundle& b = bundle("bundle-linked");
  b.add_user_namespace();
  b.config["linux"]["devices"] = device(3);
  // The node's directory, open to the container's root (a rootfs host root owns).
  auto make_node_dir = [&](const Bundle& in) {
    const fs::path dir = in.rootfs() / link.parent_path().relative_path();
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::all);
  };
  make_node_dir(b);
  ProcResult r = run_sh(b, "test -c " + link.string() + " && echo x >" + link.string() + " && echo wrote", "linked");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote\n");
  Bundle& other = bundle("bundle-elsewhere");
  other.add_user_namespace();
  other.config["linux"]["devices"] = device(5);
  make_node_dir(other);
  r = run_sh(other, "true", "elsewhere");
  EXPECT_TRUE(failed_with(r, {"mknod not permitted, and host \"" + link.string() +
                              "\" is another device (c 1:3), not the device to bind"}));
  expect_nothing_left("elsewhere");
}

// A rootfs owned by host root (not chowned, not id-mapped) under a user
// namespace whose root is host uid 100000: the container runs from it, its
// files show as the overflow ids, and its root may not write them even with
// the rootfs mounted read-write (the refusal is the ownership's, not a
// read-only mount's).
TEST_F(HullTest, UserNamespaceOnARootfsOwnedByHostRoot) {
  Bundle& b = bundle();
  b.add_user_namespace();
  b.config["root"]["readonly"] = false;
  struct stat st {};
  // etc/ is the bundle's own copy (bin/busybox is a hard link to the
  // harness's template, which other tests may chown).
  ASSERT_EQ(::stat((b.rootfs() / "etc/passwd").c_str(), &st), 0);
  ASSERT_EQ(st.st_uid, 0U);
  ProcResult r = run_sh(b,
                        "stat -c %u:%g /etc/passwd /etc; id -u; touch /etc/probe 2>/dev/null && echo wrote || "
                        "echo refused; grep -q ' / .* rw,' /proc/self/mountinfo && echo rootfs-rw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "65534:65534\n65534:65534\n0\nrefused\nrootfs-rw\n");
  EXPECT_FALSE(fs::exists(b.rootfs() / "etc/probe"));
}

// A container joining another's user namespace (and pid namespace) by path
// gets that namespace's maps; the mount, uts, ipc and cgroup namespaces it
// creates belong to the joined user namespace, so its root can set up the
// rootfs and the hostname in them. A network namespace owned by the host's user namespace is joined
// before the user namespace, as runc does: after it, setns would be refused.
TEST_F(HullTest, JoinedUserNamespaceGivesItsMapsAndOwnsTheNewNamespaces) {
  pid_t owner_pid = create_user_namespace_owner("owner", 300000, 400000);
  pid_t net_pid = create_container("netowner");  // no user namespace: its netns is the host's user namespace's
  ASSERT_GT(owner_pid, 0);
  ASSERT_GT(net_pid, 0);
  std::string owner_ns = "/proc/" + std::to_string(owner_pid) + "/ns/";
  std::string net_ns = "/proc/" + std::to_string(net_pid) + "/ns/net";

  Bundle& b = bundle();
  for (auto& n : b.config["linux"]["namespaces"]) {
    if (n["type"] == "pid") n["path"] = owner_ns + "pid";
    if (n["type"] == "network") n["path"] = net_ns;
  }
  b.config["linux"]["namespaces"].push_back({{"type", "user"}, {"path", owner_ns + "user"}});
  ProcResult r = run_sh(b,
                        "cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user; "
                        "readlink /proc/self/ns/net; hostname");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(squeeze(r.out), " 0 300000 65536\n 0 400000 65536\n0\n" + fs::read_symlink(owner_ns + "user").string() +
                                "\n" + fs::read_symlink(net_ns).string() + "\nhull-itest\n");
  EXPECT_EQ(hull({"delete", "--force", "owner"}).exit_code, 0);
  EXPECT_EQ(hull({"delete", "--force", "netowner"}).exit_code, 0);
}

// In a user namespace without a network namespace of its own, sysfs cannot
// be mounted: the host's /sys is bound instead, with its submounts (the
// cgroup hierarchies). The config's read-only /sys is read-only in every one
// of them, not only at the top (found by the user namespace review: the
// cgroup mounts below stayed rw).
TEST_F(HullTest, TheHostsSysBoundInAUserNamespaceIsReadOnlyThroughout) {
  Bundle& b = bundle();
  b.add_user_namespace(300000, 400000);
  nlohmann::json namespaces = nlohmann::json::array();
  for (const auto& n : b.config["linux"]["namespaces"])
    if (n["type"] != "network") namespaces.push_back(n);
  b.config["linux"]["namespaces"] = namespaces;
  // The mount point of each mount at or below /sys, and its per-mount options.
  ProcResult r = run_sh(b, "awk '$5 ~ \"^/sys(/|$)\" { print $5, $6 }' /proc/self/mountinfo");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Without mount_setattr (before Linux 5.12, and the compat lane, whose
  // runtime runs under a filter refusing it) the top alone, as runc.
  const bool recursive =
      test::kernel_at_least(5, 12) && runtime_binary().find("refusing_syscalls") == std::string::npos;
  std::istringstream lines(r.out);
  int mounts = 0;
  for (std::string point, options; lines >> point >> options; ++mounts)
    if (recursive || point == "/sys") {
      EXPECT_TRUE(options.starts_with("ro,") || options == "ro") << point << " " << options;
    }
  EXPECT_GT(mounts, 1) << r.out;  // /sys and what the host mounts below it
}

// A new user namespace beside network, ipc and uts namespaces joined by path
// (another container's, owned by the host's user namespace): runc joins
// those before it makes the user namespace, and so does hull's launch
// helper; from inside the new one the joins were refused (EPERM). The
// container has its new maps, the joined namespaces, and new mount and pid
// namespaces owned by its user namespace (it mounts /proc, and is pid 1).
TEST_F(HullTest, ANewUserNamespaceBesideNamespacesJoinedByPath) {
  const pid_t owner_pid = create_container("netowner");  // no user namespace: its namespaces are the host's
  ASSERT_GT(owner_pid, 0);
  const std::string owner_ns = "/proc/" + std::to_string(owner_pid) + "/ns/";

  Bundle& b = bundle();
  b.add_user_namespace(300000, 400000);
  for (auto& n : b.config["linux"]["namespaces"]) {
    if (n["type"] == "network") n["path"] = owner_ns + "net";
    if (n["type"] == "ipc") n["path"] = owner_ns + "ipc";
    if (n["type"] == "uts") n["path"] = owner_ns + "uts";
  }
  // Set in namespaces the container's root does not own: refused, under runc too.
  b.config.erase("hostname");
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : b.config["mounts"])
    if (m["destination"] != "/dev/mqueue") mounts.push_back(m);
  b.config["mounts"] = mounts;
  ProcResult r =
      run_sh(b,
             "cat /proc/self/uid_map; id -u; echo $$; readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; "
             "readlink /proc/self/ns/uts; readlink /proc/1/ns/user >&2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(squeeze(r.out), " 0 300000 65536\n0\n1\n" + fs::read_symlink(owner_ns + "net").string() + "\n" +
                                fs::read_symlink(owner_ns + "ipc").string() + "\n" +
                                fs::read_symlink(owner_ns + "uts").string() + "\n");
  EXPECT_NE(r.err, fs::read_symlink("/proc/self/ns/user").string() + "\n") << "not in a user namespace of its own";
  EXPECT_TRUE(r.err.starts_with("user:[")) << r.err;
  EXPECT_EQ(hull({"delete", "--force", "netowner"}).exit_code, 0);
}

// A new pid namespace beside a user namespace joined by path belongs to the
// joined user namespace (hull clones the init from a helper that joined it,
// as runc's nsexec unshares after its joins): the container's root can mount
// /proc for it, and the container's processes start at pid 1. Checked on the
// host too: the owner of the init's pid namespace (NS_GET_USERNS) is the
// joined user namespace.
TEST_F(HullTest, NewPidNamespaceBesideAJoinedUserNamespaceIsOwnedByIt) {
  pid_t owner_pid = create_user_namespace_owner("owner", 300000, 400000);
  ASSERT_GT(owner_pid, 0);
  const std::string owner_user = "/proc/" + std::to_string(owner_pid) + "/ns/user";

  Bundle& b = bundle();
  b.config["linux"]["namespaces"].push_back({{"type", "user"}, {"path", owner_user}});
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "joiner"}).exit_code, 0);
  pid_t pid = state("joiner").value("pid", 0);
  ASSERT_GT(pid, 0);
  const std::string ns = "/proc/" + std::to_string(pid) + "/ns/";
  EXPECT_EQ(fs::read_symlink(ns + "user"), fs::read_symlink(owner_user));
  EXPECT_NE(fs::read_symlink(ns + "pid"), fs::read_symlink("/proc/" + std::to_string(owner_pid) + "/ns/pid"));
  int pid_ns = ::open((ns + "pid").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(pid_ns, 0);
  int pid_ns_owner = ::ioctl(pid_ns, NS_GET_USERNS);
  ::close(pid_ns);
  ASSERT_GE(pid_ns_owner, 0) << std::strerror(errno);
  struct stat owner_st {};
  struct stat joined_st {};
  ASSERT_EQ(::fstat(pid_ns_owner, &owner_st), 0);
  ::close(pid_ns_owner);
  ASSERT_EQ(::stat(owner_user.c_str(), &joined_st), 0);
  EXPECT_EQ(owner_st.st_ino, joined_st.st_ino) << "the new pid namespace's owner is not the joined user namespace";
  ProcResult started = hull({"start", "joiner"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  // /proc is the new pid namespace's: the init is its pid 1.
  ProcResult r =
      hull({"exec", "joiner", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /proc/self/uid_map; id -u"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(squeeze(r.out), "sleep 1000 \n 0 300000 65536\n0\n");
  EXPECT_EQ(hull({"delete", "--force", "joiner"}).exit_code, 0);
  EXPECT_EQ(hull({"delete", "--force", "owner"}).exit_code, 0);
}

// The same host directory, its files owned by host root, seen three ways by
// a container whose root is host uid 100000: through a plain bind (owned by
// the overflow id, not writable), an id-mapped bind with the container's
// maps (owned by the container's root, writable: new files are host root's
// on disk), and one with maps of its own (host 0 shown as host 101000, the
// container's uid 1000).
TEST_F(HullTest, IdMappedBindShowsTheMappedOwners) {
  fs::path shared = temp_dir() / "shared";
  fs::create_directories(shared);
  if (std::string why = idmap_unsupported_on(shared); !why.empty()) GTEST_SKIP() << why;
  std::ofstream(shared / "file") << "x\n";
  ASSERT_EQ(::chown(shared.c_str(), 0, 0), 0);
  Bundle& b = bundle();
  b.add_user_namespace();
  for (const char* d : {"plain", "mapped", "own"}) fs::create_directories(b.rootfs() / d);
  b.config["mounts"].push_back(bind(shared, "/plain"));
  b.config["mounts"].push_back(bind(shared, "/mapped", {"idmap"}));
  nlohmann::json own = bind(shared, "/own");
  own["uidMappings"] = id_map(0, 101000, 1);
  own["gidMappings"] = id_map(0, 101000, 1);
  b.config["mounts"].push_back(own);
  ProcResult r = run_sh(b,
                        "stat -c %u:%g /plain/file /mapped/file /own/file; "
                        "touch /plain/new 2>/dev/null && echo plain-wrote || echo plain-refused; "
                        "touch /mapped/new && echo mapped-wrote");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "65534:65534\n0:0\n1000:1000\nplain-refused\nmapped-wrote\n");
  struct stat st {};
  ASSERT_EQ(::stat((shared / "new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_gid, 0u);
}

// The runtime holds an fd for each bind tree it makes for the init (here
// id-mapped binds with maps of their own, no user namespace) until the
// init has them: a thousand and more went past systemd's soft limit of
// 1024 (review of the hundred-and-tenth round; runc, in Go, raises its
// own). Past 64 the limit is raised, and the process gets the one hull
// started with.
TEST_F(HullTest, ManyIdMappedBindTreesTheRuntimeHoldsFitTheSoftFdLimit) {
  fs::path shared = temp_dir() / "shared";
  fs::create_directories(shared);
  if (std::string why = idmap_unsupported_on(shared); !why.empty()) GTEST_SKIP() << why;
  std::ofstream(shared / "file") << "x\n";
  ASSERT_EQ(::chown((shared / "file").c_str(), 0, 0), 0);
  rlimit ours{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &ours), 0);
  const rlim_t hard = std::min<rlim_t>(ours.rlim_max, 4096);
  if (hard <= 256) GTEST_SKIP() << "the hard RLIMIT_NOFILE here is " << hard;
  Bundle& b = bundle();
  b.config["process"].erase("rlimits");
  for (int i = 0; i < 150; ++i) {
    const std::string dest = "/m/" + std::to_string(i);
    nlohmann::json own = itest::bind(shared, dest);  // not std::bind, which a std::string argument finds
    own["uidMappings"] = id_map(0, 1000, 1);
    own["gidMappings"] = id_map(0, 1000, 1);
    b.config["mounts"].push_back(own);
  }
  // What the runtime's own hooks see: it puts the limit back too once it
  // has handed the trees over.
  const fs::path hook_saw = temp_dir() / "hook-saw";
  b.config["hooks"]["poststart"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c", "awk '/^Max open files/ {print $4}' /proc/self/limits > " + hook_saw.string()}}}};
  b.args({"sh", "-c", "stat -c %u:%g /m/149/file; awk '/^Max open files/ {print $4, $5}' /proc/self/limits"});
  ProcResult r = run_process({"/usr/bin/prlimit", "--nofile=128:" + std::to_string(hard), runtime_binary(), "--root",
                              state_root().string(), "run", "--bundle", b.dir().string(), "manytrees"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1000:1000\n128 " + std::to_string(hard) + "\n") << r.err;
  std::ifstream saw(hook_saw);
  std::string soft;
  saw >> soft;
  EXPECT_EQ(soft, "128");
}

// --rootless decides the cgroups only, as runc's flag does: root given it
// still opens the bind sources in its own namespace and id-maps mounts (it
// left both to the init, whose mapped root could not reach a source only
// host root can, and refused id-mapped mounts).
TEST_F(HullTest, RootGivenRootlessTrueStillOpensBindSourcesAndMakesIdMappedMounts) {
  fs::path shared = temp_dir() / "shared";
  fs::create_directories(shared);
  if (std::string why = idmap_unsupported_on(shared); !why.empty()) GTEST_SKIP() << why;
  std::ofstream(shared / "file") << "x\n";
  Bundle& b = bundle();
  b.add_user_namespace();
  for (const char* d : {"mnt/vol", "mapped"}) fs::create_directories(b.rootfs() / d);
  b.config["mounts"].push_back(bind(locked_volume(temp_dir()), "/mnt/vol"));
  b.config["mounts"].push_back(bind(shared, "/mapped", {"idmap"}));
  b.args({"sh", "-c", "cat /mnt/vol/file; stat -c %u /mapped/file"});
  ProcResult r = hull({"--rootless", "true", "run", "--bundle", b.dir().string(), "rootlessflag"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "secret-ok\n0\n");
}

// runc 1.2's "mount order" with idmap: an id-mapped bind's source written
// below the rootfs is what the container will see there, with the mounts
// before it (here it exists only through the bind at /mnt) and the image's
// symlinks kept inside the root. The init clones it, the runtime maps it:
// with the container's user namespace, made or joined by path (owned by the
// container's root), and with maps of its own (the container's uid 1000);
// in `run` and in `create`, and without a user namespace of the
// container's, where the init would otherwise join its cgroups after its
// mounts.
TEST_F(HullTest, IdMappedSourceBelowTheRootfsIsMappedAfterTheMountsBeforeIt) {
  const fs::path src = temp_dir() / "bind-src";
  fs::create_directories(src / "x");
  if (std::string why = idmap_unsupported_on(src); !why.empty()) GTEST_SKIP() << why;
  std::ofstream(src / "x" / "file") << "from the bind before\n";
  const pid_t owner_pid = create_user_namespace_owner("idmap-order-owner");
  ASSERT_GT(owner_pid, 0);
  for (const std::string userns : {"new", "joined", "none"}) {
    Bundle& b = bundle("idmap-order-" + userns);
    if (userns == "new") b.add_user_namespace();
    if (userns == "joined")
      b.config["linux"]["namespaces"].push_back(
          {{"type", "user"}, {"path", "/proc/" + std::to_string(owner_pid) + "/ns/user"}});
    const std::string rootfs = fs::canonical(b.rootfs()).string();
    std::ofstream(b.rootfs() / "etc" / "image-marker") << "the image's etc\n";
    fs::create_symlink("/etc", b.rootfs() / "etc-link");
    for (const char* d : {"mnt", "mapped", "own", "image-etc"}) fs::create_directories(b.rootfs() / d);
    b.config["mounts"].push_back(bind(src, "/mnt"));
    nlohmann::json own = bind(fs::path(rootfs) / "mnt/x", "/own");
    own["uidMappings"] = id_map(0, 101000, 1);
    own["gidMappings"] = id_map(0, 101000, 1);
    b.config["mounts"].push_back(own);
    std::string script = "stat -c %u:%g /own/file /mnt/x/file";
    std::string expected;
    if (userns != "none") {
      b.config["mounts"].push_back(bind(fs::path(rootfs) / "mnt/x", "/mapped", {"idmap"}));
      b.config["mounts"].push_back(bind(fs::path(rootfs) / "etc-link", "/image-etc", {"idmap"}));
      script += " /mapped/file /image-etc/image-marker; cat /mapped/file /image-etc/image-marker";
      expected = "1000:1000\n65534:65534\n0:0\n0:0\nfrom the bind before\nthe image's etc\n";
    } else {
      // No cgroup namespace: the plan where the init joins its cgroups after
      // its mounts, were its tree not on the channel.
      nlohmann::json& namespaces = b.config["linux"]["namespaces"];
      for (auto n = namespaces.begin(); n != namespaces.end(); ++n) {
        if ((*n)["type"] == "cgroup") {
          namespaces.erase(n);
          break;
        }
      }
      expected = "101000:101000\n0:0\n";
    }
    ProcResult r = run_sh(b, script, "idmap-order-run-" + userns);
    EXPECT_EQ(r.exit_code, 0) << userns << r.err;
    EXPECT_EQ(r.out, expected) << userns << r.err;
    b.config["process"]["args"] = {"sh", "-c", script};
    b.write();
    const std::string id = "idmap-order-create-" + userns;
    ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), id}).exit_code, 0) << userns;
    const pid_t pid = state(id)["pid"].get<pid_t>();
    struct stat st {};
    ASSERT_EQ(::stat(("/proc/" + std::to_string(pid) + "/root/own/file").c_str(), &st), 0) << userns;
    EXPECT_EQ(st.st_uid, 101000u) << userns;
    EXPECT_EQ(hull({"delete", "--force", id}).exit_code, 0);
  }
  EXPECT_EQ(hull({"delete", "--force", "idmap-order-owner"}).exit_code, 0);
}

// The runtime's mapping of the init's tree can fail (a tmpfs the container's
// user namespace made cannot be id-mapped with that same namespace; before
// Linux 6.3 no tmpfs can): create fails naming the mount, and the init,
// its cgroup and state dir are gone.
TEST_F(HullTest, AnIdMappedSourceBelowTheRootfsTheKernelRefusesFailsCreate) {
  Bundle& b = bundle("idmap-refused");
  b.add_user_namespace();
  const std::string rootfs = fs::canonical(b.rootfs()).string();
  for (const char* d : {"mnt", "mapped"}) fs::create_directories(b.rootfs() / d);
  b.config["mounts"].push_back({{"destination", "/mnt"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
  b.config["mounts"].push_back(bind(fs::path(rootfs) / "mnt", "/mapped", {"idmap"}));
  const size_t index = b.config["mounts"].size() - 1;
  b.write();
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "idmap-refused"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("id-mapped mount .mounts[" + std::to_string(index) +
                       "] on \"/mapped\": id-map the mount (mount_setattr MOUNT_ATTR_IDMAP): "),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(state_dir("idmap-refused")));
  EXPECT_NE(hull({"state", "idmap-refused"}).exit_code, 0);
}

// A user-namespaced container's bind of a shared host mount receives the
// host's mounts and sends none back: the init clones it from its rslave "/".
// The runtime's own clone, which it attached until 2026-12-06, was a peer
// of that mount, and the tmpfs the config puts below the bind reached the
// host's directory too, shared and left there after the container had gone.
TEST_F(HullTest, UserNamespacedBindOfASharedHostMountSendsNoMountBack) {
  fs::path host = temp_dir() / "host";
  SharedHostMount shared(host, true);
  ASSERT_TRUE(shared.made()) << std::strerror(errno);
  fs::create_directories(host / "vol" / "inner");
  Bundle& b = bundle();
  b.add_user_namespace();
  fs::create_directories(b.rootfs() / "mnt/vol");
  b.config["mounts"].push_back(bind(host / "vol", "/mnt/vol"));
  b.config["mounts"].push_back(
      {{"destination", "/mnt/vol/inner"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"mode=755"}}});
  ProcResult r = run_sh(b,
                        "grep -c ' /mnt/vol/inner ' /proc/self/mountinfo; "
                        "grep ' /mnt/vol ' /proc/self/mountinfo | grep -c 'shared:'");
  EXPECT_EQ(r.out, "1\n0\n") << r.err;
  EXPECT_FALSE(host_has_mount_at(host / "vol" / "inner")) << "the container's tmpfs reached the host";
}

// The same for an id-mapped rootfs, which the runtime detaches and maps
// before the clone: on a shared host mount, the container's own mounts
// (here its /tmp) stay the container's.
TEST_F(HullTest, IdMappedRootfsOnASharedHostMountSendsNoMountBack) {
  Bundle& b = bundle();
  if (std::string why = idmap_unsupported_on(b.rootfs()); !why.empty()) GTEST_SKIP() << why;
  SharedHostMount shared(b.rootfs(), false);
  ASSERT_TRUE(shared.made()) << std::strerror(errno);
  b.add_user_namespace();
  b.config["root"]["readonly"] = false;
  b.config["annotations"]["org.hull.rootfs-idmap"] = "true";
  b.config["mounts"].push_back(
      {{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"mode=1777"}}});
  ProcResult r =
      run_sh(b, "grep -c ' /tmp ' /proc/self/mountinfo; grep ' / ' /proc/self/mountinfo | grep -c 'shared:'");
  EXPECT_EQ(r.out, "1\n0\n") << r.err;
  EXPECT_FALSE(host_has_mount_at(b.rootfs() / "tmp")) << "the container's /tmp reached the host";
}

// A rootfs owned by host root, id-mapped (annotation org.hull.rootfs-idmap,
// runtime-spec 1.2's idmap semantics applied to root.path) with the
// container's user namespace (host 100000 is its root): inside, its files
// are owned by the container's root, who may write them; on disk what it
// writes is host root's. Without the annotation the same rootfs shows the
// overflow ids (UserNamespaceOnARootfsOwnedByHostRoot above).
TEST_F(HullTest, IdMappedRootfsOwnedByHostRootIsTheContainerRoots) {
  Bundle& b = bundle();
  if (std::string why = idmap_unsupported_on(b.rootfs()); !why.empty()) GTEST_SKIP() << why;
  b.add_user_namespace();
  b.config["root"]["readonly"] = false;
  b.config["annotations"]["org.hull.rootfs-idmap"] = "true";
  struct stat st {};
  ASSERT_EQ(::stat((b.rootfs() / "etc/passwd").c_str(), &st), 0);
  ASSERT_EQ(st.st_uid, 0U);
  ProcResult r = run_sh(b,
                        "stat -c %u:%g / /etc /etc/passwd; cat /proc/self/uid_map; id -u; "
                        "touch /etc/probe && stat -c %u:%g /etc/probe");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(squeeze(r.out), "0:0\n0:0\n0:0\n 0 100000 65536\n0\n0:0\n");
  ASSERT_EQ(::stat((b.rootfs() / "etc/probe").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0U);
  EXPECT_EQ(st.st_gid, 0U);
}

// An id-mapped bind whose source is below an id-mapped rootfs: the init's
// copy of that source is mapped already, and a mount is mapped once, so
// the runtime maps a copy of the image's own path (as it has it, before the
// container's mounts): with the container's user namespace (its root's,
// as the rootfs shows it) or with the mount's own maps (the container's
// 1000).
TEST_F(HullTest, AnIdMappedSourceBelowAnIdMappedRootfsIsTheImagesPathMapped) {
  Bundle& b = bundle();
  if (std::string why = idmap_unsupported_on(b.rootfs()); !why.empty()) GTEST_SKIP() << why;
  b.add_user_namespace();
  b.config["annotations"]["org.hull.rootfs-idmap"] = "true";
  const fs::path rootfs = fs::canonical(b.rootfs());
  for (const char* d : {"mapped-etc", "own-etc"}) fs::create_directories(b.rootfs() / d);
  b.config["mounts"].push_back(bind(rootfs / "etc", "/mapped-etc", {"idmap"}));
  nlohmann::json own = bind(rootfs / "etc", "/own-etc");
  own["uidMappings"] = id_map(0, 101000, 1);
  own["gidMappings"] = id_map(0, 101000, 1);
  b.config["mounts"].push_back(own);
  ProcResult r = run_sh(b, "stat -c %u:%g /etc/passwd /mapped-etc/passwd /own-etc/passwd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0:0\n0:0\n1000:1000\n");
}

// The same beside a user namespace joined by path (and a new pid namespace,
// made by the launch helper): the rootfs is id-mapped with the joined
// namespace before the clone, its maps (300000) are the container's.
TEST_F(HullTest, IdMappedRootfsWithAJoinedUserNamespace) {
  Bundle& b = bundle();
  if (std::string why = idmap_unsupported_on(b.rootfs()); !why.empty()) GTEST_SKIP() << why;
  pid_t owner_pid = create_user_namespace_owner("owner", 300000, 300000);
  ASSERT_GT(owner_pid, 0);
  b.config["linux"]["namespaces"].push_back(
      {{"type", "user"}, {"path", "/proc/" + std::to_string(owner_pid) + "/ns/user"}});
  b.config["root"]["readonly"] = false;
  b.config["annotations"]["org.hull.rootfs-idmap"] = "true";
  ProcResult r = run_sh(b, "stat -c %u:%g / /etc/passwd; cat /proc/self/uid_map; touch /etc/probe && echo wrote");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(squeeze(r.out), "0:0\n0:0\n 0 300000 65536\nwrote\n");
  EXPECT_EQ(hull({"delete", "--force", "owner"}).exit_code, 0);
}

// The other way to give a user-namespaced container its rootfs: owned on
// disk by the mapped ids (chowned to 100000, as Docker's --userns-remap and
// containerd do), no idmap. Inside, the owners are the container's root and
// a user of the image (host 101000 is the container's 1000); what the
// container writes is host 100000's on disk.
TEST_F(HullTest, RootfsOwnedByTheMappedIdsShowsTheirContainerIds) {
  Bundle& b = bundle();
  b.add_user_namespace();
  b.config["root"]["readonly"] = false;
  // bin/busybox is a hard link to the harness's template: a private copy
  // first, or every later test's busybox would be chowned too.
  const fs::path busybox = b.rootfs() / "bin" / "busybox";
  fs::copy_file(busybox, busybox.string() + ".copy");
  fs::rename(busybox.string() + ".copy", busybox);
  for (const auto& e : fs::recursive_directory_iterator(b.rootfs()))
    ASSERT_EQ(::lchown(e.path().c_str(), 100000, 100000), 0) << e.path();
  ASSERT_EQ(::lchown(b.rootfs().c_str(), 100000, 100000), 0);
  fs::create_directories(b.rootfs() / "home/user");
  ASSERT_EQ(::chown((b.rootfs() / "home/user").c_str(), 101000, 101000), 0);
  ProcResult r = run_sh(b,
                        "stat -c %u:%g / /etc/passwd /bin/busybox /home/user; id -u; "
                        "touch /etc/probe && stat -c %u:%g /etc/probe");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0:0\n0:0\n0:0\n1000:1000\n0\n0:0\n");
  struct stat st {};
  ASSERT_EQ(::stat((b.rootfs() / "etc/probe").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100000U);
  EXPECT_EQ(st.st_gid, 100000U);
}

// The annotation is refused where it cannot hold: without a user namespace
// to map with, nothing is left behind.
TEST_F(HullTest, IdMappedRootfsNeedsAUserNamespace) {
  Bundle& b = bundle();
  b.config["annotations"]["org.hull.rootfs-idmap"] = "true";
  ProcResult r = run_sh(b, "true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("id-mapped rootfs (annotation org.hull.rootfs-idmap): maps with the container's user "
                       "namespace, but .linux.namespaces has none"),
            std::string::npos)
      << r.err;
}

// `hull features` says what hull recognises, whatever the kernel
// (features.md): idmap enabled and the recursive attributes listed, on
// Debian 11's 5.10 too, where such a mount is refused when it is made.
TEST_F(HullTest, FeaturesSayIdMappedMountsAndRecursiveAttributesAreEnabled) {
  ProcResult r = hull({"features"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto f = nlohmann::json::parse(r.out);
  EXPECT_EQ(f["linux"]["mountExtensions"]["idmap"]["enabled"], true) << r.out;
  auto opts = f["mountOptions"];
  for (const char* o : {"idmap", "ridmap", "rro"}) EXPECT_NE(std::find(opts.begin(), opts.end(), o), opts.end()) << o;
}

}  // namespace
}  // namespace hull::itest
