// HOME for the container's process when process.env leaves it out, as runc
// and crun set it: the home of process.user.uid in the container's
// /etc/passwd, or "/". containerd's CRI passes no HOME, so this is what a
// Kubernetes container sees. Checked from inside the container.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "app:x:1000:1000:App:/home/app:/bin/sh\n";

class HomeEnvTest : public HullTest {
 protected:
  // What `script` prints in a container of a new bundle `name` whose
  // /etc/passwd is `passwd` with `mode` (removed when empty), its config
  // changed by `edit` first. A test failure when the container fails.
  std::string seen(const std::string& name, const std::string& passwd, const std::function<void(Bundle&)>& edit = {},
                   const std::string& script = "echo $HOME", mode_t mode = 0644) {
    Bundle& b = bundle(name);
    fs::path p = b.rootfs() / "etc/passwd";
    fs::remove(p);
    if (!passwd.empty()) {
      std::ofstream(p) << passwd;
      ::chmod(p.c_str(), mode);
    }
    if (edit) edit(b);
    ProcResult r = run_sh(b, script, name);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    return r.out;
  }
};

TEST_F(HomeEnvTest, HomeIsTheUsersFromTheContainersPasswd) {
  EXPECT_EQ(seen("root", kPasswd), "/root\n");
  // Another user, with a passwd only root may read: read before the uid change.
  auto app = [](Bundle& b) { b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}}; };
  EXPECT_EQ(seen("app", kPasswd, app, "id -u; echo $HOME", 0600), "1000\n/home/app\n");
}

TEST_F(HomeEnvTest, HomeIsTheRootWithoutAnEntryOrAPasswd) {
  auto other = [](Bundle& b) { b.config["process"]["user"] = {{"uid", 4321}, {"gid", 4321}}; };
  EXPECT_EQ(seen("other", kPasswd, other), "/\n");
  EXPECT_EQ(seen("none", ""), "/\n");
}

TEST_F(HomeEnvTest, AHomeInTheConfigIsKeptAndAnEmptyOneReplaced) {
  const std::string script = "env | grep -c ^HOME=; echo $HOME";
  auto set = [](Bundle& b) { b.config["process"]["env"] = {"PATH=/bin", "HOME=/srv"}; };
  EXPECT_EQ(seen("set", kPasswd, set, script), "1\n/srv\n");
  auto empty = [](Bundle& b) { b.config["process"]["env"] = {"HOME=", "PATH=/bin"}; };
  EXPECT_EQ(seen("empty", kPasswd, empty, script), "1\n/root\n");
}

TEST_F(HomeEnvTest, ExecGetsHomeToo) {
  pid_t init = create_container("c1");
  ASSERT_GT(init, 0);
  start_container("c1");
  // The template's passwd: root's home is /root.
  ProcResult r = hull({"exec", "c1", "sh", "-c", "echo $HOME"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/root\n");
  r = hull({"exec", "--env", "HOME=/x", "c1", "sh", "-c", "echo $HOME"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/x\n");
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

// The rootfs is the image's: its /etc/passwd may be a fifo (which would block
// a plain open), a device, or a link out of the rootfs or through a magic
// link. None of them is read; the process starts with HOME=/.
TEST_F(HomeEnvTest, AHostilePasswdIsNotRead) {
  fs::path outside = temp_dir() / "outside-passwd";
  std::ofstream(outside) << "root:x:0:0:root:/host-secret:/bin/sh\n";
  struct Case {
    const char* id;
    std::function<void(const fs::path&)> make;
  };
  const Case cases[] = {
      {"fifo", [](const fs::path& p) { ASSERT_EQ(::mkfifo(p.c_str(), 0644), 0); }},
      {"device", [](const fs::path& p) { fs::create_symlink("/dev/zero", p); }},
      {"escape", [&](const fs::path& p) { fs::create_symlink("../../../../../../.." + outside.string(), p); }},
      // Through procfs's magic link to the container's own root, at an entry
      // that would match: followed, it would give HOME=/via-magic-link.
      {"magic",
       [](const fs::path& p) {
         std::ofstream(p.parent_path() / "passwd-real") << "root:x:0:0::/via-magic-link:/bin/sh\n";
         fs::create_symlink("/proc/self/root/etc/passwd-real", p);
       }},
  };
  for (const Case& c : cases)
    EXPECT_EQ(seen(c.id, "", [&](Bundle& b) { c.make(b.rootfs() / "etc/passwd"); }), "/\n") << c.id;
}

}  // namespace
}  // namespace hull::itest
