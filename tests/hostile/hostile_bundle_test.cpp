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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness.hpp"
#include "host_mounts.hpp"
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
  b.drop_mounts({"/dev"});
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
// check that it still holds exactly that. The canary's name may be a bait: a
// name the runtime itself removes or replaces in the container.
class HostDir {
 public:
  explicit HostDir(fs::path dir, std::string canary = "HOST-CANARY")
      : dir_(std::move(dir)), canary_(std::move(canary)) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / canary_) << "host\n";
  }
  const fs::path& path() const { return dir_; }
  void expect_unchanged() const {
    EXPECT_EQ(read_text_file(dir_ / canary_), "host\n") << dir_ << ": " << canary_ << " changed";
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1) << dir_ << " changed";
    // Still writable from the host: nothing made it read-only.
    EXPECT_TRUE(static_cast<bool>(std::ofstream(dir_ / canary_, std::ios::app))) << dir_;
  }

 private:
  fs::path dir_;
  std::string canary_;
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

// A bind source written below root.path ("rootfs/esc") is the image's,
// read inside the rootfs, also where root.path is a symlink to the image's
// directory: compared with the rootfs's real path, such a source was read
// from the host's "/", and the image's symlink "esc" to a host directory
// bound that directory (found by review). Refused as that path is in the
// image: there is no "/host" there. The program never runs.
TEST_F(HostileBundle, ABindSourceBelowASymlinkedRootPathStaysInTheImage) {
  HostDir host(temp_dir() / "host-dir");
  Bundle& b = hostile_bundle();
  fs::rename(b.rootfs(), b.dir() / "image");
  fs::create_directory_symlink("image", b.dir() / "rootfs");
  fs::create_directory_symlink(host.path(), b.dir() / "image" / "esc");
  fs::create_directories(b.dir() / "image" / "mnt" / "esc");
  b.config["mounts"].push_back(
      {{"destination", "/mnt/esc"}, {"type", "bind"}, {"source", "rootfs/esc"}, {"options", {"rbind"}}});
  ProcResult r = run_sh(b, "echo RAN; ls /mnt/esc", "rootlink");
  EXPECT_TRUE(failed_with(r, {"\"/esc\" does not exist in the rootfs"})) << r.out;
  EXPECT_EQ(r.out.find("RAN"), std::string::npos) << r.out;
  host.expect_unchanged();
}

// runc CVE-2026-41579 (GHSA-xjvp-4fhw-gc47, fixed in runc 1.3.6, 1.4.3 and
// 1.5.0-rc.3): runc made /dev's links (fd, stdin, stdout, stderr, core) and
// replaced /dev/ptmx by path before pivot_root, so an image whose /dev was a
// symlink to a host directory had runc remove that directory's "ptmx" and
// add the links there. Here the image's /dev leads to the "host" directory,
// whose canary is named ptmx, absolutely and through "..", with the
// config's /dev tmpfs and without it (the devices then made in the image's
// /dev). The host directory keeps its ptmx and gains nothing; in the
// container /dev/ptmx is the link to its own devpts and /dev/null a device.
TEST_F(HostileBundle, DevSymlinkedToAHostDirectoryKeepsItsPtmxAndGetsNoLinks) {
  HostDir host(temp_dir() / "host-dev", "ptmx");
  int n = 0;
  for (bool with_dev_tmpfs : {true, false}) {
    for (const std::string& target : {host.path().string(), "../../../../../../../.." + host.path().string()}) {
      SCOPED_TRACE(std::string(with_dev_tmpfs ? "with" : "without") + " the /dev tmpfs, /dev -> " + target);
      const std::string id = "devlink" + std::to_string(++n);
      Bundle& b = hostile_bundle_named("bundle-" + id);
      if (!with_dev_tmpfs) b.drop_mounts({"/dev"});
      fs::remove_all(b.rootfs() / "dev");
      fs::create_directory_symlink(target, b.rootfs() / "dev");
      ProcResult r = run_sh(
          b, "echo ptmx=$(readlink /dev/ptmx); echo fd=$(readlink /dev/fd); [ -c /dev/null ] && echo null-is-a-device",
          id);
      std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
      if (r.exit_code != 0) {
        EXPECT_NE(r.err.find("/dev"), std::string::npos) << r.err;
        continue;
      }
      EXPECT_NE(r.out.find("ptmx=pts/ptmx\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("fd=/proc/self/fd\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find("null-is-a-device"), std::string::npos) << r.out;
    }
  }
  host.expect_unchanged();
}

// crun CVE-2026-88265 (crun 1.29.1 and earlier): with no /dev mount crun
// reopened the container's stdio on the image's /dev/null through a
// symlink, and took a regular file for the null device (it compared st_rdev
// alone), so a /dev/null symlinked to a host file put that file on the
// container's stdin and chowned it to the container's user. Here the image's
// /dev/null leads to the "host" directory's canary (root's, mode 0600) and
// the container (uid 1000, created detached, so its stdio is the caller's)
// would get the caller's /dev/null as stdin, which the init reopens as the
// container's own. A device path the image holds as a link is refused
// (config-linux.md), and the canary keeps its owner, mode and text.
TEST_F(HostileBundle, DevNullSymlinkedToAHostFileNeverBecomesTheContainersStdio) {
  HostDir host(temp_dir() / "host-null");
  const fs::path canary = host.path() / "HOST-CANARY";
  fs::permissions(canary, fs::perms::owner_read | fs::perms::owner_write);
  Bundle& b = hostile_bundle();
  b.drop_mounts({"/dev"});
  fs::create_directories(b.rootfs() / "dev");
  fs::remove(b.rootfs() / "dev/null");
  fs::create_symlink(canary, b.rootfs() / "dev/null");
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "nulllink"});
  EXPECT_TRUE(failed_with(c, {"create device \"/dev/null\" (c 1:3): the rootfs holds a symbolic link there"}));
  EXPECT_TRUE(fs::is_symlink(b.rootfs() / "dev/null"));
  struct stat st {};
  ASSERT_EQ(::stat(canary.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_gid, 0u);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_TRUE(state_dirs().empty());
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
  UnmountAtScopeExit unmount(hostfs);
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
