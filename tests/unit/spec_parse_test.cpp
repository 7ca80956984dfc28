// parse_config: values land in the right struct fields, unknown fields and
// nulls are ignored, versions and integer bounds, JSON error positions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "spec/spec.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hull::spec;

const fs::path kGood = fs::path(HULL_TEST_DATA) / "config" / "good";

Spec load_good(const std::string& name) { return parse_config(hull::read_file(kGood / name), name); }

std::string parse_error(const std::string& text) {
  try {
    parse_config(text);
  } catch (const hull::Error& e) {
    return e.what();
  }
  return "<no error>";
}

// A minimal config with `linux` set to the given JSON object text.
std::string with_linux(const std::string& linux_json) {
  return R"({"ociVersion": "1.0.0", "root": {"path": "r"}, "linux": )" + linux_json + "}";
}

TEST(SpecParse, FullVectorTopLevelAndProcess) {
  Spec s = load_good("full.json");
  EXPECT_EQ(s.ociVersion, "1.3.0");
  ASSERT_TRUE(s.root);
  EXPECT_EQ(s.root->path, "rootfs");
  EXPECT_TRUE(s.root->readonly);
  EXPECT_EQ(s.hostname, "builder-7");
  EXPECT_EQ(s.domainname, "ci.example");
  EXPECT_EQ(s.annotations.at("org.example.owner"), "ci-team");

  ASSERT_TRUE(s.process);
  const Process& p = *s.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.consoleSize);
  EXPECT_EQ(p.consoleSize->height, 40u);
  EXPECT_EQ(p.consoleSize->width, 132u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additionalGids, (std::vector<uint32_t>{10, 2147483647u}));
  EXPECT_EQ(p.user.username, "builder");
  EXPECT_EQ(p.args, (std::vector<std::string>{"/usr/bin/make", "-j4", "all"}));
  EXPECT_EQ(p.env.at(1), "HOME=/home/builder");
  EXPECT_EQ(p.cwd, "/src");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding, (std::vector<std::string>{"CAP_CHOWN", "CAP_NET_RAW"}));
  EXPECT_EQ(p.capabilities->effective, (std::vector<std::string>{"CAP_CHOWN"}));
  ASSERT_TRUE(p.capabilities->inheritable);
  EXPECT_TRUE(p.capabilities->inheritable->empty());  // present but empty stays distinct from absent
  EXPECT_EQ(p.capabilities->ambient, (std::vector<std::string>{"CAP_NET_RAW"}));
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].soft, 4096u);
  EXPECT_EQ(p.rlimits[0].hard, 8192u);
  EXPECT_EQ(p.rlimits[1].soft, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(p.noNewPrivileges);
  EXPECT_EQ(p.apparmorProfile, "hull-default");
  EXPECT_EQ(p.oomScoreAdj, -500);
  EXPECT_EQ(p.selinuxLabel, "system_u:system_r:container_t:s0:c1,c2");
  ASSERT_TRUE(p.ioPriority);
  EXPECT_EQ(p.ioPriority->class_, "IOPRIO_CLASS_BE");
  EXPECT_EQ(p.ioPriority->priority, 6);
  ASSERT_TRUE(p.scheduler);
  EXPECT_EQ(p.scheduler->policy, "SCHED_DEADLINE");
  EXPECT_EQ(p.scheduler->nice, -3);
  EXPECT_EQ(p.scheduler->priority, 0);
  EXPECT_EQ(p.scheduler->flags, (std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"}));
  EXPECT_EQ(p.scheduler->runtime, 10000000u);
  EXPECT_EQ(p.scheduler->deadline, 30000000u);
  EXPECT_EQ(p.scheduler->period, 100000000u);
  ASSERT_TRUE(p.execCPUAffinity);
  EXPECT_EQ(p.execCPUAffinity->initial, "0-1, 4");
  EXPECT_EQ(p.execCPUAffinity->final, "2-3");
}

TEST(SpecParse, FullVectorMountsAndHooks) {
  Spec s = load_good("full.json");
  ASSERT_EQ(s.mounts.size(), 3u);
  EXPECT_EQ(s.mounts[0].destination, "/proc");
  EXPECT_EQ(s.mounts[0].type, "proc");
  EXPECT_TRUE(s.mounts[0].options.empty());
  EXPECT_EQ(s.mounts[1].options, (std::vector<std::string>{"nosuid", "nodev", "size=64m"}));
  EXPECT_EQ(s.mounts[2].source, "/home/ci/checkout");
  ASSERT_EQ(s.mounts[2].uidMappings.size(), 1u);
  EXPECT_EQ(s.mounts[2].uidMappings[0].hostID, 200000u);
  ASSERT_EQ(s.mounts[2].gidMappings.size(), 1u);
  EXPECT_EQ(s.mounts[2].gidMappings[0].hostID, 300000u);
  EXPECT_EQ(s.mounts[2].gidMappings[0].size, 65536u);

  EXPECT_EQ(s.hooks.prestart.at(0).path, "/usr/libexec/legacy-net");
  const Hook& h = s.hooks.createRuntime.at(0);
  EXPECT_EQ(h.path, "/usr/libexec/net-setup");
  EXPECT_EQ(h.args, (std::vector<std::string>{"net-setup", "--bridge", "ci0"}));
  EXPECT_EQ(h.env, (std::vector<std::string>{"MODE=ci"}));
  EXPECT_EQ(h.timeout, 10);
  EXPECT_EQ(s.hooks.createContainer.at(0).path, "/usr/libexec/prepare");
  EXPECT_EQ(s.hooks.startContainer.at(0).path, "/usr/bin/ldconfig");
  EXPECT_FALSE(s.hooks.startContainer.at(0).timeout);
  EXPECT_EQ(s.hooks.poststart.at(0).timeout, 1);
  EXPECT_EQ(s.hooks.poststop.at(0).args.at(1), "all");
}

TEST(SpecParse, FullVectorLinux) {
  Spec s = load_good("full.json");
  ASSERT_TRUE(s.linux_);
  const Linux& l = *s.linux_;
  ASSERT_EQ(l.namespaces.size(), 8u);
  EXPECT_EQ(l.namespaces[0].type, NamespaceType::Pid);
  EXPECT_EQ(l.namespaces[1].type, NamespaceType::Network);
  EXPECT_FALSE(l.namespaces[1].path);
  EXPECT_EQ(l.namespaces[6].type, NamespaceType::Cgroup);
  EXPECT_EQ(l.namespaces[6].path, "/proc/1/ns/cgroup");
  EXPECT_EQ(l.namespaces[7].type, NamespaceType::Time);
  ASSERT_EQ(l.gidMappings.size(), 2u);
  EXPECT_EQ(l.gidMappings[1].containerID, 1000u);
  EXPECT_EQ(l.gidMappings[1].hostID, 1001u);
  EXPECT_EQ(l.gidMappings[1].size, 1u);
  ASSERT_EQ(l.devices.size(), 3u);
  EXPECT_EQ(l.devices[0].type, "c");
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 200);
  EXPECT_EQ(l.devices[0].fileMode, 432u);
  EXPECT_EQ(l.devices[2].type, "p");
  EXPECT_FALSE(l.devices[2].major);
  EXPECT_EQ(l.netDevices.at("ci-veth1").name, "eth0");
  EXPECT_FALSE(l.netDevices.at("ci-dummy").name);
  EXPECT_EQ(l.cgroupsPath, "/ci/builder-7");
  EXPECT_EQ(l.rootfsPropagation, "rslave");
  EXPECT_EQ(l.sysctl.at("kernel.shmmax"), "68719476736");
  EXPECT_EQ(l.maskedPaths, (std::vector<std::string>{"/proc/kcore", "/sys/firmware"}));
  EXPECT_EQ(l.readonlyPaths.at(1), "/proc/sysrq-trigger");
  EXPECT_EQ(l.mountLabel, "system_u:object_r:container_file_t:s0:c1,c2");
  ASSERT_TRUE(l.intelRdt);
  EXPECT_EQ(l.intelRdt->closID, "ci");
  EXPECT_EQ(l.intelRdt->schemata.size(), 2u);
  EXPECT_EQ(l.intelRdt->memBwSchema, "MB:0=50");
  EXPECT_EQ(l.intelRdt->enableMonitoring, true);
  ASSERT_TRUE(l.personality);
  EXPECT_EQ(l.personality->domain, "LINUX32");
  ASSERT_TRUE(l.memoryPolicy);
  EXPECT_EQ(l.memoryPolicy->mode, "MPOL_BIND");
  EXPECT_EQ(l.memoryPolicy->nodes, "0-1");
  EXPECT_EQ(l.memoryPolicy->flags, (std::vector<std::string>{"MPOL_F_STATIC_NODES"}));
  EXPECT_EQ(l.timeOffsets.at("boottime").secs, -86400);
  EXPECT_EQ(l.timeOffsets.at("boottime").nanosecs, 999999999u);
  EXPECT_EQ(l.timeOffsets.at("monotonic").secs, 3600);
  EXPECT_EQ(l.timeOffsets.at("monotonic").nanosecs, 0u);
}

TEST(SpecParse, FullVectorResources) {
  Spec s = load_good("full.json");
  ASSERT_TRUE(s.linux_ && s.linux_->resources);
  const Resources& r = *s.linux_->resources;
  ASSERT_EQ(r.devices.size(), 3u);
  EXPECT_FALSE(r.devices[0].allow);
  EXPECT_FALSE(r.devices[0].type);
  EXPECT_EQ(r.devices[0].access, "rwm");
  EXPECT_EQ(r.devices[2].type, "b");
  EXPECT_EQ(r.devices[2].major, 7);
  EXPECT_FALSE(r.devices[2].minor);
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 2147483648);
  EXPECT_EQ(r.memory->swap, -1);
  EXPECT_EQ(r.memory->kernelTCP, 33554432);
  EXPECT_EQ(r.memory->swappiness, 10u);
  EXPECT_EQ(r.memory->disableOOMKiller, true);
  EXPECT_EQ(r.memory->checkBeforeUpdate, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->quota, -1);
  EXPECT_EQ(r.cpu->burst, 50000u);
  EXPECT_EQ(r.cpu->realtimeRuntime, 95000);
  EXPECT_EQ(r.cpu->cpus, "0-3");
  EXPECT_EQ(r.cpu->idle, 1);
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, -1);
  ASSERT_TRUE(r.blockIO);
  EXPECT_EQ(r.blockIO->weight, 300);
  EXPECT_EQ(r.blockIO->weightDevice.at(0).leafWeight, 65535);
  EXPECT_EQ(r.blockIO->throttleReadBpsDevice.at(0).rate, 104857600u);
  EXPECT_EQ(r.blockIO->throttleWriteBpsDevice.at(0).rate, 52428800u);
  EXPECT_EQ(r.blockIO->throttleReadIOPSDevice.at(0).minor, 1);
  EXPECT_EQ(r.blockIO->throttleWriteIOPSDevice.at(0).rate, 1000u);
  ASSERT_EQ(r.hugepageLimits.size(), 2u);
  EXPECT_EQ(r.hugepageLimits[1].pageSize, "1GB");
  EXPECT_EQ(r.hugepageLimits[0].limit, 1073741824u);
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->classID, 4294967295u);
  EXPECT_EQ(r.network->priorities.at(0).name, "eth0");
  EXPECT_EQ(r.network->priorities.at(0).priority, 7u);
  EXPECT_EQ(r.rdma.at("mlx5_0").hcaHandles, 4u);
  EXPECT_FALSE(r.rdma.at("rxe0").hcaHandles);
  EXPECT_EQ(r.rdma.at("rxe0").hcaObjects, 16u);
  EXPECT_EQ(r.unified.at("io.max"), "259:0 rbps=104857600 wiops=1000");
}

