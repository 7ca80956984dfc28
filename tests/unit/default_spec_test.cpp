#include "runtime/default_spec.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/spec.hpp"
#include "spec/validate.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

nlohmann::json parsed() { return nlohmann::json::parse(default_spec_text()); }

TEST(DefaultSpec, TopLevel) {
  auto j = parsed();
  EXPECT_EQ(j["ociVersion"], "1.3.0");
  EXPECT_EQ(j["hostname"], "hull");
  EXPECT_EQ(j["root"]["path"], "rootfs");
  EXPECT_EQ(j["root"]["readonly"], true);
}

TEST(DefaultSpec, KeysInRuncsOrder) {
  std::string text = default_spec_text();
  auto pos = [&](const char* key) { return text.find(std::string("\"") + key + "\""); };
  EXPECT_LT(pos("ociVersion"), pos("process"));
  EXPECT_LT(pos("process"), pos("root"));
  EXPECT_LT(pos("root"), pos("hostname"));
  EXPECT_LT(pos("hostname"), pos("mounts"));
  EXPECT_LT(pos("mounts"), pos("linux"));
  EXPECT_EQ(text.rfind("\n\t\"", 0), std::string::npos);
  EXPECT_EQ(text.substr(0, 3), "{\n\t") << "runc indents with tabs";
}

TEST(DefaultSpec, Process) {
  auto p = parsed()["process"];
  EXPECT_EQ(p["terminal"], true);
  EXPECT_EQ(p["user"]["uid"], 0);
  EXPECT_EQ(p["user"]["gid"], 0);
  EXPECT_EQ(p["args"], nlohmann::json::array({"sh"}));
  EXPECT_EQ(p["cwd"], "/");
  EXPECT_EQ(p["noNewPrivileges"], true);
  ASSERT_EQ(p["env"].size(), 2u);
  EXPECT_EQ(p["env"][0].get<std::string>().rfind("PATH=", 0), 0u);
  EXPECT_EQ(p["env"][1], "TERM=xterm");
  auto caps = nlohmann::json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  EXPECT_EQ(p["capabilities"]["bounding"], caps);
  EXPECT_EQ(p["capabilities"]["effective"], caps);
  EXPECT_EQ(p["capabilities"]["permitted"], caps);
  EXPECT_FALSE(p["capabilities"].contains("inheritable"));
  EXPECT_FALSE(p["capabilities"].contains("ambient"));
  ASSERT_EQ(p["rlimits"].size(), 1u);
  EXPECT_EQ(p["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(p["rlimits"][0]["soft"], 1024);
  EXPECT_EQ(p["rlimits"][0]["hard"], 1024);
}

TEST(DefaultSpec, Mounts) {
  auto m = parsed()["mounts"];
  std::vector<std::string> dests, types;
  for (auto& x : m) {
    dests.push_back(x["destination"]);
    types.push_back(x["type"]);
    EXPECT_TRUE(x.contains("source"));
  }
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                                             "/sys/fs/cgroup"}));
  EXPECT_EQ(types, (std::vector<std::string>{"proc", "tmpfs", "devpts", "tmpfs", "mqueue", "sysfs", "cgroup"}));
  EXPECT_FALSE(m[0].contains("options"));
  auto devpts = m[2]["options"];
  for (const char* o : {"newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}) {
    EXPECT_NE(std::find(devpts.begin(), devpts.end(), o), devpts.end()) << o;
  }
  EXPECT_EQ(m[5]["options"].back(), "ro");
  EXPECT_EQ(m[6]["options"].back(), "ro");
}

