#include "runtime/features.hpp"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>

#include "support/forked_child.hpp"

namespace hull::features {
namespace {

bool lists(const nlohmann::json& array, const std::string& item) {
  return std::find(array.begin(), array.end(), item) != array.end();
}

bool all_strings(const nlohmann::json& array) {
  return array.is_array() && std::all_of(array.begin(), array.end(), [](const auto& x) { return x.is_string(); });
}

TEST(Features, TopLevelShape) {
  auto j = nlohmann::json::parse(document_text());
  EXPECT_EQ(j["ociVersionMin"], "1.0.0");
  EXPECT_EQ(j["ociVersionMax"], "1.3.0");
  EXPECT_TRUE(all_strings(j["hooks"]));
  EXPECT_TRUE(lists(j["hooks"], "prestart"));
  EXPECT_TRUE(all_strings(j["mountOptions"]));
  EXPECT_TRUE(lists(j["mountOptions"], "ro"));
  EXPECT_TRUE(lists(j["mountOptions"], "rbind"));
  EXPECT_TRUE(j["linux"].is_object());
  EXPECT_TRUE(j["annotations"]["io.github.seccomp.libseccomp.version"].is_string());
  EXPECT_EQ(j["annotations"]["io.github.hull.version"], HULL_VERSION);
  EXPECT_EQ(j["annotations"]["io.github.hull.checkpoint.enabled"], "true");
  EXPECT_EQ(j["annotations"]["io.github.hull.checkpoint.criu"], "cli");
  EXPECT_EQ(j["annotations"]["io.github.hull.checkpoint.terminal"], "console-socket,shell-job");
  EXPECT_EQ(j["annotations"]["io.github.hull.checkpoint.restore-hooks"], "prestart,createRuntime");
  EXPECT_EQ(j["annotations"]["io.github.hull.checkpoint.lazy-pages"], "true");
  // Every annotation hull acts on, for engines to filter (runtime-spec 1.2).
  EXPECT_EQ(j["potentiallyUnsafeConfigAnnotations"],
            nlohmann::json::array({"org.systemd.property.", "org.criu.config", "org.hull."}));
}

TEST(Features, OutputIsRuncStyle) {
  std::string text = document_text();
  EXPECT_EQ(text.substr(0, 6), "{\n    ") << "four-space indent";
  EXPECT_EQ(text.back(), '\n');
  EXPECT_LT(text.find("ociVersionMin"), text.find("ociVersionMax"));
  EXPECT_LT(text.find("mountOptions"), text.find("\"linux\""));
}

TEST(Features, Namespaces) {
  auto ns = linux_section()["namespaces"];
  for (const char* n : {"mount", "uts", "ipc", "pid", "network", "cgroup", "user", "time"})
    EXPECT_TRUE(lists(ns, n)) << n;
  EXPECT_EQ(ns.size(), 8u);
}

TEST(Features, CapabilitiesFromLibcap) {
  auto caps = known_capabilities();
  ASSERT_GE(caps.size(), 38u);  // every libcap since 2.25 knows at least CAP_AUDIT_READ (37)
  EXPECT_EQ(caps.front(), "CAP_CHOWN");
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN"), caps.end());
  for (const auto& c : caps) EXPECT_EQ(c.rfind("CAP_", 0), 0u) << c;
}

TEST(Features, Seccomp) {
  auto s = seccomp_section();
  ASSERT_TRUE(s["enabled"].is_boolean());
  if (!s["enabled"]) return;
  EXPECT_TRUE(lists(s["actions"], "SCMP_ACT_ERRNO"));
  EXPECT_TRUE(lists(s["operators"], "SCMP_CMP_MASKED_EQ"));
  EXPECT_TRUE(lists(s["archs"], "SCMP_ARCH_X86_64"));
  EXPECT_TRUE(all_strings(s["knownFlags"]));
  for (const auto& f : s["supportedFlags"]) EXPECT_TRUE(lists(s["knownFlags"], f)) << f;
}

TEST(Features, SeccompFlagsAreProbedNotAssumed) {
  auto s = seccomp_section();
  // A sandbox that filters seccomp(2) itself makes the probe find nothing.
  if (s["supportedFlags"].empty()) GTEST_SKIP() << "seccomp(2) is not usable here";
  // Every kernel new enough to run hull (5.x with clone3) accepts these.
  EXPECT_TRUE(lists(s["supportedFlags"], "SECCOMP_FILTER_FLAG_TSYNC"));
  EXPECT_TRUE(lists(s["supportedFlags"], "SECCOMP_FILTER_FLAG_LOG"));
}

TEST(Features, MemoryPolicy) {
  auto mp = linux_section()["memoryPolicy"];
  EXPECT_TRUE(lists(mp["modes"], "MPOL_BIND"));
  EXPECT_TRUE(lists(mp["modes"], "MPOL_DEFAULT"));
  EXPECT_TRUE(lists(mp["flags"], "MPOL_F_STATIC_NODES"));
}

TEST(Features, BooleansWhereTheSchemaSaysBool) {
  auto l = linux_section();
  for (const char* k : {"v1", "v2", "systemd", "systemdUser", "rdma"}) {
    EXPECT_TRUE(l["cgroup"][k].is_boolean()) << k;
  }
  EXPECT_TRUE(l["cgroup"]["systemd"]) << "--systemd-cgroup (src/cgroups/systemd_*)";
  EXPECT_TRUE(l["cgroup"]["systemdUser"]) << "rootless --systemd-cgroup: the user's manager";
  EXPECT_TRUE(l["apparmor"]["enabled"].is_boolean());
  EXPECT_TRUE(l["selinux"]["enabled"].is_boolean());
  EXPECT_EQ(l["mountExtensions"]["idmap"]["enabled"], true);
  // Implemented (cgroups/resctrl.hpp); whether the CPU has RDT is the host's.
  for (const char* k : {"enabled", "schemata", "monitoring"}) EXPECT_EQ(l["intelRdt"][k], true) << k;
}

// What hull recognises, not what the running kernel has (features.md: known
// at build time; features-linux.md: mountExtensions "irrespective of the
// availability of the features on the host"): on a kernel without
// mount_setattr (before 5.12; here made so by a seccomp filter that answers
// it ENOSYS, in a forked child) idmap stays enabled and rro listed; such a
// mount is refused when it is made.
TEST(Features, TheSameWhereTheKernelLacksMountSetattr) {
  test::ForkedResult r = test::run_forked_output([] {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mount_setattr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("PR_SET_NO_NEW_PRIVS");
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) throw_errno("seccomp");
    const auto doc = document();
    const auto& options = doc["mountOptions"];
    const bool rro = std::find(options.begin(), options.end(), "rro") != options.end();
    return doc["linux"]["mountExtensions"]["idmap"]["enabled"].dump() + (rro ? " rro" : " no-rro");
  });
  ASSERT_TRUE(r.exited_ok()) << r.error;
  EXPECT_EQ(r.output, "true rro");
}

}  // namespace
}  // namespace hull::features
