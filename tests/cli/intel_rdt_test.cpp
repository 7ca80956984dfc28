// linux.intelRdt (config-linux.md "IntelRdt"). No machine the tests run on
// has a CPU with RDT, so none has the resctrl file system: a create asking
// for it fails, naming what to do, and leaves nothing (the spec's MUST).
// The rest runs hull_fault with a directory standing in for /sys/fs/resctrl
// (base/fault.hpp test_stand_in) and watches what hull writes there, group
// by group. Where the kernel makes or removes a group's files (tasks,
// schemata, mon_groups), the test does; whether the kernel takes the values
// is the kernel's to say (its refusal reaches the user with its
// info/last_cmd_status).
#include <sys/vfs.h>

#include <csignal>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

bool host_has_resctrl() {
  struct statfs s {};
  return ::statfs("/sys/fs/resctrl", &s) == 0 && s.f_type == 0x7655821;
}

class IntelRdtTest : public HullTest {
 protected:
  Bundle& rdt_bundle(const nlohmann::json& rdt, const std::string& name = "bundle") {
    Bundle& b = bundle(name);
    b.config["linux"]["intelRdt"] = rdt;
    b.args({"sleep", "1000"});
    return b;
  }
};

TEST_F(IntelRdtTest, WithoutResctrlCreateFailsNamingItAndLeavesNothing) {
  if (host_has_resctrl()) GTEST_SKIP() << "this host has the resctrl file system";
  Bundle& b = rdt_bundle({{"l3CacheSchema", "L3:0=f"}});
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "rdt"});
  EXPECT_TRUE(failed_with(r, {"linux.intelRdt", "no resctrl file system is mounted at /sys/fs/resctrl"}));
  expect_nothing_left("rdt");
  EXPECT_TRUE(existing_cgroup_dirs(b.config["linux"]["cgroupsPath"]).empty());
}

