#include "runtime/default_spec.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/error.hpp"

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
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                             "/sys", "/sys/fs/cgroup"}));
  EXPECT_EQ(types, (std::vector<std::string>{"proc", "tmpfs", "devpts", "tmpfs", "mqueue", "sysfs",
                                             "cgroup"}));
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
  EXPECT_EQ(ns, (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount", "cgroup"}));
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

class SpecDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hull-spec-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    ::unlink((dir_ + "/config.json").c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
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
