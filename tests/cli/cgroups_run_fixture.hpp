#pragma once
// Real containers with a cgroupsPath of their own: "hull-cgrun-<pid>-<test>/c"
// below the test process's cgroups (tests of other worktrees run containers
// with the same ids concurrently). TearDown checks that deleting the
// containers removed their cgroups and removes the parent directories.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "cgroups/cgroup_manager.hpp"
#include "cgroups/host.hpp"
#include "harness.hpp"

namespace hull::itest {

// A `sleep 1000` child of the test, killed and reaped when it goes (when
// an assertion fails too): someone else's process to put in a cgroup.
class SleepingChild {
 public:
  SleepingChild() : pid_(::fork()) {
    if (pid_ == 0) {
      ::execl("/bin/sleep", "sleep", "1000", nullptr);
      ::_exit(127);
    }
  }
  ~SleepingChild() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  SleepingChild(const SleepingChild&) = delete;
  SleepingChild& operator=(const SleepingChild&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

class CgroupRunTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    parent_ = "hull-cgrun-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    HullTest::TearDown();  // deletes the containers, which removes their cgroups
    for (const auto& d : container_dirs()) {
      struct stat st {};
      EXPECT_NE(::stat(d.c_str(), &st), 0) << "left behind: " << d;
      ::rmdir(d.substr(0, d.rfind('/')).c_str());
    }
  }
  std::string cgroups_path() const { return parent_ + "/c"; }
  // Pure v2 (the v2vm lane) rather than this project's hybrid hosts.
  static bool unified() { return cgroups::Host::current().mode == cgroups::Mode::Unified; }
  // Where the container's cgroups are, by the same resolution hull uses.
  std::vector<std::string> container_dirs() const {
    cgroups::Paths p = cgroups::resolve_paths(cgroups_path(), "", cgroups::Host::current());
    std::vector<std::string> out;
    for (const auto& [name, dir] : p.v1) out.push_back(dir);
    if (!p.v2.empty()) out.push_back(p.v2);
    return out;
  }
  // A sleeping container "holder" in parent_, so the parent exists with its
  // controllers' files (enabled on v2) for a limit to be written to: the
  // parent's directory in `controller`'s hierarchy ("" and a test failure
  // if the holder could not be created).
  std::string parent_of_a_holder(const char* controller) {
    Bundle& holder = limited_bundle(nlohmann::json::object(), "bundle-holder");
    holder.config["linux"]["cgroupsPath"] = parent_ + "/holder";
    holder.args({"sleep", "1000"});
    ProcResult r = hull({"create", "--bundle", holder.dir().string(), "holder"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return "";
    const std::string dir = dir_of(controller);
    return dir.substr(0, dir.rfind('/'));
  }
  std::string dir_of(const char* controller) const {
    cgroups::Paths p = cgroups::resolve_paths(cgroups_path(), "", cgroups::Host::current());
    for (const auto& [name, h] : cgroups::Host::current().v1)
      if (h.controllers.count(controller)) return p.v1.at(name);
    return p.v2;
  }
  // The container's directory in `controller`'s hierarchy and its parent,
  // made before the container (as another's would be): the directory, or ""
  // (and a test failure).
  std::string premade_dir(const char* controller) const {
    const std::string dir = dir_of(controller);
    const std::string parent = dir.substr(0, dir.rfind('/'));
    if (dir.empty() || ::mkdir(parent.c_str(), 0755) != 0 || ::mkdir(dir.c_str(), 0755) != 0) {
      ADD_FAILURE() << "mkdir " << dir << ": " << std::strerror(errno);
      return "";
    }
    return dir;
  }
  Bundle& limited_bundle(const nlohmann::json& resources, const std::string& name = "bundle") {
    Bundle& b = bundle(name);
    b.config["linux"]["cgroupsPath"] = cgroups_path();
    b.config["linux"]["resources"] = resources;
    return b;
  }
  // limited_bundle(resources) without a cgroup namespace, and a "cgroup"
  // mount on /sys/fs/cgroup with `options` (the bundle has none of its own).
  Bundle& cgroup_mount_bundle(const nlohmann::json& resources, const std::vector<std::string>& options) {
    Bundle& b = limited_bundle(resources);
    auto& namespaces = b.config["linux"]["namespaces"];
    namespaces.erase(std::remove(namespaces.begin(), namespaces.end(), nlohmann::json{{"type", "cgroup"}}),
                     namespaces.end());
    b.config["mounts"].push_back(
        {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup"}, {"source", "cgroup"}, {"options", options}});
    return b;
  }
  // A container of `limited_bundle(resources)` running `sleep 1000`, created
  // and started: its init's pid, or 0 (and a test failure).
  pid_t start_limited(const std::string& id, const nlohmann::json& resources) {
    Bundle& b = limited_bundle(resources);
    b.args({"sleep", "1000"});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    if (c.exit_code != 0) {
      ADD_FAILURE() << "hull create " << id << ": " << c.err;
      return 0;
    }
    const pid_t init = state(id).value("pid", 0);
    ProcResult s = hull({"start", id});
    if (s.exit_code != 0) {
      ADD_FAILURE() << "hull start " << id << ": " << s.err;
      return 0;
    }
    return init;
  }
  std::string parent_;
};

}  // namespace hull::itest
