// The process `hull exec` builds from its flags: the strict --user parser and
// how flags combine with the container's process.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/exec_process_builder.hpp"

namespace hull {
namespace {

TEST(ExecUserParser, AcceptsUidAndUidGid) {
  ExecUser u = parse_exec_user("1000");
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_FALSE(u.gid);
  u = parse_exec_user("0:4294967294");
  EXPECT_EQ(u.uid, 0u);
  ASSERT_TRUE(u.gid);
  EXPECT_EQ(*u.gid, 4294967294u);
}

TEST(ExecUserParser, RefusesAnythingButDecimalIds) {
  for (const char* bad : {"", ":", "1:", ":1", "0x1", "-1", "+1", " 1", "1 ", "1:2:3", "abc", "1000:abc", "4294967295",
                          "99999999999999999999", "1:4294967295"}) {
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

TEST(ExecProcessBuilder, EnvFlagWithoutValueIsRefused) {
  ExecOptions o;
  o.args = {"env"};
  o.env = {"FOO"};
  EXPECT_THROW(build_exec_process(container_process(), o), Error);
  o.env = {"=x"};
  EXPECT_THROW(build_exec_process(container_process(), o), Error);
}

TEST(ExecProcessBuilder, UserKeepsTheGidUnlessGiven) {
  ExecOptions o;
  o.args = {"id"};
  o.user = "7";
  spec::Process p = build_exec_process(container_process(), o);
  EXPECT_EQ(p.user.uid, 7u);
  EXPECT_EQ(p.user.gid, 6u);
  o.user = "7:8";
  o.additional_gids = {"9", "10"};
  p = build_exec_process(container_process(), o);
  EXPECT_EQ(p.user.gid, 8u);
  EXPECT_EQ(p.user.additionalGids, (std::vector<uint32_t>{9, 10}));
  o.additional_gids = {"x"};
  EXPECT_THROW(build_exec_process(container_process(), o), Error);
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

}  // namespace
}  // namespace hull
