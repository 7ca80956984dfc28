// Every v1 resource field -> file and value, on a fake cgroupfs tree.
#include "base/error.hpp"
#include "cgroups/resources.hpp"
#include "cgroups_fake_tree.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups::testing {
namespace {

using V = std::vector<std::string>;

class CgroupV1Writers : public FakeCgroupFs {};

TEST_F(CgroupV1Writers, MemoryFieldsGoToTheirFiles) {
  std::string d = dir("memory/c", {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
                                   "memory.swappiness", "memory.oom_control", "memory.use_hierarchy",
                                   "memory.kmem.tcp.limit_in_bytes"});
  spec::Memory m;
  m.limit = 1000000;
  m.swap = 2000000;
  m.reservation = 500000;
  m.swappiness = 10;
  m.disableOOMKiller = true;
  m.useHierarchy = true;
  m.kernel = 1 << 20;
  m.kernelTCP = 1 << 20;
  Warnings w;
  v1::set_memory(d, m, {false, &w});
  EXPECT_EQ(written_files(),
            (V{"memory/c/memory.limit_in_bytes", "memory/c/memory.memsw.limit_in_bytes",
               "memory/c/memory.soft_limit_in_bytes", "memory/c/memory.swappiness", "memory/c/memory.oom_control",
               "memory/c/memory.use_hierarchy"}));
  EXPECT_EQ(read(d, "memory.limit_in_bytes"), "1000000");
  EXPECT_EQ(read(d, "memory.memsw.limit_in_bytes"), "2000000");  // v1 takes memory+swap as is
  EXPECT_EQ(read(d, "memory.soft_limit_in_bytes"), "500000");
  EXPECT_EQ(read(d, "memory.swappiness"), "10");
  EXPECT_EQ(read(d, "memory.oom_control"), "1");
  EXPECT_EQ(read(d, "memory.use_hierarchy"), "1");
  // kernel and kernelTCP: warned and never written, as runc 1.1 (the tcp
  // file is there and stays as it was).
  EXPECT_EQ(read(d, "memory.kmem.tcp.limit_in_bytes"), "");
  EXPECT_EQ(w, (V{"linux.resources.memory.kernel is deprecated and ignored (as by runc)",
                  "linux.resources.memory.kernelTCP is deprecated and ignored (as by runc)"}));
}

TEST_F(CgroupV1Writers, MemoryUnlimitedIsMinusOneAndOomKillerDefaultIsNotWritten) {
  std::string d = dir("memory/c", {"memory.limit_in_bytes", "memory.oom_control"});
  spec::Memory m;
  m.limit = -1;
  m.disableOOMKiller = false;
  v1::set_memory(d, m, {});
  EXPECT_EQ(written_files(), V{"memory/c/memory.limit_in_bytes"});
  EXPECT_EQ(read(d, "memory.limit_in_bytes"), "-1");
  v1::set_memory(d, m, {true, nullptr});  // update: re-enabling is a change worth writing
  EXPECT_EQ(read(d, "memory.oom_control"), "0");
}

// `update --memory -1` asks for unlimited swap too (as runc's): where swap
// is not accounted there is none to lift, only the limit.
TEST_F(CgroupV1Writers, UnlimitedSwapWithoutSwapAccountingWritesTheLimitAlone) {
  std::string d = dir("memory/c", {"memory.limit_in_bytes"});
  spec::Memory m;
  m.limit = -1;
  m.swap = -1;
  v1::set_memory(d, m, {true, nullptr});
  EXPECT_EQ(written_files(), V{"memory/c/memory.limit_in_bytes"});
  EXPECT_EQ(read(d, "memory.limit_in_bytes"), "-1");
}

TEST_F(CgroupV1Writers, SwapWithoutSwapAccountingIsAnError) {
  std::string d = dir("memory/c", {"memory.limit_in_bytes"});
  spec::Memory m;
  m.limit = 100;
  m.swap = 200;
  EXPECT_EQ(test::error_of([&] { v1::set_memory(d, m, {}); }),
            "linux.resources.memory.swap: " + d +
                "/memory.memsw.limit_in_bytes does not exist (swap accounting is off; "
                "boot with swapaccount=1)");
  EXPECT_TRUE(log_.writes.empty());
}

// Refused before any write: the kernel would take the raised limit, then
// refuse memsw, and leave the limit raised behind a failed update.
TEST_F(CgroupV1Writers, SwapBelowTheLimitIsRefusedBeforeAnythingIsWritten) {
  std::string d = dir("memory/c", {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes"});
  spec::Memory m;
  m.limit = 200 << 20;
  m.swap = 150 << 20;
  EXPECT_EQ(test::error_of([&] { v1::set_memory(d, m, {}); }),
            "linux.resources.memory.swap: memory+swap limit 157286400 is below the memory limit 209715200");
  EXPECT_TRUE(log_.writes.empty());
}

// v2 reads it as a swap limit alone; v1 failed with the kernel's bare EINVAL.
TEST_F(CgroupV1Writers, SwapWithAnUnlimitedMemoryLimitIsRefusedSayingWhy) {
  std::string d = dir("memory/c", {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes"});
  spec::Memory m;
  m.limit = -1;
  m.swap = 128 << 20;
  EXPECT_EQ(test::error_of([&] { v1::set_memory(d, m, {}); }),
            "linux.resources.memory.swap: cgroup v1 limits memory+swap, which cannot be below an unlimited memory "
            "limit: give memory.limit too (at most the swap)");
  EXPECT_TRUE(log_.writes.empty());
}

TEST_F(CgroupV1Writers, SwappinessAbove100IsRefused) {
  std::string d = dir("memory/c", {"memory.swappiness"});
  spec::Memory m;
  m.swappiness = 101;
  EXPECT_THROW(v1::set_memory(d, m, {}), Error);
}

TEST_F(CgroupV1Writers, CpuFieldsGoToTheirFiles) {
  std::string d = dir("cpu/c", {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us",
                                "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle"});
  spec::CPU c;
  c.shares = 512;
  c.quota = 50000;
  c.period = 100000;
  c.burst = 10000;
  c.realtimeRuntime = 950000;
  c.realtimePeriod = 1000000;
  c.idle = 1;
  v1::set_cpu(d, c);
  // The burst before the quota, which the kernel refuses below it (taken
  // when the burst fits the quota the cgroup has: every write does here);
  // no shares for an idle group, whose weight the kernel keeps at the least.
  EXPECT_EQ(written_files(), (V{"cpu/c/cpu.idle", "cpu/c/cpu.cfs_burst_us", "cpu/c/cpu.cfs_period_us",
                                "cpu/c/cpu.cfs_quota_us", "cpu/c/cpu.rt_period_us", "cpu/c/cpu.rt_runtime_us"}));
  EXPECT_EQ(read(d, "cpu.shares"), "");
  EXPECT_EQ(read(d, "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(read(d, "cpu.rt_runtime_us"), "950000");
  EXPECT_EQ(read(d, "cpu.idle"), "1");
}

// The kernel refuses new shares of an idle group: one that leaves idle
// does so before its shares are written (and one that becomes idle, after).
TEST_F(CgroupV1Writers, AGroupLeavesIdleBeforeItsSharesAreWritten) {
  std::string d = dir("cpu/c", {"cpu.shares", "cpu.idle"});
  spec::CPU c;
  c.shares = 1024;
  c.idle = 0;
  v1::set_cpu(d, c);
  EXPECT_EQ(written_files(), (V{"cpu/c/cpu.idle", "cpu/c/cpu.shares"}));
}

TEST_F(CgroupV1Writers, BurstAboveQuotaIsRefused) {
  std::string d = dir("cpu/c", {"cpu.cfs_quota_us", "cpu.cfs_burst_us"});
  spec::CPU c;
  c.quota = 1000;
  c.burst = 2000;
  EXPECT_EQ(test::error_of([&] { v1::set_cpu(d, c); }),
            "linux.resources.cpu.burst: 2000 is larger than quota 1000 (a burst is at most the quota: give a smaller "
            "one, or 0, with it)");
}

// runc's range for shares: the kernel would clamp 1 to 2 and 300000 to
// 262144 without a word. 0 is unset and written nowhere.
TEST_F(CgroupV1Writers, SharesOutsideTheKernelsRangeAreErrorsAndZeroIsUnset) {
  std::string d = dir("cpu/c", {"cpu.shares"});
  spec::CPU c;
  for (uint64_t bad : {1ULL, 262145ULL}) {
    c.shares = bad;
    try {
      v1::set_cpu(d, c);
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "linux.resources.cpu.shares: " + std::to_string(bad) +
                                           " is outside the range cgroup v1 takes (2 to 262144)");
    }
  }
  c.shares = 0;
  v1::set_cpu(d, c);
  EXPECT_TRUE(written_files().empty());
  c.shares = 2;
  v1::set_cpu(d, c);
  EXPECT_EQ(read(d, "cpu.shares"), "2");
}

TEST_F(CgroupV1Writers, CpusetAndItsCopyFromTheParent) {
  dir("cpuset", {"cpuset.cpus=0-3\n", "cpuset.mems=0\n", "cpuset.sched_load_balance=1\n"});
  dir("cpuset/a", {"cpuset.cpus", "cpuset.mems", "cpuset.sched_load_balance=1\n"});
  std::string c = dir("cpuset/a/c", {"cpuset.cpus", "cpuset.mems", "cpuset.sched_load_balance=1\n"});
  v1::init_cpuset(c, root_ + "/cpuset");
  EXPECT_EQ(read(root_ + "/cpuset/a", "cpuset.cpus"), "0-3");
  EXPECT_EQ(read(c, "cpuset.cpus"), "0-3");
  EXPECT_EQ(read(c, "cpuset.mems"), "0");
  // The root balances all its CPUs: each filled level stops asking for a
  // domain of its own before its cpus are set (no rebuild of the domains).
  EXPECT_EQ(written_files(),
            (V{"cpuset/a/cpuset.sched_load_balance", "cpuset/a/cpuset.cpus", "cpuset/a/c/cpuset.sched_load_balance",
               "cpuset/a/c/cpuset.cpus", "cpuset/a/cpuset.mems", "cpuset/a/c/cpuset.mems"}));
  EXPECT_EQ(read(root_ + "/cpuset/a", "cpuset.sched_load_balance"), "0");
  EXPECT_EQ(read(c, "cpuset.sched_load_balance"), "0");
  spec::CPU cpu;
  cpu.cpus = "1";
  cpu.mems = "0";
  write_cpuset(c, cpu);
  EXPECT_EQ(read(c, "cpuset.cpus"), "1");
}

TEST_F(CgroupV1Writers, CpusetKeepsTheBalancingFlagWhereTheRootSplitsItsCpus) {
  dir("cpuset", {"cpuset.cpus=0-3\n", "cpuset.mems=0\n", "cpuset.sched_load_balance=0\n"});
  std::string c = dir("cpuset/c", {"cpuset.cpus", "cpuset.mems", "cpuset.sched_load_balance=1\n"});
  v1::init_cpuset(c, root_ + "/cpuset");
  EXPECT_EQ(written_files(), (V{"cpuset/c/cpuset.cpus", "cpuset/c/cpuset.mems"}));
  EXPECT_EQ(read(c, "cpuset.sched_load_balance"), "1");
}

TEST_F(CgroupV1Writers, CpusetOfACgroupWithItsOwnCpusIsLeftAlone) {
  dir("cpuset", {"cpuset.cpus=0-3\n", "cpuset.mems=0\n", "cpuset.sched_load_balance=1\n"});
  std::string c = dir("cpuset/c", {"cpuset.cpus=1\n", "cpuset.mems=0\n", "cpuset.sched_load_balance=1\n"});
  v1::init_cpuset(c, root_ + "/cpuset");
  EXPECT_TRUE(written_files().empty());
  EXPECT_EQ(read(c, "cpuset.sched_load_balance"), "1");
}

TEST_F(CgroupV1Writers, PidsLimitZeroIsALimitAndMinusOneIsMax) {
  std::string d = dir("pids/c", {"pids.max"});
  v1::set_pids(d, {0});
  EXPECT_EQ(read(d, "pids.max"), "0");
  v1::set_pids(d, {-1});
  EXPECT_EQ(read(d, "pids.max"), "max");
  v1::set_pids(d, {42});
  EXPECT_EQ(read(d, "pids.max"), "42");
}

TEST_F(CgroupV1Writers, BlkioWeightsAndThrottles) {
  std::string d = dir("blkio/c", {"blkio.bfq.weight", "blkio.bfq.weight_device", "blkio.throttle.read_bps_device",
                                  "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
                                  "blkio.throttle.write_iops_device"});
  spec::BlockIO b;
  b.weight = 300;
  b.weightDevice = {{8, 0, 500, std::nullopt}, {8, 16, 200, std::nullopt}};
  b.throttleReadBpsDevice = {{8, 0, 1000}};
  b.throttleWriteBpsDevice = {{8, 0, 2000}};
  b.throttleReadIOPSDevice = {{8, 16, 30}, {8, 0, 40}};
  b.throttleWriteIOPSDevice = {{8, 0, 0}};
  v1::set_blkio(d, b);
  // No CFQ blkio.weight here: the BFQ files take the weights.
  EXPECT_EQ(read(d, "blkio.bfq.weight"), "300");
  EXPECT_EQ(writes(d, "blkio.bfq.weight_device"), (V{"8:0 500", "8:16 200"}));
  EXPECT_EQ(writes(d, "blkio.throttle.read_bps_device"), V{"8:0 1000"});
  EXPECT_EQ(writes(d, "blkio.throttle.write_bps_device"), V{"8:0 2000"});
  EXPECT_EQ(writes(d, "blkio.throttle.read_iops_device"), (V{"8:16 30", "8:0 40"}));
  EXPECT_EQ(writes(d, "blkio.throttle.write_iops_device"), V{"8:0 0"});  // 0 removes the limit on v1
}

TEST_F(CgroupV1Writers, BlkioLeafWeightWithoutCfqIsAnError) {
  std::string d = dir("blkio/c", {"blkio.bfq.weight"});
  spec::BlockIO b;
  b.leafWeight = 10;
  EXPECT_EQ(test::error_of([&] { v1::set_blkio(d, b); }),
            "linux.resources.blockIO.leafWeight: " + d +
                "/blkio.leaf_weight does not exist (needs the CFQ or BFQ I/O scheduler)");
}

TEST_F(CgroupV1Writers, HugetlbWritesLimitAndReservation) {
  std::string d =
      dir("hugetlb/c", {"hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.1GB.limit_in_bytes"});
  v1::set_hugetlb(d, {{"2MB", 4 << 20}, {"1GB", 1 << 30}});
  EXPECT_EQ(read(d, "hugetlb.2MB.limit_in_bytes"), "4194304");
  EXPECT_EQ(read(d, "hugetlb.2MB.rsvd.limit_in_bytes"), "4194304");
  EXPECT_EQ(read(d, "hugetlb.1GB.limit_in_bytes"), "1073741824");
  EXPECT_EQ(test::error_of([&] {
              v1::set_hugetlb(d, {{"64KB", 1}});
            }),
            "linux.resources.hugepageLimits: page size \"64KB\" is not supported by this "
            "host (no " +
                d + "/hugetlb.64KB.limit_in_bytes)");
}

TEST_F(CgroupV1Writers, RdmaAndNetwork) {
  std::string d = dir("misc/c", {"rdma.max", "net_cls.classid", "net_prio.ifpriomap"});
  v1::set_rdma(d, {{"mlx5_1", {3, 10000}}, {"mlx4_0", {std::nullopt, 1000}}});
  EXPECT_EQ(writes(d, "rdma.max"), (V{"mlx4_0 hca_object=1000", "mlx5_1 hca_handle=3 hca_object=10000"}));
  v1::set_net_cls(d, 0x100001);
  EXPECT_EQ(read(d, "net_cls.classid"), "1048577");
  v1::set_net_prio(d, {{"eth0", 500}, {"eth1", 1000}});
  EXPECT_EQ(writes(d, "net_prio.ifpriomap"), (V{"eth0 500", "eth1 1000"}));
  EXPECT_THROW(v1::set_net_prio(d, {{"eth0 1\nlo", 5}}), Error);
  EXPECT_THROW(v1::set_rdma(d, {{"a b", {1, 1}}}), Error);
}

}  // namespace
}  // namespace hull::cgroups::testing
