// Untrusted input that used to crash or hang hull: a config nested 100,000
// levels deep (SIGSEGV in the JSON parse) and a state.json replaced by a fifo
// (state, list, kill and delete blocked in open(2), and list failed for every
// container). Each must give a prompt error naming the file, and list must
// still show the healthy containers. And a state.json damaged to name
// another container's cgroup or init: delete --force, kill and pause of the
// damaged container must leave that bystander running.
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "at_scope_exit.hpp"
#include "harness.hpp"
#include "host_mounts.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class HostileState : public HullTest {
 protected:
  // Rewrites fields of id's state.json (as a damaged or forged file would
  // be); returns the original text to put back.
  std::string damage_state(const std::string& id, const nlohmann::json& fields) {
    fs::path file = state_dir(id) / "state.json";
    std::string original = read_text_file(file);
    nlohmann::json j = nlohmann::json::parse(original);
    j.update(fields);
    std::ofstream(file, std::ios::trunc) << j.dump();
    return original;
  }
  void repair_state(const std::string& id, const std::string& original) {
    std::ofstream(state_dir(id) / "state.json", std::ios::trunc) << original;
  }
  // Creates and starts the containers `a` and `b`; their inits.
  std::pair<pid_t, pid_t> start_two(const std::string& a, const std::string& b) {
    pid_t pa = create_container(a);
    pid_t pb = create_container(b);
    EXPECT_GT(pa, 0);
    EXPECT_GT(pb, 0);
    start_container(a);
    start_container(b);
    return {pa, pb};
  }
  // Each command fails with all of `fragments` in its message.
  void expect_refused(const std::vector<std::vector<std::string>>& commands,
                      const std::vector<std::string>& fragments) {
    for (const std::vector<std::string>& cmd : commands) {
      ProcResult r = hull(cmd);
      EXPECT_TRUE(failed_with(r, fragments)) << cmd[0] << " " << cmd[1];
    }
  }
};

TEST_F(HostileState, DeeplyNestedConfigIsAnErrorNotACrash) {
  Bundle& b = bundle();
  b.write();
  std::string config = b.config.dump();
  // annotations {"a": [[[...]]]}, 100,000 levels.
  config.insert(config.size() - 1,
                R"(,"annotations":{"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}");
  std::ofstream(b.config_path(), std::ios::trunc) << config;
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "deep"});
  EXPECT_EQ(r.signal, 0) << "hull was killed by signal " << r.signal;
  EXPECT_TRUE(failed_with(r, {"config.json: .annotations.a[0][0][0][0]...: JSON nested deeper than 256 levels"}))
      << r.err.substr(0, 500);
  expect_nothing_left("deep");
}

TEST_F(HostileState, FifoStateFileGetsAnswersAndListShowsTheOthersAndSaysSo) {
  ASSERT_GT(create_container("damaged"), 0);
  ASSERT_GT(create_container("healthy"), 0);
  fs::path state_file = state_dir("damaged") / "state.json";
  fs::path saved = temp_dir() / "damaged-state.json";
  fs::rename(state_file, saved);
  ASSERT_EQ(::mkfifo(state_file.c_str(), 0600), 0);

  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"state", "damaged"},
                                                                            {"kill", "damaged", "KILL"},
                                                                            {"delete", "damaged"},
                                                                            {"delete", "--force", "damaged"}}) {
    ProcResult r = hull(cmd, bounded);
    EXPECT_FALSE(r.timed_out) << cmd[0] << " hung on a fifo state.json";
    EXPECT_TRUE(failed_with(r, {"state.json is not a regular file"})) << cmd[0];
  }
  ProcResult list = hull({"list"}, bounded);
  EXPECT_FALSE(list.timed_out) << "list hung on a fifo state.json";
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("healthy"), std::string::npos) << list.out;
  // Left out, and said, as runc says "load container damaged: ...".
  EXPECT_EQ(list.out.find("damaged"), std::string::npos) << list.out;
  EXPECT_NE(list.err.find("damaged\\\" is not listed: "), std::string::npos) << list.err;
  EXPECT_NE(list.err.find("damaged/state.json is not a regular file"), std::string::npos) << list.err;

  // Repaired, so the fixture can delete it.
  fs::remove(state_file);
  fs::rename(saved, state_file);
  EXPECT_EQ(status("damaged"), "created");
}

