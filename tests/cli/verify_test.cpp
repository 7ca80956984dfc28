// hull verify on live containers: an untampered one verifies clean, and each
// change made behind hull's back from the host (a raised memory limit, a
// stranger in its cgroup, a read-only path made writable, a process with more
// capabilities, an unmasked path, a widened device rule) turns exactly the
// row that promises it into "violated", with exit status 1.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "device_programs.hpp"
#include "harness.hpp"
#include "host_mounts.hpp"
#include "proc_files.hpp"
#include "support/forked_child.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class VerifyTest : public HullTest {
 protected:
  // A running container with limits, masked and read-only paths of its own.
  pid_t start(const std::string& id) {
    Bundle& b = bundle("bundle-" + id);
    fs::create_directories(b.rootfs() / "opt/secret");
    std::ofstream(b.rootfs() / "opt/secret/key") << "hidden\n";
    std::ofstream(b.rootfs() / "etc/secret") << "hidden\n";
    auto& l = b.config["linux"];
    l["resources"]["memory"]["limit"] = 64 * 1024 * 1024;
    l["resources"]["pids"]["limit"] = 64;
    l["maskedPaths"] = {"/etc/secret", "/opt/secret", "/no/such/path"};
    l["readonlyPaths"] = {"/proc/sys", "/proc/bus"};
    b.config["process"]["oomScoreAdj"] = 100;
    b.args({"sleep", "1000"});
    ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
    if (r.exit_code != 0) {
      ADD_FAILURE() << "hull create " << id << ": " << r.err;
      return 0;
    }
    start_container(id);
    json s = state(id);
    return s.is_object() ? s.value("pid", 0) : 0;
  }

  struct Verified {
    int exit_code = -1;
    json rows;
    std::string err;
  };
  Verified verify(const std::string& id) {
    ProcResult r = hull({"verify", "--format", "json", id});
    Verified v{r.exit_code, json::parse(r.out, nullptr, false), r.err};
    if (!v.rows.is_array()) ADD_FAILURE() << "verify printed no JSON array: " << r.out << r.err;
    return v;
  }
  static json row(const Verified& v, const std::string& property) {
    if (v.rows.is_array())
      for (const auto& r : v.rows)
        if (r.value("property", "").starts_with(property)) return r;
    ADD_FAILURE() << "no row " << property << " in " << v.rows.dump(1);
    return json::object();
  }
  static std::string verdict(const Verified& v, const std::string& property) {
    return row(v, property).value("verdict", "<no row>");
  }
  // The violated rows' properties, for messages and exact assertions.
  static std::vector<std::string> violated(const Verified& v) {
    std::vector<std::string> out;
    if (v.rows.is_array())
      for (const auto& r : v.rows)
        if (r.value("verdict", "") == "violated") out.push_back(r.value("property", ""));
    return out;
  }

  // The container's cgroup directories (v2 and each v1 hierarchy).
  std::vector<fs::path> cgroup_dirs(const std::string& id) {
    auto init = recorded_init(id);
    return init ? existing_cgroup_dirs(init->cgroup_path) : std::vector<fs::path>{};
  }
  // The directory holding `file` among them; empty when none has it.
  fs::path dir_with(const std::string& id, const std::string& file) {
    for (const auto& d : cgroup_dirs(id))
      if (fs::exists(d / file)) return d;
    return {};
  }

  // Runs fn in a forked child (which may setns freely) and returns its exit status.
  template <class F>
  static int in_child(F fn) {
    test::ForkedResult r = test::run_forked([&] { ::_exit(fn()); });
    return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128 + WTERMSIG(r.status);
  }
};

