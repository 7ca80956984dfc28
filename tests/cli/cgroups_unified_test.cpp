// Real containers on a pure cgroup v2 host: one cgroup2 mount at
// /sys/fs/cgroup with every controller. This project's machines are hybrid,
// so every test here skips on them; the v2vm lane (scripts/vm/run-in-vm,
// ctest -L v2vm) boots a VM with pure v2 cgroups and runs them there. Limits
// are read back from inside the container (its cgroup namespace shows its own
// cgroup at /sys/fs/cgroup) and enforced ones are made to bite.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/fs.hpp"
#include "cgroups/host.hpp"
#include "device_programs.hpp"
#include "pure_v2_fixture.hpp"
#include "runtime/state_store.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class UnifiedTest : public PureV2Test {
 protected:
  // A bundle that mounts its cgroup at /sys/fs/cgroup (as `runc spec` does),
  // with the given linux.resources.
  Bundle& limited(const json& resources, const std::string& name = "bundle") {
    Bundle& b = bundle(name);
    b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                  {"type", "cgroup"},
                                  {"source", "cgroup"},
                                  {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
    b.config["linux"]["resources"] = resources;
    return b;
  }

  // The host-side cgroup directory of a created container, "" (and a failure) if none.
  std::string cgroup_dir(const std::string& id) {
    std::optional<InitRecord> rec = recorded_init(id);
    if (!rec) {
      ADD_FAILURE() << "no state for " << id;
      return "";
    }
    std::vector<fs::path> dirs = existing_cgroup_dirs(rec->cgroup_path);
    if (dirs.size() != 1) {
      ADD_FAILURE() << "expected one cgroup dir for " << rec->cgroup_path << ", found " << dirs.size();
      return "";
    }
    return dirs[0].string();
  }

  // A started container running `sleep 1000` with resources; its init pid, 0 on error.
  pid_t started(const std::string& id, const json& resources) {
    Bundle& b = limited(resources, "bundle-" + id);
    b.args({"sleep", "1000"});
    const pid_t init = create_from(b, id);
    if (init > 0) start_container(id);
    return init;
  }

  // `hull create` of bundle b as id; the init pid, 0 (and a failure) on error.
  pid_t create_from(Bundle& b, const std::string& id) {
    b.write();
    ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return 0;
    return state(id).value("pid", 0);
  }
};

std::string cgroup_text(const fs::path& p) { return hull::read_file(p.string()); }

// The value of `key` in a flat-keyed cgroup file ("populated 1\nfrozen 0\n").
std::string keyed(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string k, v;
  while (lines >> k >> v)
    if (k == key) return v;
  return "";
}

TEST_F(UnifiedTest, MemoryMaxOomKillsTheContainer) {
  Bundle& b = limited({{"memory", {{"limit", 32 << 20}, {"swap", 32 << 20}}}});
  // The shell itself holds the 64 MB it reads, so the OOM killer picks the init.
  ProcResult r = run_sh(b,
                        "cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max; "
                        "x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo survived");
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.out << r.err;
  // swap is memory+swap in the spec; memory.swap.max is the swap part alone.
  EXPECT_EQ(r.out, "0::/\n33554432\n0\n") << r.err;
}

// {"cgroup.procs": "<pid>"} moved a process of the host into the
// container's cgroup, and delete then killed it with the container. Refused
// by create and by update, the process left where it was.
TEST_F(UnifiedTest, UnifiedCgroupProcsIsRefusedAndMovesNoProcess) {
  Child outsider = Child::spawn({"/bin/sleep", "1000"});
  const std::string before = cgroup_text("/proc/" + std::to_string(outsider.pid()) + "/cgroup");
  Bundle& b = limited({{"unified", {{"cgroup.procs", std::to_string(outsider.pid())}}}});
  b.args({"true"});
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "procs"});
  EXPECT_TRUE(failed_with(r, {"linux.resources.unified: \"cgroup.procs\" moves, freezes or kills processes"})) << r.err;
  ASSERT_GT(started("upd", json::object()), 0);
  const fs::path file = temp_dir() / "resources.json";
  std::ofstream(file) << json{{"unified", {{"cgroup.procs", std::to_string(outsider.pid())}}}}.dump();
  ProcResult u = hull({"update", "-r", file.string(), "upd"});
  EXPECT_TRUE(failed_with(u, {"\"cgroup.procs\" moves, freezes or kills processes"})) << u.err;
  EXPECT_EQ(hull({"delete", "--force", "upd"}).exit_code, 0);
  EXPECT_EQ(cgroup_text("/proc/" + std::to_string(outsider.pid()) + "/cgroup"), before);
  // A live process (a zombie is moved nowhere and reads another cgroup).
  EXPECT_TRUE(alive_and_not_being_killed(outsider.pid())) << "the outsider was killed, or never ran";
}

