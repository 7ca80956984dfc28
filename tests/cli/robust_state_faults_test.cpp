// The state directory under faults: a --root on a tiny tmpfs that fills up
// during create, state.json files that are empty, truncated, garbage or from
// another version, and a state dir removed behind hull's back while the
// container runs. hull must give clear errors, write nothing half, leave the
// other containers' state intact and clean up what it can.
#include <signal.h>
#include <sys/mount.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "at_scope_exit.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class StateFaultsTest : public HullTest {
 protected:
  // hull with --root at `root` instead of the fixture's state root.
  ProcResult hull_at(const fs::path& root, std::vector<std::string> args) {
    std::vector<std::string> argv{runtime_binary(), "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
  }
};

// A tmpfs mounted for one test, unmounted (lazily, it may be busy) on scope
// exit; `options` as mount(8)'s ("size=1m", "nr_inodes=8").
class TinyTmpfs {
 public:
  TinyTmpfs(const fs::path& dir, const std::string& options) : dir_(dir) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0;
  }
  ~TinyTmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

// Inodes run out at every point of create in turn (the state dir, its
// files, the start socket): a create that fails says where, naming a path
// under the root, as it does when the blocks run out.
TEST_F(StateFaultsTest, RootOutOfInodesNamesThePath) {
  const fs::path root = temp_dir() / "few-inodes";
  Bundle& b = bundle("inodes");
  b.args({"sleep", "1000"});
  bool saw_enospc = false;
  for (int inodes = 2; inodes <= 10; ++inodes) {
    SCOPED_TRACE("nr_inodes=" + std::to_string(inodes));
    TinyTmpfs tmpfs(root, "size=1m,nr_inodes=" + std::to_string(inodes));
    ASSERT_TRUE(tmpfs.mounted()) << "mount tmpfs: " << std::strerror(errno);
    ProcResult r = hull_at(root, {"create", "--bundle", b.dir().string(), "inodes"});
    if (r.exit_code != 0 && r.err.find("no space left on device") != std::string::npos) {
      saw_enospc = true;
      EXPECT_NE(r.err.find(root.string() + "/"), std::string::npos) << "no path named: " << r.err;
    }
    ProcResult d = hull_at(root, {"delete", "--force", "inodes"});
    EXPECT_EQ(d.exit_code, 0) << d.err;
  }
  EXPECT_TRUE(saw_enospc);
  for (const auto& dir : existing_cgroup_dirs(b.config["linux"]["cgroupsPath"]))
    ADD_FAILURE() << "cgroup left: " << dir;
}

