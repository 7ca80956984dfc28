// The process `hull exec` builds from its flags: the strict --user parser and
// how flags combine with the container's process.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/warn.hpp"
#include "runtime/exec_process_builder.hpp"

namespace hull {
namespace {

TEST(ExecUserParser, AcceptsUidAndUidGid) {
  ExecUser u = parse_exec_user("1000");
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_FALSE(u.gid);
  u = parse_exec_user("0:2147483647");
  EXPECT_EQ(u.uid, 0u);
  ASSERT_TRUE(u.gid);
  EXPECT_EQ(*u.gid, 2147483647u);
  // A sign, as Go's strconv.Atoi in runc takes it.
  u = parse_exec_user("+5:+6");
  EXPECT_EQ(u.uid, 5u);
  EXPECT_EQ(*u.gid, 6u);
}

TEST(ExecUserParser, RefusesAnythingButDecimalIds) {
  for (const char* bad : {"", ":", "1:", ":1", "0x1", "-1", "+", "++1", "+-1", "-+1", " 1", "1 ", "1:2:3", "abc",
                          "1000:abc", "4294967295", "2147483648", "99999999999999999999", "1:4294967295"}) {
    EXPECT_THROW(parse_exec_user(bad), Error) << '"' << bad << '"';
  }
}

spec::Process container_process() {
  spec::Process p;
  p.args = {"sleep", "1000"};
  p.env = {"PATH=/bin", "TERM=xterm", "HOME=/root"};
  p.cwd = "/";
  p.user.uid = 5;
  p.user.gid = 6;
  p.capabilities.emplace();
  p.capabilities->bounding = {"CAP_KILL"};
  p.capabilities->effective = {"CAP_KILL"};
  p.capabilities->permitted = {"CAP_KILL"};
  return p;
}

TEST(ExecProcessBuilder, EnvFlagsReplaceTheContainersValueOrAppend) {
  ExecOptions o;
  o.args = {"env"};
  o.env = {"TERM=dumb", "FOO=a=b", "TERM=vt100"};
  spec::Process p = build_exec_process(container_process(), o);
  EXPECT_EQ(p.env, (std::vector<std::string>{"PATH=/bin", "TERM=vt100", "HOME=/root", "FOO=a=b"}));
}

// A container environment with a name twice: the process gets the flag's
// value, not the container's second one (the last of a name is the one the
// process keeps).
TEST(ExecProcessBuilder, AnEnvFlagReplacesEveryEntryOfItsName) {
  spec::Process base = container_process();
  base.env = {"A=1", "PATH=/bin", "A=2"};
  ExecOptions o;
  o.args = {"env"};
  o.env = {"A=3"};
  spec::Process p = build_exec_process(base, o);
  EXPECT_EQ(p.env, (std::vector<std::string>{"A=3", "PATH=/bin", "A=3"}));
}

TEST(ExecProcessBuilder, EnvFlagWithoutValueIsRefused) {
  ExecOptions o;
  o.args = {"env"};
  o.env = {"FOO"};
  EXPECT_THROW(build_exec_process(container_process(), o), Error);
  o.env = {"=x"};
  EXPECT_THROW(build_exec_process(container_process(), o), Error);
}

// --additional-gids adds to the container's groups, as runc's exec appends
// them to the process it copied from the container.
TEST(ExecProcessBuilder, UserKeepsTheGidUnlessGivenAndGroupsAreAdded) {
  ExecOptions o;
  o.args = {"id"};
  o.user = "7";
  spec::Process base = container_process();
  base.user.additionalGids = {2000};
  spec::Process p = build_exec_process(base, o);
  EXPECT_EQ(p.user.uid, 7u);
  EXPECT_EQ(p.user.gid, 6u);
  EXPECT_EQ(p.user.additionalGids, (std::vector<uint32_t>{2000}));
  o.user = "7:8";
  o.additional_gids = {"9", "10"};
  p = build_exec_process(base, o);
  EXPECT_EQ(p.user.gid, 8u);
  EXPECT_EQ(p.user.additionalGids, (std::vector<uint32_t>{2000, 9, 10}));
  o.additional_gids = {"x"};
  EXPECT_THROW(build_exec_process(base, o), Error);
  o.additional_gids = {"2147483648"};
  EXPECT_THROW(build_exec_process(base, o), Error);
}

TEST(ExecProcessBuilder, ARelativeCwdIsRefused) {
  ExecOptions o;
  o.args = {"pwd"};
  o.cwd = "tmp";
  try {
    build_exec_process(container_process(), o);
    ADD_FAILURE() << "a relative --cwd was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--cwd \"tmp\": must be an absolute path");
  }
  o.cwd = "/tmp";
  EXPECT_EQ(build_exec_process(container_process(), o).cwd, "/tmp");
}

// What an `exec --process` file leaves out comes from the container's
// process, as in runc; what it gives wins.
TEST(ExecProcessBuilder, AProcessFileTakesWhatItLeavesOutFromTheContainer) {
  spec::Process base = container_process();
  base.oomScoreAdj = 300;
  base.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  base.apparmorProfile = "container-profile";
  spec::Process file;
  file.args = {"sh"};
  file.cwd = "/";
  spec::Process p = exec_process_from_file(base, file);
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(*p.capabilities->effective, (std::vector<std::string>{"CAP_KILL"}));
  EXPECT_EQ(p.oomScoreAdj, 300);
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.apparmorProfile, "container-profile");
  file.capabilities.emplace();
  // runc 1.2's: the scheduler, I/O priority, CPU affinity and umask too.
  base.scheduler = spec::Scheduler{"SCHED_BATCH", 7, std::nullopt, {}, std::nullopt, std::nullopt, std::nullopt};
  base.ioPriority = spec::IOPriority{"IOPRIO_CLASS_IDLE", 7};
  base.execCPUAffinity = spec::ExecCPUAffinity{"0", "1"};
  base.user.umask = 077;
  spec::Process q = exec_process_from_file(base, file);
  ASSERT_TRUE(q.scheduler && q.ioPriority && q.execCPUAffinity && q.user.umask);
  EXPECT_EQ(q.scheduler->policy, "SCHED_BATCH");
  EXPECT_EQ(q.ioPriority->class_, "IOPRIO_CLASS_IDLE");
  EXPECT_EQ(q.execCPUAffinity->final, "1");
  EXPECT_EQ(*q.user.umask, 077u);
  file.capabilities->effective = std::vector<std::string>{};
  file.oomScoreAdj = 700;
  file.rlimits = {{"RLIMIT_NPROC", 10, 10}};
  // An empty label is no label, as runc reads it: the container's applies.
  file.apparmorProfile = "";
  file.selinuxLabel = "";
  base.selinuxLabel = "system_u:system_r:container_t:s0";
  p = exec_process_from_file(base, file);
  EXPECT_EQ(p.apparmorProfile, "container-profile");
  EXPECT_EQ(p.selinuxLabel, "system_u:system_r:container_t:s0");
  EXPECT_TRUE(p.capabilities->effective->empty());
  EXPECT_EQ(p.oomScoreAdj, 700);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NPROC");
}

