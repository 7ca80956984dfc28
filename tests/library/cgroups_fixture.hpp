#pragma once
// Shared pieces of the cgroup integration tests: a per-test parent cgroup
// nested under the test process's own cgroup in every hierarchy (removed at
// the end, also on failure), and a child process that waits until it has been
// placed before running its body.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "cgroups/cgroup_manager.hpp"

namespace hull::cgroups::testing {

// Whether a spinning child's shared counter passes `above` within 10 s: a
// thawed child runs when the scheduler gets to it, later on a busy host.
inline bool counter_passes(const std::atomic<uint64_t>& counter, uint64_t above) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (counter.load() <= above) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The relative cgroupsPath "hull-cgtest-<pid>-<n>/<leaf>" keeps everything below
// our own cgroup; TearDown removes the container dirs and the parent.
class CgroupTest : public ::testing::Test {
 public:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create cgroups";
    static int n = 0;
    parent_ = "hull-cgtest-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  }
  void TearDown() override {
    // May run twice (a test wanting cleanup before its own end); the second run finds nothing.
    for (pid_t p : children_) {
      ::kill(p, SIGKILL);
      ::waitpid(p, nullptr, 0);
    }
    for (auto& m : managers_) {
      try {
        m->destroy();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
    for (const auto& dir : parent_dirs_) ::rmdir(dir.c_str());
    children_.clear();
    managers_.clear();
    parent_dirs_.clear();
  }

  std::string path(const std::string& leaf = "c") const { return parent_ + "/" + leaf; }

  // Plans and creates a manager (device filters kept in filter_cache, if
  // given); it is destroyed in TearDown.
  Manager& make(const spec::Linux& linux, const Host& host = Host::current(), const std::string& id = "cgtest",
                const std::string& filter_cache = {}) {
    managers_.push_back(std::make_unique<Manager>(Manager::plan(&linux, id, false, host)));
    Manager& m = *managers_.back();
    m.keep_device_filters_in(filter_cache);
    for (const auto& [name, dir] : m.paths().v1) parent_dirs_.push_back(dir.substr(0, dir.rfind('/')));
    if (!m.paths().v2.empty()) parent_dirs_.push_back(m.paths().v2.substr(0, m.paths().v2.rfind('/')));
    m.create();
    return m;
  }

  // Forks a child that blocks until release() is called, then runs body and
  // exits with its return value.
  struct Child {
    pid_t pid = -1;
    int go_fd = -1;
    void release() {
      char c = 1;
      if (::write(go_fd, &c, 1) != 1) ADD_FAILURE() << "release child";
      ::close(go_fd);
      go_fd = -1;
    }
  };
  Child spawn(const std::function<int()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[1]);
      char c;
      if (::read(fds[0], &c, 1) != 1) ::_exit(120);
      ::_exit(body());
    }
    ::close(fds[0]);
    children_.push_back(pid);
    return Child{pid, fds[1]};
  }
  // A child counting in shared memory, placed in m: frozen, the count stands
  // still for 100 ms (while_frozen runs then); thawed, it moves again.
  void expect_freeze_stops_and_thaw_resumes(
      Manager& m, const std::function<void()>& while_frozen = [] {}) {
    void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(page, MAP_FAILED);
    std::unique_ptr<void, void (*)(void*)> unmap(page, [](void* p) { ::munmap(p, 4096); });
    auto* counter = new (page) std::atomic<uint64_t>(0);
    Child c = spawn([counter] {
      for (;;) counter->fetch_add(1, std::memory_order_relaxed);
      return 0;
    });
    m.add_process(c.pid);
    c.release();
    while (counter->load() == 0) std::this_thread::yield();
    m.freeze();
    EXPECT_TRUE(m.frozen());
    while_frozen();
    uint64_t a = counter->load();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(counter->load(), a);
    m.thaw();
    EXPECT_FALSE(m.frozen());
    EXPECT_TRUE(counter_passes(*counter, a)) << "the thawed child did not run";
  }

  // waitpid on a child spawned here; forgets it.
  int wait_status(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::erase(children_, pid);
    return status;
  }

  // A host view with only the cgroup2 mount: exercises the v2 code on this
  // hybrid machine's /sys/fs/cgroup/unified.
  static Host v2_only_host() {
    Host h = Host::current();
    h.v1.clear();
    return h;
  }

  std::string parent_;
  std::vector<std::unique_ptr<Manager>> managers_;
  std::vector<std::string> parent_dirs_;
  std::vector<pid_t> children_;
};

}  // namespace hull::cgroups::testing
