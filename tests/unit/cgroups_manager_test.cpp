// Manager on a fake hybrid tree: routing of each limit to v1 or v2,
// controller enabling up the v2 tree, errors before any side effect, cleanup
// of what create() made, and the state.json round trip.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups_fake_tree.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups::testing {
namespace {

using V = std::vector<std::string>;

bool path_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

class CgroupManagerFake : public FakeCgroupFs {
 protected:
  // Like this machine: memory, cpuset, devices as v1; hugetlb only on cgroup2.
  Host hybrid() {
    Host h;
    h.mode = Mode::Hybrid;
    h.v2_mount = dir("unified", {"cgroup.controllers=hugetlb\n", "cgroup.subtree_control"});
    h.v2_controllers = std::set<std::string>{"hugetlb"};
    h.v1["memory"] = {dir("memory"), "/", {"memory"}};
    h.v1["cpuset"] = {dir("cpuset", {"cpuset.cpus=0-1\n", "cpuset.mems=0\n"}), "/", {"cpuset"}};
    h.v1["devices"] = {dir("devices"), "/", {"devices"}};
    return h;
  }
  // create()'s refusal of the leaf <root>/rel.
  std::string refusal(const std::string& rel, const std::string& why = "already has processes") const {
    return "create cgroup: cgroup " + root_ + "/" + rel + " " + why +
           ": give the container a linux.cgroupsPath of its own";
  }
  // A legacy host (no cgroup2) with the memory and devices hierarchies of hybrid().
  Host legacy_memory_devices() {
    Host h = hybrid();
    h.mode = Mode::Legacy;
    h.v2_mount.clear();
    h.v1.erase("cpuset");
    return h;
  }
  // A pure cgroup v2 host offering only cpu, memory and pids.
  Host unified_cpu_memory_pids() {
    Host h;
    h.mode = Mode::Unified;
    h.v2_mount = dir("v2", {"cgroup.controllers=cpu memory pids\n"});
    h.v2_controllers = std::set<std::string>{"cpu", "memory", "pids"};
    return h;
  }
  // The container's directories with the files the kernel would provide.
  void container_dirs(const std::string& rel) {
    dir("memory/" + rel, {"cgroup.procs", "memory.limit_in_bytes"});
    dir("cpuset/" + rel, {"cgroup.procs", "cpuset.cpus", "cpuset.mems"});
    dir("devices/" + rel, {"cgroup.procs", "devices.allow", "devices.deny"});
    dir("unified/" + rel, {"cgroup.procs", "cgroup.controllers", "cgroup.subtree_control", "hugetlb.2MB.max"});
  }
  // A container "c" made on hybrid(), owned by nobody, the log cleared.
  Manager made_on_hybrid() {
    container_dirs("c");
    Manager m = Manager::plan(nullptr, "c", false, hybrid());
    m.create();
    m.disown();
    log_.writes.clear();
    return m;
  }
  spec::Linux linux_with(const std::string& path) {
    spec::Linux l;
    l.cgroupsPath = path;
    l.resources = spec::Resources{};
    return l;
  }
};

TEST_F(CgroupManagerFake, EachLimitGoesToTheHierarchyThatHasItsController) {
  Host h = hybrid();
  container_dirs("p/c");
  dir("unified/p", {"cgroup.controllers", "cgroup.subtree_control"});
  dir("cpuset/p", {"cpuset.cpus", "cpuset.mems"});
  spec::Linux l = linux_with("/p/c");
  l.resources->memory = spec::Memory{};
  l.resources->memory->limit = 1 << 20;
  l.resources->hugepageLimits = {{"2MB", 0}};
  Manager m = Manager::plan(&l, "c", false, h);
  m.create();
  m.disown();
  EXPECT_EQ(read(root_ + "/memory/p/c", "memory.limit_in_bytes"), "1048576");
  EXPECT_EQ(read(root_ + "/unified/p/c", "hugetlb.2MB.max"), "0");
  // hugetlb enabled from the mount root down to the container's parent.
  EXPECT_EQ(writes(root_ + "/unified", "cgroup.subtree_control"), V{"+hugetlb"});
  EXPECT_EQ(writes(root_ + "/unified/p", "cgroup.subtree_control"), V{"+hugetlb"});
  // The empty v1 cpuset got the parent's cpus and mems before any task can join.
  EXPECT_EQ(read(root_ + "/cpuset/p/c", "cpuset.cpus"), "0-1");
  EXPECT_EQ(read(root_ + "/cpuset/p", "cpuset.mems"), "0");
  // Device rules went to v1.
  EXPECT_EQ(writes(root_ + "/devices/p/c", "devices.deny").front(), "a");
  EXPECT_EQ(writes(root_ + "/devices/p/c", "devices.allow").size(), 11u);
  EXPECT_GE(m.clone_into_fd(), 0);
}

TEST_F(CgroupManagerFake, AddProcessWritesEveryHierarchyUnlessClonedIntoV2) {
  Manager m = made_on_hybrid();
  m.add_process(1234, true);
  EXPECT_EQ(written_files(), (V{"cpuset/c/cgroup.procs", "devices/c/cgroup.procs", "memory/c/cgroup.procs"}));
  m.add_process(1234);
  EXPECT_EQ(written_files().back(), "unified/c/cgroup.procs");
  // The init moved itself into the v1 hierarchies: only v2 is left.
  log_.writes.clear();
  m.add_process(1234, false, true);
  EXPECT_EQ(written_files(), (V{"unified/c/cgroup.procs"}));
}

TEST_F(CgroupManagerFake, V1SelfPlacementOpensEveryV1TasksFile) {
  Manager m = made_on_hybrid();
  for (const char* c : {"memory", "cpuset", "devices"}) dir(std::string(c) + "/c", {"tasks"});
  V1SelfPlacement p = m.v1_self_placement();
  p.move_self();
  EXPECT_EQ(written_files(), (V{"cpuset/c/tasks", "devices/c/tasks", "memory/c/tasks"}));
}

// Memory first (InitPlan::memory_cgroup_first): its directory alone before
// the clone, the init joins it, then the rest; nothing joined twice, none
// left out, and the freezer's hierarchy never joined early.
TEST_F(CgroupManagerFake, TheMemoryHierarchyIsMadeAndJoinedAheadOfTheRest) {
  // The other directories with the files the kernel would give them; the
  // memory one is left for create_v1_memory_first() to make.
  Host h = hybrid();
  dir("cpuset/c", {"cgroup.procs", "cpuset.cpus", "cpuset.mems", "tasks"});
  dir("devices/c", {"cgroup.procs", "devices.allow", "devices.deny", "tasks"});
  dir("unified/c", {"cgroup.procs", "cgroup.controllers", "cgroup.subtree_control"});
  Manager m = Manager::plan(nullptr, "c", false, h);
  EXPECT_EQ(m.v1_memory_first(), "memory");
  m.create_for_clone();
  EXPECT_FALSE(path_exists(root_ + "/memory/c"));
  m.create_v1_memory_first();
  ASSERT_TRUE(path_exists(root_ + "/memory/c"));
  dir("memory/c", {"tasks"});
  V1SelfPlacement first = m.v1_self_placement(true, Manager::V1Part::Memory);
  first.move_self();
  EXPECT_EQ(written_files(), (V{"memory/c/tasks"}));
  log_.writes.clear();
  m.create_after_clone();
  V1SelfPlacement rest = m.v1_self_placement(true, Manager::V1Part::Rest);
  rest.move_self();
  V written = written_files();
  EXPECT_EQ(std::count(written.begin(), written.end(), "memory/c/tasks"), 0);
  EXPECT_EQ(std::count(written.begin(), written.end(), "cpuset/c/tasks"), 1);
  EXPECT_EQ(std::count(written.begin(), written.end(), "devices/c/tasks"), 1);
  m.disown();

  Host shared = h;
  shared.v1.erase("memory");
  shared.v1["freezer,memory"] = {dir("freezer,memory"), "/", {"freezer", "memory"}};
  EXPECT_EQ(Manager::plan(nullptr, "c", false, shared).v1_memory_first(), "");
  Host no_memory = h;
  no_memory.v1.erase("memory");
  EXPECT_EQ(Manager::plan(nullptr, "c", false, no_memory).v1_memory_first(), "");
  EXPECT_EQ(Manager::plan(nullptr, "c", false, unified_cpu_memory_pids()).v1_memory_first(), "");
}

TEST_F(CgroupManagerFake, MissingControllerFailsBeforeAnyDirectoryIsMade) {
  Host h = hybrid();
  spec::Linux l = linux_with("c");
  l.resources->pids = spec::Pids{10};
  EXPECT_EQ(test::error_of([&] { Manager::plan(&l, "c", false, h); }),
            "linux.resources.pids needs the \"pids\" controller, which this host does not offer: "
            "hybrid cgroups (v1: cpuset, devices, memory; v2: hugetlb)");
  EXPECT_FALSE(path_exists(root_ + "/memory/c"));
  EXPECT_TRUE(log_.writes.empty());
}

TEST_F(CgroupManagerFake, UnifiedOnALegacyHostIsAnError) {
  Host h = hybrid();
  h.mode = Mode::Legacy;
  h.v2_mount.clear();
  spec::Linux l = linux_with("c");
  l.resources->unified = {{"hugetlb.2MB.max", "0"}};
  EXPECT_EQ(test::error_of([&] { Manager::plan(&l, "c", false, h); }),
            "linux.resources.unified needs cgroup v2, which this host does not have: "
            "legacy cgroups (v1: cpuset, devices, memory)");
}

TEST_F(CgroupManagerFake, FailedCreateRemovesWhatItMade) {
  Host h = hybrid();
  spec::Linux l = linux_with("/new/c");
  l.resources->memory = spec::Memory{};
  l.resources->memory->limit = 1;
  Manager m = Manager::plan(&l, "c", false, h);
  // The fake directories have no interface files: the first write fails.
  EXPECT_THROW(m.create(), Error);
  for (const char* d : {"memory/new", "cpuset/new", "devices/new", "unified/new"})
    EXPECT_FALSE(path_exists(root_ + "/" + d)) << d;
}

TEST_F(CgroupManagerFake, UndisownedManagerRemovesItsCgroupOnDestruction) {
  Host h = hybrid();
  h.v1.erase("cpuset");
  h.v1.erase("devices");
  h.mode = Mode::Legacy;
  h.v2_mount.clear();
  {
    Manager m = Manager::plan(nullptr, "web", false, h);
    m.create();
    EXPECT_TRUE(path_exists(root_ + "/memory/web"));
    EXPECT_EQ(m.warnings(), V{"no devices controller on this host: device access is not restricted"});
  }
  EXPECT_FALSE(path_exists(root_ + "/memory/web"));
}

// A v2 leaf that holds processes, as the kernel tells it: its own
// cgroup.procs, a sub-cgroup's (a container that runs its own cgroup
// manager keeps its processes there; runc reads the whole subtree too), or
// its cgroup.events, whose "populated 1" counts the whole subtree at once.
TEST_F(CgroupManagerFake, CreateRefusesAV2LeafThatHasProcesses) {
  const std::pair<std::string, std::string> cases[] = {{"unified/c", "cgroup.procs=4242\n"},
                                                       {"unified/c/init.scope", "cgroup.procs=77\n"},
                                                       {"unified/c", "cgroup.events=populated 1\nfrozen 0\n"}};
  for (const auto& [where, file] : cases) {
    SCOPED_TRACE(where + ": " + file);
    container_dirs("c");
    dir(where, {file});
    Manager m = Manager::plan(nullptr, "c", false, hybrid());
    EXPECT_EQ(test::error_of([&] { m.create(); }), refusal("unified/c"));
    std::filesystem::remove_all(root_ + "/unified/c");
  }
}

// A host without cgroup v2 has only its v1 directories to tell: the leaf of
// each hierarchy that was there before create is read, one made now is not.
TEST_F(CgroupManagerFake, CreateRefusesAV1CgroupThatHasProcesses) {
  Host h = legacy_memory_devices();
  dir("devices/c", {"cgroup.procs", "devices.allow", "devices.deny"});
  dir("memory/c", {"cgroup.procs=4242\n", "memory.limit_in_bytes"});
  Manager m = Manager::plan(nullptr, "c", false, h);
  EXPECT_EQ(test::error_of([&] { m.create(); }), refusal("memory/c"));
  EXPECT_TRUE(path_exists(root_ + "/memory/c"));
}

// A leaf another create holds (it locked the leaf and is placing its init):
// refused at once, naming why, and the leaf, which was there before, stays.
TEST_F(CgroupManagerFake, CreateRefusesALeafAnotherCreateIsSettingUp) {
  Host h = hybrid();
  container_dirs("c");
  UniqueFd held(::open((root_ + "/unified/c").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(held);
  ASSERT_EQ(::flock(held.get(), LOCK_EX), 0);
  Manager m = Manager::plan(nullptr, "c", false, h);
  EXPECT_EQ(test::error_of([&] { m.create(); }), refusal("unified/c", "is being set up for another container"));
  EXPECT_TRUE(path_exists(root_ + "/unified/c"));
  // Once the other create is done, the leaf is the next one's.
  ::flock(held.get(), LOCK_UN);
  Manager next = Manager::plan(nullptr, "c", false, h);
  next.create();
  next.disown();
}

// Without cgroup v2 the lock is on the leaf of the hierarchy a process
// joins first (memory), whichever plan a create follows: all of it before
// the clone (create(): a user namespace, rootless) or the v1 leaves after
// it, memory first. It is kept until the manager is done with create.
TEST_F(CgroupManagerFake, OnALegacyHostEveryPlanLocksTheSameV1Leaf) {
  Host h = legacy_memory_devices();
  dir("devices/c", {"cgroup.procs", "devices.allow", "devices.deny"});
  const std::string refused = refusal("memory/c", "is being set up for another container");
  {
    Manager whole = Manager::plan(nullptr, "c", false, h);
    whole.create();
    UniqueFd memory(::open((root_ + "/memory/c").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    EXPECT_NE(::flock(memory.get(), LOCK_EX | LOCK_NB), 0);
    EXPECT_GE(whole.v1_claim_fd(), 0);
    Manager split = Manager::plan(nullptr, "c", false, h);
    split.create_for_clone();
    EXPECT_EQ(test::error_of([&] { split.create_v1_memory_first(); }), refused);
    whole.disown();
  }
  Manager split = Manager::plan(nullptr, "c", false, h);
  split.create_for_clone();
  split.create_v1_memory_first();
  Manager whole = Manager::plan(nullptr, "c", false, h);
  EXPECT_EQ(test::error_of([&] { whole.create(); }), refused);
  split.disown();
}

// The no-internal-process rule, and the thread-root trap behind it: a cgroup
// holding processes (the caller's own, above all) is never written to.
TEST_F(CgroupManagerFake, ControllersAreNeverEnabledInACgroupThatHoldsProcesses) {
  Host h = hybrid();
  h.v1.erase("cpuset");  // its v1 setup would need the kernel's files first
  dir("unified/busy",
      {"cgroup.type=domain\n", "cgroup.procs=77\n", "cgroup.controllers=hugetlb\n", "cgroup.subtree_control"});
  spec::Linux l = linux_with("/busy/c");
  l.resources->hugepageLimits = {{"2MB", 0}};
  Manager m = Manager::plan(&l, "c", false, h);
  std::string what = test::error_of([&] { m.create(); });
  EXPECT_NE(
      what.find("enable +hugetlb in " + root_ + "/unified/busy/cgroup.subtree_control: the cgroup holds processes"),
      std::string::npos)
      << what;
  EXPECT_NE(what.find("no-internal-process rule"), std::string::npos) << what;
  EXPECT_TRUE(writes(root_ + "/unified/busy", "cgroup.subtree_control").empty());
  EXPECT_FALSE(path_exists(root_ + "/unified/busy/c"));
  EXPECT_TRUE(path_exists(root_ + "/unified/busy"));
}

TEST_F(CgroupManagerFake, ControllersAreNeverEnabledInAThreadedCgroup) {
  Host h = hybrid();
  h.v1.erase("cpuset");
  dir("unified/t",
      {"cgroup.type=domain threaded\n", "cgroup.procs", "cgroup.controllers=hugetlb\n", "cgroup.subtree_control"});
  spec::Linux l = linux_with("/t/c");
  l.resources->hugepageLimits = {{"2MB", 0}};
  Manager m = Manager::plan(&l, "c", false, h);
  std::string what = test::error_of([&] { m.create(); });
  EXPECT_NE(what.find("/unified/t/cgroup.subtree_control: the cgroup is of type \"domain threaded\""),
            std::string::npos)
      << what;
  EXPECT_TRUE(writes(root_ + "/unified/t", "cgroup.subtree_control").empty());
}

// delete removes the parents create made (listed in the state), innermost
// first, and leaves one that existed before.
TEST_F(CgroupManagerFake, DestroyRemovesTheParentsCreateMadeAndOnlyThose) {
  Host h = hybrid();
  h.v1.erase("cpuset");
  h.v1.erase("devices");
  h.mode = Mode::Legacy;
  h.v2_mount.clear();
  dir("memory/kept");
  spec::Linux l = linux_with("/kept/made/c");
  Manager m = Manager::plan(&l, "c", false, h);
  m.create();
  m.disown();
  std::string state = m.to_state();
  EXPECT_NE(state.find("\"made\":[\"" + root_ + "/memory/kept/made\"]"), std::string::npos) << state;
  // Written as earlier hulls wrote it, "made" first (nlohmann::json's dump: sorted, compact).
  nlohmann::json earlier{{"mode", "legacy"},
                         {"v2", m.paths().v2},
                         {"v1", m.paths().v1},
                         {"made", std::vector<std::string>{root_ + "/memory/kept/made"}}};
  EXPECT_EQ(state, earlier.dump());
  Manager::load(state, &h).destroy();
  EXPECT_FALSE(path_exists(root_ + "/memory/kept/made"));
  EXPECT_TRUE(path_exists(root_ + "/memory/kept"));
  // A state naming a directory that is not above the container's is ignored.
  dir("memory/other");
  dir("memory/kept/made/c");
  Manager::load("{\"mode\":\"legacy\",\"v2\":\"\",\"v1\":{\"memory\":\"" + root_ +
                    "/memory/kept/made/c\"},\"made\":[\"" + root_ + "/memory/other\",\"" + root_ + "/memory/kep\"]}",
                &h)
      .destroy();
  EXPECT_TRUE(path_exists(root_ + "/memory/other"));
  EXPECT_TRUE(path_exists(root_ + "/memory/kept/made"));
}

TEST_F(CgroupManagerFake, StateRoundTrips) {
  Host h = hybrid();
  Manager m = Manager::plan(nullptr, "c", false, h);
  std::string state = m.to_state();
  // Written as earlier hulls wrote it (nlohmann::json's dump: sorted, compact).
  nlohmann::json earlier{{"mode", "hybrid"}, {"v2", m.paths().v2}, {"v1", m.paths().v1}};
  EXPECT_EQ(state, earlier.dump());
  Manager back = Manager::load(state, &h);
  EXPECT_EQ(back.paths().mode, Mode::Hybrid);
  EXPECT_EQ(back.paths().v2, root_ + "/unified/c");
  EXPECT_EQ(back.paths().v1, m.paths().v1);
  EXPECT_THROW(Manager::load("{\"mode\":\"weird\",\"v2\":\"\",\"v1\":{}}", &h), Error);
  EXPECT_THROW(Manager::load("not json", &h), Error);
}

// The state comes from a state.json: every member of the wrong type is an
// error naming it, not a default.
TEST_F(CgroupManagerFake, LoadRefusesMembersOfTheWrongType) {
  Host h = hybrid();
  const std::pair<const char*, const char*> cases[] = {
      {R"({"v2":"","v1":{}})", "\"mode\" must be a string"},
      {R"({"mode":"legacy","v2":1,"v1":{}})", "\"v2\" must be a string"},
      {R"({"mode":"legacy","v2":""})", "\"v1\" must be an object of strings"},
      {R"({"mode":"legacy","v2":"","v1":{"memory":7}})", "\"v1\" must be an object of strings"},
      {R"({"mode":"legacy","v2":"","v1":{},"made":"/x"})", "\"made\" must be an array of strings"},
      {R"({"mode":"legacy","v2":"","v1":{},"made":[1]})", "\"made\" must be an array of strings"},
      {R"({"mode":"unified","v2":"/x","v1":{},"systemdUnit":null})", "\"systemdUnit\" must be a string"},
      {R"(["mode"])", "not a JSON object"},
  };
  for (const auto& c : cases) {
    std::string what = test::error_of([&] { Manager::load(c.first, &h); });
    EXPECT_NE(what.find(c.second), std::string::npos) << c.first << ": " << what;
    EXPECT_NE(what.find("cgroup state"), std::string::npos) << what;
  }
  Manager made =
      Manager::load(R"({"mode":"legacy","v2":"","v1":{"memory":"/m/a/c"},"made":["/m/a","/elsewhere"]})", &h);
  EXPECT_EQ(made.paths().v1.at("memory"), "/m/a/c");
}

TEST_F(CgroupManagerFake, StatsReadV1AndV2Files) {
  Host h = hybrid();
  h.v1["pids"] = {dir("pids"), "/", {"pids"}};
  h.v1["cpuset"] = {dir("cpuset"), "/", {"cpuset"}};
  dir("cpuset/c", {"cpuset.cpus=0-2,5\n", "cpuset.mems=0\n", "cpuset.sched_load_balance=1\n",
                   "cpuset.sched_relax_domain_level=-1\n"});
  dir("memory/c", {"memory.usage_in_bytes=100\n", "memory.max_usage_in_bytes=200\n", "memory.limit_in_bytes=300\n",
                   "memory.failcnt=1\n", "memory.stat=cache 7\ntotal_cache 9\n"});
  dir("pids/c", {"pids.current=3\n", "pids.max=max\n"});
  // Every size the cgroup has files for (16MB: ppc64's), the reservation
  // files no size of their own.
  dir("unified/c", {"hugetlb.2MB.max=max\n", "hugetlb.2MB.current=0\n", "hugetlb.2MB.events=max 2\n",
                    "hugetlb.2MB.rsvd.max=max\n", "hugetlb.16MB.max=max\n", "hugetlb.16MB.current=32\n"});
  Manager m = Manager::load(Manager::plan(nullptr, "c", false, h).to_state(), &h);
  auto s = m.stats();
  EXPECT_EQ(s["memory"]["usage"], (nlohmann::json{{"usage", 100}, {"max", 200}, {"limit", 300}, {"failcnt", 1}}));
  EXPECT_EQ(s["memory"]["cache"], 7);  // the cgroup's own page cache, as runc's
  // runc 1.1's cpuset block, intel_rdt and network_interfaces, always there.
  EXPECT_EQ(s["cpuset"]["cpus"], (nlohmann::json{0, 1, 2, 5}));
  EXPECT_EQ(s["cpuset"]["mems"], (nlohmann::json{0}));
  EXPECT_EQ(s["cpuset"]["sched_load_balance"], 1);
  EXPECT_EQ(s["cpuset"]["sched_relax_domain_level"], -1);
  EXPECT_EQ(s["cpuset"]["cpu_exclusive"], 0);
  EXPECT_EQ(s["intel_rdt"], nlohmann::json::object());
  EXPECT_TRUE(s["network_interfaces"].is_null());
  EXPECT_EQ(s["pids"], (nlohmann::json{{"current", 3}, {"limit", 0}}));
  EXPECT_EQ(s["hugetlb"], (nlohmann::json{{"2MB", {{"usage", 0}, {"failcnt", 2}}}, {"16MB", {{"usage", 32}}}}));
  EXPECT_TRUE(s.contains("cpu"));
  EXPECT_TRUE(s.contains("blkio"));
}

// v1 blkio counts from the first of BFQ's, CFQ's and the throttle layer's
// files that has any, in runc's order: BFQ's files, the only scheduler ones
// since Linux 5.0, were never read.
TEST_F(CgroupManagerFake, StatsTakeV1BlkioCountsFromTheSchedulerThatHasThem) {
  Host h = hybrid();
  h.v1["blkio"] = {dir("blkio"), "/", {"blkio"}};
  dir("blkio/c",
      {"blkio.bfq.io_service_bytes_recursive=8:0 Read 4096\n8:0 Write 512\nTotal 4608\n",
       "blkio.bfq.io_serviced_recursive=Total 0\n", "blkio.io_serviced_recursive",
       "blkio.throttle.io_service_bytes_recursive=8:0 Read 1\nTotal 1\n",
       "blkio.throttle.io_serviced_recursive=Total 0\n", "blkio.throttle.io_serviced=253:1 Read 3\nTotal 3\n"});
  Manager m = Manager::load(Manager::plan(nullptr, "c", false, h).to_state(), &h);
  auto blkio = m.stats()["blkio"];
  using nlohmann::json;
  EXPECT_EQ(blkio["ioServiceBytesRecursive"], (json{{{"major", 8}, {"minor", 0}, {"op", "Read"}, {"value", 4096}},
                                                    {{"major", 8}, {"minor", 0}, {"op", "Write"}, {"value", 512}}}));
  EXPECT_EQ(blkio["ioServicedRecursive"], (json{{{"major", 253}, {"minor", 1}, {"op", "Read"}, {"value", 3}}}));
}

// Pressure stall information of a v2 cgroup, as runc >= 1.2 reports it:
// "psi" in cpu, memory and blkio, each line's averages and total, a line of
// zeros left out; no "psi" where the kernel has no pressure files.
TEST_F(CgroupManagerFake, V2StatsCarryThePressureOfCpuMemoryAndIo) {
  Host h = unified_cpu_memory_pids();
  const std::string some_cpu = "some avg10=1.50 avg60=0.25 avg300=0.00 total=4242\n";
  const std::string no_memory = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
  const std::string full_zero = "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
  const std::string full_memory = "full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n";
  dir("v2/c", {"cpu.stat=usage_usec 10\nuser_usec 6\nsystem_usec 4\n", "memory.current=100\n",
               "io.stat=", "cpu.pressure=" + some_cpu + full_zero, "memory.pressure=" + no_memory + full_memory});
  Manager m = Manager::load(Manager::plan(nullptr, "c", false, h).to_state(), &h);
  nlohmann::json s = m.stats();
  EXPECT_EQ(s["cpu"]["psi"],
            (nlohmann::json{{"some", {{"avg10", 1.5}, {"avg60", 0.25}, {"avg300", 0.0}, {"total", 4242}}}}));
  EXPECT_EQ(s["memory"]["psi"],
            (nlohmann::json{{"full", {{"avg10", 0.0}, {"avg60", 0.0}, {"avg300", 0.0}, {"total", 7}}}}));
  EXPECT_FALSE(s["blkio"].contains("psi")) << s["blkio"];
}

// v2's swap files count swap alone; the stats give memory and swap together,
// as v1's memsw files and runc's v2 stats do, and no peak of the two, which
// no file keeps (memory.swap.peak is swap's alone).
TEST_F(CgroupManagerFake, V2SwapStatsCountMemoryAndSwapTogether) {
  Host h = unified_cpu_memory_pids();
  dir("v2/c", {"memory.current=100\n", "memory.max=300\n", "memory.swap.current=20\n", "memory.swap.max=50\n",
               "memory.swap.peak=30\n"});
  Manager m = Manager::load(Manager::plan(nullptr, "c", false, h).to_state(), &h);
  EXPECT_EQ(m.stats()["memory"]["swap"], (nlohmann::json{{"usage", 120}, {"limit", 350}}));
  dir("v2/c", {"memory.swap.max=max\n"});
  EXPECT_EQ(m.stats()["memory"]["swap"]["limit"], UINT64_MAX);
  dir("v2/c", {"memory.max=max\n", "memory.swap.max=50\n"});
  EXPECT_EQ(m.stats()["memory"]["swap"]["limit"], UINT64_MAX);
}

}  // namespace
}  // namespace hull::cgroups::testing

namespace hull::cgroups::testing {
namespace {

TEST_F(CgroupManagerFake, V1OnlyLimitsOnAUnifiedHostNameTheMissingV1Controller) {
  Host h = unified_cpu_memory_pids();
  spec::Linux l = linux_with("c");
  l.resources->network = spec::Network{};
  l.resources->network->classID = 1;
  EXPECT_EQ(test::error_of([&] { Manager::plan(&l, "c", false, h); }),
            "linux.resources.network.classID needs the \"net_cls\" cgroup v1 controller (it has no cgroup v2 "
            "equivalent), which this host does not offer: unified cgroups (v2: cpu, memory, pids)");
  l.resources->network.reset();
  l.resources->blockIO = spec::BlockIO{};
  l.resources->blockIO->weight = 500;  // an empty (or all-zero) blockIO needs no controller
  EXPECT_EQ(test::error_of([&] { Manager::plan(&l, "c", false, h); }),
            "linux.resources.blockIO needs the cgroup v2 controller \"io\", which this host does not offer: "
            "unified cgroups (v2: cpu, memory, pids)");
}

// A unified key whose prefix is a cgroup v2 controller needs that controller
// on the host; a key of the core files ("cgroup.*") needs none (the
// controller names are a constant table in routing.cpp).
TEST_F(CgroupManagerFake, UnifiedKeysNeedOnlyTheV2ControllersTheyName) {
  Host h = unified_cpu_memory_pids();
  spec::Linux l = linux_with("c");
  l.resources->unified = {{"cgroup.max.depth", "3"}, {"memory.high", "100000"}};
  EXPECT_NO_THROW(Manager::plan(&l, "c", false, h));
  for (std::string key : {"rdma.max", "misc.max", "cpuset.cpus", "io.weight", "hugetlb.2MB.max"}) {
    l.resources->unified = {{key, "1"}};
    std::string prefix = key.substr(0, key.find('.'));
    try {
      Manager::plan(&l, "c", false, h);
      ADD_FAILURE() << key;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                "linux.resources.unified: \"" + key + "\" needs the cgroup v2 controller \"" + prefix +
                    "\", which this host does not offer: unified cgroups (v2: cpu, memory, pids)");
    }
  }
}

}  // namespace
}  // namespace hull::cgroups::testing
