// Malicious bundles: every path trick a rootfs can play on a runtime. Each is
// refused or confined to the rootfs; the "host" (a directory of the test's
// temp dir, and a per-namespace procfs file) is checked afterwards.
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <iostream>

#include "rootfs/mount_api.hpp"
#include "rootfs/rootfs.hpp"
#include "rootfs/safe_path.hpp"
#include "rootfs_test_util.hpp"
#include "support/swapper.hpp"

namespace hull::rootfs {
namespace {

using namespace hull::rootfs::testing;
using ::hull::test::Swapper;

bool dir_empty(const std::string& d) { return fs::is_empty(d); }

class RootfsEscape : public ::testing::Test {
 protected:
  void SetUp() override {
    HULL_REQUIRE_ROOT();
    tb_ = std::make_unique<TempBundle>();
  }
  void TearDown() override {
    if (!tb_) return;
    EXPECT_EQ(mounts_under(tb_->dir()), 0) << "a test mount leaked to the host namespace";
    EXPECT_TRUE(dir_empty(tb_->host())) << "something was created in the host directory";
  }
  std::string setup(const spec::Spec& s, const std::function<std::string()>& before_pivot = {},
                    const std::function<std::string()>& after = {}) {
    return run_setup(*tb_, s, {}, before_pivot, after);
  }
  std::unique_ptr<TempBundle> tb_;
};

std::string host_untouched(const TempBundle& tb) {
  Checks c;
  c.expect(mounts_under(tb.host()) == 0, "no mount on the host directory");
  c.expect(fs::is_empty(tb.host()), "host directory still empty");
  return c.failures;
}

TEST_F(RootfsEscape, ProcSymlinkedToHostIsRefused) {
  fs::create_directory_symlink(tb_->host(), tb_->rootfs() + "/proc");
  std::string out = setup(default_spec(tb_->rootfs()));
  EXPECT_NE(out.find("error: "), std::string::npos) << out;
  EXPECT_NE(out.find("\"/proc\" is a symlink in the rootfs"), std::string::npos) << out;
  EXPECT_NE(out.find("CVE-2019-19921"), std::string::npos) << out;
  EXPECT_EQ(out.find("LEAK"), std::string::npos) << out;
}

TEST_F(RootfsEscape, ProcRelativeSymlinkThroughDotDotIsRefused) {
  fs::create_directory_symlink("../../host", tb_->rootfs() + "/proc");
  std::string out = setup(default_spec(tb_->rootfs()));
  EXPECT_NE(out.find("\"/proc\" is a symlink in the rootfs"), std::string::npos) << out;
  EXPECT_EQ(out.find("LEAK"), std::string::npos) << out;
}

TEST_F(RootfsEscape, SysSymlinkedIsRefused) {
  fs::create_directory_symlink(tb_->host(), tb_->rootfs() + "/sys");
  std::string out = setup(default_spec(tb_->rootfs()));
  EXPECT_NE(out.find("\"/sys\" is a symlink in the rootfs"), std::string::npos) << out;
  EXPECT_EQ(out.find("LEAK"), std::string::npos) << out;
}

TEST_F(RootfsEscape, ProcThatIsAFileIsRefused) {
  write_text(tb_->rootfs() + "/proc", "not a dir");
  std::string out = setup(default_spec(tb_->rootfs()));
  EXPECT_NE(out.find("\"/proc\" is not a directory in the rootfs"), std::string::npos) << out;
}

TEST_F(RootfsEscape, DevSymlinkedToHostStaysInsideTheRootfs) {
  // No tmpfs on /dev: devices are created right in the rootfs's /dev, which
  // points at the host directory. They must land inside the rootfs.
  fs::create_directory_symlink(tb_->host(), tb_->rootfs() + "/dev");
  spec::Spec s = default_spec(tb_->rootfs());
  std::erase_if(s.mounts, [](const spec::Mount& m) { return m.destination.rfind("/dev", 0) == 0; });
  spec::Device d;
  d.type = "c";
  d.path = "/dev/kmsg-like";
  d.major = 1;
  d.minor = 11;
  s.linux_->devices = {d};
  std::string out = setup(s, [&] { return host_untouched(*tb_); });
  EXPECT_EQ(out, "");
  // Confined: the symlink was followed inside the rootfs.
  struct stat st {};
  ASSERT_EQ(::lstat((tb_->rootfs() + tb_->host() + "/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(::lstat((tb_->rootfs() + tb_->host() + "/kmsg-like").c_str(), &st), 0);
}

TEST_F(RootfsEscape, DevSymlinkedWithTmpfsMountStaysInside) {
  fs::create_directory_symlink(tb_->host(), tb_->rootfs() + "/dev");
  std::string out = setup(default_spec(tb_->rootfs()), [&] { return host_untouched(*tb_); });
  EXPECT_EQ(out, "");
}

TEST_F(RootfsEscape, MountDestinationSymlinksToHostAreConfined) {
  fs::create_directories(tb_->rootfs() + "/etc");
  // Absolute, relative through .., and a chain of two links.
  fs::create_directory_symlink(tb_->host() + "/abs", tb_->rootfs() + "/etc/abs");
  fs::create_directory_symlink("../../../../../../../../.." + tb_->host() + "/rel", tb_->rootfs() + "/etc/rel");
  fs::create_directory_symlink("/etc/abs2", tb_->rootfs() + "/etc/chain");
  fs::create_directory_symlink(tb_->host() + "/chained", tb_->rootfs() + "/etc/abs2");
  fs::create_directories(tb_->dir() + "/src");
  write_text(tb_->dir() + "/src/file", "payload");

  spec::Spec s = default_spec(tb_->rootfs());
  s.mounts.push_back(make_mount("/etc/abs", "tmpfs", "tmpfs", {}));
  s.mounts.push_back(make_mount("/etc/rel", "", tb_->dir() + "/src", {"bind"}));
  s.mounts.push_back(make_mount("/etc/chain/x", "tmpfs", "tmpfs", {}));
  s.mounts.push_back(make_mount("/../../../.." + tb_->host() + "/dotdot", "tmpfs", "tmpfs", {}));
  std::string out = setup(
      s, [&] { return host_untouched(*tb_); },
      [&] {
        Checks c;
        c.expect(::access((tb_->host() + "/rel/file").c_str(), F_OK) == 0, "bind landed at the in-root target");
        c.expect(mounts_under(tb_->host() + "/abs") == 1, "tmpfs at the in-root /abs target");
        c.expect(mounts_under(tb_->host() + "/chained/x") == 1, "tmpfs at the in-root chained target");
        c.expect(mounts_under(tb_->host() + "/dotdot") == 1, "tmpfs at the in-root dotdot target");
        return c.failures;
      });
  EXPECT_EQ(out, "");
  // The targets were created inside the rootfs.
  EXPECT_TRUE(fs::is_directory(tb_->rootfs() + tb_->host() + "/abs"));
  EXPECT_TRUE(fs::is_directory(tb_->rootfs() + tb_->host() + "/rel"));
}

// A destination that reaches "/" through a symlink ("/toroot" -> "/",
// "/up" -> "..") would put the mount on the rootfs itself: hidden from the
// init under its pivot, but where exec and setns land. Refused, as a
// literal "/" is, for a new file system and a bind alike.
TEST_F(RootfsEscape, ADestinationThatResolvesToTheRootIsRefused) {
  fs::create_directory_symlink("/", tb_->rootfs() + "/toroot");
  fs::create_directory_symlink("..", tb_->rootfs() + "/up");
  fs::create_directories(tb_->dir() + "/src");
  for (const spec::Mount& m : {make_mount("/toroot", "tmpfs", "tmpfs", {}), make_mount("/up", "tmpfs", "tmpfs", {}),
                               make_mount("/toroot", "", tb_->dir() + "/src", {"rbind"})}) {
    spec::Spec s = default_spec(tb_->rootfs());
    s.mounts.push_back(m);
    const std::string out = setup(s);
    EXPECT_NE(out.find("the destination resolves to the container's root"), std::string::npos)
        << m.destination << ": " << out;
  }
}

// A link of /proc met while a missing path is made (process.cwd
// "/proc/self/fd/N", where N is the walk's own fd) is not followed: its
// text, the rootfs's host path, would be made as directories in the image.
TEST_F(RootfsEscape, AMagicLinkOfProcIsNotFollowedWhenAPathIsMade) {
  // In the set-up's child, with the container's /proc mounted in the rootfs.
  std::string out = setup(default_spec(tb_->rootfs()), [&] {
    UniqueFd root(::open(tb_->rootfs().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    const int lowest_free = ::dup(root.get());  // the fd the walk's parent gets
    ::close(lowest_free);
    std::string err;
    try {
      create_in_root(root.get(), "/proc/self/fd/" + std::to_string(lowest_free), NodeKind::Directory);
    } catch (const Error& e) {
      err = e.what();
    }
    Checks c;
    c.expect(
        err.find("is a link of /proc, which is not followed: too many levels of symbolic links") != std::string::npos,
        "refused as a link of /proc: " + err);
    c.expect(!fs::exists(tb_->rootfs() + tb_->rootfs()), "the rootfs's host path was made in it");
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

TEST_F(RootfsEscape, FileBindOnDanglingSymlinkCreatesTheFileInside) {
  fs::create_directories(tb_->rootfs() + "/etc");
  fs::create_symlink(tb_->host() + "/resolv.conf", tb_->rootfs() + "/etc/resolv.conf");
  write_text(tb_->dir() + "/resolv", "nameserver 192.0.2.1\n");
  spec::Spec s = default_spec(tb_->rootfs());
  s.mounts.push_back(make_mount("/etc/resolv.conf", "", tb_->dir() + "/resolv", {"bind", "ro"}));
  std::string out = setup(
      s, [&] { return host_untouched(*tb_); },
      [&] {
        Checks c;
        c.expect(read_file("/etc/resolv.conf") == "nameserver 192.0.2.1\n", "bind visible through the link");
        return c.failures;
      });
  EXPECT_EQ(out, "");
  EXPECT_TRUE(fs::is_regular_file(tb_->rootfs() + tb_->host() + "/resolv.conf"));
}

TEST_F(RootfsEscape, MountIntoProcThroughSymlinkIsRefused) {
  // /etc/evil -> /proc/sys/kernel/domainname: after the container's /proc is
  // mounted this leads to a host knob (per UTS namespace here, harmless).
  fs::create_directories(tb_->rootfs() + "/etc");
  fs::create_symlink("/proc/sys/kernel/domainname", tb_->rootfs() + "/etc/evil");
  write_text(tb_->dir() + "/payload", "pwned\n");
  spec::Spec s = default_spec(tb_->rootfs());
  s.mounts.push_back(make_mount("/etc/evil", "", tb_->dir() + "/payload", {"bind"}));
  std::string out = in_child([&] {
    if (::setdomainname("hull-test", 9) < 0) return std::string("setdomainname failed");
    SetupOptions o;
    o.bundle = tb_->bundle();
    o.rootfs = tb_->rootfs();
    std::string err;
    try {
      setup_rootfs(s, o);
    } catch (const std::exception& e) {
      err = e.what();
    }
    char name[64] = {};
    if (::getdomainname(name, sizeof name) < 0) return err + "|getdomainname failed";
    return err + "|" + name;
  });
  EXPECT_NE(out.find("which is inside /proc"), std::string::npos) << out;
  EXPECT_NE(out.find("|hull-test"), std::string::npos) << "domainname changed: " << out;
}

TEST_F(RootfsEscape, MountOverProcFileIsRefused) {
  write_text(tb_->dir() + "/payload", "pwned\n");
  spec::Spec s = default_spec(tb_->rootfs());
  s.mounts.push_back(make_mount("/proc/sys/kernel/domainname", "", tb_->dir() + "/payload", {"bind"}));
  std::string out = setup(s);
  EXPECT_NE(out.find("which is inside /proc"), std::string::npos) << out;
  // /proc/net is a link to /proc/self/net: a bind on /proc/net/dev never
  // covered what the container's processes read (runc >= 1.3.1 refuses it).
  s.mounts.back().destination = "/proc/net/dev";
  out = setup(s);
  EXPECT_NE(out.find("which is inside /proc"), std::string::npos) << out;
  // The FIPS switch a test bench covers (runc's list has it): allowed, so
  // where the kernel has no such file the mount fails on that, not on /proc.
  s.mounts.back().destination = "/proc/sys/crypto/fips_enabled";
  out = setup(s);
  EXPECT_EQ(out.find("which is inside /proc"), std::string::npos) << out;
  // An lxcfs-style overlay of an allowed file is fine.
  s.mounts.back().destination = "/proc/uptime";
  EXPECT_EQ(setup(s), "");
  // A destination procfs does not have cannot be made there: said so, not
  // as "no such file or directory", which podman reads as a command not
  // found (exit 127; runc's refusal gives 126). A file, a directory, a tmpfs.
  fs::create_directories(tb_->dir() + "/srcdir");
  for (const auto& [source, type] : {std::pair<std::string, std::string>{tb_->dir() + "/payload", ""},
                                     {tb_->dir() + "/srcdir", ""},
                                     {"tmpfs", "tmpfs"}}) {
    s.mounts.back() = make_mount("/proc/foo/bar", type, source,
                                 type.empty() ? std::vector<std::string>{"bind"} : std::vector<std::string>{});
    out = setup(s);
    EXPECT_NE(out.find("\"/proc/foo\" in the rootfs: its directory is on a proc file system"), std::string::npos)
        << out;
    EXPECT_EQ(out.find("No such file"), std::string::npos) << out;
    EXPECT_EQ(out.find("no such file"), std::string::npos) << out;
  }
}

TEST_F(RootfsEscape, DevNullSymlinkIsRefusedAndLeftAsItIs) {
  // No tmpfs on /dev; the image's dev/null points at a harmless file. The
  // container never gets that file for the device (the masks bind
  // /dev/null), and the image is not changed: the set-up fails, as
  // config-linux.md has it for a path that holds something else.
  fs::create_directories(tb_->rootfs() + "/dev");
  fs::create_directories(tb_->rootfs() + "/etc");
  write_text(tb_->rootfs() + "/etc/harmless", "harmless\n");
  fs::create_symlink("/etc/harmless", tb_->rootfs() + "/dev/null");
  spec::Spec s = default_spec(tb_->rootfs());
  std::erase_if(s.mounts, [](const spec::Mount& m) { return m.destination.rfind("/dev", 0) == 0; });
  std::string out = setup(s);
  EXPECT_NE(out.find("create device \"/dev/null\" (c 1:3): the rootfs holds a symbolic link there"), std::string::npos)
      << out;
  EXPECT_TRUE(fs::is_symlink(tb_->rootfs() + "/dev/null"));
  EXPECT_EQ(read_file(tb_->rootfs() + "/etc/harmless"), "harmless\n");
}

TEST_F(RootfsEscape, BoundDevWithFakeNullIsRefusedForMasking) {
  // /dev bind-mounted from a directory whose null is a symlink to a regular
  // file: hull does not populate a bound /dev, and must refuse to mask with it.
  fs::create_directories(tb_->dir() + "/fakedev");
  write_text(tb_->dir() + "/fakedev/file", "not a device\n");
  fs::create_symlink("file", tb_->dir() + "/fakedev/null");
  spec::Spec s = default_spec(tb_->rootfs());
  std::erase_if(s.mounts, [](const spec::Mount& m) { return m.destination.rfind("/dev", 0) == 0; });
  s.mounts.push_back(make_mount("/dev", "", tb_->dir() + "/fakedev", {"rbind"}));
  std::string out = setup(s);
  EXPECT_NE(out.find("CVE-2025-31133"), std::string::npos) << out;
  // And a regular file named null (not a symlink) is refused too.
  fs::remove(tb_->dir() + "/fakedev/null");
  write_text(tb_->dir() + "/fakedev/null", "");
  out = setup(s);
  EXPECT_NE(out.find("not the character device 1:3"), std::string::npos) << out;
}

// A process keeps swapping a directory of the rootfs with a symlink to the
// host directory (renameat2 RENAME_EXCHANGE) while setup creates and mounts
// on paths through it (CVE-2021-30465 style). Whatever it wins, nothing may
// be created or mounted outside the rootfs.
TEST_F(RootfsEscape, SwappingADirectoryForASymlinkDuringSetupStaysInside) {
  std::string etc = tb_->rootfs() + "/etc";
  fs::create_directories(etc + "/swap");
  fs::create_directory_symlink(tb_->host(), etc + "/link");
  spec::Spec s = default_spec(tb_->rootfs());
  s.mounts.push_back(make_mount("/etc/swap/a/b", "tmpfs", "tmpfs", {}));
  s.mounts.push_back(make_mount("/etc/swap/c", "tmpfs", "tmpfs", {}));
  s.linux_->devices = {};
  pid_t swapper = ::fork();
  ASSERT_GE(swapper, 0);
  if (swapper == 0) {
    for (;;) ::renameat2(AT_FDCWD, (etc + "/swap").c_str(), AT_FDCWD, (etc + "/link").c_str(), RENAME_EXCHANGE);
  }
  int errors = 0;
  for (int i = 0; i < 30; ++i) {
    std::string out = setup(s, [&] { return host_untouched(*tb_); });
    // Losing the race may fail the setup; it may never leak.
    EXPECT_EQ(out.find("LEAK"), std::string::npos) << out;
    EXPECT_EQ(out.find("no mount on the host directory"), std::string::npos) << out;
    EXPECT_EQ(out.find("host directory still empty"), std::string::npos) << out;
    if (!out.empty()) ++errors;
    ASSERT_TRUE(fs::is_empty(tb_->host())) << "iteration " << i << ": created outside the rootfs";
  }
  ::kill(swapper, SIGKILL);
  ::waitpid(swapper, nullptr, 0);
  std::cout << "[ info ] setups that lost the race and failed cleanly: " << errors << "/30\n";
}

// Raced /sys: the image's /sys swapped for a symlink to the host directory
// while setup mounts sysfs on /sys, the cgroup tree on /sys/fs/cgroup below
// it and masks /sys/firmware (youki CVE-2025-54867 and CVE-2019-19921 done
// by a racing process rather than shipped in the image). Each setup is
// refused, or mounts inside the rootfs; nothing is ever mounted on or
// created in the host directory.
TEST_F(RootfsEscape, SwappingSysForASymlinkDuringSetupStaysInside) {
  const std::string root = tb_->rootfs();
  fs::create_directories(root + "/sys");
  fs::create_directory_symlink(tb_->host(), root + "/syslink");
  spec::Spec s = default_spec(root);
  s.linux_->devices = {};
  Swapper swapper(root + "/sys", root + "/syslink");
  ASSERT_TRUE(swapper.started());
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    std::string out = setup(s, [&] { return host_untouched(*tb_); });
    EXPECT_EQ(out.find("LEAK"), std::string::npos) << out;
    EXPECT_EQ(out.find("no mount on the host directory"), std::string::npos) << out;
    EXPECT_EQ(out.find("host directory still empty"), std::string::npos) << out;
    if (!out.empty()) ++refused;
    ASSERT_TRUE(fs::is_empty(tb_->host())) << "iteration " << i << ": created outside the rootfs";
  }
  std::cout << "[ info ] setups refused while /sys was a symlink: " << refused << "/20\n";
}

// Raced readonlyPaths (youki GHSA-3q8j-pf29-vwv8: the bind and the
// read-only remount named the path twice, so a swap in between left it
// writable): /etc/ro is exchanged with a symlink to the host directory while
// setup makes it read-only. The image also has its own directory of the host
// directory's name, where that symlink leads inside the rootfs. Whatever the
// swap, the one directory the path was resolved to is read-only (the
// directory itself, under whichever name it now has, or the in-root
// directory the symlink led to, as itself), and nothing is mounted on or
// created in the host directory.
TEST_F(RootfsEscape, SwappingAReadonlyPathForASymlinkDuringSetupStaysInside) {
  const std::string root = tb_->rootfs();
  const std::string mirror = tb_->host();  // its path inside the rootfs
  fs::create_directories(root + "/etc/ro");
  fs::create_directories(root + mirror);
  write_text(root + mirror + "/MIRROR", "");
  fs::create_directory_symlink(tb_->host(), root + "/etc/link");
  spec::Spec s = default_spec(root);
  s.linux_->devices = {};
  s.linux_->readonlyPaths = {"/etc/ro"};
  Swapper swapper(root + "/etc/ro", root + "/etc/link");
  ASSERT_TRUE(swapper.started());
  // 1 read-only directory, 0 writable directory, -1 not a directory (the
  // symlink, or nothing). By fd: the names keep changing while we look.
  auto ro_dir = [](const std::string& path) {
    int fd = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st {};
    struct statvfs sv {};
    int r =
        ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && ::fstatvfs(fd, &sv) == 0 ? (sv.f_flag & ST_RDONLY ? 1 : 0) : -1;
    ::close(fd);
    return r;
  };
  int refused = 0;
  for (int i = 0; i < 30; ++i) {
    std::string out = setup(
        s, [&] { return host_untouched(*tb_); },
        [&] {
          Checks c;
          int dir = -1;
          for (int tries = 0; dir < 0 && tries < 10000; ++tries) {
            dir = ro_dir("/etc/ro");
            if (dir < 0) dir = ro_dir("/etc/link");
          }
          c.expect(dir >= 0, "the directory was not found under either name");
          // The mirror may be read-only only as itself, not as a copy of
          // the directory put over it (a path resolved twice).
          c.expect(dir == 1 || (ro_dir(mirror) == 1 && ::access((mirror + "/MIRROR").c_str(), F_OK) == 0),
                   "neither the directory nor the in-root symlink target is read-only");
          return c.failures;
        });
    EXPECT_EQ(out.find("LEAK"), std::string::npos) << out;
    EXPECT_EQ(out.find("no mount on the host directory"), std::string::npos) << out;
    EXPECT_EQ(out.find("host directory still empty"), std::string::npos) << out;
    if (out.rfind("error: ", 0) == 0) {
      ++refused;
    } else {
      EXPECT_EQ(out, "") << "iteration " << i;
    }
    ASSERT_TRUE(fs::is_empty(tb_->host())) << "iteration " << i << ": created outside the rootfs";
  }
  std::cout << "[ info ] setups that failed cleanly in the race: " << refused << "/30\n";
}

}  // namespace
}  // namespace hull::rootfs