// runc 1.2's reading: with memory unlimited the spec's memory+swap limits swap alone.
TEST_F(UnifiedTest, SwapBesideUnlimitedMemoryLimitsSwapAlone) {
  Bundle& b = limited({{"memory", {{"limit", -1}, {"swap", 32 << 20}}}});
  ProcResult r = run_sh(b, "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "max\n33554432\n") << r.err;
}

TEST_F(UnifiedTest, PidsMaxMakesForkFail) {
  Bundle& b = limited({{"pids", {{"limit", 3}}}});
  // sh plus two sleeps fill the limit; the third fork fails.
  ProcResult r = run_sh(b, "cat /sys/fs/cgroup/pids.max; sleep 100 & sleep 100 & sleep 100 & echo after; kill %1 %2");
  EXPECT_EQ(r.out.substr(0, 2), "3\n") << r.out << r.err;
  EXPECT_NE(r.err.find("fork"), std::string::npos) << "exit " << r.exit_code << " out " << r.out << " err " << r.err;
}

TEST_F(UnifiedTest, CpuQuotaAndSharesBecomeCpuMaxAndWeight) {
  Bundle& b = limited({{"cpu", {{"quota", 50000}, {"period", 100000}, {"shares", 1024}}}});
  ProcResult r = run_sh(b, "cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "50000 100000\n100\n");  // shares 1024 (the v1 default) is weight 100 (the v2 default)
}

TEST_F(UnifiedTest, CpusetPinsTheContainer) {
  const std::string cpu = std::to_string(::sysconf(_SC_NPROCESSORS_ONLN) - 1);  // the last CPU
  Bundle& b = limited({{"cpu", {{"cpus", cpu}, {"mems", "0"}}}});
  ProcResult r =
      run_sh(b, "cat /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/cpuset.mems; grep Cpus_allowed_list /proc/self/status");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, cpu + "\n0\nCpus_allowed_list:\t" + cpu + "\n") << r.err;
}

// A loop device attached for the test and detached at its end.
class LoopDevice {
 public:
  explicit LoopDevice(const fs::path& backing) {
    { std::ofstream(backing).put('\0'); }
    fs::resize_file(backing, 1 << 20);
    ProcResult r = run_process({"/sbin/losetup", "--find", "--show", backing.string()});
    if (r.exit_code == 0)
      dev_ = r.out.substr(0, r.out.find('\n'));
    else
      error_ = r.err;
  }
  ~LoopDevice() {
    if (!dev_.empty()) run_process({"/sbin/losetup", "--detach", dev_});
  }
  const std::string& dev() const { return dev_; }
  const std::string& error() const { return error_; }

 private:
  std::string dev_, error_;
};

TEST_F(UnifiedTest, BlockIoThrottlesBecomeIoMax) {
  LoopDevice loop(temp_dir() / "loop.img");
  if (loop.dev().empty()) GTEST_SKIP() << "no block device for io.max (losetup: " << loop.error() << ")";
  struct stat st {};
  ASSERT_EQ(::stat(loop.dev().c_str(), &st), 0) << loop.dev();
  const unsigned maj = major(st.st_rdev), min = minor(st.st_rdev);
  Bundle& b = limited({{"blockIO",
                        {{"throttleReadBpsDevice", {{{"major", maj}, {"minor", min}, {"rate", 1048576}}}},
                         {"throttleWriteIOPSDevice", {{{"major", maj}, {"minor", min}, {"rate", 100}}}}}}});
  ProcResult r = run_sh(b, "cat /sys/fs/cgroup/io.max");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(maj) + ":" + std::to_string(min) + " rbps=1048576 wbps=max riops=max wiops=100\n");
}

