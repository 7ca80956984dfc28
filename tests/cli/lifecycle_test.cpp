// The container lifecycle through the CLI: create, start, kill, delete, and
// what `hull state` reports at each step.
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "base/unique_fd.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Delete must remove the container's cgroups too; they are recorded at create.
class DeleteTest : public HullTest {
 protected:
  // The cgroupPath of id, after checking that its directories exist now.
  std::string existing_cgroups_of(const std::string& id) {
    std::optional<InitRecord> rec = recorded_init(id);
    if (!rec) {
      ADD_FAILURE() << "no readable state.json for " << id;
      return "";
    }
    EXPECT_FALSE(existing_cgroup_dirs(rec->cgroup_path).empty()) << "no cgroup dir for " << rec->cgroup_path;
    return rec->cgroup_path;
  }
  void expect_cgroups_gone(const std::string& cgroup_path) {
    for (const auto& dir : existing_cgroup_dirs(cgroup_path)) ADD_FAILURE() << "cgroup left behind: " << dir;
  }
};

TEST_F(HullTest, CreateLeavesInitWaitingAndRecordsIt) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  const fs::path pid_file = temp_dir() / "init.pid";
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "--pid-file", pid_file.string(), "lc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  nlohmann::json s = state("lc");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("id", ""), "lc");
  EXPECT_EQ(s.value("status", ""), "created");
  EXPECT_EQ(s.value("bundle", ""), b.dir().string());
  const pid_t pid = s.value("pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(read_all(pid_file), std::to_string(pid)) << "the pid file must hold the init pid";
  EXPECT_TRUE(pid_alive(pid)) << "the created container's init must exist before start";
  EXPECT_TRUE(fs::exists(state_dir("lc") / "state.json"));
}

// A pid file in a directory others may write: a symlink planted at the
// name hull writes it under first is not written through (root overwrote
// its target with the pid), and the pid file is a file of its own.
TEST_F(HullTest, APidFileIsNotWrittenThroughASymlinkPlantedBesideIt) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  const fs::path shared = temp_dir() / "shared";
  fs::create_directories(shared);
  fs::permissions(shared, fs::perms::all);
  const fs::path victim = temp_dir() / "victim";
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, shared / ".init.pid.tmp");
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "--pid-file", (shared / "init.pid").string(), "lc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_all(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(shared / "init.pid"));
  EXPECT_EQ(read_all(shared / "init.pid"), std::to_string(state("lc").value("pid", 0)));
}

