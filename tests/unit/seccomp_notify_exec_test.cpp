// What `hull exec` needs from the seccomp module under a notify profile:
// whether the profile makes a listener (decided before the runtime joins the
// container's mount namespace), and the process state naming the exec'd
// process's pid beside the container's state.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "seccomp/seccomp.hpp"

namespace {

namespace sc = hull::seccomp;

TEST(SeccompNotifyExec, UsesNotifyWhenARuleNotifies) {
  hull::spec::Seccomp s;
  s.defaultAction = "SCMP_ACT_ALLOW";
  EXPECT_FALSE(sc::uses_notify(s));
  s.syscalls.push_back({{"mkdir"}, "SCMP_ACT_ERRNO", {}, {}});
  EXPECT_FALSE(sc::uses_notify(s));
  s.syscalls.push_back({{"mkdirat"}, "SCMP_ACT_NOTIFY", {}, {}});
  EXPECT_TRUE(sc::uses_notify(s));
}

TEST(SeccompNotifyExec, ProcessPidOverridesTheInitsPid) {
  auto j = nlohmann::json::parse(
      sc::process_state_json(R"({"ociVersion":"1.2.0","id":"c1","status":"running","pid":4422})", "m", 5511));
  EXPECT_EQ(j["pid"], 5511);
  EXPECT_EQ(j["state"]["pid"], 4422);
  EXPECT_EQ(j["state"]["status"], "running");
}

}  // namespace
