// Rootless mode's pure parts (runtime/rootless.hpp, `hull spec --rootless`):
// the mode and state root decisions, the spec adjustments. No root needed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "runtime/default_spec.hpp"
#include "runtime/rootless.hpp"
#include "spec/spec.hpp"

namespace {

TEST(Rootless, ModeFollowsTheFlagOrTheEffectiveUid) {
  EXPECT_TRUE(hull::rootless_mode("true"));
  EXPECT_FALSE(hull::rootless_mode("false"));
  EXPECT_EQ(hull::rootless_mode("auto"), ::geteuid() != 0 || !hull::in_initial_user_namespace());
  // auto: an ordinary user, or uid 0 of a user namespace someone made.
  EXPECT_FALSE(hull::rootless_mode("auto", 0, true));
  EXPECT_TRUE(hull::rootless_mode("auto", 0, false));
  EXPECT_TRUE(hull::rootless_mode("auto", 1000, true));
  EXPECT_FALSE(hull::rootless_mode("false", 0, false));
  EXPECT_TRUE(hull::rootless_mode("true", 0, true));
}

// The initial namespace's map is the one identity line over all ids, as the
// kernel formats it; podman's rootless map, a root-only self-map, a map of
// 2^32-2 ids or two lines are not.
TEST(Rootless, InitialUserNamespaceIsTheFullIdentityMap) {
  EXPECT_TRUE(hull::is_initial_user_namespace_map("         0          0 4294967295\n"));
  EXPECT_TRUE(hull::is_initial_user_namespace_map("0 0 4294967295"));
  EXPECT_FALSE(
      hull::is_initial_user_namespace_map("         0       1001          1\n         1     100000      65536\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("         0       1001          1\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("         0          0 4294967294\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("         0          0 4294967295\n         0          0 1\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("         1          1 4294967295\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map(""));  // a new namespace, no map written yet
  // Each field whole and unsigned: no sign, no suffix, no fourth field.
  EXPECT_FALSE(hull::is_initial_user_namespace_map("0 0 4294967295x\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("+0 0 4294967295\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("0 0 4294967295 0\n"));
  EXPECT_FALSE(hull::is_initial_user_namespace_map("0 0\n"));
}

// The real thing in a forked child: a user namespace of its own, the
// caller's euid mapped to 0 in it. There hull runs as uid 0 but rootless,
// with its state under $XDG_RUNTIME_DIR (podman's rootless mode).
TEST(Rootless, UidZeroInAUserNamespaceIsRootless) {
  if (!hull::in_initial_user_namespace()) GTEST_SKIP() << "the test itself runs in a user namespace";
  const unsigned euid = ::geteuid();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // 10: no user namespace here (a sysctl or seccomp may forbid them).
    if (::unshare(CLONE_NEWUSER) != 0) ::_exit(10);
    const std::string map = "0 " + std::to_string(euid) + " 1\n";
    int fd = ::open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, map.data(), map.size()) != static_cast<ssize_t>(map.size())) ::_exit(11);
    ::close(fd);
    if (::geteuid() != 0) ::_exit(12);
    if (hull::in_initial_user_namespace()) ::_exit(13);
    if (!hull::rootless_mode("auto")) ::_exit(14);
    if (hull::rootless_mode("false")) ::_exit(15);
    ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    ::setenv("USER", "alice", 1);
    if (hull::default_state_root() != "/run/user/1000/hull") ::_exit(16);
    ::setenv("USER", "root", 1);
    if (hull::default_state_root() != "/run/hull") ::_exit(17);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 10) GTEST_SKIP() << "unshare(CLONE_NEWUSER) refused here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "failed check " << WEXITSTATUS(status);
}

// As runc's shouldHonorXDGRuntimeDir: by who the caller is, never by
// --rootless (found by review: `hull --rootless true create` as root put the
// container where a plain `hull state` did not look).
TEST(Rootless, StateRootIsUnderXdgRuntimeDirForAnOrdinaryUser) {
  EXPECT_EQ(hull::default_state_root(1000, true, "/run/user/1000", "alice"), "/run/user/1000/hull");
  EXPECT_EQ(hull::default_state_root(1000, false, "/run/user/1000", "alice"), "/run/user/1000/hull");
  EXPECT_EQ(hull::default_state_root(1000, true, nullptr, "alice"), "/run/hull");
  EXPECT_EQ(hull::default_state_root(1000, true, "", "alice"), "/run/hull");
  // The real root: /run/hull, whatever its environment says.
  EXPECT_EQ(hull::default_state_root(0, true, "/run/user/1000", nullptr), "/run/hull");
  EXPECT_EQ(hull::default_state_root(0, true, "/run/user/1000", "alice"), "/run/hull");
  // euid 0 in a user namespace: the user's XDG_RUNTIME_DIR (podman sets it,
  // with no USER or the user's), but not for a $USER of root, as runc.
  EXPECT_EQ(hull::default_state_root(0, false, "/run/user/1000", nullptr), "/run/user/1000/hull");
  EXPECT_EQ(hull::default_state_root(0, false, "/run/user/1000", "alice"), "/run/user/1000/hull");
  EXPECT_EQ(hull::default_state_root(0, false, "/run/user/0", "root"), "/run/hull");
  // A user named root with another euid is still that user.
  EXPECT_EQ(hull::default_state_root(1000, true, "/run/user/1000", "root"), "/run/user/1000/hull");
}

bool has_entry(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// CVE-2023-25809: without a cgroup namespace the cgroup tree is read-only,
// a bound host /sys read-only all the way down.
TEST(Rootless, CgroupTreeIsReadOnlyWithoutACgroupNamespace) {
  auto spec = hull::spec::parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"},
    "process": {"cwd": "/", "args": ["sh"]},
    "mounts": [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rw", "nosuid"]},
               {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "ro"]},
               {"destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind", "ro"]}],
    "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}]}})");
  auto with_ns = spec;
  with_ns.linux_->namespaces.push_back({hull::spec::NamespaceType::Cgroup, std::nullopt});
  hull::make_cgroup_mounts_readonly_without_cgroupns(spec);
  EXPECT_EQ(spec.mounts[0].options, (std::vector<std::string>{"nosuid", "ro"}));
  EXPECT_TRUE(has_entry(spec.mounts[1].options, "rro"));
  EXPECT_FALSE(has_entry(spec.mounts[2].options, "rro"));
  hull::make_cgroup_mounts_readonly_without_cgroupns(with_ns);
  EXPECT_EQ(with_ns.mounts[0].options, (std::vector<std::string>{"rw", "nosuid"}));
}

// runc spec --rootless: user namespace mapping the caller, no network
// namespace, /sys bound, no gid= options, no resources.
TEST(Rootless, SpecRootlessIsRuncs) {
  hull::DefaultSpecOptions o;
  o.rootless = true;
  auto j = hull::default_spec(o);
  const auto& lx = j["linux"];
  std::vector<std::string> types;
  for (const auto& n : lx["namespaces"]) types.push_back(n["type"]);
  EXPECT_FALSE(has_entry(types, "network"));
  EXPECT_TRUE(has_entry(types, "user"));
  EXPECT_EQ(lx["uidMappings"][0]["hostID"], ::geteuid());
  EXPECT_EQ(lx["uidMappings"][0]["size"], 1);
  EXPECT_EQ(lx["gidMappings"][0]["hostID"], ::getegid());
  EXPECT_FALSE(lx.contains("resources"));
  for (const auto& m : j["mounts"]) {
    for (const auto& o : m["options"]) EXPECT_FALSE(o.get<std::string>().starts_with("gid=")) << m.dump();
    if (m["destination"] == "/sys") {
      EXPECT_EQ(m["source"], "/sys");
      EXPECT_EQ(m["options"][0], "rbind");
    }
  }
  // And it is a valid config for hull.
  EXPECT_NO_THROW(hull::spec::parse_config(j.dump()));
}

}  // namespace
