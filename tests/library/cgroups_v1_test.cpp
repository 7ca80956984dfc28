// Cgroup enforcement through the v1 hierarchies of this (hybrid or legacy)
// host, nested below the test's own cgroups. Run as root.
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups_fixture.hpp"
#include "spec/spec.hpp"

namespace hull::cgroups::testing {
namespace {

bool cgroup_path_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

class CgroupV1Test : public CgroupTest {
 protected:
  void SetUp() override {
    CgroupTest::SetUp();
    if (IsSkipped()) return;
    if (Host::current().mode == Mode::Unified) GTEST_SKIP() << "host has no v1 hierarchies";
  }
  std::string v1(const Manager& m, const char* controller) {
    for (const auto& [name, h] : Host::current().v1)
      if (h.controllers.count(controller)) return m.paths().v1.at(name);
    return {};
  }
};

TEST_F(CgroupV1Test, CreatePlacesProcessAndDestroyRemovesEveryDir) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->memory = spec::Memory{};
  linux.resources->memory->limit = 64 << 20;
  Manager& m = make(linux);
  std::vector<std::string> dirs;
  for (const auto& [name, dir] : m.paths().v1) dirs.push_back(dir);
  if (!m.paths().v2.empty()) dirs.push_back(m.paths().v2);
  for (const auto& d : dirs) EXPECT_TRUE(cgroup_path_exists(d)) << d;
  EXPECT_EQ(read_value(v1(m, "memory"), "memory.limit_in_bytes"), std::to_string(64 << 20));
  // Relative paths land below our own cgroup: memory is /process_api/<hash> here.
  const V1Hierarchy* mem = Host::current().v1_for("memory");
  EXPECT_EQ(v1(m, "memory"), mem->mount + (mem->own_path == "/" ? "" : mem->own_path) + "/" + path());

  Child c = spawn([] { return ::pause(); });
  m.add_process(c.pid);
  EXPECT_EQ(m.pids(), std::vector<pid_t>{c.pid});
  std::string self_cgroup = read_value("/proc/" + std::to_string(c.pid), "cgroup");
  EXPECT_NE(self_cgroup.find("memory:" + (mem->own_path == "/" ? "" : mem->own_path) + "/" + path()), std::string::npos)
      << self_cgroup;
  c.release();
  m.destroy();  // kills the child that is still in it, waits, removes
  for (const auto& d : dirs) EXPECT_FALSE(cgroup_path_exists(d)) << d;
  wait_status(c.pid);
}

TEST_F(CgroupV1Test, MemoryLimitOomKillsAllocatingChild) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->memory = spec::Memory{};
  linux.resources->memory->limit = 16 << 20;
  linux.resources->memory->swap = 16 << 20;  // no swap on top
  Manager& m = make(linux);
  Child c = spawn([] {
    for (int i = 0; i < 64; ++i) {
      char* p =
          static_cast<char*>(::mmap(nullptr, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
      if (p == MAP_FAILED) return 2;
      std::memset(p, 1, 4 << 20);
    }
    return 0;  // 256 MiB touched: the limit did not hold
  });
  m.add_process(c.pid);
  c.release();
  int status = wait_status(c.pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // The peak reached the limit (failcnt stays 0 on recent kernels, so it is not checked).
  auto mem = m.stats()["memory"];
  EXPECT_EQ(mem["usage"]["max"], 16 << 20) << mem.dump();
  EXPECT_EQ(mem["usage"]["limit"], 16 << 20) << mem.dump();
}

TEST_F(CgroupV1Test, PidsLimitMakesForkFail) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->pids = spec::Pids{1};
  Manager& m = make(linux);
  Child c = spawn([] {
    pid_t p = ::fork();
    if (p == 0) ::_exit(0);
    if (p > 0) return 1;
    return errno == EAGAIN ? 0 : 2;
  });
  m.add_process(c.pid);
  c.release();
  int status = wait_status(c.pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: fork succeeded, 2: other errno";
  EXPECT_EQ(m.stats()["pids"]["limit"], 1);
}

// A new cpuset below a root that balances all its CPUs asks for no
// scheduler domain of its own (no rebuild of the domains at its creation and
// removal), and its processes still run on every CPU of the parent.
TEST_F(CgroupV1Test, ANewCpusetLeavesTheDomainsToTheRoot) {
  const V1Hierarchy* h = Host::current().v1_for("cpuset");
  if (h == nullptr) GTEST_SKIP() << "no v1 cpuset hierarchy";
  bool root_balances = read_value(h->mount, "cpuset.sched_load_balance") == "1";
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux);
  std::string dir = v1(m, "cpuset");
  EXPECT_EQ(read_value(dir, "cpuset.sched_load_balance"), root_balances ? "0" : "1");
  std::string parent_cpus = read_value(dir.substr(0, dir.rfind('/')), "cpuset.cpus");
  EXPECT_EQ(read_value(dir, "cpuset.cpus"), parent_cpus);
  cpu_set_t parent_set;
  CPU_ZERO(&parent_set);
  ASSERT_EQ(::sched_getaffinity(0, sizeof parent_set, &parent_set), 0);
  int expected = CPU_COUNT(&parent_set);
  Child c = spawn([expected] {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 2;
    return CPU_COUNT(&set) == expected ? 0 : 1;
  });
  m.add_process(c.pid);
  c.release();
  int status = wait_status(c.pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the process lost CPUs it had before";
}

TEST_F(CgroupV1Test, CpusetRestrictsAffinity) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->cpu = spec::CPU{};
  linux.resources->cpu->cpus = "0";
  linux.resources->cpu->mems = "0";
  Manager& m = make(linux);
  EXPECT_EQ(read_value(v1(m, "cpuset"), "cpuset.cpus"), "0");
  EXPECT_EQ(read_value(v1(m, "cpuset"), "cpuset.mems"), "0");
  Child c = spawn([] {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 2;
    return CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set) ? 0 : 1;
  });
  m.add_process(c.pid);
  c.release();
  int status = wait_status(c.pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A child counting in shared memory: frozen, the count stands still.
TEST_F(CgroupV1Test, FreezeStopsProgressAndThawResumes) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux);
  expect_freeze_stops_and_thaw_resumes(m);
}

TEST_F(CgroupV1Test, KillAllSignalsEveryProcess) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux);
  Child a = spawn([] { return ::pause(); });
  Child b = spawn([] { return ::pause(); });
  m.add_process(a.pid);
  m.add_process(b.pid);
  a.release();
  b.release();
  m.kill_all(SIGTERM);  // the freeze + signal + thaw path
  int sa = wait_status(a.pid), sb = wait_status(b.pid);
  EXPECT_TRUE(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGTERM);
  EXPECT_TRUE(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGTERM);
  EXPECT_FALSE(m.frozen());
}