TEST_F(HostileState, DamagedCgroupPathNeverHitsABystander) {
  auto [damaged, bystander] = start_two("damaged", "bystander");
  ASSERT_TRUE(damaged > 0 && bystander > 0);
  std::optional<InitRecord> other = recorded_init("bystander");
  ASSERT_TRUE(other && !other->cgroup_path.empty());
  std::string original = damage_state("damaged", {{"cgroupPath", other->cgroup_path}});

  expect_refused({{"delete", "--force", "damaged"}, {"kill", "--all", "damaged", "KILL"}, {"pause", "damaged"}},
                 {"belongs to another container", "state.json damaged"});
  EXPECT_EQ(status("bystander"), "running");
  EXPECT_TRUE(alive_and_not_being_killed(bystander)) << "the bystander's init was killed";
  // Refused before anything was done: the damaged one runs too.
  EXPECT_TRUE(alive_and_not_being_killed(damaged));
  repair_state("damaged", original);
}

TEST_F(HostileState, DamagedInitPidNeverHitsABystander) {
  auto [damaged, bystander] = start_two("damaged", "bystander");
  ASSERT_TRUE(damaged > 0 && bystander > 0);
  std::optional<InitRecord> other = recorded_init("bystander");
  ASSERT_TRUE(other);
  std::string original = damage_state("damaged", {{"pid", other->pid}, {"initStartTime", other->start_time}});

  expect_refused({{"kill", "damaged", "KILL"}, {"delete", "--force", "damaged"}},
                 {"is not in the container's cgroup", "state.json damaged"});
  EXPECT_EQ(status("bystander"), "running");
  EXPECT_TRUE(alive_and_not_being_killed(bystander)) << "the bystander's init was killed";
  repair_state("damaged", original);
}

// Another container's state.json copied over this one's (a state directory
// restored from a backup, or copied aside): its init, start time and cgroup
// all agree with each other and with the kernel, so only the state
// directory's identity, in the tag create recorded and in the cgroup's marks,
// says that the cgroup is not this container's.
TEST_F(HostileState, ACopiedStateFileNeverHitsTheContainerItCameFrom) {
  auto [copy, original] = start_two("copy", "original");
  ASSERT_TRUE(copy > 0 && original > 0);
  nlohmann::json copied = nlohmann::json::parse(read_text_file(state_dir("original") / "state.json"));
  ASSERT_TRUE(copied.contains("extra") && copied["extra"].contains("cgroupOwner")) << copied.dump();
  copied["id"] = "copy";
  std::string saved = damage_state("copy", copied);

  expect_refused({{"delete", "--force", "copy"},
                  {"kill", "--all", "copy", "KILL"},
                  {"pause", "copy"},
                  {"kill", "copy", "KILL"},
                  {"kill", "copy", "TERM"}},
                 {"belongs to another container", "state.json damaged"});
  EXPECT_EQ(status("original"), "running");
  EXPECT_TRUE(alive_and_not_being_killed(original)) << "the original container's init was killed";
  repair_state("copy", saved);
  EXPECT_TRUE(alive_and_not_being_killed(copy));
}

