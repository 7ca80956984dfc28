// Cgroup v2 behaviour on the cgroup2 mount (/sys/fs/cgroup/unified on this
// hybrid host, /sys/fs/cgroup on a unified one), using a host view without
// the v1 hierarchies so that every feature takes its v2 path. Run as root.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "base/cache_dir.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/devices_query.hpp"
#include "cgroups_fixture.hpp"
#include "support/temp_dir.hpp"

namespace hull::cgroups::testing {
namespace {

int open_devices();  // below: 0, or what went wrong (kDeviceCodes)
constexpr const char* kDeviceCodes = "1: /dev/null denied, 2: other errno, 4: /dev/kmsg allowed";

class CgroupV2Test : public CgroupTest {
 protected:
  // open_devices in a new process of m's cgroup: its exit code, or -1.
  int open_devices_in(Manager& m) {
    Child c = spawn(open_devices);
    m.add_process(c.pid);
    c.release();
    int status = wait_status(c.pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // A child released into pause() in m's cgroup; its pid.
  pid_t sleeping_child_in(Manager& m) {
    Child c = spawn([] { return ::pause(); });
    m.add_process(c.pid);
    c.release();
    return c.pid;
  }
  void SetUp() override {
    CgroupTest::SetUp();
    if (IsSkipped()) return;
    if (Host::current().mode == Mode::Legacy) GTEST_SKIP() << "host has no cgroup2 mount";
    host_ = v2_only_host();
  }
  Host host_;
};

TEST_F(CgroupV2Test, FreezeWaitsForFrozenAndThawResumes) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  expect_freeze_stops_and_thaw_resumes(m, [&] { EXPECT_EQ(read_value(m.paths().v2, "cgroup.freeze"), "1"); });
}

// "frozen 1" shows once every task has entered the freezer, a moment after
// the write of cgroup.freeze. frozen() read the event alone: a `resume` run
// right after a freeze by hand refused the container as running (2 in 20
// on a pure-v2 6.18 host; runc's thaws it), and exec could clone into a
// cgroup about to freeze its process. Asked at once after each write, when
// the sleeping task has mostly not been scheduled yet.
TEST_F(CgroupV2Test, ACgroupIsFrozenFromTheWriteOfItsFreezeOn) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  sleeping_child_in(m);
  for (int i = 0; i < 20; ++i) {
    write_value(m.paths().v2, "cgroup.freeze", "1");
    EXPECT_TRUE(m.frozen()) << "try " << i;
    m.thaw();
    EXPECT_FALSE(m.frozen()) << "try " << i;
  }
}

TEST_F(CgroupV2Test, KillAllUsesCgroupKill) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  if (!has_file(m.paths().v2, "cgroup.kill")) GTEST_SKIP() << "kernel without cgroup.kill";
  Child a = spawn([] { return ::pause(); });
  Child b = spawn([] { return ::pause(); });
  m.add_process(a.pid);
  m.add_process(b.pid);
  EXPECT_EQ(m.pids().size(), 2u);
  m.kill_all(SIGKILL);  // the children have not even been released
  int sa = wait_status(a.pid), sb = wait_status(b.pid);
  EXPECT_TRUE(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGKILL);
}

TEST_F(CgroupV2Test, DestroyKillsLeftoversAndRemovesTheDirectory) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  const pid_t child = sleeping_child_in(m);
  // A sub-cgroup the container made itself goes too.
  ASSERT_EQ(::mkdir((m.paths().v2 + "/inner").c_str(), 0755), 0);
  std::string dir = m.paths().v2;
  m.destroy();
  struct stat st {};
  EXPECT_NE(::stat(dir.c_str(), &st), 0);
  int status = wait_status(child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

// A value is written without O_TRUNC: on kernfs that open runs a setattr,
// which takes the cgroup root's iattr rwsem for writing (every cgroupfs path
// walk on the host waits for it) and stamps the file's ctime. The ctime is
// what a test can see.
TEST_F(CgroupV2Test, WritingAValueDoesNotTruncateTheFile) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  const std::string file = m.paths().v2 + "/cgroup.max.descendants";
  struct stat before {
  }, after{};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  // Until the clock a setattr would stamp has moved past the file's ctime.
  for (int i = 0; i < 1000; ++i) {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec > before.st_ctim.tv_sec ||
        (now.tv_sec == before.st_ctim.tv_sec && now.tv_nsec > before.st_ctim.tv_nsec))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  write_value(m.paths().v2, "cgroup.max.descendants", "5");
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_EQ(read_value(m.paths().v2, "cgroup.max.descendants"), "5");
  EXPECT_EQ(after.st_ctim.tv_sec, before.st_ctim.tv_sec);
  EXPECT_EQ(after.st_ctim.tv_nsec, before.st_ctim.tv_nsec);
}
TEST_F(CgroupV2Test, CloneIntoCgroupFdIsTheV2Directory) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  ASSERT_GE(m.clone_into_fd(), 0);
  struct stat a {
  }, b{};
  ASSERT_EQ(::fstat(m.clone_into_fd(), &a), 0);
  ASSERT_EQ(::stat(m.paths().v2.c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
}

// Makes 2 MiB huge pages available for the test and restores the count.
class HugePages {
 public:
  HugePages() {
    path_ = "/proc/sys/vm/nr_hugepages";
    before_ = read_file(path_);
    if (std::stoul(before_) == 0) {
      write_file(path_, "1");
      changed_ = true;
    }
    ok_ = std::stoul(read_file(path_)) > 0;
  }
  ~HugePages() {
    if (changed_) write_file(path_, before_);
  }
  bool ok() const { return ok_; }

 private:
  std::string path_, before_;
  bool changed_ = false, ok_ = false;
};

int map_huge_page() {
  void* p = ::mmap(nullptr, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
  if (p == MAP_FAILED) return 3;
  static_cast<volatile char*>(p)[0] = 1;  // SIGBUS here when only fault accounting limits it
  return 0;
}

TEST_F(CgroupV2Test, HugetlbLimitIsEnforced) {
  if (!host_.v2_available("hugetlb")) GTEST_SKIP() << "no hugetlb controller on the cgroup2 mount";
  if (!has_file("/sys/kernel/mm/hugepages/hugepages-2048kB", "nr_hugepages")) GTEST_SKIP() << "no 2MB pages";
  HugePages pages;
  if (!pages.ok()) GTEST_SKIP() << "could not reserve a huge page";
  // Leave the mount's subtree_control as found once the cgroups are gone.
  std::string root = host_.v2_mount;
  bool was_enabled = split_words(read_value(root, "cgroup.subtree_control")).count("hugetlb") > 0;
  struct Restore {
    std::string root;
    bool was_enabled;
    CgroupTest* t;
    ~Restore() {
      if (was_enabled) return;
      t->TearDown();  // the children must be gone before the controller can be disabled
      try_write_value(root, "cgroup.subtree_control", "-hugetlb");
    }
  } restore{root, was_enabled, this};

  spec::Linux linux;
  linux.cgroupsPath = path("zero");
  linux.resources = spec::Resources{};
  linux.resources->hugepageLimits = {{"2MB", 0}};
  Manager& zero = make(linux, host_, "zero");
  EXPECT_EQ(read_value(zero.paths().v2, "hugetlb.2MB.max"), "0");
  Child c = spawn(map_huge_page);
  zero.add_process(c.pid);
  c.release();
  int status = wait_status(c.pid);
  EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 3) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS))
      << "status " << status;