TEST(DefaultSpec, Linux) {
  auto l = parsed()["linux"];
  std::vector<std::string> ns;
  for (auto& x : l["namespaces"]) ns.push_back(x["type"]);
  // runc: a cgroup namespace only on a pure cgroup v2 host.
  if (hull::host_is_pure_cgroup_v2())
    EXPECT_EQ(ns, (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount", "cgroup"}));
  else
    EXPECT_EQ(ns, (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount"}));
  auto masked = l["maskedPaths"];
  for (const char* path : {"/proc/kcore", "/proc/keys", "/sys/firmware", "/proc/timer_list"}) {
    EXPECT_NE(std::find(masked.begin(), masked.end(), path), masked.end()) << path;
  }
  auto ro = l["readonlyPaths"];
  for (const char* path : {"/proc/sys", "/proc/sysrq-trigger", "/proc/bus", "/proc/fs", "/proc/irq"}) {
    EXPECT_NE(std::find(ro.begin(), ro.end(), path), ro.end()) << path;
  }
  EXPECT_EQ(l["resources"]["devices"][0]["allow"], false);
}

TEST(DefaultSpec, CgroupNamespaceAsAsked) {
  for (bool want : {false, true}) {
    hull::DefaultSpecOptions o;
    o.cgroup_namespace = want;
    auto ns = hull::default_spec(o)["linux"]["namespaces"];
    EXPECT_EQ(ns.back()["type"] == "cgroup", want);
    EXPECT_EQ(ns.size(), want ? 6u : 5u);
  }
}

TEST(DefaultSpec, NoSeccompUnlessAsked) {
  EXPECT_FALSE(parsed()["linux"].contains("seccomp")) << "plain `hull spec` writes what `runc spec` writes";
}

// `hull spec --seccomp`: the config a user gets must be usable as is, so it
// goes through the same parse, validation and compilation as `hull create`.
TEST(DefaultSpec, SeccompProfileParsesValidatesAndCompiles) {
  std::string text = default_spec_text({.seccomp = true, .cgroup_namespace = false});
  auto j = nlohmann::json::parse(text);
  ASSERT_TRUE(j["linux"].contains("seccomp"));
  EXPECT_EQ(j["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(j["linux"]["seccomp"]["defaultErrnoRet"], EPERM);

  spec::Spec s = spec::parse_config(text, "config.json");
  EXPECT_NO_THROW(spec::validate_for_create(s, "config.json"));
  ASSERT_TRUE(s.linux_ && s.linux_->seccomp);
  // The JSON round trip keeps the profile exactly as default_profile built
  // it for the spec's capabilities (no CAP_SYS_ADMIN: no unshare, no mount).
  spec::Seccomp want = seccomp::default_profile({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  const spec::Seccomp& got = *s.linux_->seccomp;
  EXPECT_EQ(got.defaultAction, want.defaultAction);
  EXPECT_EQ(got.defaultErrnoRet, want.defaultErrnoRet);
  EXPECT_EQ(got.architectures, want.architectures);
  ASSERT_EQ(got.syscalls.size(), want.syscalls.size());
  for (size_t i = 0; i < want.syscalls.size(); ++i) {
    EXPECT_EQ(got.syscalls[i].names, want.syscalls[i].names) << i;
    EXPECT_EQ(got.syscalls[i].action, want.syscalls[i].action) << i;
    EXPECT_EQ(got.syscalls[i].errnoRet, want.syscalls[i].errnoRet) << i;
    ASSERT_EQ(got.syscalls[i].args.size(), want.syscalls[i].args.size()) << i;
    for (size_t a = 0; a < want.syscalls[i].args.size(); ++a) {
      EXPECT_EQ(got.syscalls[i].args[a].index, want.syscalls[i].args[a].index);
      EXPECT_EQ(got.syscalls[i].args[a].value, want.syscalls[i].args[a].value);
      EXPECT_EQ(got.syscalls[i].args[a].valueTwo, want.syscalls[i].args[a].valueTwo);
      EXPECT_EQ(got.syscalls[i].args[a].op, want.syscalls[i].args[a].op);
    }
  }
  seccomp::Program p = seccomp::compile(got);
  EXPECT_FALSE(p.instructions.empty());
  EXPECT_FALSE(p.notify);
}

class SpecDir : public ::testing::Test {
 protected:
  hull::test::TempDir tmp_{"spec-test"};
  std::string dir_ = tmp_.path();
};

TEST_F(SpecDir, WritesThenRefusesToOverwrite) {
  write_default_spec(dir_);
  std::ifstream f(dir_ + "/config.json");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), default_spec_text());
  try {
    write_default_spec(dir_);
    FAIL() << "overwrote config.json";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "File " + dir_ + "/config.json exists. Remove it first");
  }
}

TEST_F(SpecDir, WritesTheSeccompVariant) {
  write_default_spec(dir_, {.seccomp = true, .cgroup_namespace = false});
  std::ifstream f(dir_ + "/config.json");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), default_spec_text({.seccomp = true, .cgroup_namespace = false}));
}

TEST_F(SpecDir, MissingBundleNamesThePath) {
  try {
    write_default_spec(dir_ + "/nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_NE(e.message().find(dir_ + "/nope/config.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hull