// A process that is not the container's in the container's cgroup, whose
// marks name another container (a v1 cgroupsPath two containers were given:
// the later create marked it). delete --force kills the container's own
// init, vouched for by the kernel's placement of it, but reads the marks
// before it would kill anything else there, and refuses.
TEST_F(HostileState, DeleteKillsNoProcessLeftInAForeignMarkedCgroup) {
  pid_t init = create_container("shared");
  ASSERT_GT(init, 0);
  start_container("shared");
  std::optional<InitRecord> rec = recorded_init("shared");
  ASSERT_TRUE(rec && !rec->cgroup_path.empty());
  const std::vector<fs::path> dirs = existing_cgroup_dirs(rec->cgroup_path);
  ASSERT_FALSE(dirs.empty());
  pid_t intruder = ::fork();
  ASSERT_GE(intruder, 0);
  if (intruder == 0) {
    ::pause();
    ::_exit(0);
  }
  std::map<fs::path, std::string> marks;
  for (const fs::path& dir : dirs) {
    std::ofstream(dir / "cgroup.procs") << intruder << std::flush;
    char buf[512];
    ssize_t n = ::getxattr(dir.c_str(), "trusted.hull.owner", buf, sizeof buf);
    ASSERT_GT(n, 0) << dir;
    marks[dir] = std::string(buf, static_cast<size_t>(n));
    const std::string other = "hull container other state 1:2";
    EXPECT_EQ(::setxattr(dir.c_str(), "trusted.hull.owner", other.data(), other.size(), 0), 0) << dir;
  }
  ASSERT_EQ(cgroup_dirs_of_pid(intruder).count(""), cgroup_dirs_of_pid(init).count(""));

  ProcResult r = hull({"delete", "--force", "shared"});
  EXPECT_TRUE(failed_with(r, {"belongs to another container", "state.json damaged"})) << r.err;
  EXPECT_TRUE(alive_and_not_being_killed(intruder)) << "a process the marks do not vouch for was killed";

  ::kill(intruder, SIGKILL);
  ::waitpid(intruder, nullptr, 0);
  for (const auto& [dir, mark] : marks) ::setxattr(dir.c_str(), "trusted.hull.owner", mark.data(), mark.size(), 0);
  ProcResult d = hull({"delete", "--force", "shared"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

// A recorded init that is not (yet) in the container's cgroup but already
// has a SIGKILL pending, as the init of a runtime killed before its init had
// placed itself: delete --force waits for its exit instead of refusing it,
// then removes the container. A process held by the v1 freezer keeps its
// SIGKILL pending until thawed, which makes the moment last.
TEST_F(HostileState, ARecordedInitAlreadyDyingOutsideTheCgroupIsWaitedFor) {
  std::map<std::string, fs::path> own = cgroup_dirs_of_pid(::getpid());
  if (!own.count("freezer")) GTEST_SKIP() << "no v1 freezer hierarchy (the pure cgroup v2 lane)";
  ASSERT_GT(create_container("dying"), 0);
  start_container("dying");

  const fs::path frozen = own["freezer"] / ("hull-test-frozen-" + std::to_string(::getpid()));
  ASSERT_TRUE(fs::create_directory(frozen)) << frozen;
  pid_t held = ::fork();
  if (held == 0) {
    ::pause();
    ::_exit(0);
  }
  ASSERT_GT(held, 0);
  struct Cleanup {
    fs::path dir;
    pid_t pid;
    ~Cleanup() {
      std::ofstream(dir / "freezer.state") << "THAWED";
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ::rmdir(dir.c_str());
    }
  } cleanup{frozen, held};
  std::ofstream(frozen / "cgroup.procs") << held;
  std::ofstream(frozen / "freezer.state") << "FROZEN";
  for (int i = 0; i < 500 && read_text_file(frozen / "freezer.state") != "FROZEN\n"; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(read_text_file(frozen / "freezer.state"), "FROZEN\n");
  ASSERT_EQ(::kill(held, SIGKILL), 0);
  std::optional<PidStat> st = read_pid_stat(held);
  ASSERT_TRUE(st && st->state != 'Z') << "the frozen process acted on its SIGKILL";
  std::string original = damage_state("dying", {{"pid", held}, {"initStartTime", st->start_time}});

  Child del = hull_background({"delete", "--force", "dying"});
  // Until delete waits on the process's pidfd (or has already given up).
  for (int i = 0; i < 500; ++i) {
    std::string wchan = read_text_file("/proc/" + std::to_string(del.pid()) + "/wchan");
    if (wchan.empty() || wchan.find("poll") != std::string::npos) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::ofstream(frozen / "freezer.state") << "THAWED";
  ProcResult r = finish_reaping_orphans(std::move(del));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int wstatus = 0;
  EXPECT_EQ(::waitpid(held, &wstatus, 0), held);
  EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
  expect_nothing_left("dying");
  if (r.exit_code != 0) repair_state("dying", original);
}

// Containers whose cgroups carry no owner mark (made by a hull from before
// the marks) stay manageable when their own init vouches for the cgroup, and
// a damaged state.json naming such a cgroup of a bystander is still refused.
TEST_F(HostileState, UnmarkedCgroupsNeedTheirOwnInit) {
  auto [damaged, bystander] = start_two("damaged", "bystander");
  ASSERT_TRUE(damaged > 0 && bystander > 0);
  for (const char* id : {"damaged", "bystander"}) {
    std::optional<InitRecord> init = recorded_init(id);
    ASSERT_TRUE(init && !init->cgroup_path.empty());
    for (const auto& dir : existing_cgroup_dirs(init->cgroup_path))
      EXPECT_EQ(::removexattr(dir.c_str(), "trusted.hull.owner"), 0) << dir << ": " << std::strerror(errno);
  }
  std::string original = damage_state("damaged", {{"cgroupPath", recorded_init("bystander")->cgroup_path}});
  expect_refused({{"delete", "--force", "damaged"}, {"kill", "--all", "damaged", "KILL"}, {"pause", "damaged"}},
                 {"carries no mark of this container", "state.json damaged"});
  EXPECT_EQ(status("bystander"), "running");
  EXPECT_TRUE(alive_and_not_being_killed(bystander)) << "the bystander's init was killed";
  repair_state("damaged", original);
  // Its own unmarked cgroup: pause, resume and delete work.
  EXPECT_EQ(hull({"pause", "damaged"}).exit_code, 0);
  EXPECT_EQ(hull({"resume", "damaged"}).exit_code, 0);
  ProcResult d = hull({"delete", "--force", "damaged"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

// kill -9 of hull while create waits in a createRuntime hook: the cgroup
// exists and the init waits in it. `list` shows the container and
// `delete --force` removes the state and the cgroup (on main the first
// state.json did not name the cgroup, which was then left behind).
TEST_F(HostileState, KillDuringCreateLeavesNothingDeleteCannotRemove) {
  Bundle& b = bundle();
  fs::path hook = temp_dir() / "hook.sh";
  fs::path hook_pid = temp_dir() / "hook.pid";
  std::ofstream(hook) << "#!/bin/sh\necho $$ > " << hook_pid.string() << ".tmp\nmv " << hook_pid.string() << ".tmp "
                      << hook_pid.string() << "\nexec sleep 60\n";
  fs::permissions(hook, fs::perms(0755));
  b.config["hooks"] = {{"createRuntime", {{{"path", hook.string()}}}}};
  b.args({"sleep", "1000"});
  Child create = hull_background({"create", "--bundle", b.dir().string(), "killed"});
  for (int i = 0; i < 200 && !fs::exists(hook_pid); ++i) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(fs::exists(hook_pid)) << "the hook never ran";
  pid_t hook_process = std::stoi(read_text_file(hook_pid));
  ::kill(create.pid(), SIGKILL);
  create.finish();
  ::kill(hook_process, SIGKILL);
  std::string cgroups_path = b.config["linux"]["cgroupsPath"];
  EXPECT_FALSE(existing_cgroup_dirs(cgroups_path).empty()) << "create was killed before it made the cgroup";

  ProcResult list = hull({"list"});
  EXPECT_NE(list.out.find("killed"), std::string::npos) << list.out << list.err;
  ProcResult del = hull({"delete", "--force", "killed"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  std::vector<fs::path> left = existing_cgroup_dirs(cgroups_path);
  EXPECT_TRUE(left.empty()) << "cgroup left behind";
  for (const auto& dir : left) ::rmdir(dir.c_str());  // empty (the init died with hull): ours to clean
  expect_nothing_left("killed");
}

// A full --root disk: `start` must fail before the container's program runs,
// never leave a container recorded "created" whose program runs (main
// released the init first and then failed to write "running").
TEST_F(HostileState, FullRootDiskFailsStartBeforeTheProgramRuns) {
  fs::path root = temp_dir() / "small-root";
  fs::create_directories(root);
  ASSERT_EQ(::mount("tmpfs", root.c_str(), "tmpfs", 0, "size=256k"), 0) << std::strerror(errno);
  UnmountAtScopeExit unmount(root);
  Bundle& b = bundle();
  b.args({"sh", "-c", "touch /started; exec sleep 1000"});
  const char* runtime = std::getenv("HULL_ITEST_RUNTIME");
  fs::path binary = fs::canonical(runtime && *runtime ? runtime : HULL_BINARY);
  auto hull_at = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {binary.string(), "--root", root.string()});
    return run_process(args);
  };
  ProcResult c = hull_at({"create", "--bundle", b.dir().string(), "full"});
  // Before the root is unmounted, whatever the outcome: the fixture's
  // cleanup does not know this root, and the container's cgroups would stay.
  AtScopeExit delete_full([&] {
    fs::remove(root / "fill");
    hull_at({"delete", "--force", "full"});
  });
  ASSERT_EQ(c.exit_code, 0) << c.err;
  {
    std::ofstream fill(root / "fill", std::ios::binary);
    std::string block(4096, 'x');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size())) && fill.flush()) {}
  }
  ProcResult s = hull_at({"start", "full"});
  EXPECT_NE(s.exit_code, 0) << "start succeeded on a full disk";
  ProcResult st = hull_at({"state", "full"});
  EXPECT_NE(st.out.find("\"created\""), std::string::npos) << st.out << st.err;
  // start returns once a released init has exec'd: the init must still be
  // the runtime, waiting at the barrier, not the program.
  pid_t init = 0;
  try {
    init = nlohmann::json::parse(st.out).value("pid", 0);
  } catch (const nlohmann::json::exception&) {}
  ASSERT_GT(init, 0) << st.out;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/" + std::to_string(init) + "/exe", ec);
  // hull runs from a sealed view of its binary (process/sealed_binary.hpp):
  // the link names the same file at the root of that view.
  EXPECT_EQ(exe.filename(), binary.filename()) << "the program ran although start failed";
  EXPECT_FALSE(fs::exists(b.rootfs() / "started"));

  fs::remove(root / "fill");
  ProcResult d = hull_at({"delete", "--force", "full"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(hull_at({"state", "full"}).exit_code, 1) << "delete --force left the container";
}

}  // namespace
}  // namespace hull::itest