// CVE-2022-29162: --cap never makes a capability inheritable; ambient (which
// needs inheritable) only where the container's process already has it so.
TEST(ExecProcessBuilder, CapAddsToBoundingEffectivePermittedOnly) {
  ExecOptions o;
  o.args = {"true"};
  o.caps = {"CAP_SYS_ADMIN", "CAP_KILL"};
  spec::Process p = build_exec_process(container_process(), o);
  const auto& c = *p.capabilities;
  const std::vector<std::string> want{"CAP_KILL", "CAP_SYS_ADMIN"};
  EXPECT_EQ(*c.bounding, want);
  EXPECT_EQ(*c.effective, want);
  EXPECT_EQ(*c.permitted, want);
  EXPECT_FALSE(c.inheritable && !c.inheritable->empty());
  EXPECT_FALSE(c.ambient && !c.ambient->empty());

  spec::Process base = container_process();
  base.capabilities->inheritable = {"CAP_NET_RAW"};
  o.caps = {"CAP_NET_RAW", "CAP_SYS_ADMIN"};
  p = build_exec_process(base, o);
  EXPECT_EQ(*p.capabilities->inheritable, std::vector<std::string>{"CAP_NET_RAW"});
  EXPECT_EQ(*p.capabilities->ambient, std::vector<std::string>{"CAP_NET_RAW"});
}

// An unknown --cap name is warned of once, naming the flag, and left out
// (in the sets, each set's translation would warn of it again).
TEST(ExecProcessBuilder, UnknownCapIsWarnedOfOnceAndLeftOut) {
  std::vector<std::string> warnings;
  auto old = set_warn_sink([&](std::string_view m) { warnings.emplace_back(m); });
  ExecOptions o;
  o.args = {"true"};
  o.caps = {"sys_admin", "CAP_SYS_ADMIN"};
  spec::Process p = build_exec_process(container_process(), o);
  set_warn_sink(old);
  EXPECT_EQ(warnings, std::vector<std::string>{"--cap: unknown capability \"sys_admin\" ignored"});
  EXPECT_EQ(*p.capabilities->bounding, (std::vector<std::string>{"CAP_KILL", "CAP_SYS_ADMIN"}));
}

}  // namespace
}  // namespace hull
