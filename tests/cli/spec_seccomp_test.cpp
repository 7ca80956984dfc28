// `hull spec --seccomp`: the config it writes runs a container under hull's
// default seccomp profile. Only the fields a test must own change (no
// terminal, the command, the harness's cgroupsPath); the rest is used as
// written.
#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "cgroups/host.hpp"
#include "harness.hpp"
#include "runtime/state_store.hpp"
#include "seccomp/program_cache.hpp"
#include "spec/spec.hpp"
#include "support/temp_dir.hpp"

namespace hull::itest {
namespace {

class SpecSeccomp : public HullTest {
 protected:
  // The spec `hull spec <flags>` writes into b, made runnable by the test.
  nlohmann::json written_spec(Bundle& b, std::vector<std::string> flags) {
    std::vector<std::string> args{"spec", "--bundle", b.dir().string()};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcResult r = hull(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(b.config_path());
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json cfg = nlohmann::json::parse(text.str());
    std::filesystem::remove(b.config_path());
    cfg["process"]["terminal"] = false;
    cfg["linux"]["cgroupsPath"] = b.config["linux"]["cgroupsPath"];
    return cfg;
  }
};

// A new user namespace needs no capability, so without the profile root in
// the container gets one; the profile refuses unshare to a container
// without CAP_SYS_ADMIN.
constexpr const char* kProbe =
    "grep '^Seccomp:' /proc/self/status; "
    "if unshare -U true; then echo unshare-allowed; fi; echo alive";

TEST_F(SpecSeccomp, ContainerRunsUnderTheDefaultProfile) {
  Bundle& b = bundle();
  b.config = written_spec(b, {"--seccomp"});
  ASSERT_TRUE(b.config["linux"].contains("seccomp"));
  b.args({"sh", "-c", kProbe});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "specsec"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t2\nalive\n") << r.err;
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
}

// The profile is compiled once (10 ms for this one with its three
// architectures): the next container with it gets the program the runtime
// kept under its state root, and is filtered the same.
TEST_F(SpecSeccomp, TheSecondContainerGetsTheProgramTheFirstCompiled) {
  Bundle& b = bundle();
  b.config = written_spec(b, {"--seccomp"});
  b.args({"sh", "-c", kProbe});
  ProcResult first = hull({"run", "--bundle", b.dir().string(), "cache1"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "Seccomp:\t2\nalive\n") << first.err;
  const auto cache = state_root() / kSeccompCacheName;
  std::vector<std::filesystem::path> entries;
  for (const auto& e : std::filesystem::directory_iterator(cache)) entries.push_back(e.path());
  ASSERT_EQ(entries.size(), 1u);
  struct stat before {};
  ASSERT_EQ(::stat(entries[0].c_str(), &before), 0);
  ProcResult second = hull({"run", "--bundle", b.dir().string(), "cache2"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "Seccomp:\t2\nalive\n") << second.err;
  EXPECT_NE(second.err.find("Operation not permitted"), std::string::npos) << second.err;
  struct stat after {};
  ASSERT_EQ(::stat(entries[0].c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the entry was written again instead of read";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(cache), std::filesystem::directory_iterator()), 1);
  // The cache is no container: list shows none once both are gone.
  ProcResult list = hull({"list", "-q"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "") << list.err;
}

// An entry under the profile's name that was compiled from another profile
// (here one that allows everything) is not loaded: its key is not the
// profile's. The runtime compiles the real one and replaces the entry.
TEST_F(SpecSeccomp, AProgramPlantedUnderTheProfilesNameIsNotLoaded) {
  Bundle& b = bundle();
  b.config = written_spec(b, {"--seccomp"});
  b.args({"sh", "-c", kProbe});
  const spec::Seccomp profile = *spec::parse_config(b.config.dump()).linux_->seccomp;
  spec::Seccomp allow_all;
  allow_all.defaultAction = "SCMP_ACT_ALLOW";
  allow_all.syscalls = {{{"getppid"}, "SCMP_ACT_LOG", {}, {}}};
  test::TempDir scratch("planted");
  const auto at = [](const std::string& dir, const std::string& name) {
    return seccomp::CacheDir{UniqueFd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), name};
  };
  seccomp::compile_cached(allow_all, at(scratch.path(), "c"));
  const auto cache = state_root() / kSeccompCacheName;
  std::filesystem::create_directories(cache);
  std::filesystem::permissions(cache, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  const std::string name = seccomp::cache_entry_name(seccomp::cache_key(profile));
  std::filesystem::rename(scratch / ("c/" + seccomp::cache_entry_name(seccomp::cache_key(allow_all))), cache / name);
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "planted"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t2\nalive\n") << r.err;
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  EXPECT_TRUE(seccomp::compile_cached(profile, at(state_root().string(), kSeccompCacheName)).from_cache)
      << "the planted entry was not replaced by the profile's own";
}

TEST_F(SpecSeccomp, PlainSpecHasNoFilter) {
  Bundle& b = bundle();
  b.config = written_spec(b, {});
  ASSERT_FALSE(b.config["linux"].contains("seccomp"));
  b.args({"sh", "-c", kProbe});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "specplain"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t0\nunshare-allowed\nalive\n") << r.err;
}

// A profile that refuses execve (and the runtime's report and exit_group
// with it) started nothing and said nothing: run exited 139, as if the
// program had crashed, and create and start succeeded with a container that
// never ran. It is refused at create, naming the field.
TEST_F(SpecSeccomp, AProfileRefusingExecveFailsCreateNamingIt) {
  Bundle& b = bundle();
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ERRNO"},
                                  {"syscalls", {{{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}}}}};
  b.args({"true"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "noexecve"});
  EXPECT_TRUE(failed_with(r, {"linux.seccomp.defaultAction: refuses \"execve\" and no rule lets it through"})) << r.err;
}

// `spec` lists a cgroup namespace only where /sys/fs/cgroup is cgroup2, as
// runc's template does: on a v1 or hybrid host the container it describes
// is in the caller's cgroup namespace, as seen from inside.
class SpecCommand : public SpecSeccomp {};

TEST_F(SpecCommand, CgroupNamespaceOnlyOnAPureCgroupV2Host) {
  Bundle& b = bundle();
  b.config = written_spec(b, {});
  bool cgroupns = false;
  for (const auto& ns : b.config["linux"]["namespaces"]) cgroupns |= ns["type"] == "cgroup";
  const bool pure_v2 = cgroups::Host::current().mode == cgroups::Mode::Unified;
  EXPECT_EQ(cgroupns, pure_v2);
  b.args({"readlink", "/proc/self/ns/cgroup"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "speccgns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (pure_v2)
    EXPECT_NE(r.out, host_ns("cgroup") + "\n");
  else
    EXPECT_EQ(r.out, host_ns("cgroup") + "\n");
}

}  // namespace
}  // namespace hull::itest
