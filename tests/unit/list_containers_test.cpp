// `list` over many containers (enough to be read on several threads): every
// readable one once, in id order, each with its live status.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "base/fs.hpp"
#include "runtime/operations.hpp"
#include "runtime/state_store.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

// A pid that no process has now: a child that exited and was reaped.
pid_t reaped_pid() {
  pid_t child = ::fork();
  if (child == 0) _exit(0);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return child;
}

TEST(ListContainers, ManyContainersListedOnceInOrderWithLiveStatus) {
  hull::test::TempDir dir{"list"};
  const std::string root = dir.path() + "/root";
  StateStore store(root);
  const uint64_t self_start = read_proc_stat(::getpid())->start_time;
  const pid_t gone = reaped_pid();

  // Five kinds, round robin over 500 ids (zero-padded, so id order is creation order).
  std::map<std::string, Status> expected;
  for (int i = 0; i < 500; ++i) {
    char id[16];
    snprintf(id, sizeof id, "c%04d", i);
    ContainerDir d = store.create(id);
    ContainerState s;
    s.id = id;
    s.bundle = "/srv/" + s.id;
    s.pid = ::getpid();
    s.initStartTime = self_start;
    switch (i % 5) {
      case 0:
        s.status = Status::Running;
        expected[id] = Status::Running;
        break;  // alive: this process
      case 1:
        s.status = Status::Created;
        expected[id] = Status::Created;
        break;  // alive, not started
      case 2:
        s.status = Status::Running;
        s.pid = gone;
        expected[id] = Status::Stopped;
        break;  // init reaped
      case 3:
        s.status = Status::Running;
        s.initStartTime = self_start + 1;
        expected[id] = Status::Stopped;
        break;  // pid reused
      case 4:
        s.status = Status::Stopped;
        expected[id] = Status::Stopped;
        break;  // recorded stopped
    }
    d.write_state(s);
  }
  // Not containers, or not readable: left out without failing the list.
  write_file(root + "/c0007/state.json", "{not json");
  expected.erase("c0007");
  ASSERT_EQ(::mkdir((root + "/~creating-x").c_str(), 0700), 0);

  std::vector<ContainerSummary> listed = list_containers(GlobalOptions{root});
  ASSERT_EQ(listed.size(), expected.size());
  auto want = expected.begin();
  for (const ContainerSummary& c : listed) {
    ASSERT_EQ(c.state.id, want->first);
    EXPECT_EQ(c.state.status, want->second) << c.state.id;
    EXPECT_EQ(c.state.pid, want->second == Status::Stopped ? 0 : ::getpid()) << c.state.id;
    EXPECT_EQ(c.state.bundle, "/srv/" + c.state.id);
    ++want;
  }
}

}  // namespace
}  // namespace hull
