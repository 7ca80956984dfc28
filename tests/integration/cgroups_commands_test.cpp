// The cgroup-facing commands on real containers: pause/resume. Written to
// hold on hybrid, legacy and pure cgroup2 hosts.
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups_run_fixture.hpp"

namespace hull::itest {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

class CgroupCommandsTest : public CgroupRunTest {
 protected:
  // create + start of a container in its own cgroup running `sh -c script`.
  pid_t start_sh(const std::string& id, const std::string& script, const Json& resources = Json::object()) {
    Bundle& b = limited_bundle(resources, "bundle-" + id);
    b.args({"sh", "-c", script});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    if (c.exit_code != 0) return 0;
    start_container(id);
    bundle_ = &b;
    return state(id)["pid"].get<pid_t>();
  }
  // The counter the pause test's container keeps in /tmp/c (-1: not yet there).
  long counter() const {
    std::ifstream in(bundle_->rootfs() / "tmp/c");
    long v = -1;
    in >> v;
    return v;
  }
  // Waits (bounded) until the counter exceeds `than`.
  bool counter_grows_past(long than) const {
    for (auto end = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < end;) {
      if (counter() > than) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  Bundle* bundle_ = nullptr;
};

// The counter advances by rename, so a reader never sees a half-written file.
constexpr const char* kCounterScript =
    "i=0; while true; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; done";

TEST_F(CgroupCommandsTest, PauseFreezesTheContainerAndResumeThawsIt) {
  ASSERT_NE(start_sh("p", kCounterScript), 0);
  ASSERT_TRUE(counter_grows_past(0));

  ProcResult pause = hull({"pause", "p"});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  EXPECT_EQ(status("p"), "paused");
  long frozen_at = counter();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(counter(), frozen_at) << "the container made progress while paused";
  EXPECT_TRUE(failed_with(hull({"pause", "p"}), {"cannot pause container \"p\": it is paused"}));
  EXPECT_TRUE(failed_with(hull({"exec", "p", "true"}), {"it is paused", "resume it first"}, 255));

  ProcResult resume = hull({"resume", "p"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_EQ(status("p"), "running");
  EXPECT_TRUE(counter_grows_past(frozen_at));
  EXPECT_TRUE(failed_with(hull({"resume", "p"}), {"cannot resume container \"p\": it is running"}));
}

TEST_F(CgroupCommandsTest, PauseOfACreatedContainerIsRefused) {
  Bundle& b = limited_bundle(Json::object());
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "c"}).exit_code, 0);
  EXPECT_TRUE(failed_with(hull({"pause", "c"}), {"cannot pause container \"c\": it is created"}));
  EXPECT_TRUE(failed_with(hull({"pause", "nosuch"}), {"container \"nosuch\" does not exist"}));
}

// A frozen task acts on SIGKILL only once thawed: kill and delete --force of
// a paused container must still end it.
TEST_F(CgroupCommandsTest, KillAndForceDeleteEndAPausedContainer) {
  pid_t a = start_sh("a", "sleep 1000");
  ASSERT_NE(a, 0);
  ASSERT_EQ(hull({"pause", "a"}).exit_code, 0);
  ProcResult k = hull({"kill", "a", "KILL"});
  EXPECT_EQ(k.exit_code, 0) << k.err;
  EXPECT_TRUE(wait_exit_and_reap(a));
  EXPECT_EQ(status("a"), "stopped");
  ASSERT_EQ(hull({"delete", "a"}).exit_code, 0);

  pid_t b = start_sh("b", "sleep 1000");
  ASSERT_NE(b, 0);
  ASSERT_EQ(hull({"pause", "b"}).exit_code, 0);
  ProcResult d = hull({"delete", "--force", "b"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(wait_exit_and_reap(b));
  expect_nothing_left("b");
}

}  // namespace
}  // namespace hull::itest
