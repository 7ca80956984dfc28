// Device rules as written (issue #13): linux.resources.devices in order plus
// runc's default allow-list; an entry of linux.devices gets a node in the
// container, never a cgroup rule. /dev/kmsg (1:11) is the listed device: the
// defaults do not allow it, and a write to it is harmless (a kernel log line).
// The same on v1 (devices.allow/deny, this host) and v2 (eBPF, the VM lane).
#include "harness.hpp"

namespace hull::itest {
namespace {

using nlohmann::json;

class DeviceRulesTest : public HullTest {
 protected:
  // A deny-all rule, then `more`; /dev/kmsg listed in linux.devices.
  ProcResult write_kmsg(const json& more, const std::string& id) {
    Bundle& b = bundle("bundle-" + id);
    b.config["linux"]["devices"] = {{{"path", "/dev/kmsg"},
                                     {"type", "c"},
                                     {"major", 1},
                                     {"minor", 11},
                                     {"fileMode", 0666},
                                     {"uid", 0},
                                     {"gid", 0}}};
    json rules = json::array({{{"allow", false}, {"access", "rwm"}}});
    for (const auto& r : more) rules.push_back(r);
    b.config["linux"]["resources"] = {{"devices", rules}};
    return run_sh(b, "test -c /dev/kmsg && echo node; echo hull-itest >/dev/kmsg && echo opened", id);
  }
};

TEST_F(DeviceRulesTest, ADenyAllKeepsAListedDeviceClosed) {
  ProcResult r = write_kmsg(json::array(), "denied");
  EXPECT_EQ(r.out, "node\n") << r.err;
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
}

TEST_F(DeviceRulesTest, AnAllowRuleOpensAListedDevice) {
  ProcResult r =
      write_kmsg({{{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "rw"}}}, "allowed");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "node\nopened\n") << r.err;
}

TEST_F(DeviceRulesTest, AReadOnlyRuleRefusesAWrite) {
  ProcResult r = write_kmsg({{{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "r"}}}, "ronly");
  EXPECT_EQ(r.out, "node\n") << r.err;
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
}

// Rules apply in order, the last match winning: an allow followed by a deny
// of the same device closes it again.
TEST_F(DeviceRulesTest, ALaterDenyOverridesAnEarlierAllow) {
  ProcResult r = write_kmsg({{{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "rw"}},
                             {{"allow", false}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "w"}}},
                            "redeny");
  EXPECT_EQ(r.out, "node\n") << r.err;
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
}

// A deny narrower than an allow before it (every char device of major 1,
// then not 1:11): the v1 kernel ignored the deny, so the container wrote to
// /dev/kmsg here, while v2's program refused it. Refused at create, naming
// the rule, as runc refuses it; nothing is left.
TEST_F(DeviceRulesTest, ADenyThatCutsAHoleInAWiderAllowIsRefused) {
  ProcResult r = write_kmsg({{{"allow", true}, {"type", "c"}, {"major", 1}, {"access", "rw"}},
                             {{"allow", false}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "w"}}},
                            "hole");
  EXPECT_TRUE(
      failed_with(r, {"linux.resources.devices[2]: deny c 1:11 w would cut a hole in the wider allow c 1:* rw"}));
  EXPECT_EQ(r.out, "") << r.err;
  expect_nothing_left("hole");
}

// The default devices listed again in linux.devices, at their own numbers,
// under a deny-all: they stay usable. runc dropped the default rule of each
// listed path and failed to start; an earlier hull ran the container with
// /dev/null, /dev/tty and /dev/urandom answering EPERM.
TEST_F(DeviceRulesTest, TheDefaultDevicesListedAgainStayUsable) {
  Bundle& b = bundle("bundle-relisted");
  b.config["linux"]["devices"] = {{{"path", "/dev/null"}, {"type", "c"}, {"major", 1}, {"minor", 3}},
                                  {{"path", "/dev/urandom"}, {"type", "c"}, {"major", 1}, {"minor", 9}},
                                  {{"path", "/dev/zero"}, {"type", "c"}, {"major", 1}, {"minor", 5}}};
  b.config["linux"]["resources"] = {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}};
  ProcResult r = run_sh(b,
                        "echo x >/dev/null && echo null; head -c1 /dev/urandom >/dev/null && echo urandom;"
                        " head -c1 /dev/zero >/dev/null && echo zero",
                        "relisted");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "null\nurandom\nzero\n") << r.err;
}

}  // namespace
}  // namespace hull::itest