TEST_F(CgroupV1Test, DeviceRulesDenyWhatIsNotAllowed) {
  if (!Host::current().v1_for("devices")) GTEST_SKIP() << "no v1 devices hierarchy";
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux);
  Child c = spawn([] {
    int null_fd = ::open("/dev/null", O_RDWR);    // a default device
    int kmsg_fd = ::open("/dev/kmsg", O_RDONLY);  // 1:11, not allowed
    int kmsg_errno = errno;
    if (null_fd < 0) return 1;
    if (kmsg_fd >= 0 || kmsg_errno != EPERM) return 2;
    return 0;
  });
  m.add_process(c.pid);
  c.release();
  int status = wait_status(c.pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: /dev/null denied, 2: /dev/kmsg not denied";
}

TEST_F(CgroupV1Test, LimitForAMissingControllerNamesItAndTheHost) {
  if (Host::current().v1_for("net_cls")) GTEST_SKIP() << "net_cls is mounted here";
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->network = spec::Network{};
  linux.resources->network->classID = 0x100001;
  try {
    Manager::plan(&linux, "x", false);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("linux.resources.network.classID needs the \"net_cls\" cgroup v1 controller"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find(to_string(Host::current().mode)), std::string::npos) << msg;
  }
}

TEST_F(CgroupV1Test, UpdateChangesLimitsOfALoadedManager) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->pids = spec::Pids{10};
  Manager& m = make(linux);
  Manager loaded = Manager::load(m.to_state());
  EXPECT_EQ(loaded.paths().v1, m.paths().v1);
  EXPECT_EQ(loaded.paths().v2, m.paths().v2);
  spec::Resources r;
  r.pids = spec::Pids{20};
  r.memory = spec::Memory{};
  r.memory->limit = 100 << 20;
  r.memory->swap = 200 << 20;
  loaded.update(r);
  EXPECT_EQ(read_value(v1(m, "pids"), "pids.max"), "20");
  EXPECT_EQ(read_value(v1(m, "memory"), "memory.memsw.limit_in_bytes"), std::to_string(200 << 20));
  // Raising both needs memsw written first; the manager finds the order.
  r.memory->limit = 300 << 20;
  r.memory->swap = 400 << 20;
  loaded.update(r);
  EXPECT_EQ(read_value(v1(m, "memory"), "memory.limit_in_bytes"), std::to_string(300 << 20));
  EXPECT_EQ(read_value(v1(m, "memory"), "memory.memsw.limit_in_bytes"), std::to_string(400 << 20));
}

}  // namespace
}  // namespace hull::cgroups::testing