TEST_F(VerifyTest, UntamperedContainerVerifiesClean) {
  pid_t pid = start("clean");
  ASSERT_GT(pid, 0);
  Verified v = verify("clean");
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  for (const auto& r : v.rows) {
    std::string verdict = r.value("verdict", "");
    EXPECT_TRUE(verdict == "holds" || (verdict == "cannot tell" && !r.value("why", "").empty())) << r.dump();
  }
  for (const char* p : {"namespace pid",
                        "namespace mount",
                        "namespace network",
                        "init is pid 1",
                        "root",
                        "root readonly",
                        "mount /proc",
                        "masked /etc/secret",
                        "masked /opt/secret",
                        "masked /no/such/path",
                        "readonly /proc/sys",
                        "cgroup memory.limit",
                        "cgroup memory usage",
                        "cgroup pids.max",
                        "cgroup pids usage",
                        "cgroup devices",
                        "cgroup holds only the container",
                        "no hull process inside",
                        "capabilities bounding",
                        "capabilities inheritable",
                        "no_new_privs",
                        "seccomp mode",
                        "rlimit RLIMIT_NOFILE",
                        "oom_score_adj",
                        "user",
                        "init open fds"})
    EXPECT_EQ(verdict(v, p), "holds") << p << ": " << row(v, p).dump();
  // The host's namespaces are the ones the config leaves out.
  EXPECT_EQ(row(v, "namespace user").value("kernel", ""), ns_link(::getpid(), "user"));
  EXPECT_EQ(row(v, "masked /no/such/path").value("kernel", ""), "absent");

  // The table form: a header and one line per row.
  ProcResult table = hull({"verify", "clean"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(table.out.starts_with("PROPERTY")) << table.out;
  EXPECT_EQ(static_cast<size_t>(std::count(table.out.begin(), table.out.end(), '\n')), v.rows.size() + 1);

  // Paused, the same promises hold.
  ASSERT_EQ(hull({"pause", "clean"}).exit_code, 0);
  Verified paused = verify("clean");
  EXPECT_EQ(paused.exit_code, 0) << paused.rows.dump(1) << paused.err;
  ASSERT_EQ(hull({"resume", "clean"}).exit_code, 0);
}

// A namespace joined through a pinned file (a bind mount of the nsfs file:
// containerd's CNI netns, CRI-O's pinns), the engines' usual hand-over:
// readlink cannot read it, and its row said "cannot tell". Its inode is
// compared with the init's.
TEST_F(VerifyTest, ANamespaceJoinedThroughAPinnedFileIsChecked) {
  const fs::path pin = temp_dir() / "netns";
  std::ofstream(pin).close();
  ProcResult u = run_process({"/usr/bin/unshare", "--net=" + pin.string(), "true"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  UnmountAtScopeExit unmount(pin.string());
  Bundle& b = bundle("bundle-pinned");
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "network") n["path"] = pin.string();
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), "pinned"}).exit_code, 0);
  Verified v = verify("pinned");
  EXPECT_EQ(verdict(v, "namespace network"), "holds") << row(v, "namespace network").dump();
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  // Unpinned since, the path is a plain file: its inode is no namespace's,
  // and was shown as one, "violated".
  ASSERT_EQ(::umount2(pin.c_str(), MNT_DETACH), 0);
  v = verify("pinned");
  EXPECT_EQ(verdict(v, "namespace network"), "cannot tell") << row(v, "namespace network").dump();
  EXPECT_EQ(hull({"delete", "--force", "pinned"}).exit_code, 0);
}

