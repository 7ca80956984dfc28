// Rootless mode's pure parts (runtime/rootless.hpp, `hull spec --rootless`):
// the mode and state root decisions, the spec adjustments. No root needed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "runtime/default_spec.hpp"
#include "runtime/rootless.hpp"
#include "spec/spec.hpp"

namespace {

TEST(Rootless, ModeFollowsTheFlagOrTheEffectiveUid) {
  EXPECT_TRUE(hull::rootless_mode("true"));
  EXPECT_FALSE(hull::rootless_mode("false"));
  EXPECT_EQ(hull::rootless_mode("auto"), ::geteuid() != 0);
}

TEST(Rootless, StateRootIsUnderXdgRuntimeDirOnlyInRootlessMode) {
  const char* old = std::getenv("XDG_RUNTIME_DIR");
  std::string saved = old ? old : "";
  ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
  EXPECT_EQ(hull::default_state_root(true), "/run/user/1000/hull");
  EXPECT_EQ(hull::default_state_root(false), "/run/hull");
  ::unsetenv("XDG_RUNTIME_DIR");
  EXPECT_EQ(hull::default_state_root(true), "/run/hull");
  if (old) ::setenv("XDG_RUNTIME_DIR", saved.c_str(), 1);
}

bool has(const std::vector<std::string>& v, const std::string& s) {
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
  EXPECT_TRUE(has(spec.mounts[1].options, "rro"));
  EXPECT_FALSE(has(spec.mounts[2].options, "rro"));
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
  EXPECT_FALSE(has(types, "network"));
  EXPECT_TRUE(has(types, "user"));
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
