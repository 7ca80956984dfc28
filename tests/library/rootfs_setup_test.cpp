// setup_rootfs called directly in a private mount namespace (before the core's
// `hull run` path existed): the common case end to end, checked from inside.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "rootfs/rootfs.hpp"
#include "rootfs_test_util.hpp"

namespace hull::rootfs {
namespace {

using namespace hull::rootfs::testing;

bool is_char(const char* path, unsigned maj, unsigned min, mode_t perm) {
  struct stat st {};
  return ::lstat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min) &&
         (st.st_mode & 07777) == perm;
}

std::string link_of(const char* path) {
  char buf[256];
  ssize_t n = ::readlink(path, buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

TEST(RootfsSetup, DefaultSpecMountsDevicesMasksAndPivots) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  spec::Spec s = default_spec(tb.rootfs());
  s.root->readonly = true;
  int host_mounts_before = mounts_under(tb.dir());
  // /dev/core -> /proc/kcore exactly where the kernel has one (Debian's 5.10
  // does, this project's 6.18 hosts do not).
  const bool kcore = ::access("/proc/kcore", F_OK) == 0;

  std::string out = in_child([&] {
    SetupOptions o;
    o.bundle = tb.bundle();
    o.rootfs = tb.rootfs();
    bool hook_ran = false;
    o.before_pivot = [&] { hook_ran = true; };
    setup_rootfs(s, o);
    Checks c;
    c.expect(hook_ran, "before_pivot ran");
    char cwd[256];
    c.expect(::getcwd(cwd, sizeof cwd) && std::string(cwd) == "/", "cwd is /");
    c.expect(::access("/bin/busybox", X_OK) == 0, "busybox visible at /bin");
    auto mi = read_mountinfo();
    const MountInfo* proc = find_mount(mi, "/proc");
    c.expect(proc && proc->fs_type == "proc", "/proc is procfs");
    const MountInfo* dev = find_mount(mi, "/dev");
    c.expect(dev && dev->fs_type == "tmpfs" && has_opt(dev, "nosuid"), "/dev tmpfs nosuid");
    const MountInfo* pts = find_mount(mi, "/dev/pts");
    c.expect(pts && pts->fs_type == "devpts" && has_opt(pts, "noexec") &&
                 pts->super_options.find("ptmxmode=666") != std::string::npos,
             "/dev/pts new devpts instance with ptmxmode");
    const MountInfo* shm = find_mount(mi, "/dev/shm");
    c.expect(shm && has_opt(shm, "nodev") && has_opt(shm, "noexec"), "/dev/shm nodev noexec");
    c.expect(find_mount(mi, "/dev/mqueue") != nullptr, "/dev/mqueue mounted");
    const MountInfo* sys = find_mount(mi, "/sys");
    c.expect(sys && sys->fs_type == "sysfs" && has_opt(sys, "ro"), "/sys sysfs ro");
    const MountInfo* cg = find_mount(mi, "/sys/fs/cgroup");
    c.expect(cg && has_opt(cg, "ro"), "/sys/fs/cgroup mounted ro");
    const MountInfo* root = find_mount(mi, "/");
    c.expect(root && has_opt(root, "ro"), "root read-only");
    c.expect(open_errno("/newfile", O_CREAT | O_WRONLY) == EROFS, "writing / fails with EROFS");

    for (const char* d : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}) {
      struct stat st {};
      c.expect(::lstat(d, &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0666,
               std::string(d) + " is a 0666 char device");
    }
    c.expect(is_char("/dev/null", 1, 3, 0666), "/dev/null is 1:3");
    c.expect(is_char("/dev/urandom", 1, 9, 0666), "/dev/urandom is 1:9");
    c.expect(link_of("/dev/ptmx") == "pts/ptmx", "/dev/ptmx -> pts/ptmx");
    c.expect(link_of("/dev/fd") == "/proc/self/fd", "/dev/fd link");
    c.expect(link_of("/dev/stdin") == "/proc/self/fd/0", "/dev/stdin link");
    c.expect(link_of("/dev/stderr") == "/proc/self/fd/2", "/dev/stderr link");

    // Masked: file reads as /dev/null, directory as an empty read-only
    // directory of the /dev tmpfs that nothing in the container reaches.
    // (/proc/keys: every kernel here has it, not every one /proc/kcore.)
    c.expect(is_char("/proc/keys", 1, 3, 0666), "/proc/keys masked by the real /dev/null");
    c.expect(read_file("/proc/keys").empty(), "masked file reads empty");
    c.expect((::access("/dev/core", F_OK) == 0) == kcore,
             kcore ? "/dev/core for the kernel's /proc/kcore" : "no /dev/core without /proc/kcore");
    struct statfs sfs {};
    c.expect(::statfs("/sys/firmware", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC && (sfs.f_flags & ST_RDONLY),
             "/sys/firmware masked by a read-only mount of tmpfs");
    c.expect(open_errno("/sys/firmware/x", O_CREAT | O_WRONLY) == EROFS,
             "nothing can be made in the masked directory: it is read-only");
    // Read-only paths.
    c.expect(open_errno("/proc/sys/kernel/domainname", O_WRONLY) == EROFS, "/proc/sys read-only");
    return c.failures;
  });
  EXPECT_EQ(out, "");
  EXPECT_EQ(mounts_under(tb.dir()), host_mounts_before) << "a mount leaked to the host namespace";
  // Destinations were created inside the rootfs, nowhere else.
  EXPECT_TRUE(fs::is_directory(tb.rootfs() + "/proc"));
  EXPECT_TRUE(fs::is_directory(tb.rootfs() + "/sys"));
}

// The masked directories of the two tests below, in a bundle that has them.
const char* const kMaskedDirs[] = {"/opt/one", "/sys/firmware", "/opt/two"};
spec::Spec masking_spec(const TempBundle& tb) {
  for (const char* d : {"/opt/one/keep", "/opt/two"}) fs::create_directories(tb.rootfs() + d);
  spec::Spec s = default_spec(tb.rootfs());
  s.linux_->maskedPaths.assign(std::begin(kMaskedDirs), std::end(kMaskedDirs));
  return s;
}

// Masked directories show one empty directory of the container's /dev
// tmpfs, made beneath the first mount below /dev (/dev/pts here), where no
// path in the container leads: no superblock of their own, which would cost
// memory and slow every memory cgroup's removal on the host
// (src/rootfs/masked_paths.hpp), and they read as runc's read-only tmpfs
// does: an empty directory of two links that refuses writes with EROFS.
TEST(RootfsSetup, MaskedDirectoriesShowAnEmptyDirectoryOfTheDevTmpfsThatAMountCovers) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  spec::Spec s = masking_spec(tb);
  std::string out = run_setup(tb, s, {}, {}, [] {
    Checks c;
    struct stat dev {};
    c.expect(::stat("/dev", &dev) == 0, "stat /dev");
    auto mi = read_mountinfo();
    for (const char* d : kMaskedDirs) {
      struct statfs sfs {};
      struct stat st {};
      c.expect(::statfs(d, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC && (sfs.f_flags & ST_RDONLY),
               std::string(d) + " is a read-only mount of tmpfs");
      c.expect(::stat(d, &st) == 0 && st.st_dev == dev.st_dev && st.st_nlink == 2 && (st.st_mode & 07777) == 0555,
               std::string(d) + " is an empty directory (two links, 0555) of the /dev tmpfs");
      const MountInfo* m = find_mount(mi, d);
      c.expect(m && m->root == "/pts/.hull-masked" && has_opt(m, "ro") && has_opt(m, "nosuid") && has_opt(m, "nodev") &&
                   has_opt(m, "noexec"),
               std::string(d) + " mountinfo: the directory beneath /dev/pts, ro,nosuid,nodev,noexec");
      c.expect(open_errno(std::string(d) + "/x", O_CREAT | O_WRONLY) == EROFS,
               std::string(d) + ": nothing can be made in it");
    }
    c.expect(::access("/opt/one/keep", F_OK) != 0, "what the masked directory held is hidden");
    for (const char* dir : {"/dev", "/dev/pts", "/dev/shm", "/dev/mqueue"})
      c.expect(::access((std::string(dir) + "/.hull-masked").c_str(), F_OK) != 0,
               std::string(dir) + " does not show the masks' directory");
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

// Without a /dev tmpfs of the container's own (here /dev is the image's
// directory) every masked directory is covered by a clone of one read-only
// tmpfs: still one superblock per container, however many are masked, and
// each covering mount looks as mount(2) with MS_RDONLY would make it.
TEST(RootfsSetup, WithoutADevTmpfsMaskedDirectoriesShareOneReadOnlyTmpfs) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  spec::Spec s = masking_spec(tb);
  fs::create_directories(tb.rootfs() + "/dev");
  std::erase_if(s.mounts, [](const spec::Mount& m) { return m.destination.starts_with("/dev"); });
  std::string out = run_setup(tb, s, {}, {}, [] {
    Checks c;
    struct stat first {};
    c.expect(::stat("/opt/one", &first) == 0, "stat /opt/one");
    auto mi = read_mountinfo();
    for (const char* d : kMaskedDirs) {
      struct statfs sfs {};
      struct stat st {};
      c.expect(::statfs(d, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC && (sfs.f_flags & ST_RDONLY),
               std::string(d) + " is a read-only tmpfs");
      c.expect(::stat(d, &st) == 0 && st.st_dev == first.st_dev, std::string(d) + " is on the first one's superblock");
      const MountInfo* m = find_mount(mi, d);
      // A kernel built with CONFIG_TMPFS_INODE64 (Debian's) shows inode64 on every tmpfs.
      c.expect(m && m->source == "tmpfs" && has_opt(m, "ro") &&
                   (m->super_options == "ro" || m->super_options == "ro,inode64"),
               std::string(d) + " mountinfo: source tmpfs, ro mount, ro superblock");
      c.expect(open_errno(std::string(d) + "/x", O_CREAT | O_WRONLY) == EROFS, std::string(d) + " refuses writes");
    }
    c.expect(::access("/opt/one/keep", F_OK) != 0, "what the masked directory held is hidden");
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

// before_network_mount: where a thread makes the container's network
// namespace, the init enters it there. Called before sysfs and before any
// mount of a type not known to ignore the mounter's namespace (hugetlbfs
// stands for nfs and the like here, which need a server), after the
// mounts that do not need it.
TEST(RootfsSetup, TheNetworkNamespaceIsAskedForBeforeTheFirstMountThatTakesIt) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  const std::string root = fs::canonical(tb.rootfs());
  auto mounted = [&](const char* dest) { return find_mount(read_mountinfo(), root + dest) != nullptr; };
  auto calls_with = [&](const spec::Spec& s) {
    std::string calls;  // the child's copy, filled and returned in the child
    return run_setup(
        tb, s,
        [&](SetupOptions& o) {
          o.before_network_mount = [&] {
            calls += "proc " + std::to_string(mounted("/proc")) + ", sys " + std::to_string(mounted("/sys")) +
                     ", huge " + std::to_string(mounted("/mnt/huge")) + "\n";
          };
        },
        {}, [&] { return calls; });
  };
  // The default mounts: only sysfs takes it, after proc, /dev and the rest.
  EXPECT_EQ(calls_with(default_spec(tb.rootfs())), "proc 1, sys 0, huge 0\n");

  spec::Spec s = default_spec(tb.rootfs());
  spec::Mount huge;
  huge.destination = "/mnt/huge";
  huge.type = "hugetlbfs";
  huge.source = "none";
  s.mounts.insert(s.mounts.begin() + 1, huge);  // right after /proc
  EXPECT_EQ(calls_with(s), "proc 1, sys 0, huge 0\nproc 1, sys 0, huge 1\n");
  EXPECT_EQ(mounts_under(tb.dir()), 0);
}

}  // namespace
}  // namespace hull::rootfs