// Fds the program opened itself (a server's sockets and logs) cannot be
// told from what hull left once it has run: they were "violated", exit 1,
// for any pod whose init is a server. They are "cannot tell", listed. So is
// a file of the container's at the path the state root has on the host
// (a container of a host whose /run it copied): it was hull's by its name;
// and one it deleted since, on the state root's file system: by that.
TEST_F(VerifyTest, FdsTheProgramOpenedItselfAreNotAViolation) {
  Bundle& b = bundle("bundle-fds");
  const std::string copy = (state_root() / "copied").string(), gone = (state_root() / "gone").string();
  fs::create_directories(b.rootfs() / state_root().relative_path());
  b.args(
      {"sh", "-c",
       "exec 5</bin/busybox 7>/dev/null 8>" + copy + " 9>" + gone + "; rm " + gone + "; echo opened; exec sleep 1000"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "ownfds"});
  ASSERT_TRUE(run.wait_for_output("opened\n", milliseconds(20000)));
  Verified v = verify("ownfds");
  const json fds = row(v, "init open fds");
  EXPECT_EQ(fds.value("verdict", ""), "cannot tell") << fds.dump();
  EXPECT_NE(fds.value("why", "").find("5 -> /bin/busybox"), std::string::npos) << fds.dump();
  EXPECT_NE(fds.value("why", "").find("7 -> /dev/null"), std::string::npos) << fds.dump();
  EXPECT_NE(fds.value("why", "").find("8 -> " + copy), std::string::npos) << fds.dump();
  EXPECT_NE(fds.value("why", "").find("9 -> " + gone + " (deleted)"), std::string::npos) << fds.dump();
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  EXPECT_EQ(hull({"delete", "--force", "ownfds"}).exit_code, 0);
  run.finish();

  // The host's state root bound in at its own path: its file is hull's. The
  // saved config, which nothing rewrites while the test runs: state.json is
  // replaced after start (by an exchange, whose moment shows the old file
  // under its temporary name).
  Bundle& bound = bundle("bundle-boundfds");
  bound.config["mounts"].push_back(
      {{"source", state_root()}, {"destination", state_root()}, {"type", "bind"}, {"options", {"rbind"}}});
  const std::string held = (state_dir("heldstate") / "config.json").string();
  bound.args({"sh", "-c", "exec 8<" + held + "; echo opened; exec sleep 1000"});
  Child held_run = hull_background({"run", "--bundle", bound.dir().string(), "heldstate"});
  ASSERT_TRUE(held_run.wait_for_output("opened\n", milliseconds(20000)));
  v = verify("heldstate");
  EXPECT_EQ(verdict(v, "init open fds"), "violated") << row(v, "init open fds").dump();
  EXPECT_NE(row(v, "init open fds").value("kernel", "").find("8 -> " + held), std::string::npos)
      << row(v, "init open fds").dump();
  EXPECT_EQ(hull({"delete", "--force", "heldstate"}).exit_code, 0);
  held_run.finish();
}

// The limits in force come from /proc/<init>/limits: prlimit on a process
// of another user needs CAP_SYS_RESOURCE, and every non-root container's
// rows said "cannot tell". A soft limit the program lowered, or an
// oom_score_adj it raised, is within what it may do itself: "cannot tell",
// not violated.
TEST_F(VerifyTest, LimitsAreReadForAnyUserAndWhatTheProgramMayChangeIsNotAViolation) {
  Bundle& b = bundle("bundle-limits");
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 100}, {"hard", 200}}};
  b.config["process"]["oomScoreAdj"] = 100;
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), "limits"}).exit_code, 0);
  Verified v = verify("limits");
  EXPECT_EQ(verdict(v, "rlimit RLIMIT_NOFILE"), "holds") << row(v, "rlimit RLIMIT_NOFILE").dump();
  EXPECT_EQ(verdict(v, "oom_score_adj"), "holds") << row(v, "oom_score_adj").dump();
  EXPECT_EQ(hull({"delete", "--force", "limits"}).exit_code, 0);

  b.args({"sh", "-c", "ulimit -S -n 50; echo 200 > /proc/self/oom_score_adj; exec sleep 1000"});
  ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), "lowered"}).exit_code, 0);
  v = verify("lowered");
  const json lowered = row(v, "rlimit RLIMIT_NOFILE");
  EXPECT_EQ(lowered.value("verdict", ""), "cannot tell") << lowered.dump();
  EXPECT_EQ(lowered.value("kernel", ""), "50/200") << lowered.dump();
  EXPECT_EQ(verdict(v, "oom_score_adj"), "cannot tell") << row(v, "oom_score_adj").dump();
  EXPECT_EQ(row(v, "oom_score_adj").value("kernel", ""), "200") << row(v, "oom_score_adj").dump();
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  EXPECT_EQ(hull({"delete", "--force", "lowered"}).exit_code, 0);

  // Lowered too: the kernel lets it go down to the floor its parent left,
  // which only a writer with CAP_SYS_RESOURCE raises (here, hull lacks it;
  // in the VM lanes it has it, and the write is refused: the row holds).
  b.args({"sh", "-c", "echo 50 > /proc/self/oom_score_adj; exec sleep 1000"});
  ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), "oomdown"}).exit_code, 0);
  v = verify("oomdown");
  const json oom = row(v, "oom_score_adj");
  EXPECT_EQ(oom.value("verdict", ""), oom.value("kernel", "") == "100" ? "holds" : "cannot tell") << oom.dump();
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  EXPECT_EQ(hull({"delete", "--force", "oomdown"}).exit_code, 0);
}