// A unified value of several lines (io.max for two devices) is written a
// line at a time, as runc writes it: the kernel takes one line per write.
TEST_F(UnifiedTest, AUnifiedValueOfSeveralLinesIsWrittenLineByLine) {
  LoopDevice first(temp_dir() / "first.img"), second(temp_dir() / "second.img");
  if (first.dev().empty() || second.dev().empty())
    GTEST_SKIP() << "no block devices for io.max (losetup: " << first.error() << second.error() << ")";
  std::string lines;
  std::vector<std::string> expected;
  for (const LoopDevice* loop : {&first, &second}) {
    struct stat st {};
    ASSERT_EQ(::stat(loop->dev().c_str(), &st), 0) << loop->dev();
    const std::string dev = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    lines += dev + " rbps=2097152\n";
    expected.push_back(dev + " rbps=2097152 wbps=max riops=max wiops=max\n");
  }
  std::sort(expected.begin(), expected.end());
  Bundle& b = limited({{"unified", {{"io.max", lines}}}});
  ProcResult r = run_sh(b, "sort /sys/fs/cgroup/io.max");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected[0] + expected[1]);
}

// A device weight on a device with neither BFQ nor iocost (a loop device's
// default): left out with a warning, as runc 1.1 leaves it, where the
// kernel refuses io.weight's device line (EOPNOTSUPP).
TEST_F(UnifiedTest, ADeviceWeightWithoutAWeightControllerIsAWarning) {
  LoopDevice loop(temp_dir() / "loop.img");
  if (loop.dev().empty()) GTEST_SKIP() << "no block device (losetup: " << loop.error() << ")";
  struct stat st {};
  ASSERT_EQ(::stat(loop.dev().c_str(), &st), 0) << loop.dev();
  const std::string dev = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
  const std::string name = fs::path(loop.dev()).filename();
  if (cgroup_text("/sys/block/" + name + "/queue/scheduler").find("[bfq]") != std::string::npos)
    GTEST_SKIP() << loop.dev() << " has BFQ";
  Bundle& b =
      limited({{"blockIO",
                {{"weightDevice", {{{"major", major(st.st_rdev)}, {"minor", minor(st.st_rdev)}, {"weight", 500}}}}}}});
  b.args({"sleep", "1000"});
  b.write();
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "wdev"});
  if (r.exit_code == 0 && r.err.empty()) GTEST_SKIP() << "this kernel took the weight (iocost on " << dev << ")";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("weightDevice " + dev), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("neither BFQ nor iocost"), std::string::npos) << r.err;
  EXPECT_EQ(cgroup_text(cgroup_dir("wdev") + "/io.weight").find(dev), std::string::npos);
}

// checkBeforeUpdate: v2 would OOM-kill the container for a limit below its
// usage; `update -r` with it refuses instead and leaves the limit.
TEST_F(UnifiedTest, UpdateWithCheckBeforeUpdateRefusesALimitBelowTheUsage) {
  ASSERT_GT(started("cbu", {{"memory", {{"limit", 64 << 20}}}}), 0);
  const fs::path request = temp_dir() / "resources.json";
  std::ofstream(request) << R"({"memory": {"limit": 4096, "checkBeforeUpdate": true}})";
  ProcResult r = hull({"update", "-r", request.string(), "cbu"});
  EXPECT_TRUE(failed_with(r, {"is below the current usage", "checkBeforeUpdate"}));
  EXPECT_EQ(cgroup_text(cgroup_dir("cbu") + "/memory.max"), std::to_string(64 << 20) + "\n");
  EXPECT_EQ(status("cbu"), "running");
}

TEST_F(UnifiedTest, HugetlbLimitIsWritten) {
  if (!fs::exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) GTEST_SKIP() << "no 2MB huge pages";
  Bundle& b = limited({{"hugepageLimits", {{{"pageSize", "2MB"}, {"limit", 2 << 20}}}}});
  ProcResult r = run_sh(b, "cat /sys/fs/cgroup/hugetlb.2MB.max");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2097152\n");
  // Enforcement (a page fault beyond the limit fails) is CgroupV2Test.HugetlbLimitIsEnforced.
}

