// Creates that race for cgroup directories: two given one cgroupsPath, and
// two whose cgroupsPaths share a parent neither found. Each race is made
// deterministic by stopping the first create (hull_fault, HULL_FAULT_ACTION=
// stop) at a step of its cgroup setup while the second runs whole. Whatever
// the order, no two containers share a leaf, and no create's undo touches
// another container's processes. runc 1.1 does not lock the leaf either
// (its create checks nothing), so these tests are hull's alone.
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "cgroups_run_fixture.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

// pid is alive (not a zombie) and is the only process in each of dirs.
::testing::AssertionResult alone_in(pid_t pid, const std::vector<std::string>& dirs) {
  auto st = read_pid_stat(pid);
  if (!st || st->state == 'Z') return ::testing::AssertionFailure() << "pid " << pid << " is gone";
  for (const std::string& d : dirs) {
    const std::string procs = read_text_file(d + "/cgroup.procs");
    if (procs != std::to_string(pid) + "\n")
      return ::testing::AssertionFailure() << d << "/cgroup.procs holds \"" << procs << "\", not " << pid;
  }
  return ::testing::AssertionSuccess();
}

class SharedCgroupPathTest : public CgroupRunTest {
 protected:
  // A bundle "name" with linux.cgroupsPath `path`, running sleep.
  Bundle& bundle_in(const std::string& name, const std::string& path) {
    Bundle& b = bundle(name);
    b.config["linux"]["cgroupsPath"] = path;
    b.args({"sleep", "1000"});
    return b;
  }
  // `hull_fault create`, stopped at `point` of its setup: the Child, once
  // stopped (a test failure when it never stops).
  Child stopped_create(const Bundle& b, const std::string& id, const std::string& point) {
    SpawnOptions bounded;
    bounded.timeout = milliseconds(15000);
    Child c = Child::spawn(fault_argv(point, {"create", "--bundle", b.dir().string(), id}, true), bounded);
    EXPECT_TRUE(wait_stopped(c.pid())) << "hull create did not stop at " << point;
    return c;
  }
  ProcResult go_on(Child c) {
    ::kill(c.pid(), SIGCONT);
    return finish_reaping_orphans(std::move(c));
  }
  // The leaves a test made beside and below cgroups_path() (in each
  // hierarchy), left by a failed test: removed once the containers are
  // deleted, then the parent.
  void TearDown() override {
    CgroupRunTest::TearDown();
    for (const std::string& d : container_dirs()) {
      const std::string parent = d.substr(0, d.rfind('/'));
      for (const std::string& leaf : {d + "/q", d, parent + "/a", parent + "/b", parent}) ::rmdir(leaf.c_str());
    }
  }
};