// A hard limit above the config's is violated where the container could
// not have raised it itself; one keeping CAP_SYS_RESOURCE in the host's user
// namespace could have: "cannot tell". The test raises it from the host,
// which needs CAP_SYS_RESOURCE: the development host's root lacks it, the VM
// lanes' holds it.
TEST_F(VerifyTest, AHardLimitAboveTheConfigsIsViolatedUnlessTheContainerMayRaiseIt) {
  Bundle& b = bundle("bundle-hard");
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 100}, {"hard", 200}}};
  b.args({"sleep", "1000"});
  for (bool keeps_cap : {false, true}) {
    const std::string id = keeps_cap ? "hardcap" : "hard";
    if (keeps_cap) {
      for (auto& [set, names] : b.config["process"]["capabilities"].items()) names.push_back("CAP_SYS_RESOURCE");
      b.write();
    }
    ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), id}).exit_code, 0);
    const pid_t pid = state(id).value("pid", 0);
    const struct rlimit raised { 100, 300 };
    if (::prlimit(pid, RLIMIT_NOFILE, &raised, nullptr) != 0) {
      EXPECT_EQ(hull({"delete", "--force", id}).exit_code, 0);
      GTEST_SKIP() << "no CAP_SYS_RESOURCE here to raise a hard limit with";
    }
    Verified v = verify(id);
    const json limit = row(v, "rlimit RLIMIT_NOFILE");
    EXPECT_EQ(limit.value("kernel", ""), "100/300") << limit.dump();
    EXPECT_EQ(limit.value("verdict", ""), keeps_cap ? "cannot tell" : "violated") << limit.dump();
    EXPECT_EQ(v.exit_code, keeps_cap ? 0 : 1) << v.rows.dump(1) << v.err;
    EXPECT_EQ(hull({"delete", "--force", id}).exit_code, 0);
  }
}

// A container in a user namespace of its own holds a full bounding set
// there, CAP_SYS_RESOURCE too, which raises no hard limit (that asks for it
// in the initial user namespace): a hard limit above the config's is
// violated. It was "cannot tell" where /proc/1's user namespace could not
// be read. The limit in force is left; the recorded config is lowered.
TEST_F(VerifyTest, AContainerInAUserNamespaceOfItsOwnRaisedNoHardLimit) {
  Bundle& b = bundle("bundle-userns-hard");
  b.add_user_namespace(0, 0);
  for (auto& [set, names] : b.config["process"]["capabilities"].items()) names.push_back("CAP_SYS_RESOURCE");
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 200}, {"hard", 200}}};
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), "usernshard"}).exit_code, 0);
  const fs::path saved = state_dir("usernshard") / "config.json";
  json config = json::parse(read_text_file(saved));
  config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 100}, {"hard", 100}}};
  std::ofstream(saved) << config.dump();
  Verified v = verify("usernshard");
  const json limit = row(v, "rlimit RLIMIT_NOFILE");
  EXPECT_EQ(limit.value("kernel", ""), "200/200") << limit.dump();
  EXPECT_EQ(limit.value("verdict", ""), "violated") << limit.dump();
  EXPECT_EQ(v.exit_code, 1) << v.rows.dump(1) << v.err;
  EXPECT_EQ(hull({"delete", "--force", "usernshard"}).exit_code, 0);
}