// The disk fills at every point of create in turn: with 0, 4 KiB, 8 KiB, ...
// free, create either succeeds or fails with ENOSPC named, leaves no
// directory for the id, and the container created before is untouched.
TEST_F(StateFaultsTest, RootOnFullTmpfs) {
  const fs::path root = temp_dir() / "tiny";
  TinyTmpfs tmpfs(root, "size=1m");
  ASSERT_TRUE(tmpfs.mounted()) << "mount tmpfs: " << std::strerror(errno);
  Bundle& keep_b = bundle("keep");
  keep_b.args({"sleep", "1000"});
  Bundle& b = bundle("filling");
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull_at(root, {"create", "--bundle", keep_b.dir().string(), "keep"}).exit_code, 0);
  const std::string keep_state = read_text_file(root / "keep" / "state.json");

  bool saw_enospc = false, saw_success = false;
  for (int free_kib = 0; free_kib <= 64 && !HasFailure(); free_kib += 4) {
    SCOPED_TRACE(std::to_string(free_kib) + " KiB free");
    // Fill the tmpfs to leave free_kib, in whole pages.
    const fs::path filler = root / "filler";
    fs::remove(filler);
    {
      std::ofstream f(filler, std::ios::binary);
      std::string chunk(4096, 'x');
      while (f.write(chunk.data(), chunk.size()) && f.flush()) {
        if (fs::space(root).available <= static_cast<uintmax_t>(free_kib) * 1024) break;
      }
    }
    ProcResult r = hull_at(root, {"create", "--bundle", b.dir().string(), "filling"});
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.signal, 0);
    if (r.exit_code == 0) {
      saw_success = true;
      EXPECT_EQ(hull_at(root, {"state", "filling"}).exit_code, 0);
    } else {
      EXPECT_EQ(r.exit_code, 1);
      EXPECT_NE(r.err.find("create container \"filling\""), std::string::npos) << r.err;
      if (r.err.find("no space left on device") != std::string::npos) saw_enospc = true;
      EXPECT_FALSE(fs::exists(root / "filling")) << "a failed create left its state dir: " << r.err;
    }
    // Free the space, then clean up the attempt.
    fs::remove(filler);
    ProcResult d = hull_at(root, {"delete", "--force", "filling"});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_FALSE(fs::exists(root / "filling"));
    for (const auto& dir : existing_cgroup_dirs(b.config["linux"]["cgroupsPath"]))
      ADD_FAILURE() << "cgroup left: " << dir;
    EXPECT_EQ(read_text_file(root / "keep" / "state.json"), keep_state) << "the other container's state changed";
    ProcResult s = hull_at(root, {"state", "keep"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
  }
  EXPECT_TRUE(saw_enospc) << "the disk never filled during create";
  EXPECT_TRUE(saw_success) << "create never succeeded";
  EXPECT_EQ(hull_at(root, {"delete", "--force", "keep"}).exit_code, 0);
  // Nothing but the caches of a state root (~seccomp, ~devices).
  for (const auto& e : fs::directory_iterator(root))
    EXPECT_TRUE(is_state_root_cache(e.path().filename())) << "left after deleting everything: " << e.path();
}

