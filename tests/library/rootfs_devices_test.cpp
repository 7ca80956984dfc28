// linux.devices, the console pty, and hull's overlay rootfs, through
// setup_rootfs in a private mount namespace.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include <map>

#include "rootfs_test_util.hpp"

namespace hull::rootfs {
namespace {

using namespace hull::rootfs::testing;

spec::Device dev(const char* type, const char* path, std::optional<int64_t> maj, std::optional<int64_t> min,
                 std::optional<uint32_t> mode, uint32_t uid, uint32_t gid) {
  spec::Device d;
  d.type = type;
  d.path = path;
  d.major = maj;
  d.minor = min;
  d.fileMode = mode;
  d.uid = uid;
  d.gid = gid;
  return d;
}

std::string describe_node(const char* path) {
  struct stat st {};
  if (::lstat(path, &st) < 0) return std::string(path) + " missing";
  char buf[128];
  char t = S_ISCHR(st.st_mode) ? 'c' : S_ISBLK(st.st_mode) ? 'b' : S_ISFIFO(st.st_mode) ? 'p' : '?';
  std::snprintf(buf, sizeof buf, "%c %u:%u %04o %u:%u", t, major(st.st_rdev), minor(st.st_rdev), st.st_mode & 07777,
                st.st_uid, st.st_gid);
  return buf;
}

class RootfsDevices : public ::testing::Test {
 protected:
  void SetUp() override {
    HULL_REQUIRE_ROOT();
    tb_ = std::make_unique<TempBundle>();
    spec_ = default_spec(tb_->rootfs());
  }
  void TearDown() override {
    if (tb_) {
      EXPECT_EQ(mounts_under(tb_->dir()), 0) << "a test mount leaked to the host namespace";
    }
  }
  std::unique_ptr<TempBundle> tb_;
  spec::Spec spec_;
};

TEST_F(RootfsDevices, SpecDevicesHaveTypeNumbersModeAndOwner) {
  spec_.linux_->devices = {
      dev("c", "/dev/myzero", 1, 5, 0640, 1000, 1001),
      dev("u", "/dev/mynull", 1, 3, std::nullopt, 0, 0),
      dev("b", "/dev/loopish", 7, 200, 0660, 0, 6),
      dev("p", "/dev/fifo", std::nullopt, std::nullopt, 0600, 2000, 2000),
      dev("c", "/dev/deep/er/kmsg", 1, 11, 0600, 0, 0),
      // Overrides a default device.
      dev("c", "/dev/null", 1, 3, 0600, 0, 0),
  };
  std::string out = run_setup(*tb_, spec_, {}, {}, [] {
    return describe_node("/dev/myzero") + "|" + describe_node("/dev/mynull") + "|" + describe_node("/dev/loopish") +
           "|" + describe_node("/dev/fifo") + "|" + describe_node("/dev/deep/er/kmsg") + "|" +
           describe_node("/dev/null");
  });
  EXPECT_EQ(out,
            "c 1:5 0640 1000:1001|c 1:3 0666 0:0|b 7:200 0660 0:6|p 0:0 0600 2000:2000|c 1:11 0600 0:0|"
            "c 1:3 0600 0:0");
}

TEST_F(RootfsDevices, BadDeviceIsNamedInTheError) {
  spec_.linux_->devices = {dev("x", "/dev/what", 1, 1, 0600, 0, 0)};
  EXPECT_EQ(run_setup(*tb_, spec_), "error: rootfs: device \"/dev/what\": unknown type \"x\"");
}

TEST_F(RootfsDevices, ConsoleIsAPtyOfTheContainersDevpts) {
  spec_.process = spec::Process{};
  spec_.process->user.uid = 1000;
  std::string out = in_child([&] {
    SetupOptions o;
    o.bundle = tb_->bundle();
    o.rootfs = tb_->rootfs();
    o.create_console = true;
    SetupResult r = setup_rootfs(spec_, o);
    Checks c;
    c.expect(r.pty_master && r.pty_slave, "pty fds returned");
    struct stat slave {
    }, console{}, pts{};
    c.expect(::fstat(r.pty_slave.get(), &slave) == 0 && S_ISCHR(slave.st_mode), "slave is a tty");
    c.expect(slave.st_uid == 1000, "the pty belongs to the process user");
    c.expect(::stat("/dev/console", &console) == 0 && console.st_rdev == slave.st_rdev, "/dev/console is the slave");
    c.expect(::stat("/dev/pts", &pts) == 0 && pts.st_dev == slave.st_dev, "the pty is on the container's devpts");
    auto mi = read_mountinfo();
    c.expect(find_mount(mi, "/dev/console") != nullptr, "/dev/console is a bind mount");
    // The pty works: master -> slave.
    (void)!::write(r.pty_master.get(), "hi\n", 3);
    char buf[8] = {};
    c.expect(::read(r.pty_slave.get(), buf, sizeof buf) > 0 && std::string(buf).rfind("hi", 0) == 0,
             "data flows master to slave");
    return c.failures;
  });
  EXPECT_EQ(out, "");
}

TEST_F(RootfsDevices, ConsoleWithoutDevptsIsAClearError) {
  std::erase_if(spec_.mounts, [](const spec::Mount& m) { return m.destination == "/dev/pts"; });
  std::string out = run_setup(*tb_, spec_, [](SetupOptions& o) { o.create_console = true; });
  EXPECT_NE(out.find("needs a devpts mount on /dev/pts"), std::string::npos) << out;
}

// A listing of a tree with content hashes, to prove it unchanged.
std::string tree_listing(const std::string& root) {
  std::map<std::string, std::string> entries;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    std::string v = std::to_string(st.st_mode) + ":" + std::to_string(st.st_size) + ":" +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) v += ":" + std::to_string(std::hash<std::string>{}(read_file(e.path())));
    entries[e.path().string().substr(root.size())] = v;
  }
  std::string out;
  for (auto& [k, v] : entries) out += k + " " + v + "\n";
  return out;
}