  linux.cgroupsPath = path("one");
  linux.resources->hugepageLimits = {{"2MB", 2 << 20}};
  Manager& one = make(linux, host_, "one");
  Child d = spawn(map_huge_page);
  one.add_process(d.pid);
  d.release();
  status = wait_status(d.pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

int open_devices() {
  int null_fd = ::open("/dev/null", O_RDWR);
  int kmsg_fd = ::open("/dev/kmsg", O_RDONLY);
  int kmsg_errno = errno;
  if (null_fd < 0) return 1;
  if (kmsg_fd >= 0) return 4;  // allowed
  return kmsg_errno == EPERM ? 0 : 2;
}

TEST_F(CgroupV2Test, DeviceFilterProgramDeniesAndUpdateReplacesIt) {
  spec::Linux linux;
  linux.cgroupsPath = path();
  Manager& m = make(linux, host_);
  EXPECT_EQ(open_devices_in(m), 0) << kDeviceCodes;

  spec::Resources r;
  r.devices = {{true, "c", 1, 11, "r"}};  // allow /dev/kmsg read
  m.update(r);
  EXPECT_EQ(open_devices_in(m), 4) << kDeviceCodes;
}

// Hundreds of device rules (a node with many GPUs or disks). The verifier
// must check each block of the program once: when the blocks shared the
// registers of one load at the top, it walked every combination of the
// earlier blocks' outcomes, took 0.1-0.2 s for 112 rules and refused 412
// as too complex ("BPF program is too large"), so create failed.
TEST_F(CgroupV2Test, DeviceFilterOfHundredsOfRulesIsCheckedOncePerInstruction) {
  std::vector<spec::DeviceCgroup> devices{{false, std::nullopt, std::nullopt, std::nullopt, "rwm"}};
  for (int i = 0; i < 400; ++i) devices.push_back({true, std::string("c"), 100 + i, i, "rw"});
  const std::vector<bpf_insn> prog = device_program(device_rules(devices));

  // The kernel's own count (BPF_LOG_STATS): "processed N insns".
  static const char license[] = "Apache-2.0";
  std::string log(size_t{64} * 1024, '\0');
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(prog.data());
  attr.insn_cnt = static_cast<uint32_t>(prog.size());
  attr.license = reinterpret_cast<uint64_t>(license);
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 4;  // BPF_LOG_STATS
  UniqueFd loaded(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr)));
  log.resize(std::strlen(log.c_str()));
  ASSERT_TRUE(loaded) << std::strerror(errno) << ": " << log;
  size_t at = log.find("processed ");
  ASSERT_NE(at, std::string::npos) << log;
  const unsigned long processed = std::stoul(log.substr(at + 10));
  // Each block's first test is where the paths into it meet (one per test
  // of the block before); only the two instructions ahead of it are walked
  // once per path: 2.2 times the program here, where the shared registers
  // made it 51 times at 112 rules.
  EXPECT_LE(processed, 3 * prog.size()) << log;