// A pause whose record cannot be written (the --root disk full) fails and
// thaws what it froze: a frozen cgroup behind "created" or "running" is what
// a start or an exec would wait on for ever. A resume that cannot record it
// freezes again what it thawed: it left the container running behind
// "paused", which exec refused. The container goes on after.
TEST_F(StateFaultsTest, APauseOrResumeThatCannotRecordItUndoesItself) {
  const fs::path root = temp_dir() / "tiny";
  TinyTmpfs tmpfs(root, "size=1m");
  ASSERT_TRUE(tmpfs.mounted()) << "mount tmpfs: " << std::strerror(errno);
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  const int created = hull_at(root, {"create", "--bundle", b.dir().string(), "p"}).exit_code;
  // Before the root is unmounted, whatever the outcome: the fixture's
  // cleanup does not know this root, and the container's cgroups would stay.
  AtScopeExit delete_p([&] {
    fs::remove(root / "filler");
    hull_at(root, {"delete", "--force", "p"});
  });
  ASSERT_EQ(created, 0);
  std::optional<InitRecord> init;
  {
    std::ifstream in(root / "p" / "state.json");
    nlohmann::json st = nlohmann::json::parse(in, nullptr, false);
    init = InitRecord{st.value("pid", 0), 0, st.value("cgroupPath", std::string())};
  }
  ASSERT_GT(init->pid, 0);
  ASSERT_FALSE(init->cgroup_path.empty());
  const cgroups::Manager cgroup = cgroups::Manager::load(init->cgroup_path);
  const fs::path filler = root / "filler";
  auto fill = [&] {
    std::ofstream f(filler, std::ios::binary);
    std::string chunk(4096, 'x');
    while (f.write(chunk.data(), chunk.size()) && f.flush()) {}
  };
  fill();
  ProcResult pause = hull_at(root, {"pause", "p"});
  EXPECT_EQ(pause.exit_code, 1);
  EXPECT_NE(pause.err.find("pause container \"p\""), std::string::npos) << pause.err;
  EXPECT_NE(pause.err.find("no space left on device"), std::string::npos) << pause.err;
  EXPECT_FALSE(cgroup.frozen()) << "the failed pause left the cgroup frozen";
  fs::remove(filler);

  ProcResult paused = hull_at(root, {"pause", "p"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  fill();
  ProcResult resume = hull_at(root, {"resume", "p"});
  EXPECT_EQ(resume.exit_code, 1);
  EXPECT_NE(resume.err.find("resume container \"p\""), std::string::npos) << resume.err;
  EXPECT_NE(resume.err.find("no space left on device"), std::string::npos) << resume.err;
  EXPECT_TRUE(cgroup.frozen()) << "the failed resume left the cgroup thawed behind \"paused\"";
  fs::remove(filler);
  ProcResult resumed = hull_at(root, {"resume", "p"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_FALSE(cgroup.frozen());
  ProcResult start = hull_at(root, {"start", "p"});
  EXPECT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(hull_at(root, {"delete", "--force", "p"}).exit_code, 0);
  EXPECT_TRUE(wait_exit_and_reap(init->pid));
}

// state.json damaged in each way: state says what is wrong (naming the
// file), delete refuses clearly, delete --force removes the directory, and
// list still lists the other container.
TEST_F(StateFaultsTest, CorruptStateJson) {
  const std::vector<std::pair<std::string, std::string>> damages = {
      {"empty", ""},
      {"truncated", "{\"ociVersion\": \"1.3.0\", \"id\": \"bad\", \"sta"},
      {"garbage", std::string("\x7f"
                              "ELF\x02\x01\x01\x00\xff\xfe garbage",
                              18)},
      {"not an object", "[1, 2, 3]"},
      {"foreign version",
       "{\"ociVersion\": \"9.0.0\", \"id\": \"bad\", \"status\": \"hibernating\", \"pid\": -5, "
       "\"bundle\": 7}"},
      {"other container",
       "{\"ociVersion\": \"1.3.0\", \"id\": \"good\", \"status\": \"created\", \"pid\": 1, "
       "\"bundle\": \"/\"}"},
      // Larger than any hull wrote (write_state refuses 16 MiB; hulls before
      // the eighty-eighth round indented, up to about 1.75 times that).
      {"over the cap", "{" + std::string(size_t{32} << 20, ' ') + "}"},
  };
  create_container("good");
  for (const auto& [what, text] : damages) {
    SCOPED_TRACE(what);
    Bundle& b = bundle("bad-" + std::to_string(&what - &damages[0].first));
    b.args({"sleep", "1000"});
    ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "bad"}).exit_code, 0);
    std::optional<InitRecord> init = recorded_init("bad");
    ASSERT_TRUE(init.has_value());
    std::ofstream(state_dir("bad") / "state.json", std::ios::binary | std::ios::trunc) << text;

    ProcResult st = hull({"state", "bad"});
    EXPECT_EQ(st.exit_code, 1);
    EXPECT_NE(st.err.find("state.json"), std::string::npos) << "state error does not name the file: " << st.err;
    ProcResult del = hull({"delete", "bad"});
    EXPECT_EQ(del.exit_code, 1);
    EXPECT_NE(del.err.find("state.json"), std::string::npos) << del.err;
    ProcResult ls = hull({"list", "--format", "json"});
    EXPECT_EQ(ls.exit_code, 0) << ls.err;
    EXPECT_NE(ls.out.find("\"good\""), std::string::npos) << "list lost the healthy container: " << ls.out;
    // Said, as runc says it, not left out silently.
    EXPECT_NE(ls.err.find("bad\\\" is not listed: corrupt state file " + state_dir("bad").string()), std::string::npos)
        << ls.err;
    ProcResult force = hull({"delete", "--force", "bad"});
    EXPECT_EQ(force.exit_code, 0) << "delete --force: " << force.err;
    EXPECT_FALSE(fs::exists(state_dir("bad")));
    // What the damaged file no longer names hull cannot find; the test ends it.
    if (init->pid > 0 && pid_alive(init->pid)) {
      ::kill(init->pid, SIGKILL);
      wait_exit_and_reap(init->pid);
    }
    for (const auto& dir : existing_cgroup_dirs(init->cgroup_path)) ::rmdir(dir.c_str());
    std::error_code ec;
    fs::remove_all(state_dir("bad"), ec);  // what a failed delete --force left, so the next case starts clean
    EXPECT_EQ(status("good"), "created");
  }
}

// A state.json that parses but whose cgroup record does not (cgroupPath, a
// JSON text of its own): delete --force failed on it ("cgroup state ...:
// not a JSON object") and the id stayed taken for good. Damaged as any
// other state: the directory goes, nothing it names is touched.
TEST_F(StateFaultsTest, ACorruptCgroupRecordInAParsedStateIsRemovedByDeleteForce) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "badcg"}).exit_code, 0);
  std::optional<InitRecord> init = recorded_init("badcg");
  ASSERT_TRUE(init.has_value());
  const fs::path file = state_dir("badcg") / "state.json";
  nlohmann::json state = nlohmann::json::parse(std::ifstream(file));
  state["cgroupPath"] = "{\"made\":";
  std::ofstream(file, std::ios::trunc) << state.dump();
  ProcResult force = hull({"delete", "--force", "badcg"});
  EXPECT_EQ(force.exit_code, 0) << force.err;
  EXPECT_NE(force.err.find("cgroupPath"), std::string::npos) << force.err;
  EXPECT_FALSE(fs::exists(state_dir("badcg")));
  EXPECT_TRUE(alive_and_not_being_killed(init->pid)) << "a process a damaged state names was touched";
  ::kill(init->pid, SIGKILL);
  wait_exit_and_reap(init->pid);
  for (const auto& dir : existing_cgroup_dirs(init->cgroup_path)) ::rmdir(dir.c_str());
}

