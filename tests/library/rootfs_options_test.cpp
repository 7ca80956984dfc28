// Each mount option's effect, seen from inside the container (mountinfo,
// statfs, failing writes) after setup_rootfs in a private mount namespace.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "rootfs_test_util.hpp"

namespace hull::rootfs {
namespace {

using namespace hull::rootfs::testing;

bool has_optional(const MountInfo* m, const std::string& prefix) {
  if (!m) return false;
  for (const std::string& o : m->optional) {
    if (o.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

class RootfsOptions : public ::testing::Test {
 protected:
  void SetUp() override {
    HULL_REQUIRE_ROOT();
    tb_ = std::make_unique<TempBundle>();
    fs::create_directories(tb_->dir() + "/src/sub");
    write_text(tb_->dir() + "/src/file", "host data\n");
    spec_ = default_spec(tb_->rootfs());
  }
  void TearDown() override {
    if (tb_) {
      EXPECT_EQ(mounts_under(tb_->dir()), 0) << "a test mount leaked to the host namespace";
    }
  }
  std::string run(const std::function<std::string()>& after, const std::function<void(SetupOptions&)>& tune = {},
                  const std::function<std::string()>& before = {}) {
    return run_setup(*tb_, spec_, tune, before, after);
  }
  std::string src() const { return tb_->dir() + "/src"; }
  std::unique_ptr<TempBundle> tb_;
  spec::Spec spec_;
};

TEST_F(RootfsOptions, BindReadOnlyNosuidNodevNoexec) {
  spec_.mounts.push_back(make_mount("/data", "", src(), {"bind", "ro", "nosuid", "nodev", "noexec"}));
  EXPECT_EQ(run([] {
              Checks c;
              auto mi = read_mountinfo();
              const MountInfo* m = find_mount(mi, "/data");
              for (const char* o : {"ro", "nosuid", "nodev", "noexec"})
                c.expect(has_opt(m, o), std::string("has ") + o);
              c.expect(read_file("/data/file") == "host data\n", "source content visible");
              c.expect(open_errno("/data/new", O_CREAT | O_WRONLY) == EROFS, "write refused with EROFS");
              return c.failures;
            }),
            "");
  // The source stays writable on the host.
  EXPECT_EQ(::access(src().c_str(), W_OK), 0);
  EXPECT_FALSE(fs::exists(src() + "/new"));
}

TEST_F(RootfsOptions, BindKeepsAttributesNotMentioned) {
  // Bind of a nosuid,noexec mount with "ro" stays nosuid,noexec: only the
  // named attributes change.
  spec_.mounts.push_back(make_mount("/data", "", src(), {"bind", "ro"}));
  std::string out = in_child([&] {
    if (::mount(src().c_str(), src().c_str(), nullptr, MS_BIND, nullptr) < 0 ||
        ::mount(nullptr, src().c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC, nullptr) < 0) {
      return std::string("prepare source mount failed");
    }
    SetupOptions o;
    o.bundle = tb_->bundle();
    o.rootfs = tb_->rootfs();
    setup_rootfs(spec_, o);
    auto mi = read_mountinfo();
    const MountInfo* m = find_mount(mi, "/data");
    Checks c;
    c.expect(has_opt(m, "ro") && has_opt(m, "nosuid") && has_opt(m, "noexec"),
             "ro added, nosuid and noexec kept: " + (m ? m->options : "none"));
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

// rbind takes submounts along; bind does not. ro is for the top mount only,
// rro for all of them.
TEST_F(RootfsOptions, RbindRroAndPerMountRo) {
  spec_.mounts.push_back(make_mount("/r", "", src(), {"rbind", "ro"}));
  spec_.mounts.push_back(make_mount("/rr", "", src(), {"rbind", "rro", "rnosuid"}));
  spec_.mounts.push_back(make_mount("/nr", "", src(), {"bind"}));
  std::string out = in_child([&] {
    std::string sub = src() + "/sub";
    if (::mount("tmpfs", sub.c_str(), "tmpfs", 0, "size=1m") < 0) return std::string("mount sub failed");
    SetupOptions o;
    o.bundle = tb_->bundle();
    o.rootfs = tb_->rootfs();
    setup_rootfs(spec_, o);
    Checks c;
    auto mi = read_mountinfo();
    c.expect(has_opt(find_mount(mi, "/r"), "ro"), "/r ro");
    c.expect(find_mount(mi, "/r/sub") && !has_opt(find_mount(mi, "/r/sub"), "ro"), "/r/sub present, rw");
    c.expect(has_opt(find_mount(mi, "/rr"), "ro") && has_opt(find_mount(mi, "/rr"), "nosuid"), "/rr ro nosuid");
    c.expect(has_opt(find_mount(mi, "/rr/sub"), "ro") && has_opt(find_mount(mi, "/rr/sub"), "nosuid"),
             "/rr/sub ro nosuid (recursive)");
    c.expect(find_mount(mi, "/nr/sub") == nullptr, "bind without rec leaves the submount out");
    c.expect(open_errno("/rr/sub/x", O_CREAT | O_WRONLY) == EROFS, "rro submount refuses writes");
    c.expect(open_errno("/r/sub/x", O_CREAT | O_WRONLY) == 0, "ro rbind submount still writable");
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

TEST_F(RootfsOptions, PropagationFlagsApplyAfterTheMount) {
  spec_.mounts.push_back(make_mount("/shared", "", src(), {"rbind", "rshared"}));
  spec_.mounts.push_back(make_mount("/private", "", src(), {"bind", "private"}));
  spec_.mounts.push_back(make_mount("/unbindable", "tmpfs", "tmpfs", {"unbindable"}));
  // Applied in order: shared, then slave (with no peer to follow, the kernel
  // makes it private: not shared any more).
  spec_.mounts.push_back(make_mount("/slave", "", src(), {"bind", "shared", "slave"}));
  std::string out = in_child([&] {
    SetupOptions o;
    o.bundle = tb_->bundle();
    o.rootfs = tb_->rootfs();
    setup_rootfs(spec_, o);
    Checks c;
    auto mi = read_mountinfo();
    c.expect(has_optional(find_mount(mi, "/shared"), "shared:"), "/shared is shared");
    c.expect(find_mount(mi, "/private") && find_mount(mi, "/private")->optional.empty(), "/private has no propagation");
    c.expect(has_optional(find_mount(mi, "/unbindable"), "unbindable"), "/unbindable");
    c.expect(find_mount(mi, "/slave") && !has_optional(find_mount(mi, "/slave"), "shared:"),
             "/slave is not shared after shared,slave");
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

TEST_F(RootfsOptions, AtimeSymfollowAndSuperblockFlags) {
  spec_.mounts.push_back(make_mount("/t1", "tmpfs", "tmpfs", {"noatime", "nodiratime", "nosymfollow", "sync"}));
  spec_.mounts.push_back(make_mount("/t2", "tmpfs", "tmpfs", {"strictatime", "dirsync"}));
  spec_.mounts.push_back(make_mount("/b1", "", src(), {"bind", "noatime", "nosymfollow"}));
  spec_.mounts.push_back(make_mount("/b2", "", src(), {"rbind", "rnoatime", "rnodiratime", "rnosymfollow", "rnoexec"}));
  EXPECT_EQ(run([] {
              Checks c;
              auto mi = read_mountinfo();
              const MountInfo* t1 = find_mount(mi, "/t1");
              c.expect(has_opt(t1, "noatime") && has_opt(t1, "nodiratime") && has_opt(t1, "nosymfollow"),
                       "/t1 noatime nodiratime nosymfollow: " + (t1 ? t1->options : ""));
              c.expect(t1 && t1->super_options.find("sync") != std::string::npos, "/t1 sync superblock");
              const MountInfo* t2 = find_mount(mi, "/t2");
              c.expect(t2 && !has_opt(t2, "relatime") && !has_opt(t2, "noatime"), "/t2 strictatime");
              c.expect(t2 && t2->super_options.find("dirsync") != std::string::npos, "/t2 dirsync");
              c.expect(has_opt(find_mount(mi, "/b1"), "noatime") && has_opt(find_mount(mi, "/b1"), "nosymfollow"),
                       "/b1 noatime nosymfollow");
              const MountInfo* b2 = find_mount(mi, "/b2");
              c.expect(has_opt(b2, "noatime") && has_opt(b2, "nodiratime") && has_opt(b2, "nosymfollow") &&
                           has_opt(b2, "noexec"),
                       "/b2 recursive attrs: " + (b2 ? b2->options : ""));
              return c.failures;
            }),
            "");
}

TEST_F(RootfsOptions, DataIsPassedToTheFilesystem) {
  spec_.mounts.push_back(make_mount("/run", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=700", "size=1m"}));
  EXPECT_EQ(run([] {
              Checks c;
              struct stat st {};
              c.expect(::stat("/run", &st) == 0 && (st.st_mode & 07777) == 0700, "mode=700");
              struct statfs sfs {};
              c.expect(::statfs("/run", &sfs) == 0 && sfs.f_blocks * sfs.f_bsize == 1024UL * 1024, "size=1m");
              return c.failures;
            }),
            "");
}

TEST_F(RootfsOptions, ErrorNamesTheMountFlagsAndData) {
  spec_.mounts.push_back(make_mount("/run", "tmpfs", "tmpfs", {"nosuid", "nodev", "bogus=1"}));
  const std::string entry = ".mounts[" + std::to_string(spec_.mounts.size() - 1) + "]";
  EXPECT_EQ(run({}), "error: rootfs: " + entry +
                         ": mount \"tmpfs\" on \"/run\" (flags MS_NOSUID|MS_NODEV, data \"bogus=1\"): "
                         "invalid argument");
}

TEST_F(RootfsOptions, DestinationErrorsNameTheMount) {
  write_text(tb_->rootfs() + "/file", "x");
  spec_.mounts.push_back(make_mount("/file/sub", "tmpfs", "tmpfs", {"nosuid"}));
  const std::string entry = ".mounts[" + std::to_string(spec_.mounts.size() - 1) + "]";
  std::string out = run({});
  EXPECT_EQ(out.rfind("error: rootfs: " + entry + ": mount \"tmpfs\" on \"/file/sub\" (flags MS_NOSUID): ", 0), 0u)
      << out;
  EXPECT_NE(out.find("not a directory"), std::string::npos) << out;
}

TEST_F(RootfsOptions, TmpcopyupStartsWithTheCoveredContent) {
  std::string etc = tb_->rootfs() + "/etc";
  fs::create_directories(etc + "/sub");
  write_text(etc + "/passwd", "root:x:0:0::/root:/bin/sh\n");
  write_text(etc + "/sub/secret", "s3cret\n");
  ASSERT_EQ(::chmod((etc + "/sub/secret").c_str(), 0600), 0);
  ASSERT_EQ(::chown((etc + "/sub/secret").c_str(), 1234, 5678), 0);
  fs::create_symlink("/nonexistent/target", etc + "/link");
  spec_.mounts.push_back(make_mount("/etc", "tmpfs", "tmpfs", {"tmpcopyup", "mode=755"}));
  spec_.mounts.push_back(make_mount("/etc/sub", "tmpfs", "tmpfs", {"tmpcopyup", "ro"}));
  EXPECT_EQ(run([] {
              Checks c;
              struct statfs sfs {};
              c.expect(::statfs("/etc", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC, "/etc is a tmpfs");
              c.expect(read_file("/etc/passwd") == "root:x:0:0::/root:/bin/sh\n", "file copied");
              struct stat st {};
              c.expect(::lstat("/etc/sub/secret", &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_uid == 1234 &&
                           st.st_gid == 5678,
                       "mode and owner kept");
              char buf[64] = {};
              c.expect(::readlink("/etc/link", buf, sizeof buf) > 0 && std::string(buf) == "/nonexistent/target",
                       "symlink copied as a symlink");
              c.expect(open_errno("/etc/new", O_CREAT | O_WRONLY) == 0, "/etc writable");
              c.expect(open_errno("/etc/sub/new", O_CREAT | O_WRONLY) == EROFS, "tmpcopyup with ro is read-only");
              c.expect(read_file("/etc/sub/secret") == "s3cret\n", "ro copy has the content");
              return c.failures;
            }),
            "");
  EXPECT_FALSE(fs::exists(etc + "/new")) << "the rootfs was written through the tmpfs";
}

TEST_F(RootfsOptions, ConfigOverlayMount) {
  for (const char* d : {"lower", "upper", "work"}) fs::create_directories(tb_->dir() + "/" + d);
  write_text(tb_->dir() + "/lower/a", "lower\n");
  std::string d = tb_->dir();
  spec_.mounts.push_back(make_mount(
      "/ov", "overlay", "overlay", {"lowerdir=" + d + "/lower", "upperdir=" + d + "/upper", "workdir=" + d + "/work"}));
  EXPECT_EQ(run([] {
              Checks c;
              c.expect(read_file("/ov/a") == "lower\n", "lower content visible");
              int fd = ::open("/ov/b", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
              c.expect(fd >= 0, "overlay writable");
              if (fd >= 0) ::close(fd);
              return c.failures;
            }),
            "");
  EXPECT_TRUE(fs::exists(d + "/upper/b"));
  EXPECT_FALSE(fs::exists(d + "/lower/b"));
}

TEST_F(RootfsOptions, RootfsPropagation) {
  auto root_optional = [&](const char* prop) {
    spec_.linux_->rootfsPropagation = prop ? std::optional<std::string>(prop) : std::nullopt;
    return run([] {
      auto mi = read_mountinfo();
      const MountInfo* r = find_mount(mi, "/");
      std::string o;
      for (const std::string& x : r->optional) o += x.substr(0, x.find(':')) + " ";
      return o;
    });
  };
  // In the test's child "/" is rprivate before setup, so a slave has no master.
  EXPECT_EQ(root_optional(nullptr), "");
  EXPECT_EQ(root_optional("private"), "");
  EXPECT_EQ(root_optional("shared"), "shared ");
  EXPECT_EQ(root_optional("rshared"), "shared ");
  EXPECT_EQ(root_optional("unbindable"), "unbindable ");
  spec_.linux_->rootfsPropagation = "sideways";
  EXPECT_NE(run({}).find("unknown propagation \"sideways\""), std::string::npos);
}

TEST_F(RootfsOptions, NoPivotChroots) {
  EXPECT_EQ(run(
                [] {
                  Checks c;
                  char cwd[64];
                  c.expect(::getcwd(cwd, sizeof cwd) && std::string(cwd) == "/", "cwd /");
                  c.expect(::access("/bin/busybox", X_OK) == 0, "rootfs is /");
                  c.expect(::access("/proc/self/status", R_OK) == 0, "/proc works");
                  return c.failures;
                },
                [](SetupOptions& o) { o.no_pivot = true; }),
            "");
}

}  // namespace
}  // namespace hull::rootfs
