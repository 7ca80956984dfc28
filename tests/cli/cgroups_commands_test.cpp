// The cgroup-facing commands on real containers: pause/resume, update, ps,
// events, kill --all. Host files are read where the host keeps them: a v1
// hierarchy for a controller mounted as v1, else the cgroup2 directory, so
// the tests hold on hybrid, legacy and pure cgroup2 hosts.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <thread>

#include "at_scope_exit.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/convert.hpp"
#include "cgroups_run_fixture.hpp"
#include "deep_chain.hpp"
#include "growing_config.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

bool on_v1(const char* controller) { return cgroups::Host::current().v1_for(controller) != nullptr; }

std::vector<pid_t> in_order(std::vector<pid_t> pids) {
  std::sort(pids.begin(), pids.end());
  return pids;
}

class CgroupCommandsTest : public CgroupRunTest {
 protected:
  // create of a container in its own cgroup to run `sh -c script`.
  pid_t create_sh(const std::string& id, const std::string& script, const Json& resources = Json::object()) {
    Bundle& b = limited_bundle(resources, "bundle-" + id);
    for (const Json& m : mounts_) b.config["mounts"].push_back(m);
    b.args({"sh", "-c", script});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    if (c.exit_code != 0) return 0;
    bundle_ = &b;
    return state(id)["pid"].get<pid_t>();
  }
  // A container in the host's pid namespace, in its own cgroup, whose init
  // ran `true` and has exited: stopped. False (and a failure) on error.
  bool stopped_without_pid_namespace(const std::string& id) {
    Bundle& b = limited_bundle(Json::object(), "bundle-" + id);
    Json& namespaces = b.config["linux"]["namespaces"];
    namespaces.erase(std::remove(namespaces.begin(), namespaces.end(), Json{{"type", "pid"}}), namespaces.end());
    b.args({"true"});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    if (c.exit_code != 0) return false;
    const pid_t init = state(id)["pid"].get<pid_t>();
    start_container(id);
    return wait_exit_and_reap(init);
  }
  // The same, started.
  pid_t start_sh(const std::string& id, const std::string& script, const Json& resources = Json::object()) {
    pid_t init = create_sh(id, script, resources);
    if (init != 0) start_container(id);
    return init;
  }
  // A started container whose init (a shell) waits for a sleeping child:
  // {init, child}, or {0, 0} (and a test failure).
  std::pair<pid_t, pid_t> start_with_child(const std::string& id) {
    pid_t init = start_sh(id, "sleep 1000 & sleep 1000");
    if (init == 0) return {0, 0};
    std::vector<pid_t> pids;
    for (int i = 0; i < 200 && pids.size() < 2; ++i, std::this_thread::sleep_for(10ms)) pids = ps_json(id);
    if (pids.size() < 2) {
      ADD_FAILURE() << id << ": ps lists " << pids.size() << " processes, not the init and its child";
      return {0, 0};
    }
    return {init, pids[0] == init ? pids[1] : pids[0]};
  }
  // create of a container in its own cgroup to run `sleep 1000`, whose
  // comm becomes "sleep" at start.
  pid_t create_sleeper(const std::string& id) {
    Bundle& b = limited_bundle(Json::object(), "bundle-" + id);
    b.args({"sleep", "1000"});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    return c.exit_code == 0 ? state(id)["pid"].get<pid_t>() : 0;
  }
  // The cgroup that id's state.json records.
  cgroups::Manager recorded_cgroup(const std::string& id) {
    std::optional<InitRecord> record = recorded_init(id);
    EXPECT_TRUE(record && !record->cgroup_path.empty()) << id << " records no cgroup";
    return cgroups::Manager::load(record ? record->cgroup_path : std::string());
  }
  std::vector<pid_t> ps_json(const std::string& id) {
    ProcResult r = hull({"ps", "--format", "json", id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return {};
    Json pids = Json::parse(r.out);
    if (pids.is_null()) return {};  // runc's spelling of no processes (hull prints [])
    return pids.get<std::vector<pid_t>>();
  }
  // The counter the pause test's container keeps in /tmp/c (-1: not yet there).
  long counter() const {
    std::ifstream in(bundle_->rootfs() / "tmp/c");
    long v = -1;
    in >> v;
    return v;
  }
  // Waits (bounded) until the counter exceeds `than`.
  bool counter_grows_past(long than) const {
    for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
      if (counter() > than) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  Bundle* bundle_ = nullptr;
  std::vector<Json> mounts_;  // added to the next containers' mounts
};

// The counter advances by rename, so a reader never sees a half-written file.
constexpr const char* kCounterScript =
    "i=0; while true; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; done";

TEST_F(CgroupCommandsTest, PauseFreezesTheContainerAndResumeThawsIt) {
  ASSERT_NE(start_sh("p", kCounterScript), 0);
  ASSERT_TRUE(counter_grows_past(0));

  ProcResult pause = hull({"pause", "p"});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  EXPECT_EQ(status("p"), "paused");
  long frozen_at = counter();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(counter(), frozen_at) << "the container made progress while paused";
  EXPECT_TRUE(failed_with(hull({"pause", "p"}), {"cannot pause container \"p\": it is paused"}));
  EXPECT_TRUE(failed_with(hull({"exec", "p", "true"}), {"it is paused", "resume it first"}, kExecFailed));

  ProcResult resume = hull({"resume", "p"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_EQ(status("p"), "running");
  EXPECT_TRUE(counter_grows_past(frozen_at));
  EXPECT_TRUE(failed_with(hull({"resume", "p"}), {"cannot resume container \"p\": it is running"}));
}

// As runc: a created container can be paused; it reads "paused", is neither
// started nor joined until resumed, and resume makes it created again.
TEST_F(CgroupCommandsTest, PauseOfACreatedContainerFreezesItAndResumeMakesItCreatedAgain) {
  const pid_t init = create_sleeper("c");
  ASSERT_GT(init, 0);
  cgroups::Manager cgroup = recorded_cgroup("c");

  ProcResult pause = hull({"pause", "c"});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  EXPECT_EQ(status("c"), "paused");
  EXPECT_TRUE(cgroup.frozen());
  const std::string paused = "it is paused before it was started";
  EXPECT_TRUE(failed_with(hull({"start", "c"}), {"cannot start container \"c\": " + paused, "resume it first"}));
  EXPECT_TRUE(failed_with(hull({"exec", "c", "true"}), {paused, "resume it first"}, kExecFailed));
  EXPECT_TRUE(failed_with(hull({"delete", "c"}), {paused, "stop it first or use --force"}));
  EXPECT_TRUE(failed_with(hull({"pause", "c"}), {"cannot pause container \"c\": " + paused}));
  EXPECT_NE(read_text_file("/proc/" + std::to_string(init) + "/comm"), "sleep\n") << "started while paused";

  ProcResult resume = hull({"resume", "c"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_EQ(status("c"), "created");
  EXPECT_FALSE(cgroup.frozen());
  start_container("c");
  EXPECT_EQ(status("c"), "running");
  EXPECT_EQ(read_text_file("/proc/" + std::to_string(init) + "/comm"), "sleep\n");
  EXPECT_TRUE(failed_with(hull({"pause", "nosuch"}), {"container \"nosuch\" does not exist"}));
}

// A created container whose cgroup is frozen behind its "created" record (a
// pause killed between its freeze and its record, or a freeze from outside
// hull): start refuses it at once rather than wait for ever for an init that
// cannot answer, and resume sets it right.
TEST_F(CgroupCommandsTest, StartRefusesACreatedContainerWhoseCgroupIsFrozen) {
  const pid_t init = create_sleeper("c");
  ASSERT_GT(init, 0);
  cgroups::Manager cgroup = recorded_cgroup("c");
  cgroup.freeze();

  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  ProcResult start = hull({"start", "c"}, bounded);
  EXPECT_FALSE(start.timed_out) << "start waited for a frozen init";
  EXPECT_TRUE(failed_with(start, {"start container \"c\": the container's cgroup is frozen while its status is created",
                                  "resume it, or delete it"}))
      << start.err;
  EXPECT_EQ(status("c"), "created");
  ASSERT_EQ(hull({"resume", "c"}).exit_code, 0);
  EXPECT_FALSE(cgroup.frozen());
  start_container("c");
  EXPECT_EQ(read_text_file("/proc/" + std::to_string(init) + "/comm"), "sleep\n");
}

// A frozen task acts on SIGKILL only once thawed: kill, kill --all and
// delete --force of a paused container, started or not, must still end it
// (on a hybrid host kill --all's cgroup.kill is v2's while the freezer is v1's).
TEST_F(CgroupCommandsTest, KillAndForceDeleteEndAPausedContainer) {
  // The containers take turns in the fixture's one cgroupsPath.
  for (const std::vector<std::string>& ending :
       {std::vector<std::string>{"kill", "a", "KILL"}, std::vector<std::string>{"kill", "--all", "c", "KILL"},
        std::vector<std::string>{"delete", "--force", "b"}, std::vector<std::string>{"kill", "created-a", "KILL"},
        std::vector<std::string>{"delete", "--force", "created-b"}}) {
    const std::string& id = ending[ending[0] == "kill" ? ending.size() - 2 : 2];
    pid_t init = id.starts_with("created-") ? create_sh(id, "sleep 1000") : start_sh(id, "sleep 1000");
    ASSERT_NE(init, 0);
    ASSERT_EQ(hull({"pause", id}).exit_code, 0);
    ProcResult r = hull(ending);
    EXPECT_EQ(r.exit_code, 0) << ending[0] << ": " << r.err;
    EXPECT_TRUE(wait_exit_and_reap(init)) << ending[0];
    if (ending[0] == "kill") {
      EXPECT_EQ(status(id), "stopped");
      ASSERT_EQ(hull({"delete", id}).exit_code, 0);
    }
    expect_nothing_left(id);
  }
}

// A kill racing a pause (found by the lifecycle model's long mode): the
// SIGKILL is sent, then the freeze lands before the init acts on it. The v1
// freezer holds the signal pending, so a pause that went on would leave a
// dying init frozen and "paused" for ever. Re-created without the race: the
// test freezes the cgroup behind hull's back and sends the SIGKILL itself.
TEST_F(CgroupCommandsTest, PauseOfAContainerBeingKilledIsRefusedAndItDies) {
  pid_t init = start_sh("k", "sleep 1000");
  ASSERT_NE(init, 0);
  std::map<std::string, std::filesystem::path> dirs = cgroup_dirs_of_pid(init);
  std::filesystem::path freezer;
  for (const auto& [hierarchy, dir] : dirs)
    if (hierarchy == "freezer") freezer = dir / "freezer.state";
  if (freezer.empty() && dirs.count("")) freezer = dirs.at("") / "cgroup.freeze";
  ASSERT_FALSE(freezer.empty()) << "no freezer for the container's cgroup";
  const bool v1 = freezer.filename() == "freezer.state";
  write_file(freezer, v1 ? "FROZEN" : "1");
  ASSERT_EQ(::kill(init, SIGKILL), 0);
  ProcResult pause = hull({"pause", "k"});
  EXPECT_NE(pause.exit_code, 0) << "pause of a container whose init has a SIGKILL pending";
  EXPECT_TRUE(wait_exit_and_reap(init)) << "the killed init stayed frozen: " << read_file(freezer);
  EXPECT_EQ(status("k"), "stopped");
  ASSERT_EQ(hull({"delete", "--force", "k"}).exit_code, 0);
  expect_nothing_left("k");
}

// A container that made sub-cgroups inside its own (a nested runtime,
// systemd in a container) and moved a process there: delete --force kills it
// and removes the tree deepest first, as runc does.
TEST_F(CgroupCommandsTest, ForceDeleteRemovesTheSubCgroupsTheContainerMade) {
  auto [init, child] = start_with_child("nested");
  ASSERT_NE(init, 0);
  for (const auto& dir : container_dirs()) std::filesystem::create_directories(dir + "/inner/deeper");
  std::ofstream(dir_of("pids") + "/inner/deeper/cgroup.procs") << child;
  ASSERT_NE(read_file("/proc/" + std::to_string(child) + "/cgroup").find("/inner/deeper\n"), std::string::npos);

  ProcResult r = hull({"delete", "--force", "nested"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wait_exit_and_reap(init));
  for (const auto& dir : container_dirs()) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  expect_nothing_left("nested");
}

// Sub-cgroups nested deeper than a path can name, the container's init at
// the bottom: ps lists it, kill finds it in the container's cgroup and
// delete removes the whole tree, by descriptors (by path each failed with
// ENAMETOOLONG, and the container could be neither killed nor deleted;
// runc 1.1 kills it but leaves the tree behind).
TEST_F(CgroupCommandsTest, SubCgroupsDeeperThanAPathCanNameEndWithTheContainer) {
  auto [init, child] = start_with_child("deep");
  ASSERT_NE(init, 0);
  const std::string v2 = cgroups::resolve_paths(cgroups_path(), "", cgroups::Host::current()).v2;
  std::vector<std::unique_ptr<test::DeepChain>> chains;
  for (const auto& dir : container_dirs()) {
    chains.push_back(std::make_unique<test::DeepChain>(dir, 20));
    ASSERT_TRUE(chains.back()->complete()) << "mkdir 20 levels below " << dir << ": " << std::strerror(errno);
    // The hierarchy ps reads (pids, or the v2 one) and the v2 one of a hybrid host.
    if (dir == dir_of("pids") || dir == v2) {
      for (pid_t p : {init, child}) ASSERT_TRUE(chains.back()->move(p)) << dir << ": " << std::strerror(errno);
    }
  }
  for (const auto& chain : chains) {
    if (!chain->moved()) continue;
    ASSERT_NE(chain->procs().find(std::to_string(init) + "\n"), std::string::npos);
  }

  EXPECT_EQ(in_order(ps_json("deep")), in_order({init, child}));
  ProcResult kill = hull({"kill", "deep", "KILL"});
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_TRUE(wait_exit_and_reap(init));
  ProcResult del = hull({"delete", "deep"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  for (const auto& dir : container_dirs()) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  expect_nothing_left("deep");
}

// A threaded sub-cgroup the container made (cgroup v2): its cgroup.procs
// refuses reads (EOPNOTSUPP) and its threaded domain, above it, lists its
// processes, so ps and kill --all read past it (runc 1.1 fails both).
TEST_F(CgroupCommandsTest, PsAndKillAllReadPastAThreadedSubCgroup) {
  if (!unified()) GTEST_SKIP() << "threaded cgroups are cgroup v2's (the pure v2 lane)";
  auto [init, child] = start_with_child("threads");
  ASSERT_NE(init, 0);
  const std::string domain = dir_of("pids") + "/domain";
  ASSERT_EQ(::mkdir(domain.c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_EQ(::mkdir((domain + "/t").c_str(), 0755), 0) << std::strerror(errno);
  write_file(domain + "/t/cgroup.type", "threaded");
  std::ofstream(domain + "/cgroup.procs") << child;
  ASSERT_EQ(read_file(domain + "/t/cgroup.type"), "threaded\n");

  EXPECT_EQ(in_order(ps_json("threads")), in_order({init, child}));
  ProcResult r = hull({"kill", "--all", "threads", "KILL"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wait_exit_and_reap(init));
  ProcResult del = hull({"delete", "threads"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  expect_nothing_left("threads");
}

// A container that froze a sub-cgroup of its own in the v1 freezer (a
// nested runtime's paused container): a SIGKILL acts on the tasks there only
// once that sub-cgroup is thawed too, not only the container's. Before, as in
// runc 1.1, they stayed frozen, the init with them in its pid namespace's
// teardown, and delete --force gave up after 10 s; kill --all was fixed
// first, then kill KILL and delete --force, which signal the init alone.
TEST_F(CgroupCommandsTest, ASigkillThawsASubCgroupTheContainerFroze) {
  if (!on_v1("freezer")) GTEST_SKIP() << "no v1 freezer here (cgroup v2 lets SIGKILL through a freeze)";
  struct Kill {
    std::string id;
    std::vector<std::string> args;
  };
  const Kill kills[] = {{"ice0", {"kill", "--all", "ice0", "KILL"}},
                        {"ice1", {"kill", "ice1", "KILL"}},
                        {"ice2", {"delete", "--force", "ice2"}}};
  for (const auto& [id, kill] : kills) {
    SCOPED_TRACE(kill[0] + " " + kill[1]);
    auto [init, child] = start_with_child(id);
    ASSERT_NE(init, 0);
    const std::string ice = dir_of("freezer") + "/ice";
    ASSERT_EQ(::mkdir(ice.c_str(), 0755), 0) << std::strerror(errno);
    // Whatever the outcome: a frozen child would hang the fixture's delete.
    AtScopeExit thaw_ice([&, cid = id] {
      if (!std::filesystem::exists(ice)) return;
      write_file(ice + "/freezer.state", "THAWED");
      hull({"delete", "--force", cid});
      ::rmdir(ice.c_str());
    });
    std::ofstream(ice + "/cgroup.procs") << child;
    write_file(ice + "/freezer.state", "FROZEN");
    for (int i = 0; i < 500 && read_file(ice + "/freezer.state") != "FROZEN\n"; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(read_file(ice + "/freezer.state"), "FROZEN\n");

    SpawnOptions bounded;
    bounded.timeout = milliseconds(8000);
    ProcResult r = hull(kill, bounded);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(wait_exit_and_reap(init))
        << "the frozen child held the init's exit: " << read_file(ice + "/freezer.state");
    if (std::filesystem::exists(ice)) {
      write_file(ice + "/freezer.state", "THAWED");  // for the delete
      wait_exit_and_reap(init);
    }
    ProcResult del = hull({"delete", "--force", id});
    EXPECT_EQ(del.exit_code, 0) << del.err;
    if (std::filesystem::exists(ice)) ::rmdir(ice.c_str());
    expect_nothing_left(id);
  }
}

// On a hybrid host the container's v2 cgroup has a freezer of its own
// (cgroup.freeze), beside the v1 one hull's pause uses. Frozen by the
// container (a writable cgroup mount) or from outside, it froze exec's
// process at birth and exec waited for ever, holding the container's lock;
// now exec is refused, naming the frozen cgroup, and pause and resume thaw
// it, as resume does on a v2 host.
TEST_F(CgroupCommandsTest, ExecIsRefusedWhileTheV2CgroupOfAHybridHostIsFrozen) {
  if (unified() || !on_v1("freezer")) GTEST_SKIP() << "a hybrid host's test (pause uses cgroup.freeze on v2)";
  const std::string v2 = cgroups::resolve_paths(cgroups_path(), "", cgroups::Host::current()).v2;
  if (v2.empty()) GTEST_SKIP() << "no cgroup2 hierarchy beside the v1 ones";
  pid_t init = start_sh("frozen-v2", "sleep 1000");
  ASSERT_NE(init, 0);
  if (!std::filesystem::exists(v2 + "/cgroup.freeze")) GTEST_SKIP() << "no cgroup.freeze (Linux 5.2)";
  struct Thaw {  // whatever the test's outcome: the fixture's delete then works
    std::string file;
    ~Thaw() { std::ofstream(file) << "0"; }
  } thaw{v2 + "/cgroup.freeze"};
  write_file(v2 + "/cgroup.freeze", "1");
  for (int i = 0; i < 500 && read_file(v2 + "/cgroup.events").find("frozen 1") == std::string::npos; ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_NE(read_file(v2 + "/cgroup.events").find("frozen 1"), std::string::npos);

  SpawnOptions bounded;
  bounded.timeout = 10s;
  ProcResult refused = hull({"exec", "frozen-v2", "true"}, bounded);
  EXPECT_TRUE(failed_with(refused, {"exec in container \"frozen-v2\"", "cgroup is frozen"}, 255));
  ASSERT_EQ(hull({"pause", "frozen-v2"}).exit_code, 0);
  ProcResult resume = hull({"resume", "frozen-v2"});
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_NE(read_file(v2 + "/cgroup.events").find("frozen 0"), std::string::npos);
  ProcResult exec = hull({"exec", "frozen-v2", "true"}, bounded);
  EXPECT_EQ(exec.exit_code, 0) << exec.err;

  // Its v2 cgroup frozen while paused: with the v1 freezer holding the
  // tasks, cgroup.events reads "frozen 0" whatever cgroup.freeze says. A
  // resume that read the event alone recorded "running" and left the v2
  // freeze, and the next exec was refused.
  ASSERT_EQ(hull({"pause", "frozen-v2"}).exit_code, 0);
  write_file(v2 + "/cgroup.freeze", "1");
  resume = hull({"resume", "frozen-v2"});
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_EQ(read_file(v2 + "/cgroup.freeze"), "0\n");
  exec = hull({"exec", "frozen-v2", "true"}, bounded);
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
}

TEST_F(CgroupCommandsTest, UpdateFlagsChangeTheLimitsAndTheSavedConfig) {
  Json cgroup_mount = {{"destination", "/sys/fs/cgroup"},
                       {"type", "cgroup"},
                       {"source", "cgroup"},
                       {"options", {"ro", "nosuid", "noexec", "nodev"}}};
  mounts_.push_back(cgroup_mount);
  ASSERT_NE(start_sh("u", "sleep 1000",
                     {{"memory", {{"limit", 64 << 20}}}, {"pids", {{"limit", 50}}}, {"cpu", {{"shares", 512}}}}),
            0);
  ProcResult r = hull({"update", "--memory", "100m", "--pids-limit", "20", "--cpu-quota", "50000", "--cpu-period",
                       "100000", "--cpuset-cpus", "0", "u"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (on_v1("memory"))
    EXPECT_EQ(cgroups::read_value(dir_of("memory"), "memory.limit_in_bytes"), "104857600");
  else
    EXPECT_EQ(cgroups::read_value(dir_of("memory"), "memory.max"), "104857600");
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "20");
  if (on_v1("cpu")) {
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.cfs_period_us"), "100000");
  } else {
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.max"), "50000 100000");
  }
  EXPECT_EQ(cgroups::read_value(dir_of("cpuset"), "cpuset.cpus"), "0");
  // Seen from inside (its cgroup namespace root, through its cgroup mount).
  auto inside = [](const char* controller, const std::string& v1_file, const std::string& v2_file) {
    return on_v1(controller) ? "/sys/fs/cgroup/" + std::string(controller) + "/" + v1_file
                             : "/sys/fs/cgroup/" + v2_file;
  };
  ProcResult seen =
      hull({"exec", "u", "cat", inside("pids", "pids.max", "pids.max"),
            inside("memory", "memory.limit_in_bytes", "memory.max"), inside("cpu", "cpu.cfs_quota_us", "cpu.max"),
            inside("cpuset", "cpuset.cpus", "cpuset.cpus")});
  EXPECT_EQ(seen.out, std::string("20\n104857600\n") + (on_v1("cpu") ? "50000\n" : "50000 100000\n") + "0\n")
      << seen.err;

  // Later commands see the new limits; untouched ones stay.
  Json saved = Json::parse(read_file((state_dir("u") / "config.json").string()));
  const Json& res = saved["linux"]["resources"];
  EXPECT_EQ(res["memory"]["limit"], 100 << 20);
  EXPECT_EQ(res["pids"]["limit"], 20);
  EXPECT_EQ(res["cpu"]["quota"], 50000);
  EXPECT_EQ(res["cpu"]["shares"], 512);
  EXPECT_EQ(res["cpu"]["cpus"], "0");
}

// runc's int flags (--pids-limit, --blkio-weight) are read by Go's flag
// package, base 0; its string flags by strconv, strict decimals; a string
// flag given as "" is a flag not given. A memory+swap limit below the memory
// limit is refused with nothing written (the limit is not left raised).
TEST_F(CgroupCommandsTest, UpdateFlagValuesAreReadAsRuncReadsThem) {
  ASSERT_NE(start_sh("flags", "sleep 1000", {{"memory", {{"limit", 100 << 20}}}, {"pids", {{"limit", 50}}}}), 0);
  const std::string memory_file = on_v1("memory") ? "memory.limit_in_bytes" : "memory.max";
  ProcResult r = hull({"update", "--pids-limit", "010", "flags"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "8");
  r = hull({"update", "--pids-limit", "0x10", "--memory", "", "--cpu-share", "", "--cpu-quota", "", "flags"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "16");
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), "104857600");
  for (const auto& [flag, value] : {std::pair{"--cpu-period", " 50000"}, std::pair{"--cpu-period", "+50000"},
                                    std::pair{"--cpu-quota", "0x10"}, std::pair{"--pids-limit", " 5"}}) {
    r = hull({"update", flag, value, "flags"});
    EXPECT_NE(r.exit_code, 0) << flag << " \"" << value << "\"";
  }
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "16");
  r = hull({"update", "--memory", "200m", "--memory-swap", "150m", "flags"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), "104857600") << r.err;
}

// A memory limit or swap of 0 is one not given, as runc reads it: `update
// --memory 0` of a container with a swap limit failed with "a swap limit
// needs a memory limit" (found on cgroup v2; v1 failed the same way).
TEST_F(CgroupCommandsTest, UpdateWithAZeroMemoryLimitChangesNothing) {
  ASSERT_NE(start_sh("zero", "sleep 1000", {{"memory", {{"limit", 100 << 20}, {"swap", 200 << 20}}}}), 0);
  const std::string memory_file = on_v1("memory") ? "memory.limit_in_bytes" : "memory.max";
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--memory", "0"}, {"--memory-swap", "0"}, {"--memory", "0", "--memory-swap", "0"}}) {
    std::vector<std::string> args{"update"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back("zero");
    ProcResult r = hull(args);
    EXPECT_EQ(r.exit_code, 0) << flags[0] << ": " << r.err;
    EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), "104857600");
  }
  ProcResult r = hull({"update", "--memory", "150m", "zero"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), "157286400");
}

// update rewrites the saved config compact: indented, a 100 KB config
// nested deep in an unknown member (kept as read) grew to 20 MB, past what
// the commands after read back, and exec and update failed from then on.
// One that would still be too large (a float written out longer than read)
// is refused before any limit changes.
TEST_F(CgroupCommandsTest, UpdateRewritesTheSavedConfigSoThatItCanBeReadBack) {
  Bundle& b = limited_bundle({{"pids", {{"limit", 50}}}}, "bundle-nested");
  b.config["org.example.nested"] = deeply_nested_zeros();
  b.config["process"]["args"] = {"sleep", "1000"};
  std::ofstream(b.config_path(), std::ios::trunc) << b.config.dump();  // Bundle::write indents
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "nested"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  start_container("nested");
  r = hull({"update", "--pids-limit", "20", "nested"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(std::filesystem::file_size(state_dir("nested") / "config.json"), size_t{1} << 20);
  r = hull({"exec", "nested", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = hull({"update", "--pids-limit", "30", "nested"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "30");
  ASSERT_EQ(hull({"delete", "--force", "nested"}).exit_code, 0);  // the fixture's one cgroup is the next one's

  Bundle& f = limited_bundle({{"pids", {{"limit", 50}}}}, "bundle-floats");
  f.args({"sleep", "1000"});
  std::ofstream(f.config_path(), std::ios::trunc) << with_floats_that_grow(f.config);
  ASSERT_EQ(hull({"create", "--bundle", f.dir().string(), "floats"}).exit_code, 0);
  start_container("floats");
  r = hull({"update", "--pids-limit", "20", "floats"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("config.json would be"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("more than the 16777216 bytes every hull reads back"), std::string::npos) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "50");
  EXPECT_EQ(hull({"exec", "floats", "true"}).exit_code, 0);
}

// The kernel takes the writes before one it refuses: a refused update puts
// back what the saved config says (as runc's does), so the limits stay in
// step with the saved config, which the refused update leaves as it was.
TEST_F(CgroupCommandsTest, AnUpdateTheKernelRefusesPutsTheSavedLimitsBack) {
  ASSERT_NE(start_sh("back", "sleep 1000", {{"memory", {{"limit", 100 << 20}}}, {"pids", {{"limit", 50}}}}), 0);
  const std::string memory_file = on_v1("memory") ? "memory.limit_in_bytes" : "memory.max";
  // More cpus than any host has: refused by the kernel, not by the parse.
  ProcResult r = hull({"update", "--memory", "150m", "--pids-limit", "20", "--cpuset-cpus", "4000", "back"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cpuset.cpus"), std::string::npos) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), "104857600") << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "50") << r.err;
  const Json saved = Json::parse(read_file((state_dir("back") / "config.json").string()));
  EXPECT_EQ(saved["linux"]["resources"]["memory"]["limit"], 100 << 20);
  EXPECT_EQ(saved["linux"]["resources"]["pids"]["limit"], 50);
}

// The same refusal where the saved config names no memory limit and no cpu
// period: writing the saved config again cannot reach those, and the
// new limit and period stayed, a later --cpu-quota then read against the
// period nothing recorded. Each file goes back to what it held.
TEST_F(CgroupCommandsTest, AnUpdateTheKernelRefusesPutsBackLimitsTheSavedConfigLacks) {
  ASSERT_NE(start_sh("back2", "sleep 1000", {{"pids", {{"limit", 50}}}}), 0);
  const std::string memory_file = on_v1("memory") ? "memory.limit_in_bytes" : "memory.max";
  const std::string period_file = on_v1("cpu") ? "cpu.cfs_period_us" : "cpu.max";
  const std::string memory_before = cgroups::read_value(dir_of("memory"), memory_file);
  const std::string period_before = cgroups::read_value(dir_of("cpu"), period_file);
  ProcResult r = hull({"update", "--memory", "150m", "--cpu-period", "50000", "--cpu-quota", "20000", "--cpuset-cpus",
                       "4000", "back2"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cpuset.cpus"), std::string::npos) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), memory_before) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), period_file), period_before) << r.err;
  EXPECT_EQ(r.err.find("putting back"), std::string::npos) << r.err;
}

// A running container whose cgroup was frozen by hand (or by a pause
// killed before it recorded "paused"): resume thaws it, as runc's does
// (runc reads the status off the freezer); hull refused, as for any running
// container.
TEST_F(CgroupCommandsTest, ResumeThawsARunningContainerFrozenByHand) {
  ASSERT_NE(start_sh("handfrozen", "sleep 1000", nlohmann::json::object()), 0);
  const std::string dir = dir_of("freezer");
  const bool v1 = on_v1("freezer");
  const std::string file = dir + (v1 ? "/freezer.state" : "/cgroup.freeze");
  std::ofstream(file) << (v1 ? "FROZEN" : "1") << std::flush;
  for (int i = 0; i < 500 && v1 && read_file(file) != "FROZEN\n"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NE(read_file(file).find(v1 ? "FROZEN" : "1"), std::string::npos);

  ProcResult r = hull({"resume", "handfrozen"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(file), v1 ? "THAWED\n" : "0\n");
  EXPECT_EQ(status("handfrozen"), "running");
  ProcResult e = hull({"exec", "handfrozen", "true"});
  EXPECT_EQ(e.exit_code, 0) << e.err;
}

// An update whose record cannot be written (a read-only or full --root)
// fails, and puts back the limits the saved config gives: a failed update
// left the new ones applied, which no command after it knew of.
TEST_F(CgroupCommandsTest, AnUpdateThatCannotRecordItselfPutsTheSavedLimitsBack) {
  ASSERT_NE(start_sh("unrecorded", "sleep 1000", {{"memory", {{"limit", 100 << 20}}}, {"pids", {{"limit", 50}}}}), 0);
  const std::string memory_file = on_v1("memory") ? "memory.limit_in_bytes" : "memory.max";
  const std::string dir = state_dir("unrecorded").string();
  ASSERT_EQ(::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);
  AtScopeExit unmount([&] { ::umount2(dir.c_str(), MNT_DETACH); });
  ASSERT_EQ(::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);

  ProcResult r = hull({"update", "--memory", "150m", "--pids-limit", "20", "unrecorded"});
  EXPECT_TRUE(failed_with(r, {"Read-only file system"})) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), "104857600") << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "50") << r.err;
}

// A new memory limit alone keeps the memory+swap limit, and a new swap
// alone the memory limit (runc 1.2's update): on v2 memory.swap.max is the
// swap less the limit, so a limit alone would leave the old difference.
TEST_F(CgroupCommandsTest, UpdateOfTheMemoryLimitAloneKeepsTheSwapLimit) {
  const bool v1 = on_v1("memory");
  ASSERT_NE(start_sh("swap", "sleep 1000", {{"memory", {{"limit", 100 << 20}, {"swap", 300 << 20}}}}), 0);
  const char* swap_file = v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
  if (!std::filesystem::exists(dir_of("memory") + "/" + swap_file)) GTEST_SKIP() << "no swap accounting here";
  ProcResult r = hull({"update", "--memory", "150m", "swap"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), swap_file), v1 ? "314572800" : "157286400");
  r = hull({"update", "--memory-swap", "400m", "swap"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), swap_file), v1 ? "419430400" : "262144000");
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), v1 ? "memory.limit_in_bytes" : "memory.max"), "157286400");
}

// The kernel refuses new shares (a new weight) of an idle group: an update
// that takes the group out of idle and gives it shares does both.
TEST_F(CgroupCommandsTest, UpdateTakesAGroupOutOfIdleAndGivesItShares) {
  ASSERT_NE(start_sh("idle", "sleep 1000", {{"cpu", {{"shares", 512}, {"idle", 1}}}}), 0);
  if (!std::filesystem::exists(dir_of("cpu") + "/cpu.idle")) GTEST_SKIP() << "no cpu.idle on this kernel";
  ASSERT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.idle"), "1");
  ProcResult r = hull({"update", "--cpu-idle", "0", "--cpu-share", "1024", "idle"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.idle"), "0");
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), on_v1("cpu") ? "cpu.shares" : "cpu.weight"),
            on_v1("cpu") ? "1024" : "100");
}

// checkBeforeUpdate given at create holds for every later update (a flag
// update never carries it), on v1 too: there the kernel reclaimed what it
// could down to the new limit, here it would OOM-kill. Refused, unchanged.
TEST_F(CgroupCommandsTest, CheckBeforeUpdateFromCreateRefusesALimitBelowTheUsage) {
  ASSERT_NE(start_sh("cbu2", "sleep 1000", {{"memory", {{"limit", 64 << 20}, {"checkBeforeUpdate", true}}}}), 0);
  ProcResult fill = hull({"exec", "cbu2", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=20"});
  ASSERT_EQ(fill.exit_code, 0) << fill.err;
  const std::string memory_file = on_v1("memory") ? "memory.limit_in_bytes" : "memory.max";
  ProcResult r = hull({"update", "--memory", "8m", "cbu2"});
  EXPECT_TRUE(failed_with(r, {"is below the current usage", "checkBeforeUpdate"}));
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), memory_file), std::to_string(64 << 20));
  EXPECT_EQ(status("cbu2"), "running");
}

// A swap limit alone, where the container has no memory limit: v1 keeps
// memory+swap at or above the memory limit, and said only EINVAL.
TEST_F(CgroupCommandsTest, AV1SwapLimitBelowTheMemoryLimitSaysWhatToGive) {
  if (!on_v1("memory") || !std::filesystem::exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))
    GTEST_SKIP() << "needs v1 memory with swap accounting";
  ASSERT_NE(start_sh("swaponly", "sleep 1000"), 0);
  ProcResult r = hull({"update", "--memory-swap", "128m", "swaponly"});
  EXPECT_TRUE(failed_with(r, {"memory+swap limit 134217728 is below the cgroup's memory limit",
                              "give memory.limit too, at most the swap"}));
}

// A burst alone is checked against the quota the container has: the
// kernel's bare EINVAL was all it said.
TEST_F(CgroupCommandsTest, ABurstAloneAboveTheSavedQuotaIsRefusedNamingIt) {
  const std::string burst_file = on_v1("cpu") ? "cpu.cfs_burst_us" : "cpu.max.burst";
  ASSERT_NE(start_sh("burst", "sleep 1000", {{"cpu", {{"quota", 50000}, {"period", 100000}}}}), 0);
  if (!std::filesystem::exists(dir_of("cpu") + "/" + burst_file)) GTEST_SKIP() << "no cpu burst on this kernel";
  ProcResult r = hull({"update", "--cpu-burst", "90000", "burst"});
  EXPECT_TRUE(failed_with(r, {"linux.resources.cpu.burst: 90000 is larger than quota 50000"}));
}

// A realtime runtime the parent does not give (one hull made starts at 0)
// failed with the kernel's bare EINVAL.
TEST_F(CgroupCommandsTest, ARealtimeRuntimeBeyondTheParentsSaysWhereToLook) {
  if (!on_v1("cpu") || !std::filesystem::exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us"))
    GTEST_SKIP() << "needs v1 cpu with realtime group scheduling";
  Bundle& b = limited_bundle({{"cpu", {{"realtimeRuntime", 10000}, {"realtimePeriod", 100000}}}}, "bundle-rt");
  b.args({"true"});
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "rt"});
  EXPECT_TRUE(failed_with(r, {"cpu.rt_runtime_us (a cgroup's realtime runtime must fit",
                              "which a parent hull makes starts at 0): invalid argument"}));
  expect_nothing_left("rt");
}

// An idle group's weight is the kernel's least: new shares for it were
// refused (EINVAL on the weight, and a failed update's put-back stopped at
// the same write), idle 0 alone left the default weight, not the shares,
// and verify read the least weight as the shares violated.
TEST_F(CgroupCommandsTest, SharesOfAnIdleGroupAreItsWeightOnceItLeavesIdle) {
  ASSERT_NE(start_sh("idle2", "sleep 1000", {{"cpu", {{"shares", 512}, {"idle", 1}}}}), 0);
  if (!std::filesystem::exists(dir_of("cpu") + "/cpu.idle")) GTEST_SKIP() << "no cpu.idle on this kernel";
  const std::string weight_file = on_v1("cpu") ? "cpu.shares" : "cpu.weight";
  ProcResult r = hull({"verify", "idle2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = hull({"update", "--cpu-share", "2048", "idle2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.idle"), "1");
  r = hull({"update", "--cpu-idle", "0", "idle2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), weight_file),
            on_v1("cpu") ? "2048" : std::to_string(cgroups::shares_to_weight(2048)));
  r = hull({"verify", "idle2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// v1 checks quota/period against the parent's limit after each write: a
// shorter period with the old quota would exceed it, so the quota goes first.
TEST_F(CgroupCommandsTest, UpdateOfPeriodAndQuotaFitsUnderTheParentsCpuLimit) {
  if (!on_v1("cpu")) GTEST_SKIP() << "cpu is not a v1 controller here (cpu.max is written in one go)";
  ASSERT_NE(start_sh("cpu", "sleep 1000", {{"cpu", {{"quota", 50000}, {"period", 100000}}}}), 0);
  const std::string container = dir_of("cpu");
  const std::string parent = container.substr(0, container.rfind('/'));
  // Half a cpu for the parent: the container's 50000/100000 just fits.
  ASSERT_EQ(cgroups::read_value(parent, "cpu.cfs_period_us"), "100000");
  cgroups::write_value(parent, "cpu.cfs_quota_us", "50000");
  ProcResult r = hull({"update", "--cpu-period", "50000", "--cpu-quota", "25000", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(container, "cpu.cfs_period_us"), "50000");
  EXPECT_EQ(cgroups::read_value(container, "cpu.cfs_quota_us"), "25000");
  // And back up: now the period must go first.
  r = hull({"update", "--cpu-period", "100000", "--cpu-quota", "50000", "cpu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(container, "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(cgroups::read_value(container, "cpu.cfs_quota_us"), "50000");
}

// A new period alone keeps the quota (runc's update writes both): on v2
// cpu.max takes them in one value, whose quota would otherwise go to "max".
TEST_F(CgroupCommandsTest, UpdateOfThePeriodAloneKeepsTheQuota) {
  ASSERT_NE(start_sh("period", "sleep 1000", {{"cpu", {{"quota", 20000}, {"period", 100000}}}}), 0);
  ProcResult r = hull({"update", "--cpu-period", "50000", "period"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (on_v1("cpu")) {
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.cfs_quota_us"), "20000");
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.cfs_period_us"), "50000");
  } else {
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.max"), "20000 50000");
  }
  // And a new quota alone keeps the new period.
  ASSERT_EQ(hull({"update", "--cpu-quota", "30000", "period"}).exit_code, 0);
  if (!on_v1("cpu")) {
    EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.max"), "30000 50000");
  }
  const Json saved = Json::parse(read_file((state_dir("period") / "config.json").string()));
  EXPECT_EQ(saved["linux"]["resources"]["cpu"]["quota"], 30000);
  EXPECT_EQ(saved["linux"]["resources"]["cpu"]["period"], 50000);
}

// A zero (or "") is a value not given, as runc's update reads it: the
// cgroup files keep theirs, and so does the saved config. It recorded the
// zero: verify then read the quota as none (violated), on v2 the quota went
// to "max" (its saved period sent alone), and a later period alone lost it.
TEST_F(CgroupCommandsTest, UpdateZerosLeaveTheLimitsAndTheSavedConfigAsTheyWere) {
  const Json cpu = {{"quota", 50000}, {"period", 100000}, {"shares", 512}};
  ASSERT_NE(start_sh("zeros", "sleep 1000", {{"cpu", cpu}, {"memory", {{"reservation", 20 << 20}}}}), 0);
  const std::string quota_file = on_v1("cpu") ? "cpu.cfs_quota_us" : "cpu.max";
  const std::string quota = on_v1("cpu") ? "50000" : "50000 100000";
  ASSERT_EQ(cgroups::read_value(dir_of("cpu"), quota_file), quota);
  ProcResult r = hull({"update", "--cpu-quota", "0", "--cpu-period", "0", "--cpu-share", "0", "--memory-reservation",
                       "0", "--pids-limit", "0", "--blkio-weight", "0", "zeros"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SpawnOptions in;
  in.stdin_data = R"({"cpu": {"quota": 0, "period": 0, "shares": 0, "cpus": "", "mems": ""},
                      "memory": {"reservation": 0}, "pids": {"limit": 0}, "blockIO": {"weight": 0}})";
  r = hull({"update", "-r", "-", "zeros"}, in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), quota_file), quota);
  const Json saved = Json::parse(read_file((state_dir("zeros") / "config.json").string()))["linux"]["resources"];
  EXPECT_EQ(saved["cpu"], cpu) << saved.dump();
  EXPECT_EQ(saved["memory"], Json({{"reservation", 20 << 20}})) << saved.dump();
  EXPECT_FALSE(saved.contains("pids") || saved.contains("blockIO")) << saved.dump();
  r = hull({"verify", "zeros"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(hull({"update", "--cpu-period", "200000", "zeros"}).exit_code, 0);
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), quota_file), on_v1("cpu") ? "50000" : "50000 200000");
}

// A value an update gives replaces a `unified` key saved for the same file
// (runc's update replaces all of `unified`): kept, a refused update's
// put-back wrote the old key's value over the limit the last update set
// (a memory limit fell below the usage: the container was OOM-killed). And
// verify checks the file against the key, which create writes after the field.
TEST_F(CgroupCommandsTest, AnUpdatedLimitReplacesTheSavedUnifiedKeyOfItsFile) {
  if (on_v1("memory")) GTEST_SKIP() << "memory is a v1 controller here: unified cannot name memory.max";
  // The swap goes with the limit (kept by the update): its key goes too.
  const Json unified = {{"memory.max", "41943040"}, {"memory.swap.max", "52428800"}, {"pids.max", "40"}};
  ASSERT_NE(
      start_sh("unikey", "sleep 1000", {{"memory", {{"limit", 30 << 20}, {"swap", 300 << 20}}}, {"unified", unified}}),
      0);
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), "memory.max"), "41943040");
  ProcResult r = hull({"verify", "unikey"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(hull({"update", "--memory", "100m", "unikey"}).exit_code, 0);
  r = hull({"update", "--memory", "120m", "--cpuset-cpus", "4000", "unikey"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(cgroups::read_value(dir_of("memory"), "memory.max"), "104857600") << r.err;
  const Json saved = Json::parse(read_file((state_dir("unikey") / "config.json").string()))["linux"]["resources"];
  EXPECT_EQ(saved["unified"], Json({{"pids.max", "40"}})) << saved.dump();
  EXPECT_EQ(saved["memory"]["limit"], 100 << 20) << saved.dump();
  r = hull({"verify", "unikey"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// cpu.weight.nice is cpu.weight read another way (writing either sets the
// other): a `unified` nice weight decides the shares' file as a cpu.weight
// key would. verify checks it against the key, an update's shares replace
// it, and a refused update's put-back does not write it back over them.
TEST_F(CgroupCommandsTest, AUnifiedNiceWeightIsTheSharesFileSeenAnotherWay) {
  if (on_v1("cpu")) GTEST_SKIP() << "cpu is a v1 controller here: unified cannot name cpu.weight.nice";
  ASSERT_NE(start_sh("nice", "sleep 1000", {{"cpu", {{"shares", 1024}}}, {"unified", {{"cpu.weight.nice", "5"}}}}), 0);
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.weight.nice"), "5");
  ProcResult r = hull({"verify", "nice"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(hull({"update", "--cpu-share", "512", "nice"}).exit_code, 0);
  const std::string weight = cgroups::read_value(dir_of("cpu"), "cpu.weight");
  r = hull({"update", "--cpu-share", "2048", "--cpuset-cpus", "4000", "nice"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), "cpu.weight"), weight) << r.err;
  const Json saved = Json::parse(read_file((state_dir("nice") / "config.json").string()))["linux"]["resources"];
  EXPECT_FALSE(saved.contains("unified")) << saved.dump();
  EXPECT_EQ(saved["cpu"]["shares"], 512) << saved.dump();
  r = hull({"verify", "nice"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// The kernel refuses a quota below the current burst: lowering both at once
// writes the burst first, raising both the quota first.
TEST_F(CgroupCommandsTest, UpdateLowersAndRaisesQuotaAndBurstTogether) {
  const bool v1 = on_v1("cpu");
  ASSERT_NE(start_sh("burst", "sleep 1000", {{"cpu", {{"quota", 50000}, {"period", 100000}, {"burst", 40000}}}}), 0);
  const char* burst_file = v1 ? "cpu.cfs_burst_us" : "cpu.max.burst";
  if (!std::filesystem::exists(dir_of("cpu") + "/" + burst_file)) GTEST_SKIP() << "no cpu burst on this kernel";
  ASSERT_EQ(cgroups::read_value(dir_of("cpu"), burst_file), "40000");
  SpawnOptions in;
  in.stdin_data = R"({"cpu": {"quota": 30000, "burst": 20000}})";
  ProcResult r = hull({"update", "-r", "-", "burst"}, in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), v1 ? "cpu.cfs_quota_us" : "cpu.max"), v1 ? "30000" : "30000 100000");
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), burst_file), "20000");
  in.stdin_data = R"({"cpu": {"quota": 80000, "burst": 60000}})";
  r = hull({"update", "-r", "-", "burst"}, in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), v1 ? "cpu.cfs_quota_us" : "cpu.max"), v1 ? "80000" : "80000 100000");
  EXPECT_EQ(cgroups::read_value(dir_of("cpu"), burst_file), "60000");
}

TEST_F(CgroupCommandsTest, UpdateReadsAResourcesJsonFromStdinAndNamesTheBadField) {
  pid_t init = start_sh("r", "sleep 1000", {{"pids", {{"limit", 50}}}});
  ASSERT_NE(init, 0);
  ASSERT_EQ(hull({"pause", "r"}).exit_code, 0);  // a paused container can be updated too
  SpawnOptions in;
  in.stdin_data = R"({"pids": {"limit": 30}, "memory": null})";
  ProcResult r = hull({"update", "-r", "-", "r"}, in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "30");

  in.stdin_data = R"({"memory": {"limit": "lots"}})";
  EXPECT_TRUE(failed_with(hull({"update", "--resources", "-", "r"}, in), {".memory.limit", "\"lots\""}));
  EXPECT_TRUE(failed_with(hull({"update", "--memory", "12q", "r"}), {"--memory", "12q"}));
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "30");
  ASSERT_EQ(hull({"resume", "r"}).exit_code, 0);

  ASSERT_EQ(hull({"kill", "r", "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_exit_and_reap(init));
  EXPECT_TRUE(
      failed_with(hull({"update", "--pids-limit", "10", "r"}), {"cannot update container \"r\": it is stopped"}));
}

// containerd's CRI sends a container's whole linux.resources on every
// update; runc applies only its update's members (memory limits, cpu,
// blockIO weight, pids, unified) and so does hull: a device weight for a
// device that has gone, a v1-only controller, the OOM killer switch are
// left alone and fail nothing.
TEST_F(CgroupCommandsTest, UpdateTakesOnlyWhatRuncsUpdateApplies) {
  pid_t init = start_sh("subset", "sleep 1000", {{"pids", {{"limit", 50}}}});
  ASSERT_NE(init, 0);
  SpawnOptions in;
  in.stdin_data = R"({"pids": {"limit": 40},
                      "blockIO": {"weightDevice": [{"major": 259, "minor": 99, "weight": 100}]},
                      "network": {"classID": 1048577},
                      "memory": {"disableOOMKiller": true, "swappiness": 200},
                      "hugepageLimits": [{"pageSize": "2MB", "limit": 0}]})";
  ProcResult r = hull({"update", "-r", "-", "subset"}, in);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cgroups::read_value(dir_of("pids"), "pids.max"), "40");
  std::string memory = dir_of("memory");
  if (std::filesystem::exists(memory + "/memory.oom_control")) {
    EXPECT_NE(cgroups::read_value(memory, "memory.oom_control").find("oom_kill_disable 0"), std::string::npos);
  }
  ASSERT_EQ(hull({"kill", "subset", "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_exit_and_reap(init));
}

TEST_F(CgroupCommandsTest, PsListsEveryProcessOfTheContainer) {
  pid_t init = start_sh("ps", "sleep 1000 & sleep 1001 & wait");
  ASSERT_NE(init, 0);
  std::vector<pid_t> pids;
  for (auto end = std::chrono::steady_clock::now() + 20s; pids.size() < 3 && std::chrono::steady_clock::now() < end;) {
    pids = ps_json("ps");
    if (pids.size() < 3) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(pids.size(), 3u);
  EXPECT_NE(std::find(pids.begin(), pids.end(), init), pids.end());

  // A child is counted from its fork, and shown as sh until its exec.
  ProcResult table;
  for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
    table = hull({"ps", "ps"});
    // Both: the two children race to their exec.
    if (table.exit_code != 0 ||
        (table.out.find("sleep 1000") != std::string::npos && table.out.find("sleep 1001") != std::string::npos))
      break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("UID", 0), 0u) << table.out;  // ps -ef's header
  EXPECT_NE(table.out.find("sleep 1000"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("sleep 1001"), std::string::npos) << table.out;
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 4) << table.out;

  // Arguments after the id go to ps.
  ProcResult custom = hull({"ps", "ps", "-o", "pid,comm"});
  ASSERT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_LT(custom.out.find("PID COMMAND"), custom.out.find('\n')) << custom.out;  // the header first
  EXPECT_NE(custom.out.find(std::to_string(init) + " sh\n"), std::string::npos) << custom.out;
  EXPECT_EQ(std::count(custom.out.begin(), custom.out.end(), '\n'), 4)
      << "only the container's processes: " << custom.out;
  // Arguments ps refuses: its first line, with the container named, not
  // its whole usage text.
  ProcResult refused = hull({"ps", "ps", "--", "-Z9"});
  EXPECT_TRUE(failed_with(refused, {"ps container \"ps\": ps exited with status 1: error: garbage option"}))
      << refused.err;
  EXPECT_EQ(refused.err.find("Usage"), std::string::npos) << refused.err;
}

// A stopped container's cgroupsPath given to a container made since (every
// container of this test has the same one): ps of the stopped one lists none
// of the new one's processes (runc 1.1 lists them as its own).
TEST_F(CgroupCommandsTest, PsOfAStoppedContainerListsNothingOfTheOneMadeSinceInItsCgroup) {
  const pid_t gone = start_sh("gone", "exit 0");
  ASSERT_NE(gone, 0);
  ASSERT_TRUE(wait_exit_and_reap(gone));
  ASSERT_EQ(status("gone"), "stopped");
  const pid_t now = start_sh("now", "sleep 1000");
  ASSERT_NE(now, 0);
  EXPECT_EQ(ps_json("now"), std::vector<pid_t>{now});
  EXPECT_EQ(ps_json("gone"), std::vector<pid_t>{});
  ProcResult table = hull({"ps", "gone"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 1) << "only the header: " << table.out;
  // First, so the cleanup's delete of the stopped one finds the cgroup gone.
  EXPECT_EQ(hull({"delete", "--force", "now"}).exit_code, 0);
}

// The same given cgroupsPath, the stopped container without a pid namespace
// of its own (whose SIGKILL ends what its init left): a kill of it found the
// new one's mark on the cgroup and said its state.json might be damaged, to
// be removed by hand. Nothing of it is left there: KILL says it is not
// running (as runc's), --all has nothing to signal; the new one runs on.
TEST_F(CgroupCommandsTest, KillOfAStoppedContainerLeavesTheOneMadeSinceInItsCgroupAlone) {
  ASSERT_TRUE(stopped_without_pid_namespace("gone"));
  const pid_t now = start_sh("now", "sleep 1000");
  ASSERT_NE(now, 0);
  ProcResult killed = hull({"kill", "gone", "KILL"});
  EXPECT_TRUE(failed_with(killed, {"not running"})) << killed.err;
  EXPECT_EQ(killed.err.find("damaged"), std::string::npos) << killed.err;
  ProcResult all = hull({"kill", "--all", "gone", "KILL"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(status("now"), "running");
  EXPECT_EQ(ps_json("now"), std::vector<pid_t>{now});
  EXPECT_EQ(hull({"delete", "--force", "now"}).exit_code, 0);
}

TEST_F(CgroupCommandsTest, KillAllSignalsEveryProcess) {
  ASSERT_NE(start_sh("k", "sleep 1000 & sleep 1001 & wait"), 0);
  std::vector<pid_t> pids;
  for (auto end = std::chrono::steady_clock::now() + 20s; pids.size() < 3 && std::chrono::steady_clock::now() < end;) {
    pids = ps_json("k");
    if (pids.size() < 3) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(pids.size(), 3u);
  ProcResult r = hull({"kill", "--all", "k", "KILL"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (pid_t p : pids) EXPECT_TRUE(wait_exit_and_reap(p)) << p;
  EXPECT_EQ(ps_json("k"), std::vector<pid_t>{});
}

// systemd removes a scope's cgroup once it is empty: `kill --all` of a
// stopped container whose cgroup is gone has nothing left to signal and
// succeeds, as runc's does (containerd sends it once a container without a
// pid namespace of its own has stopped, and takes an error as a failed kill).
TEST_F(CgroupCommandsTest, KillAllOfAStoppedContainerWhoseCgroupIsGoneSucceeds) {
  ASSERT_TRUE(stopped_without_pid_namespace("gone"));
  for (const std::string& dir : container_dirs()) ::rmdir(dir.c_str());  // one may be another's (cpu,cpuacct)
  for (const char* signal : {"KILL", "TERM"}) {
    ProcResult r = hull({"kill", "--all", "gone", signal});
    EXPECT_EQ(r.exit_code, 0) << signal << ": " << r.err;
  }
  ProcResult d = hull({"delete", "gone"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

TEST_F(CgroupCommandsTest, EventsStatsReportsMemoryAndPids) {
  ASSERT_NE(start_sh("st", "sleep 1000 & wait", {{"pids", {{"limit", 40}}}, {"memory", {{"limit", 64 << 20}}}}), 0);
  ProcResult r = hull({"events", "--stats", "st"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json e = Json::parse(r.out);
  EXPECT_EQ(e["type"], "stats");
  EXPECT_EQ(e["id"], "st");
  const Json& d = e["data"];
  EXPECT_GE(d["pids"]["current"].get<int>(), 1) << r.out;
  EXPECT_EQ(d["pids"]["limit"], 40) << r.out;
  EXPECT_GT(d["memory"]["usage"]["usage"].get<uint64_t>(), 0u) << r.out;
  EXPECT_EQ(d["memory"]["usage"]["limit"], 64 << 20) << r.out;
  EXPECT_TRUE(d["cpu"]["usage"].contains("total")) << r.out;
  // runc 1.1's always-present members (this test also runs against runc).
  EXPECT_TRUE(d["cpuset"].is_object() && d["cpuset"].contains("sched_load_balance")) << r.out;
  EXPECT_EQ(d["intel_rdt"], Json::object()) << r.out;
  EXPECT_TRUE(d.contains("network_interfaces") && d["network_interfaces"].is_null()) << r.out;
  // Only a v1 cpuset is reported (runc 1.1's fs2 has no cpuset stats); on v2
  // the cgroup's own cpuset.cpus is empty unless a config sets it.
  if (on_v1("cpuset")) {
    EXPECT_FALSE(d["cpuset"]["cpus"].empty()) << r.out;
  }
}

// On a pure v2 host with pressure stall information, the stats carry it
// under cpu, memory and blkio as runc >= 1.2's do ("psi": each line of
// averages and total, a line of zeros left out, so an idle container's may
// be {}).
TEST_F(CgroupCommandsTest, EventsStatsCarryThePressureOnAPureV2Host) {
  if (cgroups::Host::current().mode != cgroups::Mode::Unified) GTEST_SKIP() << "pressure is read from cgroup v2";
  std::ifstream probe("/sys/fs/cgroup/cpu.pressure");
  std::string line;
  if (!std::getline(probe, line)) GTEST_SKIP() << "no pressure stall information on this kernel (psi=0)";
  ASSERT_NE(start_sh("psi", "sleep 1000 & wait", {{"memory", {{"limit", 64 << 20}}}}), 0);
  ProcResult r = hull({"events", "--stats", "psi"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json d = Json::parse(r.out)["data"];
  for (const char* section : {"cpu", "memory", "blkio"}) {
    ASSERT_TRUE(d[section].contains("psi")) << section << ": " << r.out;
    for (const auto& [kind, data] : d[section]["psi"].items()) {
      EXPECT_TRUE(kind == "some" || kind == "full") << section << ": " << kind;
      for (const char* field : {"avg10", "avg60", "avg300", "total"})
        EXPECT_TRUE(data.contains(field)) << section << "." << kind << ": " << r.out;
    }
  }
}

// A child allocating past the limit is OOM-killed (again and again, so the
// stream sees one whenever it started watching); the init survives, the
// stream reports the OOM and periodic stats, and ends when the container does.
// The child raises its own oom_score_adj to the maximum: the OOM killer then
// always takes it and its pipeline, never the init (under CI's load it once
// took the init, and the container was stopped before the test's kill).
TEST_F(CgroupCommandsTest, EventsStreamReportsOomAndStatsUntilTheContainerStops) {
  ASSERT_NE(start_sh("oom",
                     "while true; do (echo 1000 > /proc/self/oom_score_adj; "
                     "x=$(head -c 200000000 /dev/zero | tr '\\0' a)); sleep 0.2; done",
                     {{"memory", {{"limit", 32 << 20}, {"swap", 32 << 20}}}}),
            0);
  SpawnOptions long_running;
  long_running.timeout = 60000ms;
  Child events = hull_background({"events", "--interval", "200ms", "oom"}, long_running);
  EXPECT_TRUE(events.wait_for_output("{\"type\":\"oom\",\"id\":\"oom\"}\n", 30000ms));
  EXPECT_TRUE(events.wait_for_output("{\"type\":\"stats\",\"id\":\"oom\",\"data\":{", 10000ms));
  ProcResult killed = hull({"kill", "oom", "KILL"});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  ProcResult r = events.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.timed_out) << "events did not end with the container";
  for (size_t i = 0, j; i < r.out.size(); i = j + 1) {
    j = r.out.find('\n', i);
    ASSERT_NE(j, std::string::npos) << "unterminated line in " << r.out;
    Json line = Json::parse(r.out.substr(i, j - i));
    EXPECT_EQ(line["id"], "oom");
  }
}

TEST_F(CgroupCommandsTest, EventsRefusesABadIntervalAndAStoppedContainer) {
  pid_t init = start_sh("ev", "sleep 1000");
  ASSERT_NE(init, 0);
  EXPECT_TRUE(failed_with(hull({"events", "--interval", "5 parsecs", "ev"}), {"--interval", "5 parsecs"}));
  EXPECT_TRUE(failed_with(hull({"events", "--interval", "0s", "ev"}), {"greater than 0"}));
  ASSERT_EQ(hull({"kill", "ev", "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_exit_and_reap(init));
  EXPECT_TRUE(failed_with(hull({"events", "--stats", "ev"}), {"container \"ev\" is not running"}));
}

}  // namespace
}  // namespace hull::itest