// A root the config leaves writable may be read-only all the same: "/"
// among readonlyPaths, or a rootfs read-only on the host (a read-only bind,
// an image's file system mounted ro), as runc runs it too. Stricter than
// asked, it was "violated" (exit 1).
TEST_F(VerifyTest, ARootReadOnlyForAnotherReasonIsNoViolation) {
  Bundle& listed = bundle("bundle-rootro-listed");
  listed.config["root"]["readonly"] = false;
  listed.config["linux"]["readonlyPaths"] = {"/"};
  listed.args({"sleep", "1000"});
  ASSERT_EQ(hull({"run", "--detach", "--bundle", listed.dir().string(), "rootro-listed"}).exit_code, 0);
  Verified v = verify("rootro-listed");
  EXPECT_EQ(verdict(v, "root readonly"), "holds") << row(v, "root readonly").dump();
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  EXPECT_EQ(hull({"delete", "--force", "rootro-listed"}).exit_code, 0);

  Bundle& bound = bundle("bundle-rootro-host");
  bound.config["root"]["readonly"] = false;
  bound.args({"sleep", "1000"});
  const std::string rootfs = bound.rootfs().string();
  ASSERT_EQ(::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND, nullptr), 0);
  UnmountAtScopeExit unmount(rootfs);
  ASSERT_EQ(::mount(nullptr, rootfs.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0);
  ASSERT_EQ(hull({"run", "--detach", "--bundle", bound.dir().string(), "rootro-host"}).exit_code, 0);
  v = verify("rootro-host");
  EXPECT_EQ(verdict(v, "root readonly"), "holds") << row(v, "root readonly").dump();
  EXPECT_EQ(v.exit_code, 0) << v.rows.dump(1) << v.err;
  EXPECT_EQ(hull({"delete", "--force", "rootro-host"}).exit_code, 0);
}

TEST_F(VerifyTest, RefusesAContainerThatIsNotRunning) {
  ASSERT_GT(create_container("created"), 0);
  ProcResult r = hull({"verify", "created"});
  EXPECT_TRUE(failed_with(r, {"verify container \"created\"", "is created", "running or paused"})) << r.err;
  EXPECT_TRUE(failed_with(hull({"verify", "nosuch"}), {"does not exist"}));
}

TEST_F(VerifyTest, CatchesARaisedMemoryLimit) {
  ASSERT_GT(start("mem"), 0);
  fs::path v2 = dir_with("mem", "memory.max"), v1 = dir_with("mem", "memory.limit_in_bytes");
  ASSERT_TRUE(!v2.empty() || !v1.empty());
  if (!v1.empty())
    std::ofstream(v1 / "memory.limit_in_bytes") << 128 * 1024 * 1024;
  else
    std::ofstream(v2 / "memory.max") << 128 * 1024 * 1024;
  Verified v = verify("mem");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(violated(v), std::vector<std::string>{row(v, "cgroup memory.limit").value("property", "")})
      << v.rows.dump(1);
  EXPECT_EQ(row(v, "cgroup memory.limit").value("kernel", ""), std::to_string(128 * 1024 * 1024));
}

// Writes pid into cgroup.procs of every directory of the container: all inside
// our own cgroup subtree (the test's cgroupsPath is relative).
void join_cgroups(const std::vector<fs::path>& dirs, pid_t pid) {
  for (const auto& d : dirs) std::ofstream(d / "cgroup.procs") << pid;
}

TEST_F(VerifyTest, CatchesAStrangerInItsCgroup) {
  ASSERT_GT(start("stranger"), 0);
  Child sleeper = Child::spawn({"/bin/sleep", "1000"});
  join_cgroups(cgroup_dirs("stranger"), sleeper.pid());
  Verified v = verify("stranger");
  EXPECT_EQ(v.exit_code, 1);
  json r = row(v, "cgroup holds only the container");
  EXPECT_EQ(r.value("verdict", ""), "violated") << v.rows.dump(1);
  EXPECT_NE(r.value("why", "").find("pid " + std::to_string(sleeper.pid())), std::string::npos) << r.dump();
  // Our sleeper also holds every capability, which the container's processes must not.
  EXPECT_EQ(verdict(v, "capabilities bounding"), "violated");
  ::kill(sleeper.pid(), SIGKILL);
  sleeper.finish();
}