// The eBPF device program: /dev/kmsg is bound into the container (a node the
// default rules do not allow), so only the device cgroup stands between the
// container and it. Opened for writing: reading needs CAP_SYSLOG as well.
TEST_F(UnifiedTest, DeviceProgramDeniesADeviceUntilARuleAllowsIt) {
  const std::string script = "echo null >/dev/null && echo null-ok; echo hull-itest >/dev/kmsg && echo kmsg-ok";
  const json kmsg_bind = {
      {"destination", "/dev/kmsg"}, {"type", "bind"}, {"source", "/dev/kmsg"}, {"options", {"bind"}}};

  Bundle& denied = limited(json::object(), "denied");
  denied.config["mounts"].push_back(kmsg_bind);
  ProcResult r = run_sh(denied, script, "denied");
  EXPECT_EQ(r.out, "null-ok\n");
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;

  Bundle& allowed = limited({{"devices",
                              {{{"allow", false}, {"access", "rwm"}},
                               {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "w"}}}}},
                            "allowed");
  allowed.config["mounts"].push_back(kmsg_bind);
  r = run_sh(allowed, script, "allowed");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "null-ok\nkmsg-ok\n");
}

const json kKmsgBind = {{"destination", "/dev/kmsg"}, {"type", "bind"}, {"source", "/dev/kmsg"}, {"options", {"bind"}}};
const char kWriteKmsg[] = "echo hull-itest >/dev/kmsg && echo kmsg-ok";

// create skips the query of the programs already attached where its own
// mkdir made the cgroup (it holds none), and only there: a create into an
// existing cgroup replaces what that holds. (update never touches device
// rules, as runc's.) One program, the container's, in both; seen from inside.
TEST_F(UnifiedTest, TheContainersDeviceProgramIsTheOnlyOneOfItsCgroup) {
  Bundle& b = limited(json::object(), "bundle-dp");
  b.config["mounts"].push_back(kKmsgBind);
  b.args({"sleep", "1000"});
  ASSERT_GT(create_from(b, "dp"), 0);
  start_container("dp");
  const std::string dir = cgroup_dir("dp");
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(device_programs(dir).size(), 1u);
  ProcResult r = hull({"exec", "dp", "sh", "-c", kWriteKmsg});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  ASSERT_EQ(hull({"delete", "--force", "dp"}).exit_code, 0);

  // The same cgroup again, made by us this time, with a program in it.
  ASSERT_FALSE(fs::exists(dir)) << "delete left " << dir;
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << dir << ": " << std::strerror(errno);
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() { ::rmdir(dir.c_str()); }
  } remove{dir};
  ASSERT_TRUE(attach_allow_all(dir)) << "attach a device program to " << dir;
  ASSERT_GT(create_from(b, "dp"), 0);
  start_container("dp");
  // Beside the container's, the allow-all would deny nothing more (every
  // attached program must allow): only the count shows it.
  EXPECT_EQ(device_programs(dir).size(), 1u) << "the allow-all program is still attached";
  r = hull({"exec", "dp", "sh", "-c", kWriteKmsg});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  EXPECT_EQ(hull({"delete", "--force", "dp"}).exit_code, 0);
}

