// --systemd-cgroup under a real systemd (PID 1): the v2vm_systemd
// lane boots Debian's systemd in the pure-v2 VM (scripts/vm/run-in-vm
// --systemd) and runs these. The scope's properties are read back with
// `systemctl show`, the limits from inside the container (its cgroup
// namespace shows its own cgroup at /sys/fs/cgroup). Where systemd is not
// PID 1, only the error test runs (pure v2 without systemd: the busybox init
// of v2vm_criu's VM, scripts/vm/criu-lane.sh).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cgroups/host.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool pure_v2() { return cgroups::Host::current().mode == cgroups::Mode::Unified; }
bool systemd_reachable() { return ::access("/run/systemd/private", F_OK) == 0; }

class SystemdDriverTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    if (!pure_v2() || !systemd_reachable())
      GTEST_SKIP() << "needs systemd as PID 1 on pure cgroup v2 (the VM: run-in-vm --systemd)";
  }

  // A bundle whose cgroupsPath is system.slice:hull:<id>, its cgroup mounted
  // at /sys/fs/cgroup, running `sleep 1000` with these resources.
  Bundle& scoped(const std::string& id, const json& resources) {
    Bundle& b = bundle("bundle-" + id);
    b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                  {"type", "cgroup"},
                                  {"source", "cgroup"},
                                  {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
    b.config["linux"]["resources"] = resources;
    b.config["linux"]["cgroupsPath"] = "system.slice:hull:" + id;
    b.args({"sleep", "1000"});
    b.write();
    return b;
  }

  // `systemctl show UNIT -p P...`: "P=value" lines.
  std::string show(const std::string& unit, const std::vector<std::string>& props) {
    std::vector<std::string> argv{"/usr/bin/systemctl", "show", unit};
    for (const auto& p : props) argv.push_back("--property=" + p);
    ProcResult r = run_process(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // Whether `unit` is stopped or gone, waited for (bounded): systemd stops
  // an emptied scope on its own, after the delete that emptied it returns.
  ::testing::AssertionResult unit_stopped(const std::string& unit) {
    std::string after;
    for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         std::chrono::steady_clock::now() < end;) {
      after = show(unit, {"LoadState", "ActiveState"});
      if (after.find("LoadState=not-found\n") != std::string::npos ||
          after.find("ActiveState=inactive\n") != std::string::npos)
        return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ::testing::AssertionFailure() << unit << " still there after 10 s: " << after;
  }

  // delete --force of a scoped container: the unit stops, nothing is left.
  void delete_scoped(const std::string& id) {
    EXPECT_EQ(hull({"--systemd-cgroup", "delete", "--force", id}).exit_code, 0);
    EXPECT_TRUE(unit_stopped("hull-" + id + ".scope"));
    expect_nothing_left(id);
  }

  std::string exec_out(const std::string& id, const std::string& script) {
    ProcResult r = hull({"--systemd-cgroup", "exec", id, "sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

TEST_F(SystemdDriverTest, ScopeIsDelegatedWithTheLimitsAndExecUpdateDeleteUseIt) {
  const std::string id = "sd-limits";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(
      id,
      {{"memory", {{"limit", 32 << 20}}}, {"pids", {{"limit", 42}}}, {"cpu", {{"quota", 50000}, {"period", 100000}}}});
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  start_container(id);

  // systemd's view: a delegated, active scope in system.slice with the limits.
  std::string props =
      show(unit, {"ActiveState", "Delegate", "Slice", "MemoryMax", "TasksMax", "CPUQuotaPerSecUSec", "ControlGroup"});
  EXPECT_NE(props.find("ActiveState=active\n"), std::string::npos) << props;
  EXPECT_NE(props.find("Delegate=yes\n"), std::string::npos) << props;
  EXPECT_NE(props.find("Slice=system.slice\n"), std::string::npos) << props;
  EXPECT_NE(props.find("MemoryMax=33554432\n"), std::string::npos) << props;
  EXPECT_NE(props.find("TasksMax=42\n"), std::string::npos) << props;
  EXPECT_NE(props.find("CPUQuotaPerSecUSec=500ms\n"), std::string::npos) << props;
  EXPECT_NE(props.find("ControlGroup=/system.slice/" + unit + "\n"), std::string::npos) << props;

  // state's cgroupPath names that cgroup, and the init is in it.
  std::optional<InitRecord> rec = recorded_init(id);
  ASSERT_TRUE(rec);
  const std::string dir = "/sys/fs/cgroup/system.slice/" + unit;
  EXPECT_EQ(json::parse(rec->cgroup_path).value("v2", ""), dir);
  EXPECT_NE(read_text_file(dir + "/cgroup.procs").find(std::to_string(rec->pid) + "\n"), std::string::npos);

  // Inside: the limits, and exec joins the scope's cgroup (its namespace root).
  EXPECT_EQ(exec_out(id,
                     "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max; "
                     "cat /proc/self/cgroup"),
            "33554432\n42\n50000 100000\n0::/\n");

  // update sets the unit's property and the file.
  r = hull({"--systemd-cgroup", "update", "--memory", "64m", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(show(unit, {"MemoryMax"}).find("MemoryMax=67108864\n"), std::string::npos);
  EXPECT_EQ(exec_out(id, "cat /sys/fs/cgroup/memory.max"), "67108864\n");

  // delete stops the unit: no unit, no cgroup.
  r = hull({"--systemd-cgroup", "delete", "--force", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(unit_stopped(unit));
  EXPECT_FALSE(fs::exists(dir));
  expect_nothing_left(id);
}

// A restore under --systemd-cgroup: the scope, and its cgroup, appear only
// when CRIU is put in it, and the owner mark was written before, on a
// directory not there yet: every restore failed ("mark cgroup ... (setxattr):
// no such file or directory"; podman's `container restore` on such hosts).
// The restored container is marked: delete --force checks the mark first.
TEST_F(SystemdDriverTest, ARestoreGoesIntoItsScopeMarkedAsTheContainers) {
  const SpawnOptions bounded{std::nullopt, std::chrono::milliseconds(120000), "", {}};
  if (run_process({"/bin/sh", "-c", "command -v criu && criu check"}, bounded).exit_code != 0)
    GTEST_SKIP() << "criu is missing or criu check fails here";
  const std::string id = "sd-restore";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, json::object());
  // Debian's CRIU 3.17 cannot dump a network namespace's links on the VM's
  // kernel (tests/cli/criu_checkpoint_test.cpp): the VM's is kept.
  json& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "network" ? namespaces.erase(it) : it + 1;
  b.write();
  ProcResult r = hull({"--systemd-cgroup", "run", "-d", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const pid_t init = state(id).value("pid", 0);
  const fs::path img = temp_dir() / "img";
  r = hull({"--systemd-cgroup", "checkpoint", "--image-path", img.string(), id}, bounded);
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
  EXPECT_TRUE(wait_exit_and_reap(init));
  EXPECT_TRUE(unit_stopped(unit));
  r = hull({"--systemd-cgroup", "restore", "-d", "--image-path", img.string(), "--bundle", b.dir().string(), id},
           bounded);
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "restore.log");
  EXPECT_EQ(status(id), "running");
  EXPECT_NE(show(unit, {"ActiveState"}).find("ActiveState=active\n"), std::string::npos);
  r = hull({"--systemd-cgroup", "delete", "--force", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(unit_stopped(unit));
  expect_nothing_left(id);
}

TEST_F(SystemdDriverTest, NestedSliceIsExpandedAndAnInitThatExitsTakesItsScope) {
  const std::string id = "sd-nested";
  Bundle& b = bundle("bundle-" + id);
  b.config["linux"]["cgroupsPath"] = "hulltest-pod1.slice:cri:" + id;
  b.args({"sh", "-c", "cat /proc/self/cgroup"});
  b.write();
  // `run`: attached, the container's output is ours; with a cgroup namespace
  // the init sees its own cgroup as the root.
  ProcResult r = hull({"--systemd-cgroup", "run", "--bundle", b.dir().string(), id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0::/\n");
  // The slices systemd made stay (as with runc); the scope and its cgroup go.
  EXPECT_TRUE(fs::is_directory("/sys/fs/cgroup/hulltest.slice/hulltest-pod1.slice"));
  EXPECT_FALSE(fs::exists("/sys/fs/cgroup/hulltest.slice/hulltest-pod1.slice/cri-" + id + ".scope"));
  EXPECT_TRUE(unit_stopped("cri-" + id + ".scope"));
  run_process({"/usr/bin/systemctl", "stop", "hulltest-pod1.slice", "hulltest.slice"});
  expect_nothing_left(id);
}

// CRI-O's and podman's org.systemd.property.* annotations reach the unit
// (runc reads them the same way), and a limit given as unified cpu.max is
// systemd's too, so a daemon-reload, which rewrites the cgroup files from
// the units' properties, keeps it.
TEST_F(SystemdDriverTest, AnnotationsSetUnitPropertiesAndAUnifiedCpuMaxSurvivesAReload) {
  const std::string id = "sd-annot";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, {{"unified", {{"cpu.max", "30000 100000"}}}});
  b.config["annotations"] = {{"org.systemd.property.TimeoutStopSec", "5"},
                             {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
                             {"org.systemd.property.After", "['basic.target']"},
                             {"org.systemd.property.KillSignal", "15"}};
  b.write();
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string props = show(unit, {"TimeoutStopUSec", "CollectMode", "After", "KillSignal", "CPUQuotaPerSecUSec"});
  EXPECT_NE(props.find("TimeoutStopUSec=5s\n"), std::string::npos) << props;
  EXPECT_NE(props.find("CollectMode=inactive-or-failed\n"), std::string::npos) << props;
  EXPECT_NE(props.find("basic.target"), std::string::npos) << props;
  EXPECT_NE(props.find("KillSignal=15\n"), std::string::npos) << props;
  EXPECT_NE(props.find("CPUQuotaPerSecUSec=300ms\n"), std::string::npos) << props;
  ASSERT_EQ(run_process({"/usr/bin/systemctl", "daemon-reload"}).exit_code, 0);
  EXPECT_EQ(read_text_file("/sys/fs/cgroup/system.slice/" + unit + "/cpu.max"), "30000 100000\n");
  r = hull({"--systemd-cgroup", "delete", "--force", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(unit_stopped(unit));

  // One systemd cannot take fails the create, leaving no unit.
  Bundle& bad = scoped("sd-annot-bad", json::object());
  bad.config["annotations"] = {{"org.systemd.property.TimeoutStopSec", "'five'"}};
  bad.write();
  r = hull({"--systemd-cgroup", "create", "--bundle", bad.dir().string(), "sd-annot-bad"});
  EXPECT_TRUE(failed_with(r, {"annotation \"org.systemd.property.TimeoutStopSec\""})) << r.err;
  EXPECT_TRUE(unit_stopped("hull-sd-annot-bad.scope"));
  expect_nothing_left(id);
}

// A name ending in ".slice" is made as that slice (Wants= its parent, sent
// as the list systemd takes), and the init joins its cgroup.
TEST_F(SystemdDriverTest, ANameThatIsASliceIsMadeAsThatSlice) {
  const std::string id = "sd-slice";
  Bundle& b = bundle("bundle-" + id);
  b.config["linux"]["cgroupsPath"] = "system.slice:hull:hulltest-own.slice";
  b.args({"sh", "-c", "cat /proc/self/cgroup"});
  b.write();
  ProcResult r = hull({"--systemd-cgroup", "run", "--bundle", b.dir().string(), id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0::/\n");
  EXPECT_TRUE(unit_stopped("hulltest-own.slice"));
  run_process({"/usr/bin/systemctl", "stop", "hulltest-own.slice", "hulltest.slice"});
  expect_nothing_left(id);
}

TEST_F(SystemdDriverTest, ScopeNameInUseIsRefusedWithSystemdsError) {
  const std::string id = "sd-twice";
  Bundle& b = scoped(id, json::object());
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Bundle& other = scoped("sd-other", json::object());
  other.config["linux"]["cgroupsPath"] = "system.slice:hull:" + id;
  other.write();
  r = hull({"--systemd-cgroup", "create", "--bundle", other.dir().string(), "sd-other"});
  EXPECT_TRUE(failed_with(r, {"systemd cgroup driver: StartTransientUnit: org.freedesktop.systemd1.UnitExists"}));
  // The first container's scope is untouched.
  EXPECT_NE(show("hull-" + id + ".scope", {"ActiveState"}).find("ActiveState=active"), std::string::npos);
  // The first container's init is our child too (we are its subreaper):
  // gone before the check that no process of the refused one is left.
  EXPECT_EQ(hull({"--systemd-cgroup", "delete", "--force", id}).exit_code, 0);
  expect_nothing_left("sd-other");
  expect_nothing_left(id);
}

// kubelet sends a hugepage limit (0 unless the pod asks) for every page
// size of the node with each container. systemd delegates only the
// controllers it manages (cpu, io, memory, pids): hugetlb is enabled in the
// scope's slice by hull, as runc does, or the limit had nowhere to go.
TEST_F(SystemdDriverTest, HugepageLimitsAsKubeletSendsThemAreApplied) {
  if (read_text_file("/sys/fs/cgroup/cgroup.controllers").find("hugetlb") == std::string::npos ||
      !fs::is_directory("/sys/kernel/mm/hugepages/hugepages-2048kB"))
    GTEST_SKIP() << "needs the hugetlb controller and 2 MB pages";
  const std::string id = "sd-huge";
  Bundle& b = scoped(id, {{"hugepageLimits", {{{"pageSize", "2MB"}, {"limit", 0}}}}, {"pids", {{"limit", 50}}}});
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  start_container(id);
  EXPECT_EQ(exec_out(id, "cat /sys/fs/cgroup/hugetlb.2MB.max /sys/fs/cgroup/pids.max"), "0\n50\n");
  delete_scoped(id);
}

// A scope that failed (here: stopped by RuntimeMaxSec, as an OOM kill stops
// one) would stay loaded in systemd, "failed", until reset: one per
// container on a busy node, and its name taken for a new container that
// reuses it (podman reuses an id's scope name). hull's are collected once
// failed (CollectMode), as runc resets them at delete: the name is free
// again with or without a delete (an engine that died).
TEST_F(SystemdDriverTest, AFailedScopeIsCollectedSoItsNameCanBeUsedAgain) {
  const std::string id = "sd-failed";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, json::object());
  // The init is the pid namespace's pid 1, deaf to the default SIGTERM.
  b.config["annotations"] = {{"org.systemd.property.RuntimeMaxSec", "1"}, {"org.systemd.property.KillSignal", "9"}};
  b.write();
  // Created and started, then failed by systemd, which kills the init.
  auto fail_one = [&]() -> ::testing::AssertionResult {
    ProcResult c = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
    if (c.exit_code != 0) return ::testing::AssertionFailure() << "create: " << c.err;
    const pid_t init = state(id).value("pid", 0);
    start_container(id);
    if (!wait_exit_and_reap(init, std::chrono::seconds(10)))
      return ::testing::AssertionFailure() << "the init outlived RuntimeMaxSec";
    return unit_stopped(unit);
  };
  ASSERT_TRUE(fail_one());
  EXPECT_EQ(show(unit, {"LoadState"}), "LoadState=not-found\n");
  ProcResult r = hull({"--systemd-cgroup", "delete", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  ASSERT_TRUE(fail_one());
  fs::remove_all(state_dir(id));  // the engine died: nobody deletes it
  b.config["annotations"] = json::object();
  b.write();
  r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(show(unit, {"ActiveState"}), "ActiveState=active\n");
  delete_scoped(id);
}

// The config's limits win over an annotation of the same property in what
// systemd keeps (runc sets them after the unit's start), so a daemon-reload
// keeps the limit the container was made with.
TEST_F(SystemdDriverTest, TheConfigsLimitWinsOverAnAnnotationOfTheSameProperty) {
  const std::string id = "sd-both";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, {{"pids", {{"limit", 42}}}});
  b.config["annotations"] = {{"org.systemd.property.TasksMax", "uint64 7"}};
  b.write();
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(show(unit, {"TasksMax"}).find("TasksMax=42\n"), std::string::npos);
  ASSERT_EQ(run_process({"/usr/bin/systemctl", "daemon-reload"}).exit_code, 0);
  EXPECT_EQ(read_text_file("/sys/fs/cgroup/system.slice/" + unit + "/pids.max"), "42\n");
  delete_scoped(id);
}

// The IO weight too: without an IOWeight property, the reload wrote
// systemd's default io.weight (100) over the container's.
TEST_F(SystemdDriverTest, TheIoWeightSurvivesAReload) {
  const std::string id = "sd-io";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, {{"blockIO", {{"weight", 500}}}});
  b.write();
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dir = "/sys/fs/cgroup/system.slice/" + unit;
  const bool bfq = fs::exists(dir + "/io.bfq.weight");
  if (!bfq) {
    EXPECT_EQ(read_text_file(dir + "/io.weight"), "default 4950\n");
  }
  ASSERT_EQ(run_process({"/usr/bin/systemctl", "daemon-reload"}).exit_code, 0);
  if (!bfq) {
    EXPECT_EQ(read_text_file(dir + "/io.weight"), "default 4950\n");
  }
  EXPECT_NE(show(unit, {"IOWeight"}).find("IOWeight=4950\n"), std::string::npos);
  delete_scoped(id);
}

// The unit's properties were set before the files: a refused update left
// them (and systemd's writes of them) where the files were put back, and
// checkBeforeUpdate came after systemd had written a memory.max below the
// usage, OOM-killing the container it refuses to. An idle cpu went to
// systemd as its shares' weight: a reload took the group out of idle.
TEST_F(SystemdDriverTest, ARefusedUpdateLeavesTheUnitAndAnIdleCpuSurvivesAReload) {
  const std::string id = "sd-undo";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, {{"cpu", {{"shares", 512}, {"idle", 1}}}, {"pids", {{"limit", 10}}}});
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  start_container(id);
  const std::string dir = "/sys/fs/cgroup/system.slice/" + unit;
  EXPECT_EQ(read_text_file(dir + "/cpu.idle"), "1\n");
  ASSERT_EQ(run_process({"/usr/bin/systemctl", "daemon-reload"}).exit_code, 0);
  EXPECT_EQ(read_text_file(dir + "/cpu.idle"), "1\n");

  r = hull({"--systemd-cgroup", "update", "--pids-limit", "50", "--memory", "100m", "--cpuset-cpus", "4000", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(read_text_file(dir + "/pids.max"), "10\n");
  EXPECT_EQ(read_text_file(dir + "/memory.max"), "max\n");
  const std::string props = show(unit, {"TasksMax", "MemoryMax"});
  EXPECT_NE(props.find("TasksMax=10\n"), std::string::npos) << props;
  EXPECT_NE(props.find("MemoryMax=infinity\n"), std::string::npos) << props;

  const fs::path request = temp_dir() / "resources.json";
  std::ofstream(request) << R"({"memory": {"limit": 4096, "checkBeforeUpdate": true}})";
  r = hull({"--systemd-cgroup", "update", "-r", request.string(), id});
  EXPECT_TRUE(failed_with(r, {"is below the current usage", "checkBeforeUpdate"}));
  EXPECT_EQ(status(id), "running");
  EXPECT_EQ(read_text_file(dir + "/memory.max"), "max\n");

  delete_scoped(id);
}

// Out of idle with no shares to weigh: the unit kept CPUWeight=idle, and a
// reload made the container idle again.
TEST_F(SystemdDriverTest, AnUpdateOutOfIdleWithoutSharesSurvivesAReload) {
  const std::string id = "sd-unidle";
  const std::string unit = "hull-" + id + ".scope";
  Bundle& b = scoped(id, {{"cpu", {{"idle", 1}}}});
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dir = "/sys/fs/cgroup/system.slice/" + unit;
  EXPECT_EQ(read_text_file(dir + "/cpu.idle"), "1\n");
  r = hull({"--systemd-cgroup", "update", "--cpu-idle", "0", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(run_process({"/usr/bin/systemctl", "daemon-reload"}).exit_code, 0);
  EXPECT_EQ(read_text_file(dir + "/cpu.idle"), "0\n");
  delete_scoped(id);
}

// The created init holds what it does under the cgroupfs driver (stdio and
// the start barrier's socket), not hull's connection to PID 1's private bus:
// a root connection nobody reads, where systemd queues every unit's signals
// for as long as the container waits for its start.
TEST_F(SystemdDriverTest, ACreatedInitHoldsNoConnectionToSystemd) {
  const std::string id = "sd-fds";
  Bundle& b = scoped(id, json::object());
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const pid_t init = state(id).value("pid", 0);
  std::vector<std::string> fds;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(init) + "/fd"))
    fds.push_back(e.path().filename().string() + " -> " + fs::read_symlink(e.path()).string());
  std::sort(fds.begin(), fds.end());
  EXPECT_EQ(fds.size(), 4u) << ::testing::PrintToString(fds);
  delete_scoped(id);
}

// Pure v2 without systemd (v2vm_criu's VM): one clear error, nothing made.
TEST_F(HullTest, SystemdCgroupWithoutSystemdIsAClearError) {
  if (!pure_v2() || systemd_reachable()) GTEST_SKIP() << "needs pure cgroup v2 without systemd";
  Bundle& b = bundle();
  b.config["linux"]["cgroupsPath"] = "system.slice:hull:nosd";
  b.write();
  ProcResult r = hull({"--systemd-cgroup", "create", "--bundle", b.dir().string(), "nosd"});
  EXPECT_TRUE(failed_with(r, {"systemd cgroup driver: connect /run/systemd/private (is systemd PID 1?)"}));
  EXPECT_FALSE(fs::exists("/sys/fs/cgroup/system.slice/hull-nosd.scope"));
  expect_nothing_left("nosd");
}

}  // namespace
}  // namespace hull::itest
