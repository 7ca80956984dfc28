// Every v2 resource field -> file and value, on a fake cgroupfs tree.
#include "base/error.hpp"
#include "cgroups/resources.hpp"
#include "cgroups_fake_tree.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups::testing {
namespace {

using test::error_of;

using V = std::vector<std::string>;

class CgroupV2Writers : public FakeCgroupFs {
 protected:
};

TEST_F(CgroupV2Writers, MemoryLimitsAndSwapConversion) {
  std::string d = dir("c", {"memory.max", "memory.low", "memory.swap.max"});
  spec::Memory m;
  m.limit = 100 << 20;
  m.swap = 300 << 20;
  m.reservation = 50 << 20;
  v2::set_memory(d, m, {});
  EXPECT_EQ(written_files(), (V{"c/memory.swap.max", "c/memory.max", "c/memory.low"}));
  EXPECT_EQ(read(d, "memory.max"), std::to_string(100 << 20));
  EXPECT_EQ(read(d, "memory.swap.max"), std::to_string(200 << 20));  // memory+swap - memory
  EXPECT_EQ(read(d, "memory.low"), std::to_string(50 << 20));
  m = {};
  m.limit = -1;
  v2::set_memory(d, m, {});
  EXPECT_EQ(read(d, "memory.max"), "max");
  EXPECT_EQ(read(d, "memory.swap.max"), "max");
}

// Without swap accounting (no memory.swap.max): no swap limit (an unlimited
// memory limit implies one), and a swap equal to the memory limit, ask
// nothing and pass, as with runc; a swap limit beyond it cannot be kept.
TEST_F(CgroupV2Writers, WithoutSwapAccountingOnlyASwapLimitBeyondMemoryFails) {
  std::string d = dir("c", {"memory.max"});
  spec::Memory m;
  m.limit = 100 << 20;
  m.swap = 100 << 20;
  v2::set_memory(d, m, {});
  EXPECT_EQ(read(d, "memory.max"), std::to_string(100 << 20));
  m.limit = -1;
  m.swap.reset();
  v2::set_memory(d, m, {});
  EXPECT_EQ(read(d, "memory.max"), "max");
  m.limit = 100 << 20;
  m.swap = -1;
  v2::set_memory(d, m, {});
  m.swap = 300 << 20;
  EXPECT_EQ(error_of([&] { v2::set_memory(d, m, {}); }),
            "linux.resources.memory.swap: " + d + "/memory.swap.max does not exist (swap accounting is off)");
}

TEST_F(CgroupV2Writers, MemoryFieldsWithoutV2MeaningWarnOrFail) {
  std::string d = dir("c", {"memory.max"});
  spec::Memory m;
  m.swappiness = 0;
  m.kernel = 1;
  m.kernelTCP = 1;
  m.useHierarchy = true;
  m.disableOOMKiller = false;
  Warnings w;
  v2::set_memory(d, m, {false, &w});
  EXPECT_EQ(w, (V{"linux.resources.memory.swappiness has no cgroup v2 equivalent; ignored",
                  "linux.resources.memory.kernel is deprecated and has no cgroup v2 equivalent; ignored",
                  "linux.resources.memory.kernelTCP is deprecated and has no cgroup v2 equivalent; ignored"}));
  m = {};
  m.disableOOMKiller = true;
  EXPECT_EQ(error_of([&] { v2::set_memory(d, m, {}); }),
            "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer");
  m = {};
  m.useHierarchy = false;
  EXPECT_EQ(error_of([&] { v2::set_memory(d, m, {}); }),
            "linux.resources.memory.useHierarchy: false is impossible on cgroup v2 (always hierarchical)");
}

TEST_F(CgroupV2Writers, CheckBeforeUpdateRefusesALimitBelowUsage) {
  std::string d = dir("c", {"memory.max", "memory.current=5000\n"});
  spec::Memory m;
  m.limit = 4000;
  m.checkBeforeUpdate = true;
  v2::set_memory(d, m, {false, nullptr});  // create: no check
  EXPECT_EQ(error_of([&] {
              v2::set_memory(d, m, {true, nullptr});
            }),
            "linux.resources.memory.limit: 4000 is below the current usage 5000 (checkBeforeUpdate)");
  m.limit = 6000;
  v2::set_memory(d, m, {true, nullptr});
  EXPECT_EQ(read(d, "memory.max"), "6000");
}

TEST_F(CgroupV2Writers, CpuWeightMaxBurstIdle) {
  std::string d = dir("c", {"cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle"});
  spec::CPU c;
  c.shares = 1024;
  c.quota = 50000;
  c.period = 100000;
  c.burst = 1000;
  c.idle = 1;
  v2::set_cpu(d, c, {});
  // An idle group takes no weight (the kernel refuses one and keeps the
  // least): the shares are its weight once it leaves idle, first.
  EXPECT_EQ(read(d, "cpu.weight"), "");
  EXPECT_EQ(read(d, "cpu.max"), "50000 100000");
  EXPECT_EQ(read(d, "cpu.max.burst"), "1000");
  EXPECT_EQ(read(d, "cpu.idle"), "1");
  EXPECT_EQ(written_files(), (V{"c/cpu.idle", "c/cpu.max.burst", "c/cpu.max"}));
  c = {};
  c.idle = 0;
  c.shares = 2048;
  v2::set_cpu(d, c, {});
  EXPECT_EQ(written_files(), (V{"c/cpu.idle", "c/cpu.max.burst", "c/cpu.max", "c/cpu.idle", "c/cpu.weight"}));
  c = {};
  c.quota = -1;
  v2::set_cpu(d, c, {});
  EXPECT_EQ(read(d, "cpu.max"), "max");
  c = {};
  c.period = 20000;
  v2::set_cpu(d, c, {});
  EXPECT_EQ(read(d, "cpu.max"), "max 20000");
}

TEST_F(CgroupV2Writers, RealtimeIsAnError) {
  std::string d = dir("c", {"cpu.max"});
  spec::CPU c;
  c.realtimeRuntime = 1000;
  EXPECT_EQ(error_of([&] { v2::set_cpu(d, c, {}); }),
            "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no realtime group scheduling");
  c.realtimeRuntime = 0;  // 0 asks for nothing
  v2::set_cpu(d, c, {});
}

TEST_F(CgroupV2Writers, CpusetAndPids) {
  std::string d = dir("c", {"cpuset.cpus", "cpuset.mems", "pids.max"});
  spec::CPU c;
  c.cpus = "0-1";
  c.mems = "0";
  write_cpuset(d, c);
  v2::set_pids(d, {-1});
  EXPECT_EQ(read(d, "cpuset.cpus"), "0-1");
  EXPECT_EQ(read(d, "cpuset.mems"), "0");
  EXPECT_EQ(read(d, "pids.max"), "max");
}

// A value the kernel refuses is named by its own field, not by both.
TEST_F(CgroupV2Writers, ARefusedCpusetValueIsNamedByItsField) {
  std::string d = dir("c", {"cpuset.cpus"});  // no cpuset.mems: its write fails
  spec::CPU c;
  c.cpus = "0";
  c.mems = "0";
  const std::string what = test::error_of([&] { write_cpuset(d, c); });
  EXPECT_TRUE(what.starts_with("linux.resources.cpu.mems: ")) << what;
  EXPECT_NE(what.find("cpuset.mems"), std::string::npos) << what;
}

TEST_F(CgroupV2Writers, IoWeightIsConvertedForIocostAndRawForBfq) {
  std::string d = dir("c", {"io.weight", "io.max"});
  spec::BlockIO b;
  b.weight = 1000;
  b.weightDevice = {{8, 0, 10, std::nullopt}};
  v2::set_io(d, b, {});
  EXPECT_EQ(writes(d, "io.weight"), (V{"default 10000", "8:0 1"}));
  std::string bfq = dir("bfq", {"io.bfq.weight", "io.weight"});
  v2::set_io(bfq, b, {});
  EXPECT_EQ(writes(bfq, "io.bfq.weight"), (V{"1000", "8:0 10"}));
  EXPECT_TRUE(writes(bfq, "io.weight").empty());
}

TEST_F(CgroupV2Writers, IoMaxHasOneLinePerDevice) {
  std::string d = dir("c", {"io.max"});
  spec::BlockIO b;
  b.throttleReadBpsDevice = {{8, 0, 1000}};
  b.throttleWriteBpsDevice = {{8, 0, 2000}};
  b.throttleReadIOPSDevice = {{8, 16, 30}};
  b.throttleWriteIOPSDevice = {{8, 0, 0}};
  v2::set_io(d, b, {});
  EXPECT_EQ(writes(d, "io.max"), (V{"8:0 rbps=1000 wbps=2000 wiops=max", "8:16 riops=30"}));
}

TEST_F(CgroupV2Writers, IoLeafWeightIsAnError) {
  std::string d = dir("c", {"io.weight"});
  spec::BlockIO b;
  b.leafWeight = 10;
  EXPECT_EQ(error_of([&] { v2::set_io(d, b, {}); }),
            "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weight");
}

TEST_F(CgroupV2Writers, HugetlbMaxAndReservation) {
  std::string d = dir("c", {"hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max"});
  v2::set_hugetlb(d, {{"2MB", 2 << 20}, {"1GB", 0}});
  EXPECT_EQ(read(d, "hugetlb.2MB.max"), "2097152");
  EXPECT_EQ(read(d, "hugetlb.2MB.rsvd.max"), "2097152");
  EXPECT_EQ(read(d, "hugetlb.1GB.max"), "0");
  EXPECT_EQ(written_files(), (V{"c/hugetlb.2MB.max", "c/hugetlb.2MB.rsvd.max", "c/hugetlb.1GB.max"}));
  EXPECT_EQ(error_of([&] {
              v2::set_hugetlb(d, {{"../../x", 1}});
            }),
            "linux.resources.hugepageLimits: page size \"../../x\" is not of the form <number>KB|MB|GB");
}

TEST_F(CgroupV2Writers, RdmaMax) {
  std::string d = dir("c", {"rdma.max"});
  v2::set_rdma(d, {{"mlx5_1", {3, std::nullopt}}});
  EXPECT_EQ(read(d, "rdma.max"), "mlx5_1 hca_handle=3");
}

// Each line of a value is a write of its own, as the kernel parses one line
// per write (io.max, io.weight): this plain file keeps the last one, where
// one write of the whole value would have left both lines.
TEST_F(CgroupV2Writers, UnifiedIsWrittenAsGivenALineAtATime) {
  std::string d = dir("c", {"io.max", "hugetlb.1GB.max", "cgroup.max.depth"});
  v2::set_unified(d, {{"io.max", "259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120"},
                      {"hugetlb.1GB.max", "1073741824"},
                      {"cgroup.max.depth", "3"}});
  EXPECT_EQ(read(d, "io.max"), "253:0 rbps=2097152 wiops=120");
  EXPECT_EQ(read(d, "hugetlb.1GB.max"), "1073741824");
  EXPECT_EQ(read(d, "cgroup.max.depth"), "3");
  EXPECT_EQ(error_of([&] {
              v2::set_unified(d, {{"memory.max", "1"}});
            }),
            "linux.resources.unified: \"memory.max\": no such file in " + d);
}

TEST_F(CgroupV2Writers, UnifiedKeysCannotLeaveTheCgroup) {
  dir("c");
  dir("secret", {"memory.max"});
  for (const char* key : {"../secret/memory.max", "a/b.c", "/etc/passwd", ".", "..", "", "nodot", ".hidden"}) {
    EXPECT_EQ(error_of([&] {
                v2::set_unified(root_ + "/c", {{key, "1"}});
              }),
              std::string("linux.resources.unified: invalid key ") + quote(key))
        << key;
  }
  EXPECT_TRUE(log_.writes.empty());
}

// cgroupfs's own interface is no resource: {"cgroup.procs": "<pid>"} moved a
// host process into the container's cgroup, where delete killed it (found
// in the pure-v2 VM; runc 1.1.5 moves it too). Refused before any write;
// the cgroup.max.* limits stay.
TEST_F(CgroupV2Writers, UnifiedKeysCannotMoveFreezeOrKillProcesses) {
  dir("c", {"cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze", "cgroup.subtree_control", "cgroup.type",
            "cgroup.max.depth"});
  for (const char* key :
       {"cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze", "cgroup.subtree_control", "cgroup.type"}) {
    EXPECT_EQ(error_of([&] {
                v2::set_unified(root_ + "/c", {{key, "1"}});
              }),
              std::string("linux.resources.unified: ") + quote(key) +
                  " moves, freezes or kills processes or changes the cgroup tree, which hull does itself: not a "
                  "resource to set")
        << key;
  }
  EXPECT_TRUE(log_.writes.empty());
  v2::set_unified(root_ + "/c", {{"cgroup.max.depth", "2"}});
  EXPECT_EQ(read(root_ + "/c", "cgroup.max.depth"), "2");
}

}  // namespace
}  // namespace hull::cgroups::testing
