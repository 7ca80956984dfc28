// hull run inside a container made without a cgroup namespace, as a
// docker-in-docker or CI-runner container is: its /sys/fs/cgroup shows each
// hierarchy from the outer container's own cgroup (a bind of that sub-cgroup),
// while /proc/self/cgroup names the same cgroup from the hierarchy's root. The
// inner runtime must place its containers below the outer's cgroup, not below
// that path doubled, and bind its containers' own cgroups.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "cgroups_run_fixture.hpp"
#include "process/capabilities.hpp"
#include "rootfs_template.hpp"

namespace hull::itest {
namespace {

using Json = nlohmann::json;

// Every capability this hull knows (a privileged container's set).
std::vector<std::string> all_capabilities() {
  std::vector<std::string> caps;
  for (std::string_view name : process::known_capability_names()) caps.emplace_back(name);
  return caps;
}

void drop_cgroup_namespace(Json& config) {
  Json& ns = config["linux"]["namespaces"];
  ns.erase(std::remove_if(ns.begin(), ns.end(), [](const Json& n) { return n["type"] == "cgroup"; }), ns.end());
}

Json cgroup_hierarchies_mount(const std::string& type, const std::string& access) {
  return {{"destination", "/sys/fs/cgroup"},
          {"type", type},
          {"source", type},
          {"options", {"nosuid", "noexec", "nodev", "relatime", access}}};
}

// The cgroup paths of a /proc/<pid>/cgroup text that name `marker`.
std::vector<std::string> paths_naming(const std::string& proc_cgroup, const std::string& marker) {
  std::vector<std::string> out;
  std::istringstream in(proc_cgroup);
  for (std::string line; std::getline(in, line);) {
    size_t second = line.find(':', line.find(':') + 1);
    if (second != std::string::npos && line.find(marker) != std::string::npos) out.push_back(line.substr(second + 1));
  }
  return out;
}

size_t occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

class NestedRuntimeTest : public CgroupRunTest {};

// The outer container: privileged (every capability, every device, no
// seccomp), no cgroup namespace, the cgroup hierarchies bound read-write,
// hull bound read-only at /hull. It runs hull on inner bundles whose
// containers print their /proc/self/cgroup and the processes their own
// /sys/fs/cgroup (a cgroup mount of each type the host has) lists.
TEST_F(NestedRuntimeTest, ARuntimeInAContainerWithoutACgroupNamespacePlacesItsContainersBelowThatContainer) {
  if (has_interpreter(runtime_binary()))
    GTEST_SKIP() << runtime_binary() << " is dynamically linked: it cannot run inside the busybox rootfs";
  const std::filesystem::path work = temp_dir() / "nested";
  std::filesystem::create_directories(work / "state");
  std::vector<std::string> types = {"cgroup"};
  if (cgroups::Host::current().mode != cgroups::Mode::Legacy) types.push_back("cgroup2");
  std::string script = "set -e\n";
  for (const std::string& type : types) {
    Bundle inner(work / ("inner-" + type));
    inner.config["linux"]["cgroupsPath"] = "inner-" + type;
    drop_cgroup_namespace(inner.config);
    inner.config["mounts"].push_back(cgroup_hierarchies_mount(type, "ro"));
    inner.args({"sh", "-c",
                "cat /proc/self/cgroup; echo procs; "
                "cat /sys/fs/cgroup/memory/cgroup.procs 2>/dev/null || cat /sys/fs/cgroup/cgroup.procs"});
    script +=
        "echo '== " + type + "'\n/hull --root /work/state run --bundle /work/inner-" + type + " inner-" + type + "\n";
  }
  // Removed after the outer container ended, which ended the inner ones,
  // where a failure left an inner cgroup in the outer's (TearDown checks
  // that the outer's are gone).
  struct InnerCgroups {
    std::vector<std::string> dirs;
    ~InnerCgroups() {
      for (const auto& d : dirs) ::rmdir(d.c_str());
    }
  } leftovers;
  for (const auto& dir : container_dirs())
    for (const std::string& type : types) leftovers.dirs.push_back(dir + "/inner-" + type);

  Bundle& outer = bundle("outer");
  outer.config["linux"]["cgroupsPath"] = cgroups_path();
  drop_cgroup_namespace(outer.config);
  outer.config["process"]["capabilities"] = {
      {"bounding", all_capabilities()}, {"effective", all_capabilities()}, {"permitted", all_capabilities()}};
  outer.config["process"]["noNewPrivileges"] = false;
  outer.config["linux"]["resources"]["devices"] = Json::array({{{"allow", true}, {"access", "rwm"}}});
  outer.config["mounts"].push_back(cgroup_hierarchies_mount("cgroup", "rw"));
  outer.config["mounts"].push_back(
      {{"destination", "/hull"}, {"type", "bind"}, {"source", runtime_binary()}, {"options", {"bind", "ro"}}});
  outer.config["mounts"].push_back(
      {{"destination", "/work"}, {"type", "bind"}, {"source", work.string()}, {"options", {"rbind", "rw"}}});
  outer.args({"sh", "-c", script});
  ProcResult r = hull({"run", "--bundle", outer.dir().string(), "outer"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const std::string outer_cgroup = cgroups_path();  // "hull-cgrun-<pid>-<test>/c"
  for (const std::string& type : types) {
    SCOPED_TRACE("inner container with a " + type + " mount");
    const size_t from = r.out.find("== " + type + "\n");
    ASSERT_NE(from, std::string::npos) << r.out;
    const std::string section = r.out.substr(from, r.out.find("== ", from + 3) - from);
    const std::string procs = section.substr(section.find("procs\n") + 6);
    const std::vector<std::string> paths = paths_naming(section.substr(0, section.find("procs\n")), outer_cgroup);
    // At least the hierarchy the memory limits would use, v1's or v2's.
    EXPECT_FALSE(paths.empty()) << section;
    for (const std::string& path : paths) {
      EXPECT_EQ(occurrences(path, outer_cgroup), 1u) << path;
      EXPECT_TRUE(path.ends_with(outer_cgroup + "/inner-" + type)) << path;
    }
    // The inner container's /sys/fs/cgroup is its own cgroup: it lists the
    // container's first process, pid 1 in its pid namespace.
    EXPECT_NE(("\n" + procs).find("\n1\n"), std::string::npos) << section;
  }
}

}  // namespace
}  // namespace hull::itest
