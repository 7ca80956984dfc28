// Hostile bundles, one advisory's mechanism each, through the hull binary
// (issue #15 point 5). Each aims only at a harmless target: a file or
// directory in the test's temp dir standing for the host, or a per-namespace
// setting (the container's own domainname, in its private UTS namespace).
// Each asserts from inside the container that the trick did not work, and
// from outside that the "host" is unchanged; a refused create is also a
// pass, a container that runs with the trick in force never is.
//
// The CVEs that other tests already prove are listed, with those tests, in
// docs/security.md; the ones here are the variants those tests did not
// cover: the image's trick done by a racing step (a createContainer hook,
// which runs in the container's mount namespace between hull's mounts and
// its masking) rather than shipped in the image, and the same classes
// reached through other paths (/dev/pts, process.cwd at create).
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness.hpp"
#include "proc_files.hpp"
#include "support/swapper.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class HostileBundle : public HullTest {
 protected:
  // The container's UTS namespace is private: its domainname is the canary
  // a bind over /proc/sys/kernel/domainname would expose or hide.
  Bundle& hostile_bundle() { return hostile_bundle_named("bundle"); }
  Bundle& hostile_bundle_named(const std::string& name) {
    Bundle& b = bundle(name);
    b.config["domainname"] = "canary";
    return b;
  }

  static void drop_dev_tmpfs(Bundle& b) {
    auto& mounts = b.config["mounts"];
    for (auto it = mounts.begin(); it != mounts.end(); ++it)
      if ((*it)["destination"] == "/dev") {
        mounts.erase(it);
        break;
      }
  }

  // The script every container runs: whatever the trick, nothing may be
  // mounted over the canary, and the canary reads as set.
  static std::string canary_checks() {
    return "if grep -q ' /proc/sys/kernel' /proc/self/mountinfo; then echo MOUNTED-OVER-PROCFS; fi;"
           " echo domainname=$(cat /proc/sys/kernel/domainname);";
  }
};