#ifdef HULL_FAULT_BINARY

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class IntelRdtStandInTest : public IntelRdtTest {
 protected:
  // The root of a resctrl mount as the kernel shows it on a host with L3
  // CAT, MBA and L3 monitoring, as plain files.
  fs::path resctrl() {
    const fs::path r = temp_dir() / "resctrl";
    if (fs::exists(r)) return r;
    put(r / "info/L3/cbm_mask", "fff\n");
    put(r / "info/L3/min_cbm_bits", "1\n");
    put(r / "info/L3/num_closids", "16\n");
    put(r / "info/MB/bandwidth_gran", "10\n");
    put(r / "info/MB/min_bandwidth", "10\n");
    put(r / "info/MB/num_closids", "8\n");
    put(r / "info/last_cmd_status", "ok\n");
    put(r / "schemata", "    L3:0=fff\n    MB:0=100\n");
    put(r / "tasks", "");
    fs::create_directories(r / "mon_groups");
    return r;
  }
  // A group set up beforehand, as an administrator makes one.
  fs::path preset_group(const std::string& name, const std::string& schemata) {
    const fs::path g = resctrl() / name;
    put(g / "schemata", schemata);
    put(g / "tasks", "");
    fs::create_directories(g / "mon_groups");
    return g;
  }
  // hull_fault with the stand-in, killed at `fault` when one is given.
  ProcResult hull_rdt(const std::vector<std::string>& args, const std::string& fault = "") {
    std::vector<std::string> argv{"/usr/bin/env",
                                  "HULL_TEST_RESCTRL=" + resctrl().string(),
                                  "HULL_FAULT=" + fault,
                                  HULL_FAULT_BINARY,
                                  "--root",
                                  state_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
  }
  std::string init_pid(const std::string& id) { return std::to_string(state(id)["pid"].get<int>()); }
  // What the kernel removes with a group: its files.
  static void remove_kernel_files(const fs::path& group) {
    for (const char* f : {"tasks", "schemata", "mon_data", "mon_groups"}) fs::remove_all(group / f);
  }
};

TEST_F(IntelRdtStandInTest, AGroupOfItsOwnIsMadeWrittenJoinedUpdatedAndRemoved) {
  Bundle& b = rdt_bundle({{"l3CacheSchema", "L3:0=f0"}, {"memBwSchema", "MB:0=50"}, {"schemata", {"L2:0=f"}}});
  ProcResult r = hull_rdt({"create", "--bundle", b.dir().string(), "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path g = resctrl() / "own";
  // The spec's order: l3CacheSchema, memBwSchema, then schemata; one write.
  EXPECT_EQ(slurp(g / "schemata"), "L3:0=f0\nMB:0=50\nL2:0=f\n");
  EXPECT_EQ(slurp(g / "tasks"), init_pid("own"));
  ASSERT_EQ(hull_rdt({"start", "own"}).exit_code, 0);

  // An exec'd process joins the group too, before its execve.
  fs::resize_file(g / "tasks", 0);
  const fs::path pid_file = temp_dir() / "exec.pid";
  r = hull_rdt({"exec", "-d", "--pid-file", pid_file.string(), "own", "sleep", "1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(g / "tasks"), slurp(pid_file));

  // update: the lines written, and recorded in the saved config.
  fs::resize_file(g / "schemata", 0);
  r = hull_rdt({"update", "--l3-cache-schema", "L3:0=3", "--mem-bw-schema", "MB:0=20", "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(g / "schemata"), "L3:0=3\nMB:0=20\n");
  nlohmann::json saved = nlohmann::json::parse(slurp(state_dir("own") / "config.json"));
  EXPECT_EQ(saved["linux"]["intelRdt"]["l3CacheSchema"], "L3:0=3");
  EXPECT_EQ(saved["linux"]["intelRdt"]["memBwSchema"], "MB:0=20");

  // events --stats: runc's "intel_rdt", counters of the CTRL_MON group.
  put(g / "mon_data/mon_L3_00/mbm_total_bytes", "1000\n");
  put(g / "mon_data/mon_L3_00/mbm_local_bytes", "400\n");
  put(g / "mon_data/mon_L3_00/llc_occupancy", "65536\n");
  r = hull_rdt({"events", "--stats", "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json rdt = nlohmann::json::parse(r.out)["data"]["intel_rdt"];
  EXPECT_EQ(rdt["l3_cache_info"]["cbm_mask"], "fff") << rdt;
  EXPECT_EQ(rdt["l3_cache_info"]["num_closids"], 16) << rdt;
  EXPECT_EQ(rdt["l3_cache_schema_root"], "L3:0=fff") << rdt;
  EXPECT_EQ(rdt["l3_cache_schema"], "L3:0=3") << rdt;
  EXPECT_EQ(rdt["mem_bw_info"]["bandwidth_gran"], 10) << rdt;
  EXPECT_EQ(rdt["mem_bw_schema"], "MB:0=20") << rdt;
  EXPECT_EQ(rdt["mbm_stats"][0]["mbm_total_bytes"], 1000) << rdt;
  EXPECT_EQ(rdt["mbm_stats"][0]["mbm_local_bytes"], 400) << rdt;
  EXPECT_EQ(rdt["cmt_stats"][0]["llc_occupancy"], 65536) << rdt;

  // The detached exec's process is ours to reap (we are the subreaper):
  // ended first, so that the init's death does not wait for that.
  const pid_t exec_pid = std::stoi(slurp(pid_file));
  ASSERT_EQ(::kill(exec_pid, SIGKILL), 0);
  EXPECT_TRUE(wait_exit_and_reap(exec_pid));

  // Made for the container (no closID): removed with it.
  remove_kernel_files(g);
  r = hull_rdt({"delete", "--force", "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(fs::exists(g));
}

TEST_F(IntelRdtStandInTest, AClosIdGroupSetUpBeforehandIsCheckedJoinedAndKept) {
  const std::string preset = "    L3:0=0f0;1=fff\n    MB:0=50;1=100\n";
  const fs::path g = preset_group("shared", preset);
  Bundle& b = rdt_bundle(
      {{"closID", "shared"}, {"l3CacheSchema", "L3:0=f0"}, {"memBwSchema", "MB:0=50"}, {"enableMonitoring", true}});
  ProcResult r = hull_rdt({"create", "--bundle", b.dir().string(), "mon"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(g / "schemata"), preset) << "a shared group is checked, never rewritten";
  EXPECT_EQ(slurp(g / "tasks"), init_pid("mon"));
  // Its own MON group below the shared CTRL_MON group.
  EXPECT_EQ(slurp(g / "mon_groups/mon/tasks"), init_pid("mon"));

  // Nor does an update of one container change the group the others share.
  r = hull_rdt({"update", "--l3-cache-schema", "L3:0=1", "mon"});
  EXPECT_TRUE(failed_with(r, {"--l3-cache-schema", g.string(), "is shared"}));
  EXPECT_EQ(slurp(g / "schemata"), preset);

  // Another container asking the group for other values is refused.
  Bundle& other = rdt_bundle({{"closID", "shared"}, {"l3CacheSchema", "L3:0=ff"}}, "other-bundle");
  r = hull_rdt({"create", "--bundle", other.dir().string(), "other"});
  EXPECT_TRUE(failed_with(r, {"linux.intelRdt", g.string(), "does not hold", "L3:0=ff"}));
  EXPECT_FALSE(fs::exists(state_dir("other")));
  EXPECT_EQ(slurp(g / "tasks"), init_pid("mon")) << "no other process joined";

  remove_kernel_files(g / "mon_groups/mon");
  r = hull_rdt({"delete", "--force", "mon"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(g / "mon_groups/mon")) << "the MON group goes with the container";
  EXPECT_EQ(slurp(g / "schemata"), preset) << "a closID group stays";
}

TEST_F(IntelRdtStandInTest, AClosIdWithoutSchemataMustNameAnExistingGroup) {
  Bundle& b = rdt_bundle({{"closID", "missing"}});
  ProcResult r = hull_rdt({"create", "--bundle", b.dir().string(), "rdt"});
  EXPECT_TRUE(failed_with(r, {"linux.intelRdt", (resctrl() / "missing").string(), "does not exist"}));
  expect_nothing_left("rdt");
  EXPECT_FALSE(fs::exists(resctrl() / "missing"));
  // Named by closID and there, it is joined as it is.
  preset_group("missing", "L3:0=f\n");
  r = hull_rdt({"create", "--bundle", b.dir().string(), "rdt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(resctrl() / "missing/tasks"), init_pid("rdt"));
  EXPECT_EQ(slurp(resctrl() / "missing/schemata"), "L3:0=f\n");
  ASSERT_EQ(hull_rdt({"delete", "--force", "rdt"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(resctrl() / "missing/tasks"));
}

// Without closID the group is the container's own: one that is there
// already is someone else's, refused and left as it is.
TEST_F(IntelRdtStandInTest, AGroupNamedAfterTheContainerThatExistsIsNotTaken) {
  const fs::path g = preset_group("taken", "L3:0=1\n");
  Bundle& b = rdt_bundle({{"l3CacheSchema", "L3:0=f"}});
  ProcResult r = hull_rdt({"create", "--bundle", b.dir().string(), "taken"});
  EXPECT_TRUE(failed_with(r, {"linux.intelRdt", g.string(), "already exists"}));
  expect_nothing_left("taken");
  EXPECT_EQ(slurp(g / "schemata"), "L3:0=1\n");
}

// A create killed right after its mkdir of the container's own group:
// state.json named the group for removal before, so delete --force removes
// it, and a create of the id makes it again. It used to be recorded only
// once made, and the group (a class of service, of which the hardware has
// a handful) stayed, refusing every later create of the id.
TEST_F(IntelRdtStandInTest, TheGroupOfACreateKilledAfterItsMkdirGoesWithDeleteForce) {
  Bundle& b = rdt_bundle({{"l3CacheSchema", "L3:0=f"}});
  ProcResult killed = hull_rdt({"create", "--bundle", b.dir().string(), "own"}, "create-resctrl-group-made");
  ASSERT_EQ(killed.signal, SIGKILL) << "hull create did not die after making the group: " << killed.err;
  const fs::path g = resctrl() / "own";
  ASSERT_TRUE(fs::exists(g));
  ProcResult r = hull_rdt({"delete", "--force", "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(g)) << "the killed create's group was left";
  expect_nothing_left("own");
  r = hull_rdt({"create", "--bundle", b.dir().string(), "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(g / "schemata"), "L3:0=f\n");
  remove_kernel_files(g);
  ASSERT_EQ(hull_rdt({"delete", "--force", "own"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(g));
}
#endif  // HULL_FAULT_BINARY

}  // namespace
}  // namespace hull::itest
