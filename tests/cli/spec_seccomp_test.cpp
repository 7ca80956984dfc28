// `hull spec --seccomp`: the config it writes runs a container under hull's
// default seccomp profile. Only the fields a test must own change (no
// terminal, the command, the harness's cgroupsPath); the rest is used as
// written.
#include <fstream>
#include <sstream>

#include "cgroups/host.hpp"
#include "harness.hpp"

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

TEST_F(SpecSeccomp, PlainSpecHasNoFilter) {
  Bundle& b = bundle();
  b.config = written_spec(b, {});
  ASSERT_FALSE(b.config["linux"].contains("seccomp"));
  b.args({"sh", "-c", kProbe});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "specplain"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t0\nunshare-allowed\nalive\n") << r.err;
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