TEST_F(VerifyTest, CatchesAReadonlyPathMadeWritable) {
  pid_t pid = start("rw");
  ASSERT_GT(pid, 0);
  int rc = in_child([pid] {
    int mnt = ::open(("/proc/" + std::to_string(pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
    if (mnt < 0 || ::setns(mnt, CLONE_NEWNS) < 0) return 2;
    return ::mount(nullptr, "/proc/sys", nullptr, MS_REMOUNT | MS_BIND, nullptr) == 0 ? 0 : 3;
  });
  ASSERT_EQ(rc, 0) << "remount /proc/sys read-write in the container";
  Verified v = verify("rw");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(violated(v), std::vector<std::string>{"readonly /proc/sys"}) << v.rows.dump(1);
  EXPECT_EQ(verdict(v, "readonly /proc/bus"), "holds");
}

TEST_F(VerifyTest, CatchesAnUnmaskedPath) {
  pid_t pid = start("unmask");
  ASSERT_GT(pid, 0);
  int rc = in_child([pid] {
    int mnt = ::open(("/proc/" + std::to_string(pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
    if (mnt < 0 || ::setns(mnt, CLONE_NEWNS) < 0) return 2;
    return ::umount2("/etc/secret", MNT_DETACH) == 0 ? 0 : 3;
  });
  ASSERT_EQ(rc, 0) << "unmount the mask of /etc/secret";
  Verified v = verify("unmask");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(violated(v), std::vector<std::string>{"masked /etc/secret"}) << v.rows.dump(1);
  EXPECT_EQ(verdict(v, "masked /opt/secret"), "holds");
}

// A process that joins the container (cgroups, then every namespace through
// the init's pidfd) the way an exec would, but keeps all our capabilities.
TEST_F(VerifyTest, CatchesAProcessWithMoreCapabilities) {
  pid_t pid = start("caps");
  ASSERT_GT(pid, 0);
  int ready[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  std::vector<fs::path> dirs = cgroup_dirs("caps");
  pid_t joiner = ::fork();
  if (joiner == 0) {
    ::close(ready[0]);
    // The cgroup files are opened from the host's view; the process inside
    // writes "0" (itself) to them before it enters the cgroup namespace,
    // whose root would hide our cgroup (ENOENT).
    std::vector<int> procs;
    for (const auto& d : dirs) procs.push_back(::open((d / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0 || ::setns(pidfd, CLONE_NEWPID) < 0) ::_exit(2);
    pid_t inside = ::fork();  // a child, to be in the pid namespace too
    if (inside == 0) {
      for (int fd : procs)
        if (fd < 0 || ::write(fd, "0", 1) != 1) ::_exit(3);
      int rest = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
      if (::setns(pidfd, rest) < 0) ::_exit(4);
      if (::write(ready[1], "x", 1) != 1) ::_exit(5);
      ::pause();
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(inside, &status, 0);
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1) << "the joining process did not start";
  ::close(ready[0]);
  Verified v = verify("caps");
  EXPECT_EQ(v.exit_code, 1);
  for (const char* set : {"capabilities bounding", "capabilities effective", "capabilities permitted"}) {
    json r = row(v, set);
    EXPECT_EQ(r.value("verdict", ""), "violated") << r.dump();
    EXPECT_NE(r.value("kernel", "").find("CAP_SYS_ADMIN"), std::string::npos) << r.dump();
  }
  // It is in every namespace of the container: a member, only too powerful.
  EXPECT_EQ(verdict(v, "cgroup holds only the container"), "holds") << v.rows.dump(1);
  // delete --force (TearDown) kills it with the container; its parent then exits.
  ASSERT_EQ(hull({"delete", "--force", "caps"}).exit_code, 0);
  EXPECT_TRUE(wait_exit_and_reap(joiner));
}

TEST_F(VerifyTest, CatchesAWidenedDeviceRule) {
  ASSERT_GT(start("dev"), 0);
  fs::path v1 = dir_with("dev", "devices.allow");
  if (!v1.empty()) {
    std::ofstream(v1 / "devices.allow") << "a *:* rwm";
  } else {
    fs::path v2 = dir_with("dev", "cgroup.type");
    ASSERT_FALSE(v2.empty());
    ASSERT_TRUE(attach_allow_all(v2.string())) << "attach a device program to " << v2;
  }
  Verified v = verify("dev");
  EXPECT_EQ(v.exit_code, 1);
  std::vector<std::string> bad = violated(v);
  ASSERT_EQ(bad.size(), 1u) << v.rows.dump(1);
  EXPECT_TRUE(bad[0].starts_with("cgroup devices")) << bad[0];
}

}  // namespace
}  // namespace hull::itest