// A prestart hook that holds its create half-way: it writes its pid into one
// fifo, then waits on another until the test lets it go on.
struct HeldCreate {
  fs::path started, go_on;
  // The hook's pid, once it has started (create is half-way); 0 if never.
  pid_t hook_pid() const {
    std::ifstream in(started);
    pid_t pid = 0;
    in >> pid;
    return pid;
  }
  void let_go_on() const { std::ofstream(go_on) << "go\n"; }
  // A test that failed before letting it go on leaves no hook waiting for
  // ever: a hook still reading the fifo gets its line (no reader: ENXIO).
  ~HeldCreate() {
    UniqueFd fd(::open(go_on.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd) (void)!::write(fd.get(), "go\n", 3);
  }
};
HeldCreate hold_create_in_its_prestart_hook(Bundle& b, const fs::path& dir) {
  HeldCreate h{dir / "started.fifo", dir / "go.fifo"};
  EXPECT_EQ(::mkfifo(h.started.c_str(), 0600), 0);
  EXPECT_EQ(::mkfifo(h.go_on.c_str(), 0600), 0);
  const std::string script = "echo $$ > " + h.started.string() + "; read x < " + h.go_on.string();
  b.config["hooks"] = {{"prestart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}}}}};
  b.args({"true"});
  return h;
}

// A create killed half-way (here while its prestart hook runs) leaves a
// "creating" record whose lock is free: nothing is being made any more, so
// state and list report it stopped, and delete clears it (it read
// "creating" for ever, which only delete --force took).
TEST_F(HullTest, ACreateThatDiedLeavesAStoppedContainerThatDeleteClears) {
  Bundle& b = bundle();
  const HeldCreate held = hold_create_in_its_prestart_hook(b, temp_dir());
  Child create = hull_background({"create", "--bundle", b.dir().string(), "diedcreating"});
  const pid_t hook = held.hook_pid();
  ASSERT_GT(hook, 0);
  ASSERT_EQ(::kill(create.pid(), SIGKILL), 0);
  create.finish();
  ::kill(hook, SIGKILL);  // the hook, which outlives the create it belonged to
  EXPECT_EQ(status("diedcreating"), "stopped");
  ProcResult list = hull({"list", "-q"});
  EXPECT_NE(list.out.find("diedcreating"), std::string::npos) << list.out;
  ProcResult d = hull({"delete", "diedcreating"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_FALSE(fs::exists(state_dir("diedcreating")));
  EXPECT_TRUE(existing_cgroup_dirs(b.config["linux"]["cgroupsPath"].get<std::string>()).empty());
}

// While its create runs, a container is not there yet for `state`, `list`,
// `ps` and `events`, as with runc and crun (crun's test_commands.py polls
// `state` and wants `created` first; an engine has no mapping for
// "creating"). ps listed the create itself, which is not the container's.
TEST_F(HullTest, AContainerIsNotSeenByTheCommandsThatLookUntilItsCreateHasFinished) {
  Bundle& b = bundle();
  const HeldCreate held = hold_create_in_its_prestart_hook(b, temp_dir());
  Child create = hull_background({"create", "--bundle", b.dir().string(), "stillcreating"});
  ASSERT_GT(held.hook_pid(), 0);
  ASSERT_TRUE(fs::exists(state_dir("stillcreating")));
  ProcResult state = hull({"state", "stillcreating"});
  EXPECT_TRUE(failed_with(state, {"container \"stillcreating\" does not exist yet", "create or restore is still running"}));
  ProcResult list = hull({"list", "-q"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find("stillcreating"), std::string::npos) << list.out;
  for (const std::vector<std::string>& look : {std::vector<std::string>{"ps", "stillcreating"},
                                               {"ps", "-f", "json", "stillcreating"},
                                               {"events", "--stats", "stillcreating"}}) {
    ProcResult r = hull(look);
    EXPECT_TRUE(failed_with(r, {"container \"stillcreating\" does not exist yet"})) << look[0] << ": " << r.out;
  }
  held.let_go_on();
  ProcResult created = create.finish();
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(status("stillcreating"), "created");
  list = hull({"list", "-q"});
  EXPECT_NE(list.out.find("stillcreating"), std::string::npos) << list.out;
  EXPECT_EQ(hull({"delete", "--force", "stillcreating"}).exit_code, 0);
}

TEST_F(HullTest, BundleDefaultsToCurrentDirectory) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  SpawnOptions in_bundle;
  in_bundle.cwd = b.dir().string();
  ProcResult r = hull({"create", "cwd"}, in_bundle);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json s = state("cwd");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("bundle", ""), b.dir().string()) << "the bundle is recorded as an absolute path";
  EXPECT_EQ(s.value("status", ""), "created");
}

TEST_F(HullTest, StateCarriesAnnotationsAndRootIsPrivate) {
  Bundle& b = bundle();
  b.config["annotations"] = {{"org.example.team", "itest"}};
  b.args({"sleep", "1000"});
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "ann"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json s = state("ann");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("ociVersion", ""), "1.3.0");
  EXPECT_EQ(s["annotations"], (nlohmann::json{{"org.example.team", "itest"}}));
  // A missing --root is made 0700: state files name pids and paths of every
  // container; and sticky, as XDG_RUNTIME_DIR asks of what is kept there.
  EXPECT_EQ(fs::status(state_root()).permissions(), fs::perms::owner_all | fs::perms::sticky_bit);
}

// `state` prints what runc prints, byte for byte: the fields in the order
// of runc's struct, indented by two spaces, and no newline after the "}"
// (a caller comparing outputs, or reading up to EOF, sees the same bytes).
TEST_F(HullTest, StateIsPrintedAsRuncPrintsIt) {
  ASSERT_GT(create_container("st"), 0);
  ProcResult r = hull({"state", "st"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("{\n  \"ociVersion\": \"")) << r.out;
  EXPECT_TRUE(r.out.ends_with("\"\n}")) << r.out;
  size_t at = 0;
  for (const char* key : {"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"}) {
    const size_t next = r.out.find("\n  \"" + std::string(key) + "\": ");
    EXPECT_NE(next, std::string::npos) << key << " missing: " << r.out;
    if (next == std::string::npos) continue;
    EXPECT_GT(next + 1, at) << key << " out of order: " << r.out;
    at = next + 1;
  }
}

// The create/start path (exec fifo or socket, state lock) must not leak an fd
// either; the container reports through a file since its stdout is gone.
TEST_F(HullTest, CreatedContainerInheritsOnlyStdio) {
  const pid_t pid = create_container("fds", {"sh", "-c", "exec >/tmp/fds; ls /proc/$$/fd; exit $?"});
  ASSERT_GT(pid, 0);
  start_container("fds");
  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_EQ(read_all(temp_dir() / "bundle-fds/rootfs/tmp/fds"), "0\n1\n2\n");
}

TEST_F(HullTest, StartMakesCreatedContainerRunning) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  ProcResult r = hull({"start", "lc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  nlohmann::json s = state("lc");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("status", ""), "running");
  EXPECT_EQ(s.value("pid", 0), pid) << "start must not replace the init";
  EXPECT_TRUE(pid_alive(pid));
}

// A created container whose init was stopped (`kill ID STOP`) would take
// the start only once continued: start waited for it, and a caller that
// gave up left "running" recorded, the program starting on its own at the
// SIGCONT (runc's start waits the same, its state stays created). It is
// refused now, the container left created; continued, it starts.
TEST_F(HullTest, AStartOfAStoppedInitIsRefusedUntilItIsContinued) {
  const pid_t pid = create_container("stoppedinit", {"sh", "-c", "touch /tmp/ran; exec sleep 1000"});
  ASSERT_GT(pid, 0);
  ASSERT_EQ(hull({"kill", "stoppedinit", "STOP"}).exit_code, 0);
  ASSERT_TRUE(wait_stopped(pid));
  ProcResult r = hull({"start", "stoppedinit"});
  EXPECT_TRUE(failed_with(r, {"start container \"stoppedinit\": its init (pid " + std::to_string(pid) + ") is stopped",
                              "hull kill stoppedinit CONT"}))
      << r.err;
  EXPECT_EQ(status("stoppedinit"), "created");
  ASSERT_EQ(hull({"kill", "stoppedinit", "CONT"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(temp_dir() / "bundle-stoppedinit/rootfs/tmp/ran")) << "it started without a start";
  r = hull({"start", "stoppedinit"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status("stoppedinit"), "running");

  // Held by a tracer (a debugger attached), a SIGCONT lets nothing go: the
  // tracer is named, and once it detaches the start goes through.
  const pid_t traced = create_container("tracedinit");
  ASSERT_GT(traced, 0);
  ASSERT_EQ(::ptrace(PTRACE_SEIZE, traced, nullptr, nullptr), 0) << std::strerror(errno);
  ASSERT_EQ(::ptrace(PTRACE_INTERRUPT, traced, nullptr, nullptr), 0) << std::strerror(errno);
  int st = 0;
  ASSERT_EQ(::waitpid(traced, &st, __WALL), traced);
  r = hull({"start", "tracedinit"});
  EXPECT_TRUE(failed_with(r, {"its init (pid " + std::to_string(traced) + ") is stopped by its tracer (pid " +
                                  std::to_string(::getpid()) + ")",
                              "detach the tracer"}))
      << r.err;
  EXPECT_EQ(status("tracedinit"), "created");
  ASSERT_EQ(::ptrace(PTRACE_DETACH, traced, nullptr, nullptr), 0) << std::strerror(errno);
  r = hull({"start", "tracedinit"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// `start` and `delete` read only the hooks of the config saved at create:
// poststart runs at start, poststop at delete, each given the container's
// state; nothing runs at create.
TEST_F(HullTest, SeparateStartAndDeleteRunTheSavedConfigsHooks) {
  Bundle& b = bundle();
  const std::string log = (temp_dir() / "hooks.log").string();
  auto hook = [&](const char* kind) {
    return nlohmann::json{{"path", "/bin/sh"},
                          {"args", {"sh", "-c", "echo $0 >> " + log + "; cat > " + temp_dir().string() + "/$0.json", kind}}};
  };
  b.config["hooks"] = {{"poststart", {hook("poststart")}}, {"poststop", {hook("poststop")}}};
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "hk"}).exit_code, 0);
  const pid_t pid = state("hk").value("pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(fs::exists(log)) << read_all(log);
  nlohmann::json saved = nlohmann::json::parse(read_all(state_dir("hk") / "state.json"), nullptr, false);
  EXPECT_FALSE(saved["extra"].contains("hooks")) << saved.dump();

  start_container("hk");
  EXPECT_EQ(read_all(log), "poststart\n");
  ProcResult d = hull({"delete", "--force", "hk"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_EQ(read_all(log), "poststart\npoststop\n");
  nlohmann::json stopped = nlohmann::json::parse(read_all(temp_dir() / "poststop.json"), nullptr, false);
  EXPECT_EQ(stopped.value("id", ""), "hk");
  EXPECT_EQ(stopped.value("status", ""), "stopped");
  EXPECT_EQ(nlohmann::json::parse(read_all(temp_dir() / "poststart.json"), nullptr, false).value("status", ""),
            "running");
}

// A container started each way a poststart hook runs in: `create` then
// `start`, and `run --detach`; `check` runs once the command returned, then
// the container is deleted and nothing of it may be left.
class PoststartHook : public HullTest {
 protected:
  void in_each_started_container(Bundle& b, const std::string& id, const std::function<void()>& check) {
    for (const std::vector<std::string>& launch :
         {std::vector<std::string>{"create", "--bundle", b.dir().string(), id},
          std::vector<std::string>{"run", "--detach", "--bundle", b.dir().string(), id}}) {
      SCOPED_TRACE(launch[0]);
      ProcResult r = hull(launch);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      if (launch[0] == "create") start_container(id);
      check();
      ProcResult d = hull({"delete", "--force", id});
      EXPECT_EQ(d.exit_code, 0) << d.err;
      expect_nothing_left(id);
    }
  }
};

// runtime.md: poststart hooks run "after the user-specified process is
// executed": the pid a hook is given already runs the container's program
// (runc does so only after its 1.5.0, #5186).
TEST_F(PoststartHook, SeesTheContainersProgramRunning) {
  Bundle& b = bundle();
  const std::string out = (temp_dir() / "poststart.exe").string();
  const std::string script =
      "pid=$(sed -n 's/.*\"pid\": *\\([0-9][0-9]*\\).*/\\1/p'); readlink /proc/$pid/exe > " + out;
  b.config["hooks"] = {{"poststart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}}}}};
  b.args({"sleep", "1000"});
  in_each_started_container(b, "ps-exec", [&] {
    // The executable, set before the execve closes the fds whose EOF the
    // runtime waits for (the name comes after it).
    const std::string exe = read_all(out);
    EXPECT_TRUE(exe.ends_with("/busybox\n")) << exe;
    fs::remove(out);
  });
}

// runtime.md, lifecycle steps 7 and 9: a failed startContainer or poststart
// hook is an error, the container is stopped, and the lifecycle goes on at
// step 12: it is destroyed and its poststop hooks run. Start fails, and
// nothing is left; it was left stopped, for a delete to destroy.
TEST_F(HullTest, AFailedStartHookFailsStartAndDestroysTheContainer) {
  const fs::path poststop = temp_dir() / "poststop.ran";
  Bundle& b = bundle();
  for (const char* kind : {"poststart", "startContainer"}) {
    SCOPED_TRACE(kind);
    // startContainer hooks run in the container: the rootfs's busybox sh.
    b.config["hooks"] = {
        {kind, {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo refused >&2; exit 3"}}}}},
        {"poststop", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo ran >> " + poststop.string()}}}}}};
    b.args({"sleep", "1000"});
    ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "psfail"}).exit_code, 0);
    const pid_t pid = state("psfail").value("pid", 0);
    ASSERT_GT(pid, 0);
    ProcResult r = hull({"start", "psfail"});
    EXPECT_TRUE(failed_with(r, {std::string("hook ") + kind + "[0]", "exited with status 3", "refused"})) << r.err;
    EXPECT_TRUE(wait_exit_and_reap(pid));
    EXPECT_EQ(read_all(poststop), "ran\n");
    EXPECT_FALSE(fs::exists(state_dir("psfail")));
    expect_nothing_left("psfail");
    fs::remove(poststop);
  }
}

// Hooks run while the container is unlocked: a poststart hook may call the
// runtime on its own container (exec, kill), as under runc, instead of
// waiting for ever for the lock its caller holds.
TEST_F(PoststartHook, CanExecAndSignalItsOwnContainer) {
  Bundle& b = bundle();
  const std::string out = (temp_dir() / "hook.out").string();
  const std::string hull_cmd = runtime_binary() + " --root " + state_root().string();
  const std::string script = hull_cmd + " exec own true && " + hull_cmd + " kill own 0 && " + hull_cmd +
                             " exec own echo from-the-hook > " + out;
  b.config["hooks"] = {{"poststart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}, {"timeout", 20}}}}};
  b.args({"sleep", "1000"});
  in_each_started_container(b, "own", [&] {
    EXPECT_EQ(read_all(out), "from-the-hook\n");
    EXPECT_EQ(status("own"), "running");
    fs::remove(out);
  });
}

// A poststart hook that pauses its container and then fails: the container
// is stopped and destroyed all the same. On cgroup v1 a frozen process acts on no signal,
// so the stop must thaw what it killed; `run` waited for ever for its init.
TEST_F(HullTest, AFailedPoststartHookStopsTheContainerItPaused) {
  Bundle& b = bundle();
  const std::string hull_cmd = runtime_binary() + " --root " + state_root().string();
  b.config["hooks"] = {
      {"poststart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", hull_cmd + " pause frozen && exit 3"}}}}}};
  b.args({"sleep", "1000"});
  SpawnOptions bounded;
  bounded.timeout = milliseconds(20000);
  for (const std::vector<std::string>& launch :
       {std::vector<std::string>{"create", "--bundle", b.dir().string(), "frozen"},
        std::vector<std::string>{"run", "--detach", "--bundle", b.dir().string(), "frozen"}}) {
    SCOPED_TRACE(launch[0]);
    ProcResult r = hull(launch, bounded);
    pid_t pid = 0;
    if (launch[0] == "create") {
      ASSERT_EQ(r.exit_code, 0) << r.err;
      pid = state("frozen").value("pid", 0);
      r = hull({"start", "frozen"}, bounded);
    }
    EXPECT_TRUE(failed_with(r, {"hook poststart[0]", "exited with status 3"})) << r.err;
    if (pid > 0) {
      EXPECT_TRUE(wait_exit_and_reap(pid));
    }
    EXPECT_FALSE(fs::exists(state_dir("frozen")));
    expect_nothing_left("frozen");
  }
}

// A host hook runs in a process group of its own (its timeout kills the
// group), so a terminal's ^C to hull does not reach it; hull killed or
// interrupted during the hook must not leave it running on, setting up for
// a container no command finishes (runc's hooks share runc's group).
TEST_F(HullTest, AHookDiesWithTheRuntimeThatRanIt) {
  Bundle& b = bundle();
  const fs::path mark = temp_dir() / "hook.pid";
  b.config["hooks"] = {
      {"createRuntime",
       {{{"path", "/bin/sh"}, {"args", {"sh", "-c", write_pid_to("$$", mark) + "; exec sleep 1000"}}}}}};
  b.args({"sleep", "1000"});
  Child create = hull_background({"create", "--bundle", b.dir().string(), "hookorphan"});
  const pid_t hook = pid_written_to(mark);
  ASSERT_GT(hook, 0) << "the hook never ran";
  ::kill(create.pid(), SIGKILL);
  EXPECT_EQ(create.finish().signal, SIGKILL);
  const bool gone = wait_exit_and_reap(hook, milliseconds(5000));
  EXPECT_TRUE(gone) << "the hook " << hook << " outlived the hull that ran it";
  if (!gone) {
    ::kill(hook, SIGKILL);
    wait_exit_and_reap(hook);
  }
  EXPECT_EQ(hull({"delete", "--force", "hookorphan"}).exit_code, 0);
  expect_nothing_left("hookorphan");
}

// SIGINT (a terminal's ^C) to create while a hook runs: the hook is ended
// with what it started, and create fails through its own clean-up, as runc
// does (whose hooks share its group). hull died at once and left the hook's
// children running, the container's record and its cgroups (found by review).
TEST_F(HullTest, AnInterruptedHookEndsWithItsChildrenAndCreateCleansUp) {
  Bundle& b = bundle();
  const fs::path mark = temp_dir() / "sleep.pid";
  b.config["hooks"] = {
      {"createRuntime",
       {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "sleep 1000 & " + write_pid_to("$!", mark) + "; wait"}}}}}};
  b.args({"sleep", "1000"});
  Child create = hull_background({"create", "--bundle", b.dir().string(), "hookint"});
  const pid_t sleeper = pid_written_to(mark);
  ASSERT_GT(sleeper, 0) << "the hook never ran";
  ::kill(create.pid(), SIGINT);
  ProcResult r = create.finish();
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("interrupted by SIGINT: it was killed with its process group"), std::string::npos) << r.err;
  const bool gone = wait_exit_and_reap(sleeper, milliseconds(5000));
  EXPECT_TRUE(gone) << "the hook's child " << sleeper << " outlived the interrupted create";
  if (!gone) {
    ::kill(sleeper, SIGKILL);
    wait_exit_and_reap(sleeper);
  }
  if (r.signal) hull({"delete", "--force", "hookint"});
  expect_nothing_left("hookint");
}

// A foreground run blocks every signal to forward it to the container; one
// that ends it, sent while a hook hangs, went unheard until the hook ended
// by itself, then was forwarded (or lost). It ends the hook and the run.
TEST_F(HullTest, AForegroundRunIsInterruptedDuringAHangingHook) {
  for (const char* kind : {"prestart", "poststart"}) {
    SCOPED_TRACE(kind);
    Bundle& b = bundle(kind);
    const fs::path mark = temp_dir() / (std::string(kind) + ".ran");
    b.config["hooks"] = {
        {kind, {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "touch " + mark.string() + "; exec sleep 20"}}}}}};
    b.args({"sleep", "1000"});
    const std::string id = std::string("runint-") + kind;
    Child run = hull_background({"run", "--bundle", b.dir().string(), id});
    for (int i = 0; i < 400 && !fs::exists(mark); ++i) std::this_thread::sleep_for(milliseconds(25));
    ASSERT_TRUE(fs::exists(mark)) << "the hook never ran";
    const auto sent = std::chrono::steady_clock::now();
    ::kill(run.pid(), SIGTERM);
    ProcResult r = run.finish();
    EXPECT_LT(std::chrono::steady_clock::now() - sent, std::chrono::seconds(10));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("interrupted by SIGTERM"), std::string::npos) << r.err;
    expect_nothing_left(id);
  }
}

// A cleanup hook is not lost with its bundle: with the bundle directory gone,
// poststop hooks run in delete's directory (runc runs them there always),
// and poststart hooks in start's: start failed at the hook's chdir and
// killed the container (runc 1.1 runs them in create, before any move).
TEST_F(HullTest, HooksAfterCreateRunWhenTheBundleIsGone) {
  Bundle& b = bundle();
  const std::string poststart = (temp_dir() / "poststart.cwd").string();
  const std::string poststop = (temp_dir() / "poststop.cwd").string();
  b.config["hooks"] = {{"poststart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "pwd -P > " + poststart}}}}},
                       {"poststop", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "pwd -P > " + poststop}}}}}};
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "nobundle"}).exit_code, 0);
  fs::rename(b.dir(), temp_dir() / "moved-bundle");
  ProcResult s = hull({"start", "nobundle"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(status("nobundle"), "running");
  ProcResult d = hull({"delete", "--force", "nobundle"});
  fs::rename(temp_dir() / "moved-bundle", b.dir());
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(d.err.find("poststop"), std::string::npos) << d.err;
  EXPECT_EQ(read_all(poststart), fs::current_path().string() + "\n");
  EXPECT_EQ(read_all(poststop), fs::current_path().string() + "\n");
  expect_nothing_left("nobundle");
}

// runtime.md: a failed create goes on to the container's destruction, whose
// poststop hooks run (as runc's do): what a hook before the failure set up,
// a poststop hook can take down.
TEST_F(HullTest, AFailedCreateRunsThePoststopHooks) {
  Bundle& b = bundle();
  const std::string out = (temp_dir() / "poststop.json").string();
  b.config["hooks"] = {{"createRuntime", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "exit 3"}}}}},
                       {"poststop", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + out}}}}}};
  b.args({"true"});
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "failed"});
  EXPECT_TRUE(failed_with(r, {"hook createRuntime[0]"})) << r.err;
  nlohmann::json st = nlohmann::json::parse(read_all(out), nullptr, false);
  EXPECT_EQ(st.value("id", ""), "failed") << read_all(out);
  EXPECT_EQ(st.value("status", ""), "stopped");
  expect_nothing_left("failed");
}