  // And through the manager, attached: the rules still decide.
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->devices = devices;
  Manager& m = make(linux, host_);
  EXPECT_EQ(open_devices_in(m), 0) << kDeviceCodes;
}

// The ids of the device filters attached to m's v2 cgroup.
std::vector<uint32_t> attached_filters(const Manager& m) {
  UniqueFd dir(::open(m.paths().v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return dir ? attached_device_program_ids(dir.get(), m.paths().v2) : std::vector<uint32_t>{};
}

// The default rules' filter, loaded for the first container, is the
// second's too: taken from the kernel by the id the first kept, not loaded
// (and verified: 0.19 ms here) again. Without the cache, each its own.
TEST_F(CgroupV2Test, ADeviceFilterLoadedForTheSameRulesIsTakenNotLoadedAgain) {
  test::TempDir tmp("devices-cache");
  const std::string cache = tmp.path() + "/~devices";
  spec::Linux a, b, c;
  a.cgroupsPath = path("a");
  b.cgroupsPath = path("b");
  c.cgroupsPath = path("c");
  Manager& first = make(a, host_, "cgtest", cache);
  Manager& second = make(b, host_, "cgtest", cache);
  const std::vector<uint32_t> ids = attached_filters(first);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(attached_filters(second), ids);
  EXPECT_EQ(open_devices_in(second), 0) << kDeviceCodes;
  Manager& uncached = make(c, host_);
  ASSERT_EQ(attached_filters(uncached).size(), 1u);
  EXPECT_NE(attached_filters(uncached), ids);
  struct stat st {};
  ASSERT_EQ(::stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// An entry is a hint: one naming a filter of other rules (forged, or an id
// the kernel has given another program since) is not used, and is
// rewritten with the filter loaded instead.
TEST_F(CgroupV2Test, ADeviceFilterIdNamingAnotherProgramIsNotUsed) {
  test::TempDir tmp("devices-cache");
  const std::string cache = tmp.path() + "/~devices";
  spec::Linux open_kmsg;  // a filter that lets /dev/kmsg be read
  open_kmsg.cgroupsPath = path("open");
  open_kmsg.resources = spec::Resources{};
  open_kmsg.resources->devices = {{true, "c", 1, 11, "r"}};
  Manager& opened = make(open_kmsg, host_, "cgtest", cache);
  ASSERT_EQ(open_devices_in(opened), 4) << kDeviceCodes;
  const std::vector<uint32_t> open_ids = attached_filters(opened);
  ASSERT_EQ(open_ids.size(), 1u);

  // Its id, written where the default rules' filter is looked for.
  const std::vector<bpf_insn> defaults = device_program(device_rules({}));
  const std::string entry =
      cache + "/" + fnv1a_name({reinterpret_cast<const char*>(defaults.data()), defaults.size() * sizeof(bpf_insn)});
  {
    UniqueFd f(::open(entry.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    ASSERT_TRUE(f);
    const std::string id = std::to_string(open_ids[0]) + "\n";
    ASSERT_EQ(::write(f.get(), id.data(), id.size()), static_cast<ssize_t>(id.size()));
  }
  spec::Linux closed, again;
  closed.cgroupsPath = path("closed");
  again.cgroupsPath = path("again");
  Manager& m = make(closed, host_, "cgtest", cache);
  const std::vector<uint32_t> ids = attached_filters(m);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_NE(ids, open_ids);
  EXPECT_EQ(open_devices_in(m), 0) << kDeviceCodes;
  EXPECT_EQ(attached_filters(make(again, host_, "cgtest", cache)), ids);
}

// An update to the rules the cgroup has finds the cgroup's own filter in
// the cache: it stays attached (attaching it a second time is refused with
// EEXIST), and nothing else is left beside it.
TEST_F(CgroupV2Test, AnUpdateToTheSameDeviceRulesKeepsTheFilterTheCgroupHas) {
  test::TempDir tmp("devices-cache");
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->devices = {{false, std::nullopt, std::nullopt, std::nullopt, "rwm"}};
  Manager& m = make(linux, host_, "cgtest", tmp.path() + "/~devices");
  const std::vector<uint32_t> ids = attached_filters(m);
  ASSERT_EQ(ids.size(), 1u);
  spec::Resources same;
  same.devices = linux.resources->devices;
  m.update(same);
  EXPECT_EQ(attached_filters(m), ids);
  EXPECT_EQ(open_devices_in(m), 0) << kDeviceCodes;
}

// A damaged or foreign cache never fails a create, it only costs a load: a
// file where the directory should be, a directory others may write (passed
// over: nothing is read from or written to it), a fifo or garbage as the
// entry, the id of a filter closed since. Each container gets its filter,
// and the filter holds.
TEST_F(CgroupV2Test, ADamagedDeviceFilterCacheOnlyCostsALoad) {
  test::TempDir tmp("devices-cache");
  const std::vector<bpf_insn> defaults = device_program(device_rules({}));
  const std::string name =
      fnv1a_name({reinterpret_cast<const char*>(defaults.data()), defaults.size() * sizeof(bpf_insn)});
  int n = 0;
  auto create_with = [&](const std::string& cache, const std::string& what) {
    spec::Linux linux;
    linux.cgroupsPath = path("c" + std::to_string(++n));
    Manager& m = make(linux, host_, "cgtest", cache);
    EXPECT_EQ(attached_filters(m).size(), 1u) << what;
    EXPECT_EQ(open_devices_in(m), 0) << what << ": " << kDeviceCodes;
  };
  auto write = [](const std::string& file, const std::string& text) {
    UniqueFd f(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    ASSERT_TRUE(f) << file;
    ASSERT_EQ(::write(f.get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  };
  auto dir = [&](const std::string& d, mode_t mode) {
    EXPECT_EQ(::mkdir(d.c_str(), 0700), 0) << d;
    EXPECT_EQ(::chmod(d.c_str(), mode), 0) << d;
    return d;
  };

  write(tmp / "a-file", "");
  create_with(tmp / "a-file", "a file for the directory");

  const std::string open_to_all = dir(tmp / "open", 0777);
  create_with(open_to_all, "a directory others may write");
  EXPECT_NE(::access((open_to_all + "/" + name).c_str(), F_OK), 0) << "an entry was written where others may write";

  const std::string with_fifo = dir(tmp / "fifo", 0700);
  ASSERT_EQ(::mkfifo((with_fifo + "/" + name).c_str(), 0600), 0);
  create_with(with_fifo, "a fifo as the entry");

  const std::string with_garbage = dir(tmp / "garbage", 0700);
  write(with_garbage + "/" + name, "not an id\n");
  create_with(with_garbage, "garbage as the entry");
  EXPECT_NE(read_file(with_garbage + "/" + name), "not an id\n") << "the entry was not rewritten";

  // The id of a filter loaded and closed again (freed, or if the kernel
  // has not freed it yet, the same instructions: taken, and right either way).
  uint32_t closed_id = 0;
  {
    UniqueFd loaded = load_device_program(defaults, "the test");
    bpf_prog_info info{};
    bpf_attr get{};
    get.info.bpf_fd = static_cast<uint32_t>(loaded.get());
    get.info.info_len = sizeof info;
    get.info.info = reinterpret_cast<uint64_t>(&info);
    ASSERT_EQ(bpf_call(BPF_OBJ_GET_INFO_BY_FD, get), 0) << std::strerror(errno);
    closed_id = info.id;
  }
  const std::string with_closed = dir(tmp / "closed", 0700);
  write(with_closed + "/" + name, std::to_string(closed_id) + "\n");
  create_with(with_closed, "the id of a closed filter");
}

// Past about 4000 rules the kernel's verifier refuses the program as too
// complex (E2BIG, EFAULT on Linux 6.1: its limit of 8192 branches
// pending): the error says so
// and what the config can do (review "scale", hundred-and-tenth round).
TEST_F(CgroupV2Test, TooManyDeviceRulesAreNamedAsSuch) {
  std::vector<DeviceRule> rules;
  for (int i = 0; i < 6000; ++i) rules.push_back({true, 'c', 200 + i / 256, i % 256, kRead | kWrite | kMknod});
  try {
    (void)load_device_program(device_program(rules), "the test");
    GTEST_SKIP() << "this kernel's verifier takes 6000 rules";
  } catch (const Error& e) {
    EXPECT_TRUE(e.code() == E2BIG || e.code() == EFAULT) << e.message();  // EFAULT: Linux 6.1
    EXPECT_NE(e.message().find("linux.resources.devices takes about 4000 rules"), std::string::npos) << e.message();
  }
}

TEST_F(CgroupV2Test, UnifiedKeyOfAControllerTheMountLacksIsAnError) {
  if (host_.v2_available("memory")) GTEST_SKIP() << "memory is available on v2 here";
  spec::Linux linux;
  linux.cgroupsPath = path();
  linux.resources = spec::Resources{};
  linux.resources->unified = {{"memory.max", "1000000"}};
  try {
    Manager::plan(&linux, "x", false, host_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"memory.max\" needs the cgroup v2 controller \"memory\""), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hull::cgroups::testing
