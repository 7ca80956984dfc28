// The seal of the runtime binary split between a parent and the child it
// has cloned (the init of a container in a new pid namespace on a v1 host):
// the parent makes the view and sends it over the sync channel, the child
// switches to it. Afterwards the child maps no byte of the file it was
// started from, its exe link names another file, and its code comes from the
// view, mapped read-only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "process/sealed_binary.hpp"
#include "runtime/sync_channel.hpp"

namespace {

namespace fs = std::filesystem;
using hull::SyncChannel;
using hull::SyncMsg;

// In the child: what is wrong with its mappings and exe link, "" when nothing.
std::string seal_problems(const std::string& started_from) {
  if (fs::read_symlink("/proc/self/exe").string() == started_from) return "exe still names " + started_from;
  const std::string name = fs::path(started_from).filename().string();
  std::ifstream maps("/proc/self/maps");
  bool code_from_view = false;
  for (std::string line; std::getline(maps, line);) {
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode;
    std::getline(in >> std::ws, path);
    if (path == started_from) return "still mapped: " + line;
    // The overlay mounted nowhere shows the file at its root; the memfd
    // copy by its name.
    if (path != "/" + name && path.find("hull-sealed") == std::string::npos) continue;
    if (perms[1] != '-') return "writable mapping of the view: " + line;
    code_from_view = code_from_view || perms[2] == 'x';
  }
  return code_from_view ? "" : "no code mapped from the view";
}

TEST(SealedViewHandoff, TheChildRunsFromTheParentsViewAndMapsNothingOfItsFile) {
  const std::string self = fs::canonical("/proc/self/exe").string();
  auto [parent_end, child_end] = SyncChannel::make_pair();
  int report[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string problem;
    try {
      std::string offer;
      std::vector<hull::UniqueFd> view;
      child_end.expect(SyncMsg::SealedView, &offer, &view);
      // The view's file, and for an overlay its mount fd, which the child
      // keeps to attach beneath its old root.
      if (view.empty() || view.size() > 2)
        throw hull::Error("sealed-view came with " + std::to_string(view.size()) + " fds");
      const bool with_mount = view.size() == 2;
      view.resize(2);
      hull::process::run_from_parents_sealed_view(offer, std::move(view[0]), std::move(view[1]));
      problem = seal_problems(self);
      if (problem.empty() && with_mount != (hull::process::sealed_view_mount().fd >= 0))
        problem = with_mount ? "the overlay's mount fd was not kept" : "a mount fd was kept with none sent";
    } catch (const std::exception& e) {
      problem = e.what();
    }
    [[maybe_unused]] auto n = ::write(report[1], problem.data(), problem.size());
    ::_exit(problem.empty() ? 0 : 1);
  }
  ::close(report[1]);
  hull::process::SealedViewForChild view = hull::process::sealed_view_for_child();
  const bool switches = static_cast<bool>(view.file);
  const int fds[] = {view.file.get(), view.mount};
  parent_end.send_to_waiting_peer(SyncMsg::SealedView, view.offer,
                                  std::span<const int>(fds, !switches ? 0 : view.mount < 0 ? 1 : 2));
  const std::string problem = hull::read_fd(report[0], "the child's report");
  ::close(report[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  hull::process::release_detached_mounts();
  if (!switches) GTEST_SKIP() << "the test binary needs no seal here (a read-only mount, or no CAP_SYS_ADMIN)";
  EXPECT_EQ(problem, "");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// A description cut short (or from another binary) is refused before
// anything of the process is touched.
TEST(SealedViewHandoff, AMalformedDescriptionIsRefused) {
  try {
    hull::process::run_from_parents_sealed_view("short", {}, {});
    FAIL() << "no error";
  } catch (const hull::Error& e) {
    EXPECT_NE(std::string(e.what()).find("seal the runtime binary: the sealed view's description has the wrong size"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
