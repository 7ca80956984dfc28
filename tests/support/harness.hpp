#pragma once
// The integration test fixture: real containers through the hull binary, as root.
//
// Every test gets a private temp dir holding the state root (`hull --root`) and
// its bundles. TearDown removes every container the test left (hull delete
// --force, then a kill by the recorded pid if the init survived), and fails the
// test if a container's state dir, a mount mentioning the temp dir, or a child
// process outlives that cleanup. The fixture makes the test process a child
// subreaper: a detached container's init is re-parented to us when `hull
// create` exits, and we reap it (PID 1 on this machine reaps only after a delay).
//
// Usage:
//   TEST_F(HullTest, Hostname) {
//     Bundle& b = bundle();
//     b.config["hostname"] = "box";
//     ProcResult r = run_sh(b, "hostname");
//     EXPECT_EQ(r.out, "box\n");
//   }
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bundle.hpp"
#include "process.hpp"

namespace hull::itest {

// The namespace link of the test process itself, e.g. "uts:[4026531838]".
std::string host_ns(const std::string& name);

// The runtime under test: HULL_ITEST_RUNTIME (e.g. /usr/sbin/runc) or hull.
std::string runtime_binary();

// Whether a state root entry is one of hull's caches (~seccomp, ~devices),
// which outlive the containers; anything else (~creating-<id> included) is
// a container's or a leftover.
bool is_state_root_cache(const std::string& name);

// hull exec's status when it fails to run the process (runc's).
constexpr int kExecFailed = 255;

// Success when r exited with exit_code (runc's and hull's failure status: 1,
// 255 for exec) and stderr holds every fragment, ignoring case (errno texts
// differ in case between runtimes). Use as EXPECT_TRUE(failed_with(r, {...})).
::testing::AssertionResult failed_with(const ProcResult& r, const std::vector<std::string>& fragments,
                                       int exit_code = 1);

// Our children, alive or zombies (re-parented orphans included), not reaped.
std::vector<pid_t> children_of_self();

// The shell words that write `pid` (an expansion: $$, $!) to `mark`
// whole, by a rename: for a hook or a stand-in program to say it runs.
std::string write_pid_to(const std::string& pid, const std::filesystem::path& mark);
// The pid written to `mark` by write_pid_to's words; 0 if none is within 10 s.
pid_t pid_written_to(const std::filesystem::path& mark);

// What a state.json records about a container's init (hull's private fields too).
struct InitRecord {
  pid_t pid = 0;
  unsigned long long start_time = 0;  // initStartTime
  std::string cgroup_path;            // cgroupPath, may be empty
};

// Existing cgroup directories that a state.json cgroupPath names: hull's JSON
// ({"v2": dir, "v1": {ctrl: dir}}), a filesystem path, or else a cgroupsPath
// looked up under every hierarchy below /sys/fs/cgroup, as given and below our
// own cgroup there.
std::vector<std::filesystem::path> existing_cgroup_dirs(const std::string& cgroup_path);

// The cgroup directories of a live process as the host sees them, one per
// hierarchy of its /proc/<pid>/cgroup, keyed by the hierarchy's name there
// ("" for cgroup v2, "cpu,cpuacct", "name=systemd"): where a container is,
// whatever runtime made it and whatever it recorded (runc's state differs).
// Empty when pid is gone.
std::map<std::string, std::filesystem::path> cgroup_dirs_of_pid(pid_t pid);

class HullTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `hull --root <state root> args...`, waited for (bounded).
  ProcResult hull(const std::vector<std::string>& args, const SpawnOptions& opts = {});
  // The same, left running: for `hull run` that the test kills or feeds.
  Child hull_background(const std::vector<std::string>& args, const SpawnOptions& opts = {});

  // A new bundle <temp>/<name> with a busybox rootfs and the default config
  // (not yet written: call write() or args()). Owned by the fixture.
  Bundle& bundle(const std::string& name = "bundle");

  // Writes b's config with args `sh -c script` and runs `hull run --bundle b id`
  // attached, so out/err/exit_code are the container's.
  ProcResult run_sh(Bundle& b, const std::string& script, const std::string& id = "itest");

  // `hull create --bundle <new bundle "bundle-<id>"> id` running args; returns
  // the init pid from `hull state`, 0 (and a test failure) when create fails.
  pid_t create_container(const std::string& id, const std::vector<std::string>& args = {"sleep", "1000"});
  // create_container of a sleeping container with a user namespace of its
  // own (Bundle::add_user_namespace's maps), for others to join by path.
  pid_t create_user_namespace_owner(const std::string& id, unsigned host_uid = 100000, unsigned host_gid = 100000);
  // `hull start id`; a test failure when it fails.
  void start_container(const std::string& id);

  // `hull state id` parsed; a test failure (and null) when it fails.
  nlohmann::json state(const std::string& id);
  // The "status" of `hull state id`; "" (and a test failure) when state fails.
  std::string status(const std::string& id);
  // The init as recorded in <root>/<id>/state.json, nullopt when unreadable.
  std::optional<InitRecord> recorded_init(const std::string& id) const;

#ifdef HULL_FAULT_BINARY
  // The argv of `hull_fault --root <state root> args...` (a
  // -DHULL_FAULT_INJECTION=ON build), dying at `point` (src/base/fault.hpp)
  // or, with stop, stopping there until a SIGCONT.
  std::vector<std::string> fault_argv(const std::string& point, const std::vector<std::string>& args,
                                      bool stop = false) const;
#endif
  // Waits (bounded) until pid is stopped by a signal ('T'): a hull_fault
  // that reached its point with stop.
  static bool wait_stopped(pid_t pid);
  // Waits (pidfd, bounded) for pid to exit and reaps it if it is our child.
  bool wait_exit_and_reap(pid_t pid, milliseconds timeout = milliseconds(10000));
  // Waits for c (bounded by its timeout) while reaping the container
  // processes re-parented to us (we are the child subreaper), as a container
  // engine's shim does: a process hull did not wait for (a detached exec's,
  // or one whose `hull exec` was killed) is in the container's pid
  // namespace, and its init cannot finish dying until that is reaped, so a
  // kill or delete --force would wait for it. Only zombies in a nested pid
  // namespace are reaped: never another Child of the test.
  ProcResult finish_reaping_orphans(Child c);
  // The same wait for any pid, bounded: whether it exited (not reaped).
  bool wait_exit_reaping_orphans(pid_t pid, milliseconds timeout);
  void reap_container_orphans();

  const std::filesystem::path& temp_dir() const { return temp_; }
  std::filesystem::path state_root() const { return temp_ / "state"; }
  std::filesystem::path state_dir(const std::string& id) const { return state_root() / id; }

  // Fails the test if the state dir of id exists, a mount mentions the temp
  // dir, or a child process (a container init re-parented to us) is alive.
  void expect_nothing_left(const std::string& id);

  // Container ids with a directory under the state root.
  std::vector<std::string> state_dirs() const;
  // Lines of /proc/self/mountinfo that mention the temp dir.
  std::vector<std::string> mounts_of_temp_dir() const;
  // Our children still alive after a bounded wait for each to exit; zombies are reaped.
  std::vector<pid_t> live_children();

 private:
  // create_container's work on a bundle already made.
  pid_t create_from(Bundle& b, const std::string& id, const std::vector<std::string>& args);
  void remove_containers();
  void check_no_leftover_processes();
  void check_no_leftover_mounts();

  std::filesystem::path temp_;
  std::vector<std::unique_ptr<Bundle>> bundles_;
};

}  // namespace hull::itest