// Docker 20.10 gives every runtime runc's state root, so runc's containers
// can sit beside hull's. Read as a corrupt state, runc's state.json was
// offered to `delete --force`, which removed runc's record and left its
// container for runc never to find again; crun's record ("status", no
// state.json) was swept as a dead create's by delete and by a create of its
// id. Each is named as the other runtime's and left.
TEST_F(StateFaultsTest, AnotherRuntimesStateInASharedRootIsLeftToIt) {
  create_container("good");
  fs::create_directories(state_dir("runcs"));
  std::ofstream(state_dir("runcs") / "state.json")
      << R"({"id":"runcs","init_process_pid":4194000,"init_process_start":1,"created":"2026-12-06T00:00:00Z",)"
         R"("config":{"rootfs":"/nonexistent"},"rootless":false,"cgroup_paths":{},"namespace_paths":{},)"
         R"("external_descriptors":["/dev/null","/dev/null","/dev/null"]})";
  ProcResult st = hull({"state", "runcs"});
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_NE(st.err.find("is runc's"), std::string::npos) << st.err;
  ProcResult force = hull({"delete", "--force", "runcs"});
  EXPECT_EQ(force.exit_code, 1);
  EXPECT_NE(force.err.find("manage it with that runtime"), std::string::npos) << force.err;
  EXPECT_TRUE(fs::exists(state_dir("runcs") / "state.json"));
  ProcResult ls = hull({"list", "--quiet"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, "good\n");
  EXPECT_NE(ls.err.find("runcs\\\" is not listed: state file"), std::string::npos) << ls.err;
  EXPECT_EQ(ls.err.find("delete --force"), std::string::npos) << ls.err;
  fs::remove_all(state_dir("runcs"));

  fs::create_directories(state_dir("cruns"));
  std::ofstream(state_dir("cruns") / "status")
      << R"({"pid":4194000,"cgroup-path":"","rootfs":"/r","systemd-cgroup":false})";
  std::ofstream(state_dir("cruns") / "config.json") << "{}";
  Bundle& crun_id = bundle("crun-id");
  crun_id.args({"true"});
  for (const std::vector<std::string>& command : {std::vector<std::string>{"delete", "--force", "cruns"},
                                                  {"delete", "cruns"},
                                                  {"create", "--bundle", crun_id.dir().string(), "cruns"}}) {
    ProcResult r = hull(command);
    EXPECT_EQ(r.exit_code, 1) << command[0];
    EXPECT_NE(r.err.find("is crun's"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(state_dir("cruns") / "status")) << command[0];
    // A hull that swept crun's record made its own container there: ended
    // here, so the failed case leaves no init or cgroup behind.
    if (command[0] == "create" && r.exit_code == 0) hull({"delete", "--force", "cruns"});
  }
  fs::remove_all(state_dir("cruns"));
}

// The state dir removed behind hull's back while the container runs: hull
// no longer knows the container (state, delete --force) and list skips it.
TEST_F(StateFaultsTest, StateDirRemovedWhileRunning) {
  pid_t pid = create_container("gone");
  start_container("gone");
  std::optional<InitRecord> init = recorded_init("gone");
  ASSERT_TRUE(init.has_value());
  fs::remove_all(state_dir("gone"));
  ProcResult st = hull({"state", "gone"});
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_NE(st.err.find("does not exist"), std::string::npos) << st.err;
  ProcResult ls = hull({"list", "--quiet"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, "");
  EXPECT_EQ(hull({"delete", "--force", "gone"}).exit_code, 0);
  EXPECT_TRUE(alive_and_not_being_killed(pid)) << "the orphaned init is not hull's to kill any more";
  ::kill(pid, SIGKILL);
  EXPECT_TRUE(wait_exit_and_reap(pid));
  for (const auto& dir : existing_cgroup_dirs(init->cgroup_path)) ::rmdir(dir.c_str());
}

// A config within its cap whose size is mostly annotations: state.json,
// which keeps them, was written indented, past the size every command reads
// back, and create said nothing while state, start and delete --force failed
// on it ("larger than 16777216 bytes"), as run did after the fact.
TEST_F(StateFaultsTest, AConfigNearItsCapOfAnnotationsGivesAStateThatCanBeReadBack) {
  Bundle& b = bundle("annotated");
  // 320,000 annotations of 50 bytes: 16.0 MB, 17.9 MB indented.
  nlohmann::json annotations = nlohmann::json::object();
  const std::string value(36, 'v');
  for (int i = 0; i < 320000; ++i) annotations["k" + std::to_string(1000000 + i)] = value;
  b.config["annotations"] = std::move(annotations);
  b.config["process"]["args"] = {"sleep", "1000"};
  std::ofstream(b.config_path(), std::ios::trunc) << b.config.dump();  // Bundle::write indents
  ASSERT_LT(fs::file_size(b.config_path()), size_t{16} << 20);
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "annotated"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json st = state("annotated");
  EXPECT_EQ(st.value("status", ""), "created");
  EXPECT_EQ(st["annotations"].size(), 320000u);
  r = hull({"delete", "--force", "annotated"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_nothing_left("annotated");
}
// A state.json over the 16 MiB hull now writes but within what an older,
// indenting hull could write (many small annotations): read, so the
// container is managed and delete --force ends its init and cgroups.
TEST_F(StateFaultsTest, AnIndentedStateAnOlderHullWroteIsStillRead) {
  ASSERT_GT(create_container("indented"), 0);
  const fs::path state_file = state_dir("indented") / "state.json";
  const std::string text = read_text_file(state_file);
  ASSERT_EQ(text.front(), '{');
  std::ofstream(state_file, std::ios::binary | std::ios::trunc)
      << "{" << std::string(size_t{20} << 20, ' ') << text.substr(1);
  EXPECT_EQ(status("indented"), "created");
  ProcResult r = hull({"delete", "--force", "indented"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("corrupt"), std::string::npos) << r.err;
  expect_nothing_left("indented");
}

}  // namespace
}  // namespace hull::itest