namespace hull::cgroups::testing {
namespace {

// Detection agrees with /proc/self/cgroup and the mounts of this machine.
TEST(CgroupHost, DetectionMatchesProcSelfCgroup) {
  const Host& h = Host::current();
  std::string self = read_file("/proc/self/cgroup");
  if (h.mode == Mode::Hybrid) {
    EXPECT_EQ(h.v2_mount, "/sys/fs/cgroup/unified");
  } else if (h.mode == Mode::Unified) {
    EXPECT_EQ(h.v2_mount, "/sys/fs/cgroup");
  }
  for (const auto& [name, v] : h.v1) {
    EXPECT_NE(self.find(":" + name + ":" + v.own_path + "\n"), std::string::npos) << name;
    struct stat st {};
    EXPECT_EQ(::stat(v.mount.c_str(), &st), 0) << v.mount;
  }
  // Cached: the same object every time.
  EXPECT_EQ(&Host::current(), &h);
}

}  // namespace
}  // namespace hull::cgroups::testing

namespace hull::cgroups::testing {
namespace {

// A create() never handed over (the core failed after placing the init)
// takes its cgroups, and the process in them, away when the Manager goes.
TEST_F(CgroupV1Test, UndisownedManagerKillsWhatItPlacedAndRemovesItsDirs) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  std::vector<std::string> dirs;
  Child c = spawn([] { return ::pause(); });
  {
    Manager m = Manager::plan(&linux, "x", false);
    for (const auto& [name, dir] : m.paths().v1) {
      dirs.push_back(dir);
      parent_dirs_.push_back(dir.substr(0, dir.rfind('/')));
    }
    if (!m.paths().v2.empty()) {
      dirs.push_back(m.paths().v2);
      parent_dirs_.push_back(m.paths().v2.substr(0, m.paths().v2.rfind('/')));
    }
    m.create();
    m.add_process(c.pid);
  }
  for (const auto& d : dirs) EXPECT_FALSE(cgroup_path_exists(d)) << d;
  int status = wait_status(c.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

}  // namespace
}  // namespace hull::cgroups::testing

namespace hull::cgroups::testing {
namespace {

// Docker 20.10 sends every field with 0 for "not set", on create and on
// update: runc writes none of them (cgroups/unset_values.hpp). On the real
// kernel the zeros fail (blkio.bfq.weight 0: ERANGE, cfs_period_us 0:
// EINVAL) or change the container (cpu.shares 0 becomes 2, not 1024).
TEST_F(CgroupV1Test, DockersZerosAreUnsetOnCreateAndUpdate) {
  const char* zeros = R"({"cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0,
      "cpus": "", "mems": ""}, "memory": {"limit": 0, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0},
      "pids": {"limit": 0}, "blockIO": {"weight": 0}})";
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::parse_resources_json(zeros, "docker");
  Manager& m = make(linux);
  if (std::string cpu = v1(m, "cpu"); !cpu.empty()) {
    EXPECT_EQ(read_value(cpu, "cpu.shares"), "1024");
    EXPECT_EQ(read_value(cpu, "cpu.cfs_quota_us"), "-1");
  }
  // docker update --memory 128m --memory-swap 256m --pids-limit 30
  nlohmann::json update = nlohmann::json::parse(zeros);
  update["memory"]["limit"] = 128 << 20;
  update["memory"]["swap"] = 256 << 20;
  update["pids"]["limit"] = 30;
  std::string mem = v1(m, "memory");
  bool memsw = !mem.empty() && cgroup_path_exists(mem + "/memory.memsw.limit_in_bytes");
  if (!memsw) update["memory"].erase("swap");
  m.update(spec::parse_resources_json(update.dump(), "docker update"));
  if (!mem.empty()) {
    EXPECT_EQ(read_value(mem, "memory.limit_in_bytes"), std::to_string(128 << 20));
  }
  if (memsw) {
    EXPECT_EQ(read_value(mem, "memory.memsw.limit_in_bytes"), std::to_string(256 << 20));
  }
  if (std::string pids = v1(m, "pids"); !pids.empty()) {
    EXPECT_EQ(read_value(pids, "pids.max"), "30");
  }
  if (std::string cpu = v1(m, "cpu"); !cpu.empty()) {
    EXPECT_EQ(read_value(cpu, "cpu.shares"), "1024");
  }
}

}  // namespace
}  // namespace hull::cgroups::testing