TEST_F(RootfsDevices, OverlayRootfsKeepsTheBundleUnchangedAndContainersApart) {
  fs::create_directories(tb_->rootfs() + "/etc");
  write_text(tb_->rootfs() + "/etc/hostname", "image\n");
  std::string before = tree_listing(tb_->rootfs());
  struct stat root_before {};
  ASSERT_EQ(::stat(tb_->rootfs().c_str(), &root_before), 0);

  auto container = [&](const std::string& name) {
    std::string state = tb_->dir() + "/state-" + name;
    fs::create_directories(state);
    spec::Spec s = spec_;
    s.root->readonly = false;
    return run_setup(
        *tb_, s,
        [&](SetupOptions& o) {
          o.overlay_rootfs = true;
          o.state_dir = state;
        },
        {},
        [name] {
          Checks c;
          write_text("/mine", name);
          write_text("/etc/hostname", name + "\n");
          c.expect(read_file("/mine") == name, "own file readable");
          c.expect(read_file("/etc/hostname") == name + "\n", "own edit visible");
          auto mi = read_mountinfo();
          const MountInfo* r = find_mount(mi, "/");
          c.expect(r && r->fs_type == "overlay", "root is an overlay");
          return c.failures;
        });
  };
  EXPECT_EQ(container("one"), "");
  EXPECT_EQ(container("two"), "");
  // Each container's writes are in its own upper layer only.
  EXPECT_EQ(read_file(tb_->dir() + "/state-one/overlay/upper/mine"), "one");
  EXPECT_EQ(read_file(tb_->dir() + "/state-two/overlay/upper/mine"), "two");
  // The bundle's rootfs is byte for byte what it was; nothing was created in it
  // (not even the mount destinations: they went to the upper layers).
  EXPECT_EQ(tree_listing(tb_->rootfs()), before);
  struct stat root_after {};
  ASSERT_EQ(::stat(tb_->rootfs().c_str(), &root_after), 0);
  EXPECT_EQ(root_after.st_mtim.tv_nsec, root_before.st_mtim.tv_nsec);
}

TEST_F(RootfsDevices, OverlayRootfsInAGivenDirectory) {
  std::string dir = tb_->dir() + "/layers";
  fs::create_directories(dir);
  EXPECT_EQ(run_setup(*tb_, spec_,
                      [&](SetupOptions& o) {
                        o.overlay_rootfs = true;
                        o.overlay_dir = dir;
                      }),
            "");
  EXPECT_TRUE(fs::is_directory(dir + "/upper/proc"));
  EXPECT_TRUE(fs::is_directory(dir + "/work"));
}

}  // namespace
}  // namespace hull::rootfs

namespace hull::rootfs {
namespace {

// In a user namespace mknod is refused: devices come as binds of the host's
// nodes, and sysfs (whose network namespace the user namespace does not own)
// as a bind of the host's /sys.
TEST(RootfsUserns, DevicesAreBoundFromTheHost) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  spec::Spec s = default_spec(tb.rootfs());
  // proc needs a pid namespace owned by the user namespace; leave it out.
  std::erase_if(s.mounts, [](const spec::Mount& m) {
    return m.destination == "/proc" || m.destination == "/sys/fs/cgroup" || m.destination == "/dev/mqueue";
  });
  s.linux_->maskedPaths = {"/sys/firmware"};
  s.linux_->readonlyPaths = {};
  int go[2], res[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(res, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(go[1]);
    ::close(res[0]);
    std::string out;
    try {
      if (::unshare(CLONE_NEWUSER) < 0) throw_errno("unshare user");
      (void)!::write(res[1], "u", 1);  // tell the parent to write the maps
      char c;
      if (::read(go[0], &c, 1) != 1) throw Error("parent did not map ids");
      if (::unshare(CLONE_NEWNS) < 0) throw_errno("unshare mount");
      SetupOptions o;
      o.bundle = tb.bundle();
      o.rootfs = tb.rootfs();
      Checks ck;
      // No /proc in this container: look at the mounts before pivot_root.
      o.before_pivot = [&] {
        auto mi = read_mountinfo();
        ck.expect(find_mount(mi, tb.rootfs() + "/dev/null") != nullptr, "/dev/null is a bind mount");
        ck.expect(find_mount(mi, tb.rootfs() + "/dev/urandom") != nullptr, "/dev/urandom is a bind mount");
        const MountInfo* sys = find_mount(mi, tb.rootfs() + "/sys");
        ck.expect(sys && sys->fs_type == "sysfs" && has_opt(sys, "ro"), "/sys is a ro bind of the host's");
      };
      setup_rootfs(s, o);
      struct stat st {};
      ck.expect(::stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
                "/dev/null is the host's 1:3");
      int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      ck.expect(fd >= 0 && ::write(fd, "x", 1) == 1, "the bound /dev/null works");
      if (fd >= 0) ::close(fd);
      out = ck.failures;
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    (void)!::write(res[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(go[0]);
  ::close(res[1]);
  char c;
  ASSERT_EQ(::read(res[0], &c, 1), 1);
  write_text("/proc/" + std::to_string(pid) + "/setgroups", "deny");
  write_text("/proc/" + std::to_string(pid) + "/uid_map", "0 0 65536\n");
  write_text("/proc/" + std::to_string(pid) + "/gid_map", "0 0 65536\n");
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  ::close(go[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(res[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(res[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(out, "");
  EXPECT_EQ(mounts_under(tb.dir()), 0);
}

}  // namespace
}  // namespace hull::rootfs
