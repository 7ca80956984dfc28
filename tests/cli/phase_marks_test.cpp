// HULL_TRACE_PHASES through a real `hull run`: the marks bench/phases.py
// reads to split a run into phases. It counts the init's first phase from
// the runtime's mark right before the clone, so that mark must be there and
// come before both the clone's return and the init's first step.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"

namespace hull::itest {
namespace {

struct Mark {
  std::string phase;
  long long ns = 0;
  pid_t pid = 0;
};

std::vector<Mark> read_marks(const std::filesystem::path& file) {
  std::vector<Mark> marks;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    Mark m;
    if (words >> m.phase >> m.ns >> m.pid) marks.push_back(m);
  }
  return marks;
}

TEST_F(HullTest, RunMarksTheClonesStartBeforeTheCloneAndTheInitsFirstStep) {
  Bundle& b = bundle();
  b.args({"true"});
  const std::filesystem::path trace = temp_dir() / "phases.log";
  // fd 3 open on the trace file, named by the variable, as phases.py passes it.
  Child run =
      Child::spawn({"/bin/sh", "-c", "exec 3>\"$0\"; HULL_TRACE_PHASES=3 exec \"$@\"", trace.string(), HULL_BINARY,
                    "--root", state_root().string(), "run", "--bundle", b.dir().string(), "marks"});
  ProcResult r = run.finish();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::vector<Mark> marks = read_marks(trace);
  std::map<std::string, Mark> by_phase;
  for (const Mark& m : marks) by_phase.emplace(m.phase, m);
  for (const char* phase : {"main", "parsed", "cgroup", "clone_call", "cloned", "init_entry", "exited", "deleted"})
    ASSERT_TRUE(by_phase.count(phase)) << "no " << phase << " mark in " << r.err;
  const Mark& call = by_phase["clone_call"];
  const Mark& runtime = by_phase["main"];
  EXPECT_EQ(call.pid, runtime.pid) << "clone_call is the runtime's mark";
  EXPECT_NE(by_phase["init_entry"].pid, runtime.pid) << "init_entry is the init's mark";
  EXPECT_LE(call.ns, by_phase["cloned"].ns);
  EXPECT_LE(call.ns, by_phase["init_entry"].ns);
  // Nothing of the runtime's between the mark and the clone: its next mark is
  // the clone's return.
  std::vector<std::string> runtime_order;
  for (const Mark& m : marks)
    if (m.pid == runtime.pid) runtime_order.push_back(m.phase);
  auto at = std::find(runtime_order.begin(), runtime_order.end(), "clone_call");
  ASSERT_NE(at, runtime_order.end());
  ASSERT_NE(at + 1, runtime_order.end());
  EXPECT_EQ(*(at + 1), "cloned");
}

}  // namespace
}  // namespace hull::itest