// Containers with the same device rules share one filter: the second create
// takes the first's from the kernel, by the id kept under the state root's
// ~devices, instead of loading another. Other rules get their own; each
// container's devices stay its rules'.
TEST_F(UnifiedTest, ContainersWithTheSameDeviceRulesShareOneFilter) {
  const json allow_kmsg = {{"devices",
                            {{{"allow", false}, {"access", "rwm"}},
                             {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "w"}}}}};
  auto up = [&](const std::string& id, const json& resources) {
    Bundle& b = limited(resources, "bundle-" + id);
    b.config["mounts"].push_back(kKmsgBind);
    b.args({"sleep", "1000"});
    const pid_t init = create_from(b, id);
    if (init > 0) start_container(id);
    return init;
  };
  ASSERT_GT(up("same1", json::object()), 0);
  ASSERT_GT(up("same2", json::object()), 0);
  ASSERT_GT(up("other", allow_kmsg), 0);
  const std::vector<uint32_t> first = device_programs(cgroup_dir("same1"));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(device_programs(cgroup_dir("same2")), first);
  const std::vector<uint32_t> other = device_programs(cgroup_dir("other"));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(other, first);
  EXPECT_TRUE(fs::is_directory(state_root() / kDeviceFilterCacheName));
  for (const auto& [id, allowed] : {std::pair{"same2", false}, std::pair{"other", true}}) {
    ProcResult r = hull({"exec", id, "sh", "-c", kWriteKmsg});
    EXPECT_EQ(r.exit_code == 0, allowed) << id << ": " << r.err;
  }
  for (const char* id : {"same1", "same2", "other"}) EXPECT_EQ(hull({"delete", "--force", id}).exit_code, 0);
}

// Waits (bounded) until the container writes a line to the fifo at path.
bool wait_fifo_line(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  bool ok = ::poll(&p, 1, 30000) == 1 && (p.revents & POLLIN);
  ::close(fd);
  return ok;
}

// kill --all reaches every process of the cgroup (cgroup.kill on v2), also
// those that outlive the init: the container shares our pid namespace here,
// so the init's death alone would leave its children running.
TEST_F(UnifiedTest, KillAllKillsEveryProcessOfTheCgroup) {
  Bundle& b = bundle();
  json& ns = b.config["linux"]["namespaces"];
  for (auto it = ns.begin(); it != ns.end(); ++it)
    if ((*it)["type"] == "pid") {
      ns.erase(it);
      break;
    }
  ASSERT_EQ(::mkfifo((b.rootfs() / "ready").c_str(), 0600), 0);
  b.args({"sh", "-c", "sleep 1000 & sleep 1000 & echo >/ready; wait"});
  const pid_t init = create_from(b, "kall");
  ASSERT_GT(init, 0);
  const std::string dir = cgroup_dir("kall");
  start_container("kall");
  ASSERT_TRUE(wait_fifo_line(b.rootfs() / "ready")) << "the container did not start its children";
  std::istringstream procs(cgroup_text(dir + "/cgroup.procs"));
  std::vector<pid_t> pids;
  for (pid_t p; procs >> p;) pids.push_back(p);
  EXPECT_EQ(pids.size(), 3u);

  ProcResult r = hull({"kill", "--all", "kall", "KILL"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (pid_t p : pids) EXPECT_TRUE(wait_pid_exit(p, milliseconds(10000))) << "pid " << p << " survived kill --all";
  EXPECT_TRUE(wait_exit_and_reap(init));
  live_children();  // reaps the sleeps re-parented to us
  EXPECT_EQ(keyed(cgroup_text(dir + "/cgroup.events"), "populated"), "0");
}

TEST_F(UnifiedTest, ExecJoinsTheContainersCgroup) {
  ASSERT_GT(started("ex", json::object()), 0);
  ProcResult r = hull({"exec", "ex", "sh", "-c", "cat /proc/self/cgroup; grep -x 1 /sys/fs/cgroup/cgroup.procs"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // In the container's cgroup namespace its cgroup is the root (another cgroup
  // would show as /../name), and the init (pid 1 there) is in it too.
  EXPECT_EQ(r.out, "0::/\n1\n");
}

// pause and resume use the v2 freezer: the kernel reports the cgroup frozen
// (cgroup.events), not only hull's state. update, events and ps are
// CgroupCommandsTest's, which runs in this lane too.
TEST_F(UnifiedTest, PauseFreezesAndResumeThawsTheCgroup) {
  ASSERT_GT(started("fr", json::object()), 0);
  const std::string dir = cgroup_dir("fr");
  ProcResult r = hull({"pause", "fr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(keyed(cgroup_text(dir + "/cgroup.events"), "frozen"), "1");
  EXPECT_EQ(status("fr"), "paused");
  r = hull({"resume", "fr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(keyed(cgroup_text(dir + "/cgroup.events"), "frozen"), "0");
  EXPECT_EQ(status("fr"), "running");
}

}  // namespace
}  // namespace hull::itest