// Most configs have no hooks: create records that in state.json, and start
// and delete then never read the saved config (a damaged one shows it).
TEST_F(HullTest, WithoutHooksStartAndDeleteLeaveTheSavedConfigUnread) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "nh"}).exit_code, 0);
  const pid_t pid = state("nh").value("pid", 0);
  ASSERT_GT(pid, 0);
  nlohmann::json saved = nlohmann::json::parse(read_all(state_dir("nh") / "state.json"), nullptr, false);
  EXPECT_EQ(saved["extra"].value("hooks", ""), "none") << saved.dump();
  { std::ofstream(state_dir("nh") / "config.json") << "not json"; }

  ProcResult s = hull({"start", "nh"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  ProcResult d = hull({"delete", "--force", "nh"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_FALSE(fs::exists(state_dir("nh")));
}

TEST_F(HullTest, KillStopsRunningContainer) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  ProcResult r = hull({"kill", "lc", "KILL"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The init is our child (we are its subreaper): it stays a zombie until we
  // reap it, and a zombie init already counts as stopped.
  ASSERT_TRUE(wait_pid_exit(pid, milliseconds(10000))) << "init " << pid << " survived SIGKILL";

  EXPECT_EQ(status("lc"), "stopped");

  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_EQ(status("lc"), "stopped");
}

// No pid namespace; the init, a shell, leaves `sleep 1000` in the background
// and writes its pid to /bg before it execs `sleep 999`.
void leave_a_background_process_without_a_pid_namespace(Bundle& b) {
  auto& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "pid" ? namespaces.erase(it) : it + 1;
  b.args({"sh", "-c", "sleep 1000 & echo $! > /bg; exec sleep 999"});
}

// The background pid once written (run -d returns at the shell's exec,
// maybe before), 0 when it never is.
pid_t background_pid(const Bundle& b) {
  for (int tries = 0; tries < 500; ++tries) {
    const std::string text = read_text_file(b.rootfs() / "bg");
    if (!text.empty()) return std::stoi(text);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// Without a pid namespace of its own, the init's end would leave its other
// processes running: `kill KILL` ends every process of the container, as
// runc >= 1.2 does (runc 1.1.5 kills the init alone).
TEST_F(HullTest, KillKillWithoutAPidNamespaceEndsEveryProcess) {
  Bundle& b = bundle();
  leave_a_background_process_without_a_pid_namespace(b);
  ASSERT_EQ(hull({"run", "-d", "--bundle", b.dir().string(), "nopidns"}).exit_code, 0);
  const pid_t init = state("nopidns").value("pid", 0);
  const pid_t bg = background_pid(b);
  ASSERT_GT(bg, 0) << "the container never wrote the background pid";
  ASSERT_EQ(hull({"kill", "nopidns", "KILL"}).exit_code, 0);
  EXPECT_TRUE(wait_exit_and_reap(init));
  EXPECT_TRUE(wait_exit_and_reap(bg)) << "the background process " << bg << " outlived kill KILL";
  EXPECT_EQ(status("nopidns"), "stopped");
}

// The same once the init has ended alone: the container is stopped, and
// what it left in the shared pid namespace still runs. `kill KILL` ends it,
// as runc >= 1.2 does (kill.bats, "kill KILL [host pidns + init gone]").
TEST_F(HullTest, KillKillOfAStoppedContainerWithoutAPidNamespaceEndsWhatItLeft) {
  Bundle& b = bundle();
  leave_a_background_process_without_a_pid_namespace(b);
  ASSERT_EQ(hull({"run", "-d", "--bundle", b.dir().string(), "initgone"}).exit_code, 0);
  const pid_t init = state("initgone").value("pid", 0);
  ASSERT_GT(init, 0);
  const pid_t bg = background_pid(b);
  ASSERT_GT(bg, 0) << "the container never wrote the background pid";
  // The init alone ends (runc's test kills it by pid too).
  ASSERT_EQ(::kill(init, SIGKILL), 0);
  ASSERT_TRUE(wait_exit_and_reap(init));
  EXPECT_EQ(status("initgone"), "stopped");
  ASSERT_EQ(::kill(bg, 0), 0) << "the background process should outlive its init";
  ProcResult r = hull({"kill", "initgone", "KILL"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wait_exit_and_reap(bg)) << "the background process " << bg << " outlived kill KILL";
  // Another signal still needs a running container.
  EXPECT_EQ(hull({"kill", "initgone", "TERM"}).exit_code, 1);
}

// A created container's init, the first process of its own pid namespace,
// ends on SIGTERM (and SIGHUP, SIGINT, SIGQUIT) as runc's does: without a
// handler the kernel would drop them, and an engine stopping a created
// container would wait out its timeout for SIGKILL. The container process
// still starts with default dispositions (ContainerStartsWithNoBlockedOrIgnoredSignals).
TEST_F(HullTest, ACreatedContainerEndsOnSigterm) {
  for (const char* sig : {"TERM", "HUP"}) {
    const std::string id = std::string("lcterm-") + sig;
    const pid_t pid = create_container(id);
    ASSERT_GT(pid, 0);
    ProcResult r = hull({"kill", id, sig});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(wait_pid_exit(pid, milliseconds(10000))) << "the created init ignored SIG" << sig;
    EXPECT_EQ(status(id), "stopped");
    ASSERT_TRUE(wait_exit_and_reap(pid));
    ProcResult del = hull({"delete", id});
    EXPECT_EQ(del.exit_code, 0) << del.err;
  }
}

// A pid namespace's init, killed, stays in exit until every other process
// of its namespace is reaped; a detached exec's process is the caller's
// child (a shim's, here ours) and may not be reaped for a while. An init in
// exit is stopped: it never runs the container's code again (the lifecycle
// model found a killed container listed "paused" in that state).
TEST_F(HullTest, InitInExitWaitingForItsPidNamespaceIsStopped) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  const std::string pid_file = (temp_dir() / "exec.pid").string();
  ProcResult ex = hull({"exec", "--detach", "--pid-file", pid_file, "lc", "true"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  pid_t exec_pid = 0;
  ASSERT_TRUE(std::ifstream(pid_file) >> exec_pid) << "no pid in " << pid_file;
  // Exited, not reaped: we are its subreaper and leave it a zombie.
  ASSERT_TRUE(wait_pid_exit(exec_pid, milliseconds(10000)));
  ProcResult k = hull({"kill", "lc", "KILL"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  ASSERT_FALSE(wait_pid_exit(pid, milliseconds(300))) << "the init did not wait for its namespace's zombie";
  EXPECT_EQ(status("lc"), "stopped");
  ProcResult again = hull({"kill", "lc", "KILL"});
  EXPECT_TRUE(failed_with(again, {"cannot kill container", "it is stopped"})) << again.err;
  ProcResult del = hull({"delete", "lc"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_FALSE(fs::exists(state_dir("lc")));
  EXPECT_TRUE(wait_exit_and_reap(exec_pid));
  EXPECT_TRUE(wait_exit_and_reap(pid)) << "the init did not finish its exit once its namespace was empty";
}

// Status is read from the kernel, not only from what hull last recorded.
TEST_F(HullTest, InitKilledBehindHullsBackShowsStopped) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_EQ(status("lc"), "stopped");
}

TEST_F(DeleteTest, DeleteRemovesStoppedContainer) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  ASSERT_EQ(hull({"kill", "lc", "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_exit_and_reap(pid));
  const std::string cgroups = existing_cgroups_of("lc");

  ProcResult del = hull({"delete", "lc"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  ProcResult st = hull({"state", "lc"});
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_NE(st.err.find("container \"lc\" does not exist"), std::string::npos) << st.err;
  expect_nothing_left("lc");
  expect_cgroups_gone(cgroups);
}

TEST_F(DeleteTest, DeleteRemovesCreatedContainerAndItsInit) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  const std::string cgroups = existing_cgroups_of("lc");
  ProcResult del = hull({"delete", "lc"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_exit_and_reap(pid)) << "deleting a created container must end its waiting init";
  expect_nothing_left("lc");
  expect_cgroups_gone(cgroups);
}

TEST_F(DeleteTest, ForceDeleteKillsRunningContainer) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  const std::string cgroups = existing_cgroups_of("lc");
  ProcResult del = hull({"delete", "--force", "lc"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_exit_and_reap(pid)) << "init " << pid << " survived delete --force";
  expect_nothing_left("lc");
  expect_cgroups_gone(cgroups);
}

// A created container whose init lives but has lost its start socket (here
// removed from the state directory): start said "it is stopped" and left
// state.json saying "running" for an init that never ran its program.
TEST_F(DeleteTest, StartOfAnInitThatLostItsSocketSaysSoAndLeavesItCreated) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "nosock"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const pid_t init = state("nosock")["pid"].get<pid_t>();
  fs::remove(state_dir("nosock") / "start.sock");
  ProcResult r = hull({"start", "nosock"});
  EXPECT_TRUE(failed_with(
      r, {"start container \"nosock\": its init (pid " + std::to_string(init) + ") lives but does not wait at",
          "delete it (delete --force) and create it again"}));
  EXPECT_EQ(status("nosock"), "created");
  ProcResult del = hull({"delete", "--force", "nosock"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_exit_and_reap(init));
  expect_nothing_left("nosock");
}

// A directory without state.json (a create or forced delete killed
// half-way) keeps the id taken. A plain delete clears it, as runc's does,
// and still says there is no container; where it cannot (a mount point
// inside, here in a private mount namespace), it says why, where only
// "does not exist" was said before.
TEST_F(DeleteTest, PlainDeleteClearsAStatelessDirectoryOrSaysWhyNot) {
  fs::create_directories(state_dir("debris") / "mnt");
  std::ofstream(state_dir("debris") / "leftover") << "x";
  ProcResult del = hull({"delete", "debris"});
  EXPECT_EQ(del.exit_code, 1);
  EXPECT_NE(del.err.find("container \"debris\" does not exist"), std::string::npos) << del.err;
  EXPECT_FALSE(fs::exists(state_dir("debris"))) << "plain delete left the state-less directory";

  const fs::path mnt = state_dir("held") / "mnt";
  fs::create_directories(mnt);
  ProcResult held = run_process({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                 "mount -t tmpfs -o size=64k tmpfs \"$1\" && exec \"$2\" --root \"$3\" delete held",
                                 "sh", mnt.string(), runtime_binary(), state_root().string()});
  EXPECT_EQ(held.exit_code, 1);
  EXPECT_NE(held.err.find("refusing to remove " + mnt.string() + ": it is a mount point"), std::string::npos)
      << held.err;
  EXPECT_NE(held.err.find("container \"held\" does not exist"), std::string::npos) << held.err;
  fs::remove_all(state_dir("held"));
}

}  // namespace
}  // namespace hull::itest