TEST(SpecParse, FullVectorSeccomp) {
  Spec s = load_good("full.json");
  ASSERT_TRUE(s.linux_ && s.linux_->seccomp);
  const Seccomp& sc = *s.linux_->seccomp;
  EXPECT_EQ(sc.defaultAction, "SCMP_ACT_ERRNO");
  EXPECT_EQ(sc.defaultErrnoRet, 1u);
  EXPECT_EQ(sc.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"}));
  ASSERT_TRUE(sc.flags);
  EXPECT_EQ(sc.flags->at(1), "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  EXPECT_EQ(sc.listenerPath, "/run/seccomp-agent.sock");
  EXPECT_EQ(sc.listenerMetadata, "ci");
  ASSERT_EQ(sc.syscalls.size(), 4u);
  EXPECT_EQ(sc.syscalls[0].names, (std::vector<std::string>{"read", "write", "exit_group"}));
  EXPECT_FALSE(sc.syscalls[0].errnoRet);
  const Syscall& clone = sc.syscalls[2];
  EXPECT_EQ(clone.action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(clone.errnoRet, 38u);
  ASSERT_EQ(clone.args.size(), 1u);
  EXPECT_EQ(clone.args[0].index, 0u);
  EXPECT_EQ(clone.args[0].value, 2114060288u);
  EXPECT_EQ(clone.args[0].op, "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(sc.syscalls[1].args.at(0).valueTwo, 0u);
  EXPECT_EQ(sc.syscalls[3].action, "SCMP_ACT_NOTIFY");
}

TEST(SpecParse, MinimalLeavesEverythingElseUnset) {
  Spec s = load_good("minimal.json");
  EXPECT_EQ(s.ociVersion, "1.0.0");
  EXPECT_EQ(s.root->path, "rootfs");
  EXPECT_FALSE(s.root->readonly);
  EXPECT_FALSE(s.process);
  EXPECT_FALSE(s.linux_);
  EXPECT_FALSE(s.hostname);
  EXPECT_TRUE(s.mounts.empty());
  EXPECT_TRUE(s.annotations.empty());
  EXPECT_TRUE(s.hooks.poststop.empty());
}

TEST(SpecParse, UnknownFieldsAreIgnored) {
  Spec s = load_good("unknown-fields.json");
  EXPECT_EQ(s.root->path, "rootfs");
  EXPECT_EQ(s.process->user.uid, 5u);
  EXPECT_EQ(s.process->user.gid, 6u);
  ASSERT_EQ(s.linux_->namespaces.size(), 1u);
  EXPECT_EQ(s.linux_->namespaces[0].type, NamespaceType::Mount);
  EXPECT_EQ(s.linux_->resources->memory->limit, 1024);
}

TEST(SpecParse, NullMembersReadAsAbsent) {
  Spec s = load_good("go-nulls.json");
  EXPECT_FALSE(s.root->readonly);
  EXPECT_TRUE(s.mounts.empty());
  EXPECT_FALSE(s.hostname);
  EXPECT_TRUE(s.hooks.prestart.empty());
  EXPECT_EQ(s.hooks.poststop.at(0).path, "/bin/true");
  EXPECT_TRUE(s.process->env.empty());
  EXPECT_FALSE(s.process->capabilities->bounding);
  EXPECT_EQ(s.process->capabilities->ambient, (std::vector<std::string>{"CAP_KILL"}));
  EXPECT_FALSE(s.linux_->namespaces.at(0).path);
  EXPECT_FALSE(s.linux_->resources->memory);
  EXPECT_FALSE(s.linux_->resources->cpu->quota);
  EXPECT_EQ(s.linux_->resources->cpu->shares, 100u);
  EXPECT_FALSE(s.linux_->seccomp);
}

TEST(SpecParse, NullForARequiredFieldIsATypeError) {
  EXPECT_EQ(parse_error(R"({"ociVersion": "1.0.0", "root": {"path": null}})"),
            "config.json: .root.path: expected a string, got null");
}

TEST(SpecParse, AcceptsSemVer1Versions) {
  for (const char* v :
       {"1.0.0", "1.0.0-rc1", "1.0.0-rc5-dev", "1.0.2-dev", "1.1.0+dev", "1.2.1", "1.3.0", "1.3.7-rc.1+build.5"}) {
    SCOPED_TRACE(v);
    std::string text = std::string(R"({"ociVersion": ")") + v + R"("})";
    EXPECT_EQ(parse_config(text).ociVersion, v);
  }
}

TEST(SpecParse, RefusesMalformedVersions) {
  for (const char* v : {"", "1", "1.0", "1.0.0.0", "01.0.0", "1.00.0", "1.0.0-", "1.0.0-rc..1", "1.0.0-01", "1.0.0+",
                        " 1.0.0", "1.0.0 "}) {
    SCOPED_TRACE(v);
    std::string text = std::string(R"({"ociVersion": ")") + v + R"("})";
    EXPECT_EQ(parse_error(text), "config.json: .ociVersion: invalid version " + hull::quote(v) +
                                     " (expected a SemVer version such as 1.2.0)");
  }
}

// Seccomp flags absent or null (Go's nil slice) are not given; [] is given
// and empty: they compile differently (SPEC_ALLOW by default, as runc).
TEST(SpecParse, SeccompFlagsAbsentNullAndEmptyAreTold) {
  for (const char* flags : {"", R"(, "flags": null)"}) {
    Spec s = parse_config(with_linux(std::string(R"({"seccomp": {"defaultAction": "SCMP_ACT_ALLOW")") + flags + "}}"));
    EXPECT_FALSE(s.linux_->seccomp->flags) << flags;
  }
  Spec s = parse_config(with_linux(R"({"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": []}})"));
  ASSERT_TRUE(s.linux_->seccomp->flags);
  EXPECT_TRUE(s.linux_->seccomp->flags->empty());
}

TEST(SpecParse, IntegerBoundsAreInclusive) {
  Spec s = parse_config(with_linux(R"({
    "uidMappings": [{"containerID": 4294967295, "hostID": 0, "size": 1}],
    "resources": {"memory": {"limit": -1, "reservation": 9223372036854775807,
                             "swappiness": 18446744073709551615},
                  "cpu": {"quota": -9223372036854775808},
                  "blockIO": {"weight": 65535, "leafWeight": 0}}})"));
  const Linux& l = *s.linux_;
  EXPECT_EQ(l.uidMappings.at(0).containerID, 4294967295u);
  EXPECT_EQ(l.resources->memory->limit, -1);  // bytes or -1 (no limit)
  EXPECT_EQ(l.resources->cpu->quota, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(l.resources->memory->reservation, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(l.resources->memory->swappiness, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(l.resources->blockIO->weight, 65535);
  EXPECT_EQ(l.resources->blockIO->leafWeight, 0);
}

// Shown as written, not as the double it reads as ("1.8446744073709552e+19").
TEST(SpecParse, IntegerBeyondUint64IsRefused) {
  EXPECT_EQ(parse_error(with_linux(R"({"resources": {"cpu": {"shares": 18446744073709551616}}})")),
            "config.json: .linux.resources.cpu.shares: expected an integer from 0 to 18446744073709551615, "
            "got number 18446744073709551616");
  EXPECT_EQ(parse_error(with_linux(R"({"resources": {"cpu": {"quota": -9223372036854775809}}})")),
            "config.json: .linux.resources.cpu.quota: expected an integer from -9223372036854775808 to "
            "9223372036854775807, got number -9223372036854775809");
  EXPECT_EQ(parse_error(with_linux(R"({"resources": {"cpu": {"shares": 1e2}}})")),
            "config.json: .linux.resources.cpu.shares: expected an integer from 0 to 18446744073709551615, "
            "got number 1e2");
}

TEST(SpecParse, FifoDevicesNeedNoNumbersOthersDo) {
  EXPECT_EQ(parse_error(with_linux(R"({"devices": [{"type": "p", "path": "/f"}, {"type": "u", "path": "/u"}]})")),
            "config.json: .linux.devices[1].major: required field is missing");
}

TEST(SpecParse, RecursivePropagationFormsAreAccepted) {
  for (const char* p : {"private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable"}) {
    SCOPED_TRACE(p);
    EXPECT_EQ(parse_config(with_linux(std::string(R"({"rootfsPropagation": ")") + p + "\"}")).linux_->rootfsPropagation,
              p);
  }
}

// An empty string is the default, as runc reads Go's zero value.
TEST(SpecParse, AnEmptyRootfsPropagationIsTheDefault) {
  EXPECT_FALSE(parse_config(with_linux(R"({"rootfsPropagation": ""})")).linux_->rootfsPropagation);
}

TEST(SpecParse, LongValuesAreCutShortInMessages) {
  std::string many(200, 'x');
  EXPECT_EQ(parse_error(R"({"ociVersion": "1.0.0", "hostname": [")" + many + R"("]})"),
            "config.json: .hostname: expected a string, got array [\"" + std::string(58, 'x') + "...");
  // A two-byte character that straddles the cut is dropped whole.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\u00e9";
  std::string shown;
  for (int i = 0; i < 28; ++i) shown += "\xc3\xa9";
  EXPECT_EQ(parse_error(R"({"ociVersion": "1.0.0", "hostname": ["x)" + accents + R"("]})"),
            "config.json: .hostname: expected a string, got array [\"x" + shown + "...");
}

TEST(SpecParse, InvalidJsonNamesLineAndColumn) {
  EXPECT_EQ(parse_error("{\n  \"ociVersion\": \"1.0.0\",\n\n     ]"),
            "config.json: invalid JSON at line 4, column 6: syntax error while parsing object key - unexpected "
            "']'; expected string literal");
  EXPECT_EQ(parse_error(""),
            "config.json: invalid JSON at line 1, column 1: syntax error while parsing value - unexpected end of "
            "input; expected '[', '{', or a literal");
}

TEST(SpecParse, TopLevelMustBeAnObject) {
  EXPECT_EQ(parse_error("\"1.0.0\""), "config.json: expected an object, got string \"1.0.0\"");
  EXPECT_EQ(parse_error("null"), "config.json: expected an object, got null");
}

TEST(SpecParse, ErrorsNameTheGivenFile) {
  try {
    parse_config("{}", "/bundles/web/config.json");
    FAIL() << "parsed a config without ociVersion";
  } catch (const hull::Error& e) {
    EXPECT_STREQ(e.what(), "/bundles/web/config.json: .ociVersion: required field is missing");
    EXPECT_EQ(e.code(), 0);
  }
}

class BundleDir : public ::testing::Test {
 protected:
  void write_config(const std::string& text) { std::ofstream(dir_ / "config.json") << text; }
  hull::test::TempDir tmp_{"spec-test"};
  fs::path dir_ = tmp_.path();
};

TEST_F(BundleDir, LoadsConfigJsonFromTheBundle) {
  write_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "hostname": "b"})");
  Spec s = load_bundle_config(dir_.string());
  EXPECT_EQ(s.hostname, "b");
  EXPECT_EQ(load_bundle_config(dir_.string() + "/").root->path, "rootfs");
}

TEST_F(BundleDir, ErrorsNameTheBundleConfigPath) {
  write_config(R"({"ociVersion": "1.2.0", "root": {"path": 1}})");
  try {
    load_bundle_config(dir_.string());
    FAIL() << "loaded a config with a numeric root path";
  } catch (const hull::Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir_ / "config.json").string() + ": .root.path: expected a string, got number 1");
  }
}

TEST_F(BundleDir, MissingConfigIsASystemError) {
  try {
    load_bundle_config(dir_.string());
    FAIL() << "loaded a bundle without config.json";
  } catch (const hull::Error& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_NE(std::string(e.what()).find((dir_ / "config.json").string()), std::string::npos);
  }
}

TEST(SpecNamespaceNames, AreTheSpecNames) {
  EXPECT_STREQ(to_string(NamespaceType::Mount), "mount");
  EXPECT_STREQ(to_string(NamespaceType::Pid), "pid");
  EXPECT_STREQ(to_string(NamespaceType::Network), "network");
  EXPECT_STREQ(to_string(NamespaceType::Uts), "uts");
  EXPECT_STREQ(to_string(NamespaceType::Ipc), "ipc");
  EXPECT_STREQ(to_string(NamespaceType::User), "user");
  EXPECT_STREQ(to_string(NamespaceType::Cgroup), "cgroup");
  EXPECT_STREQ(to_string(NamespaceType::Time), "time");
}

}  // namespace