// The first create made the leaf and stopped before its claim; the second
// found the leaf there, empty, and placed its init. The first, which made
// the leaf, still reads it, and is refused: it used to trust its own mkdir
// and placed its init too, and then deleting either container killed both.
TEST_F(SharedCgroupPathTest, TheCreateThatMadeTheCgroupIsRefusedWhenAnotherPlacedItsInitThereFirst) {
  Child maker = stopped_create(bundle_in("maker", cgroups_path()), "maker", "create-cgroup-before-claim");
  ProcResult c = hull({"create", "--bundle", bundle_in("second", cgroups_path()).dir().string(), "second"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const pid_t init = state("second").value("pid", 0);

  ProcResult refused = go_on(std::move(maker));
  EXPECT_TRUE(failed_with(refused, {cgroups_path() + " already has processes", "a linux.cgroupsPath of its own"}));
  EXPECT_FALSE(fs::exists(state_dir("maker")));
  EXPECT_TRUE(alone_in(init, container_dirs()));
  EXPECT_EQ(status("second"), "created");
  ProcResult del = hull({"delete", "--force", "second"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
}

// The first create holds its claim (stopped once its cgroups are set up):
// the second is refused at once, naming why, instead of waiting; the first
// goes on and its container is whole.
TEST_F(SharedCgroupPathTest, ACreateFindingTheCgroupBeingSetUpForAnotherIsRefusedAtOnce) {
  Child first = stopped_create(bundle_in("first", cgroups_path()), "first", "create-after-cgroup");
  ProcResult refused = hull({"create", "--bundle", bundle_in("second", cgroups_path()).dir().string(), "second"});
  EXPECT_TRUE(failed_with(
      refused, {cgroups_path() + " is being set up for another container", "a linux.cgroupsPath of its own"}));
  EXPECT_FALSE(fs::exists(state_dir("second")));

  ProcResult created = go_on(std::move(first));
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(alone_in(state("first").value("pid", 0), container_dirs()));
  ProcResult del = hull({"delete", "--force", "first"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
}

// The lock is create's alone: once create has returned, its init (which
// does not run before start) holds none of it, and the next create of the
// path is told the cgroup has processes. With a user namespace the whole
// cgroup is set up before the clone, so the init was cloned holding the
// lock's fd; without one, the v1 leaves are made after it. On a legacy host
// (the v1vm_legacy lane) a create of either kind, racing the other, finds
// the leaf locked: both lock the same one.
TEST_F(SharedCgroupPathTest, EitherKindOfCreateLocksTheSameLeafAndReleasesItOnceCreated) {
  Bundle& in_userns = bundle_in("in-userns", cgroups_path());
  in_userns.add_user_namespace().args({"sleep", "1000"});  // rewritten with it
  Bundle& plain = bundle_in("plain", cgroups_path());
  for (auto [first, second] : {std::pair{&in_userns, &plain}, std::pair{&plain, &in_userns}}) {
    const std::string first_id = first == &plain ? "plain" : "in-userns";
    const std::string second_id = first == &plain ? "in-userns" : "plain";
    SCOPED_TRACE(first_id + " first");
    Child holder = stopped_create(*first, first_id, "create-after-cgroup");
    ProcResult refused = hull({"create", "--bundle", second->dir().string(), second_id});
    EXPECT_TRUE(failed_with(refused, {cgroups_path() + " is being set up for another container"}));
    ProcResult created = go_on(std::move(holder));
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_EQ(status(first_id), "created");
    refused = hull({"create", "--bundle", second->dir().string(), second_id});
    EXPECT_TRUE(failed_with(refused, {cgroups_path() + " already has processes"}));
    ProcResult del = hull({"delete", "--force", first_id});
    ASSERT_EQ(del.exit_code, 0) << del.err;
  }
}

// A create that fails before its claim has no init anywhere: its undo
// kills nothing, though a leaf it made holds an init (that of the create
// which claimed the leaf first). The first create made the leaf and
// stopped before enabling its limit's controller in the parent; the second
// claimed the leaf and placed its init; a process of the test's in the
// parent then makes the first's enabling fail (the no-internal-process
// rule). Needs cgroup v2 (on a legacy host the claim comes right after the
// mkdir, with nothing that can fail between) with no controller in the
// parent: a hybrid host's (on pure v2 the claimer enables them all there).
TEST_F(SharedCgroupPathTest, AnUndoBeforeItsClaimLeavesTheInitOfTheCreateThatClaimedFirstAlone) {
  const std::string v2 = cgroups::resolve_paths(cgroups_path(), "", cgroups::Host::current()).v2;
  if (v2.empty()) GTEST_SKIP() << "needs cgroup v2";
  Bundle& limited = bundle_in("limited", cgroups_path());
  limited.config["linux"]["resources"] = {{"hugepageLimits", {{{"pageSize", "2MB"}, {"limit", 0}}}}};
  limited.args({"sleep", "1000"});
  Child first = stopped_create(limited, "limited", "create-cgroup-v2-made");
  ProcResult c = hull({"create", "--bundle", bundle_in("claimer", cgroups_path()).dir().string(), "claimer"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const pid_t init = state("claimer").value("pid", 0);

  const std::string parent = v2.substr(0, v2.rfind('/'));
  SleepingChild sleeping;
  const pid_t bystander = sleeping.pid();
  ASSERT_GT(bystander, 0);
  {
    std::ofstream procs(parent + "/cgroup.procs");
    procs << bystander << std::flush;
    // Pure v2: the claimer's create enabled every controller in the parent
    // (as runc's does), and the kernel keeps processes out of it (EBUSY).
    if (!procs && read_text_file(parent + "/cgroup.subtree_control") != "\n")
      GTEST_SKIP() << "the parent has controllers enabled: nothing can be placed in it";
  }
  ASSERT_EQ(read_text_file(parent + "/cgroup.procs"), std::to_string(bystander) + "\n");

  ProcResult failed = go_on(std::move(first));
  EXPECT_TRUE(failed_with(failed, {parent + "/cgroup.subtree_control: the cgroup holds processes"})) << failed.err;
  EXPECT_TRUE(alone_in(init, {v2}));
  EXPECT_EQ(status("claimer"), "created");
  ProcResult del = hull({"delete", "--force", "claimer"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
}

// Siblings under a parent the first create made: it stopped before its
// claim, the second made its own leaf in that parent and placed its init,
// then the first failed (its program does not exist). Its undo removes its
// own leaf and leaves the parent, which holds the second's: it used to read
// every directory it had made, the parent's subtree with the second's init
// in it, and kill what it found.
TEST_F(SharedCgroupPathTest, AFailedCreateLeavesTheContainerMadeSinceInItsNewParentAlone) {
  Bundle& failing = bundle_in("failing", parent_ + "/a");
  failing.args({"/nonexistent-program"});
  Child first = stopped_create(failing, "failing", "create-cgroup-before-claim");
  ProcResult c = hull({"create", "--bundle", bundle_in("sibling", parent_ + "/b").dir().string(), "sibling"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const pid_t init = state("sibling").value("pid", 0);

  ProcResult failed = go_on(std::move(first));
  EXPECT_TRUE(failed_with(failed, {"/nonexistent-program"})) << failed.err;
  EXPECT_FALSE(fs::exists(state_dir("failing")));
  std::vector<std::string> sibling_dirs;
  for (const std::string& d : container_dirs()) {
    const std::string parent = d.substr(0, d.rfind('/'));
    EXPECT_FALSE(fs::exists(parent + "/a")) << "left behind: " << parent << "/a";
    sibling_dirs.push_back(parent + "/b");
  }
  EXPECT_TRUE(alone_in(init, sibling_dirs));
  EXPECT_EQ(status("sibling"), "created");
  ProcResult del = hull({"delete", "--force", "sibling"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  for (const std::string& d : sibling_dirs) EXPECT_FALSE(fs::exists(d)) << "left behind: " << d;
}

// A container nested in the cgroup of one whose create then fails (the
// first stopped once its init was placed, the second given the first's
// path plus "/q"): the failed create's undo reads its own leaf alone, not
// the sub-cgroup, and the nested container lives on. Its leaf stays while
// it holds the nested one.
TEST_F(SharedCgroupPathTest, AFailedCreateLeavesAContainerNestedInItsCgroupAlone) {
  Bundle& failing = bundle_in("outer", cgroups_path());
  failing.args({"/nonexistent-program"});
  Child outer = stopped_create(failing, "outer", "create-after-cgroup");
  ProcResult c = hull({"create", "--bundle", bundle_in("inner", cgroups_path() + "/q").dir().string(), "inner"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const pid_t init = state("inner").value("pid", 0);

  ProcResult failed = go_on(std::move(outer));
  EXPECT_TRUE(failed_with(failed, {"/nonexistent-program"})) << failed.err;
  std::vector<std::string> inner_dirs;
  for (const std::string& d : container_dirs()) inner_dirs.push_back(d + "/q");
  EXPECT_TRUE(alone_in(init, inner_dirs));
  EXPECT_EQ(status("inner"), "created");
  ProcResult del = hull({"delete", "--force", "inner"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  for (const std::string& d : inner_dirs) EXPECT_FALSE(fs::exists(d)) << "left behind: " << d;
  for (const std::string& d : container_dirs()) ::rmdir(d.c_str());  // the failed create's, kept while busy
}

}  // namespace
}  // namespace hull::itest
#endif  // HULL_FAULT_BINARY