// CVE-2025-31133, raced: runc bound "/dev/null" over each masked path, and an
// image that made /dev/null a symlink to a procfs file got that file bound
// read-write instead (here it would be the container's domainname, shown at
// /proc/keys). The image's /dev/null is replaced by hull's /dev tmpfs, so
// the swap is done where a racing container process would do it: after the
// devices are made, before the masking (a createContainer hook).
TEST_F(HostileBundle, DevNullSwappedForAProcfsSymlinkBeforeMaskingIsNotUsed) {
  Bundle& b = hostile_bundle();
  b.config["linux"]["maskedPaths"] = {"/proc/keys"};
  // The hook runs with the rootfs as cwd; it says when the swap is done, so
  // the test knows the trick was in place.
  const fs::path swapped = temp_dir() / "swapped";
  b.config["hooks"] = {{"createContainer",
                        {{{"path", "/bin/sh"},
                          {"args",
                           {"sh", "-c",
                            "umount dev/null 2>/dev/null; rm -f dev/null && ln -s /proc/sys/kernel/domainname dev/null "
                            "&& touch '" +
                                swapped.string() + "'"}}}}}};
  ProcResult r = run_sh(b,
                        canary_checks() +
                            " [ -c /proc/keys ] && echo keys-is-a-device; [ -c /dev/null ] && echo null-is-a-device;"
                            " echo x > /proc/keys 2>/tmp/err; echo after=$(cat /proc/sys/kernel/domainname)",
                        "devnull-race");
  EXPECT_TRUE(fs::exists(swapped)) << "the hook did not swap /dev/null: " << r.err;
  std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
  EXPECT_EQ(r.out.find("MOUNTED-OVER-PROCFS"), std::string::npos) << r.out;
  if (r.exit_code != 0) {
    // Refused: the error says why (the masking source is not the device).
    EXPECT_NE(r.err.find("/dev/null"), std::string::npos) << r.err;
    return;
  }
  EXPECT_NE(r.out.find("domainname=canary"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keys-is-a-device"), std::string::npos) << "the masked path is not /dev/null: " << r.out;
  EXPECT_NE(r.out.find("after=canary"), std::string::npos) << "a write to the masked path reached procfs: " << r.out;
}

// CVE-2025-52565 / CVE-2019-19921 class through /dev/pts: with no /dev tmpfs,
// the image's dev/pts is a symlink into procfs (/proc/sys/kernel, the
// container's own). Mounting devpts there would cover the kernel settings
// the runtime and the container see. The mount is refused or lands inside
// the rootfs, never on procfs.
TEST_F(HostileBundle, DevPtsSymlinkedIntoProcfsIsNotMountedThere) {
  Bundle& b = hostile_bundle();
  drop_dev_tmpfs(b);
  fs::create_directories(b.rootfs() / "dev");
  fs::remove_all(b.rootfs() / "dev/pts");
  fs::create_symlink("/proc/sys/kernel", b.rootfs() / "dev/pts");
  ProcResult r = run_sh(b, canary_checks(), "devpts-link");
  std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
  EXPECT_EQ(r.out.find("MOUNTED-OVER-PROCFS"), std::string::npos) << r.out;
  if (r.exit_code != 0) {
    EXPECT_NE(r.err.find("/dev/pts"), std::string::npos) << r.err;
    return;
  }
  EXPECT_NE(r.out.find("domainname=canary"), std::string::npos) << r.out;
}

// CVE-2024-21626 at create: runc leaked a host directory fd into the init,
// and process.cwd "/proc/self/fd/N" made the container start inside the
// host's tree. Here the client leaks fds 3..30 into hull, each the "host"
// directory holding a canary; cwd names each of a few of them. The create is
// refused, or the container's cwd is not the host directory (it cannot list
// the canary).
TEST_F(HostileBundle, CwdThroughALeakedHostFdAtCreateStaysInside) {
  fs::path host = temp_dir() / "host";
  fs::create_directories(host);
  std::ofstream(host / "HOST-CANARY") << "host\n";
  const std::string runtime = runtime_binary();
  for (int fd : {3, 5, 7, 10, 20}) {
    SCOPED_TRACE("cwd /proc/self/fd/" + std::to_string(fd));
    Bundle& b = bundle("bundle-fd" + std::to_string(fd));
    b.config["process"]["cwd"] = "/proc/self/fd/" + std::to_string(fd);
    b.args({"sh", "-c", "ls; ls ..; echo done"});
    std::string cmd = "for n in $(seq 3 30); do eval \"exec $n<'" + host.string() + "'\"; done; exec '" + runtime +
                      "' --root '" + state_root().string() + "' run --bundle '" + b.dir().string() + "' cwd" +
                      std::to_string(fd);
    ProcResult r = run_process({"/bin/bash", "-c", cmd});
    std::cout << "[ info ] fd " << fd << ": " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
    EXPECT_EQ(r.out.find("HOST-CANARY"), std::string::npos) << "the container started in the host directory: " << r.out;
    if (r.exit_code == 0) {
      EXPECT_NE(r.out.find("done"), std::string::npos) << r.out;
    }
  }
  EXPECT_EQ(read_text_file(host / "HOST-CANARY"), "host\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(host), fs::directory_iterator()), 1) << "the host directory changed";
}

// A "host" directory of the test's temp dir holding one canary file, and the
// check that it still holds exactly that.
class HostDir {
 public:
  explicit HostDir(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "HOST-CANARY") << "host\n";
  }
  const fs::path& path() const { return dir_; }
  void expect_unchanged() const {
    EXPECT_EQ(read_text_file(dir_ / "HOST-CANARY"), "host\n") << dir_;
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1) << dir_ << " changed";
    // Still writable from the host: nothing made it read-only.
    EXPECT_TRUE(static_cast<bool>(std::ofstream(dir_ / "HOST-CANARY", std::ios::app))) << dir_;
  }

 private:
  fs::path dir_;
};

// youki CVE-2025-54867 (fixed in youki 0.5.5): youki mounted sysfs and procfs
// wherever the image's /sys or /proc symlink pointed, so an image could have
// them mounted over a host directory. The /proc case is
// RootfsRun.SymlinkedProcIsRefused; here the image's /sys points at the
// "host" directory, absolutely and through "..". The create is refused
// naming /sys, the program never runs, and the host directory is unchanged.
TEST_F(HostileBundle, SysSymlinkedToAHostDirectoryIsRefused) {
  HostDir host(temp_dir() / "host-sys");
  int n = 0;
  for (const std::string& target : {host.path().string(), "../../../../../../../.." + host.path().string()}) {
    SCOPED_TRACE("/sys -> " + target);
    Bundle& b = hostile_bundle_named("bundle-sys" + std::to_string(++n));
    fs::remove_all(b.rootfs() / "sys");
    fs::create_directory_symlink(target, b.rootfs() / "sys");
    ProcResult r = run_sh(b, "echo RAN; ls /sys", "syslink" + std::to_string(n));
    EXPECT_TRUE(failed_with(r, {"\"/sys\" is a symlink in the rootfs"})) << r.out;
    EXPECT_EQ(r.out.find("RAN"), std::string::npos) << r.out;
  }
  host.expect_unchanged();
}

// youki CVE-2025-62596 (GHSA-vf95-55w6-qmrf): youki wrote linux.sysctl
// values (and AppArmor labels) to the container's /proc by path, so a
// symlink or a mount there redirected the write to another procfs file. The
// image's /proc is a plain directory whose sys/kernel/domainname leads to
// the hostname (the real procfs is mounted at /proc2): the sysctl
// kernel.domainname must set the domainname and leave the hostname alone.
// (The runtime's other /proc writes: ProcfsEscape.RuntimeProcWritesIgnoreTheImagesProc.)
TEST_F(HostileBundle, SysctlIsWrittenToTheRealProcfsNotThroughTheImagesProc) {
  Bundle& b = hostile_bundle();
  for (auto& m : b.config["mounts"])
    if (m["destination"] == "/proc") m["destination"] = "/proc2";
  b.config.erase("domainname");
  b.config["hostname"] = "canary";
  b.config["linux"]["sysctl"] = {{"kernel.domainname", "sysctl-domain"}};
  fs::create_directories(b.rootfs() / "proc/sys/kernel");
  fs::create_directories(b.rootfs() / "proc2");
  fs::create_symlink("/proc2/sys/kernel/hostname", b.rootfs() / "proc/sys/kernel/domainname");
  ProcResult r =
      run_sh(b, "echo dn=$(cat /proc2/sys/kernel/domainname) hn=$(cat /proc2/sys/kernel/hostname)", "sysctl-link");
  std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
  if (r.exit_code != 0) {
    EXPECT_NE(r.err.find("kernel.domainname"), std::string::npos) << r.err;
    return;
  }
  EXPECT_EQ(r.out, "dn=sysctl-domain hn=canary\n") << "the sysctl went through the image's /proc";
}

// CVE-2019-19921 class raced through a shared rootfs: after hull has mounted
// procfs on the rootfs's proc directory and before it masks /proc/kcore and
// makes /proc/sys read-only, a process in the host's mount namespace (a
// createContainer hook entering the test's, standing for a second container
// that shares the rootfs) renames that directory to realproc and puts a
// decoy directory in its place. The masks must not land on the decoy while
// the real procfs, now at /realproc, keeps a writable /proc/sys (whose
// kernel.core_pattern is the host's): refused, or the real procfs masked
// and read-only.
TEST_F(HostileBundle, ProcRenamedAwayBeforeMaskingIsNotLeftWritable) {
  Bundle& b = hostile_bundle();
  b.config["linux"]["maskedPaths"] = {"/proc/kcore"};
  b.config["linux"]["readonlyPaths"] = {"/proc/sys"};
  const std::string root = b.rootfs().string();
  fs::create_directories(b.rootfs() / "decoy/sys/kernel");
  std::ofstream(b.rootfs() / "decoy/kcore") << "decoy\n";
  const fs::path swapped = temp_dir() / "proc.swapped";
  const std::string rename = "mv '" + root + "/proc' '" + root + "/realproc' && mv '" + root + "/decoy' '" + root +
                             "/proc' && touch '" + swapped.string() + "'";
  b.config["hooks"] = {
      {"createContainer",
       {{{"path", "/usr/bin/nsenter"},
         {"args", {"nsenter", "--mount=/proc/" + std::to_string(::getpid()) + "/ns/mnt", "/bin/sh", "-c", rename}}}}}};
  ProcResult r = run_sh(b,
                        "[ -c /realproc/kcore ] && echo kcore-masked;"
                        " if echo pwned > /realproc/sys/kernel/domainname; then echo WROTE; fi;"
                        " echo domainname=$(cat /realproc/sys/kernel/domainname)",
                        "proc-renamed");
  EXPECT_TRUE(fs::exists(swapped)) << "the hook did not rename /proc: " << r.err;
  std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
  if (r.exit_code != 0) {
    EXPECT_NE(r.err.find("/proc"), std::string::npos) << r.err;
    return;
  }
  EXPECT_EQ(r.out.find("WROTE"), std::string::npos) << "the real /proc/sys is writable: " << r.out;
  EXPECT_NE(r.out.find("domainname=canary"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kcore-masked"), std::string::npos) << "the real /proc/kcore is not masked: " << r.out;
}

// A readonly path whose target a racing step replaced by a mount of the
// host's: a createContainer hook binds the "host" directory over /data/ro
// just before hull makes /data/ro read-only. The bind is read-only in the
// container, and the host's own mount stays writable: the read-only flag is
// on the container's copy, never the filesystem (a remount of the
// superblock would make every mount of it read-only). The host directory
// is a tmpfs of the test's, so even that failure would hit nothing else.
TEST_F(HostileBundle, ReadonlyPathReplacedByAHostMountLeavesTheHostWritable) {
  const fs::path hostfs = temp_dir() / "hostfs";
  fs::create_directories(hostfs);
  ASSERT_EQ(::mount("hostfs", hostfs.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m"), 0) << strerror(errno);
  struct Unmount {
    fs::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{hostfs};
  HostDir host(hostfs);
  Bundle& b = hostile_bundle();
  fs::create_directories(b.rootfs() / "data/ro");
  const fs::path bound = temp_dir() / "bound";
  b.config["hooks"] = {
      {"createContainer",
       {{{"path", "/bin/sh"},
         {"args",
          {"sh", "-c", "/bin/mount --bind '" + hostfs.string() + "' data/ro && touch '" + bound.string() + "'"}}}}}};
  b.config["linux"]["readonlyPaths"] = {"/data/ro"};
  ProcResult r = run_sh(b, "ls /data/ro; if touch /data/ro/x; then echo WROTE; fi", "ro-hostmount");
  EXPECT_TRUE(fs::exists(bound)) << "the hook did not bind: " << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HOST-CANARY"), std::string::npos) << "the host directory is not at /data/ro: " << r.out;
  EXPECT_EQ(r.out.find("WROTE"), std::string::npos) << "the bound host directory is writable: " << r.out;
  host.expect_unchanged();
}

// readonlyPaths through a symlink that leads out of the rootfs, in the image
// (absolute) and swapped in by a racing step between hull's mounts and its
// read-only binds (a createContainer hook; relative, through ".."): the path
// is resolved inside the rootfs, where the image has its own directory of
// the host directory's name. That one is made read-only (the container
// cannot create a file in it); the host directory is never bound or changed.
TEST_F(HostileBundle, ReadonlyPathSymlinkedOutOfTheRootfsStaysInside) {
  HostDir host(temp_dir() / "host-rolink");
  for (bool swapped_by_hook : {false, true}) {
    SCOPED_TRACE(swapped_by_hook ? "swapped in by a hook" : "in the image");
    const std::string id = swapped_by_hook ? "rolink-hook" : "rolink-image";
    Bundle& b = hostile_bundle_named("bundle-" + id);
    fs::create_directories(b.rootfs() / host.path().relative_path());
    fs::create_directories(b.rootfs() / "data/ro");
    const std::string target =
        swapped_by_hook ? "../../../../../../../.." + host.path().string() : host.path().string();
    const fs::path swapped = temp_dir() / (id + ".swapped");
    if (swapped_by_hook) {
      b.config["hooks"] = {
          {"createContainer",
           {{{"path", "/bin/sh"},
             {"args",
              {"sh", "-c", "rm -rf data/ro && ln -s '" + target + "' data/ro && touch '" + swapped.string() + "'"}}}}}};
    } else {
      fs::remove_all(b.rootfs() / "data/ro");
      fs::create_directory_symlink(target, b.rootfs() / "data/ro");
    }
    b.config["linux"]["readonlyPaths"] = {"/data/ro"};
    ProcResult r = run_sh(b, "if touch /data/ro/x; then echo WROTE; fi; ls /data/ro", id);
    if (swapped_by_hook) {
      EXPECT_TRUE(fs::exists(swapped)) << "the hook did not swap: " << r.err;
    }
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("WROTE"), std::string::npos) << "the read-only bind missed the in-root target: " << r.out;
    EXPECT_EQ(r.out.find("HOST-CANARY"), std::string::npos) << r.out;
  }
  host.expect_unchanged();
}

// youki raised its minimum Rust version for CVE-2022-21658: Rust's
// remove_dir_all followed a directory swapped for a symlink half-way and
// deleted outside the tree. hull deletes trees a container wrote: the
// overlay's upper directory (--overlay-dir). The container leaves /tree
// with files and a symlink to the "host" directory; while `hull delete`
// removes it, a process standing for a second container that shares the
// directory keeps exchanging /tree/a with that symlink. The host directory
// keeps its canary, and the tree is gone or the delete says why.
TEST_F(HostileBundle, DeletingTheOverlayTreeNeverFollowsASwappedSymlink) {
  if (hull({"run", "--help"}).out.find("overlay-dir") == std::string::npos) GTEST_SKIP() << "no --overlay-dir";
  HostDir host(temp_dir() / "host-ovl");
  const fs::path ovl = temp_dir() / "ovl";
  fs::create_directories(ovl);
  Bundle& b = bundle("bundle-ovl");
  b.args({"sh", "-c",
          "mkdir -p /tree/a/b/c && touch /tree/a/f /tree/a/b/f /tree/a/b/c/f && ln -s '" + host.path().string() +
              "' /tree/link"});
  for (int i = 0; i < 5; ++i) {
    const std::string id = "ovl-del" + std::to_string(i);
    ProcResult r = hull({"run", "--keep", "--overlay-dir", ovl.string(), "--bundle", b.dir().string(), id});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const fs::path tree = ovl / id / "upper/tree";
    ASSERT_TRUE(fs::is_symlink(tree / "link")) << "the container's tree is not in the upper directory";
    ProcResult del;
    {
      test::Swapper swapper(tree / "a", tree / "link");
      ASSERT_TRUE(swapper.started());
      del = hull({"delete", id});
    }
    std::cout << "[ info ] delete " << id << ": " << (del.exit_code == 0 ? "ok" : "failed: " + del.err) << "\n";
    if (del.exit_code == 0) {
      EXPECT_FALSE(fs::exists(ovl / id)) << "the overlay directory is left";
    } else {
      EXPECT_NE(del.err.find(ovl.string()), std::string::npos) << del.err;
      hull({"delete", "--force", id});  // whatever is left of it; the state dir may be gone already
    }
    host.expect_unchanged();
  }
}

}  // namespace
}  // namespace hull::itest
