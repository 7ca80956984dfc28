// The state store against a temp directory: state.json round trip, create /
// open / remove / list, the per-container lock across processes, and the
// kernel-derived status (/proc/<pid>/stat, zombies, reused pids).
#include "runtime/state_store.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "runtime/operations.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

using test::error_of;

namespace fs = std::filesystem;

ContainerState sample_state(const std::string& id) {
  ContainerState s;
  s.ociVersion = "1.3.0";
  s.id = id;
  s.status = Status::Running;
  s.pid = 4242;
  s.bundle = "/srv/bundles/" + id;
  s.annotations = {{"org.example/key", "value"}, {"empty", ""}};
  s.initStartTime = 18446744073709551615ull;  // the full uint64 range survives JSON
  s.cgroupPath = "/sys/fs/cgroup/hull/" + id;
  s.created = "2026-11-22T09:30:00.123456789Z";
  s.owner = 1000;
  s.rootfs = "/srv/bundles/" + id + "/rootfs";
  s.extra = {{"execFifo", "/run/hull/web/exec.fifo"}, {"note", "with \"quotes\" and \\ and \n"}};
  return s;
}

void expect_same(const ContainerState& a, const ContainerState& b) {
  EXPECT_EQ(a.ociVersion, b.ociVersion);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.bundle, b.bundle);
  EXPECT_EQ(a.annotations, b.annotations);
  EXPECT_EQ(a.initStartTime, b.initStartTime);
  EXPECT_EQ(a.cgroupPath, b.cgroupPath);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.rootfs, b.rootfs);
  EXPECT_EQ(a.extra, b.extra);
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) < 0) return 0;
  return st.st_mode & 07777;
}

// A pipe with both ends owned.
struct Pipe {
  UniqueFd r, w;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("pipe2");
    r.reset(fds[0]);
    w.reset(fds[1]);
  }
};

void send(int fd, std::string_view s) { write_all(fd, s, "pipe"); }
char receive_byte(int fd) {
  char c = 0;
  while (::read(fd, &c, 1) < 0 && errno == EINTR) {}
  return c;
}

int exit_code_of(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class StateStoreTest : public ::testing::Test {
 protected:
  // Creates a container with a written state.json and releases it.
  void make_container(StateStore& store, const std::string& id) {
    ContainerDir d = store.create(id);
    d.write_state(sample_state(id));
  }

  std::set<std::string> root_entries() {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(root_)) names.insert(e.path().filename());
    return names;
  }

  hull::test::TempDir dir_{"state"};
  std::string tmp_ = dir_.path();
  std::string root_ = tmp_ + "/run/hull";
};

// ---- state.json and the runtime-spec state ---------------------------------

TEST(StateJson, StateFileRoundTripsEveryField) {
  for (Status st : {Status::Creating, Status::Created, Status::Running, Status::Paused, Status::PausedBeforeStart,
                    Status::Stopped}) {
    ContainerState s = sample_state("web");
    s.status = st;
    expect_same(from_state_file_json(to_state_file_json(s), "x"), s);
  }
  ContainerState defaults;
  defaults.id = "minimal";
  expect_same(from_state_file_json(to_state_file_json(defaults), "x"), defaults);
}

// Compact, as nlohmann's dump() writes it (earlier hulls indented it, and
// every hull reads either): indented, a config's annotations within its cap
// could make a state.json too large to read back.
TEST(StateJson, StateFileIsWrittenCompactAsDumpWritesIt) {
  ContainerState s = sample_state("web");
  s.annotations.clear();
  s.extra = {{"note", "tab\t\x01"}};
  EXPECT_EQ(to_state_file_json(s),
            "{\"ociVersion\":\"1.3.0\",\"id\":\"web\",\"status\":\"running\",\"pid\":4242,"
            "\"bundle\":\"/srv/bundles/web\",\"annotations\":{},\"initStartTime\":18446744073709551615,"
            "\"cgroupPath\":\"/sys/fs/cgroup/hull/web\",\"created\":\"2026-11-22T09:30:00.123456789Z\","
            "\"owner\":1000,\"rootfs\":\"/srv/bundles/web/rootfs\",\"extra\":{\"note\":\"tab\\t\\u0001\"}}\n");
}

TEST(StateJson, PrivateFieldsMayBeAbsent) {
  ContainerState s =
      from_state_file_json(R"({"ociVersion":"1.2.0","id":"web","status":"created","pid":7,"bundle":"/b"})", "x");
  EXPECT_EQ(s.ociVersion, "1.2.0");
  EXPECT_EQ(s.status, Status::Created);
  EXPECT_EQ(s.pid, 7);
  EXPECT_EQ(s.initStartTime, 0u);
  EXPECT_TRUE(s.annotations.empty());
  EXPECT_TRUE(s.extra.empty());
}

// runc's state.json (a shared root: Docker 20.10) is another runtime's, not
// a damaged one of hull's; a hull state.json that also has that key is hull's.
TEST(StateJson, RuncsStateFormatIsAnotherRuntimesNotACorruptOne) {
  const std::string runc = R"({"id":"web","init_process_pid":7,"config":{"rootfs":"/r"},"created":"x"})";
  for (StateFields fields : {StateFields::All, StateFields::Status})
    EXPECT_THROW(from_state_file_json(runc, "x", fields), OtherRuntimesState);
  EXPECT_THROW(from_state_file_json(R"({"id":"web","config":{}})", "x"), CorruptState);
  EXPECT_EQ(
      from_state_file_json(
          R"({"ociVersion":"1.3.0","id":"web","status":"created","pid":7,"bundle":"/b","init_process_pid":1})", "x")
          .pid,
      7);
}

TEST(StateJson, StatusFieldsLeaveOutTheCgroupAndExtrasButStillValidateThem) {
  ContainerState full = sample_state("web");
  full.cgroupPath = R"({"mode":"unified","v2":"/sys/fs/cgroup/a \"b\""})";
  full.extra = {{"overlay", "/x"}};
  ContainerState s = from_state_file_json(to_state_file_json(full), "x", StateFields::Status);
  EXPECT_TRUE(s.cgroupPath.empty());
  EXPECT_TRUE(s.extra.empty());
  ContainerState expected = full;
  expected.cgroupPath.clear();
  expected.extra.clear();
  expect_same(s, expected);
  // Left out is not unread: a file that is not JSON there is still corrupt.
  const std::string broken = R"({"ociVersion":"1.3.0","id":"web","status":"running","pid":1,"bundle":"/b",)"
                             R"("cgroupPath":"\q"})";
  EXPECT_EQ(error_of([&] { from_state_file_json(broken, "f", StateFields::Status); }),
            "corrupt state file f: it is not valid JSON");
}

// runc shows a created container it froze as "paused"; hull's file says so
// too (a hull without the field resumes it to "running", which its start
// barrier reports as created), and `state` and `list` read "paused".
TEST(StateJson, PausedBeforeStartIsRecordedAsPausedWithAMarker) {
  ContainerState s = sample_state("web");
  s.status = Status::PausedBeforeStart;
  const std::string text = to_state_file_json(s);
  EXPECT_NE(text.find("\"status\":\"paused\",\"pausedBeforeStart\":true,"), std::string::npos) << text;
  EXPECT_EQ(from_state_file_json(text, "x", StateFields::Status).status, Status::PausedBeforeStart);
  EXPECT_NE(to_spec_state_json(s).find("\"status\": \"paused\""), std::string::npos);
  s.status = Status::Paused;
  EXPECT_EQ(to_state_file_json(s).find("pausedBeforeStart"), std::string::npos);
  // The marker means nothing beside another status.
  const std::string running = R"({"ociVersion":"1.3.0","id":"web","bundle":"/b","status":"running","pid":1,)"
                              R"("pausedBeforeStart":true})";
  EXPECT_EQ(from_state_file_json(running, "x").status, Status::Running);
  const std::string paused_false = R"({"ociVersion":"1.3.0","id":"web","bundle":"/b","status":"paused","pid":1,)"
                                   R"("pausedBeforeStart":false})";
  EXPECT_EQ(from_state_file_json(paused_false, "x").status, Status::Paused);
}

TEST(StateJson, CorruptFilesAreRefusedNamingTheFile) {
  const std::string f = "/run/hull/web/state.json";
  const std::string p = "corrupt state file " + f + ": ";
  const std::string ok = R"("ociVersion":"1.3.0","id":"web","bundle":"/b")";
  const std::pair<std::string, std::string> cases[] = {
      {"", p + "it is empty"},
      {"{\"id\":", p + "it is not valid JSON"},
      {"[1,2]", p + "it is not a JSON object"},
      {"{" + ok + R"(,"status":"running"})", p + "field \"pid\" is missing"},
      {"{" + ok + R"(,"pid":1})", p + "field \"status\" is missing"},
      {"{" + ok + R"(,"status":"removed","pid":1})", p + "field \"status\" has unknown value \"removed\""},
      {"{" + ok + R"(,"status":"zombie","pid":1})", p + "field \"status\" has unknown value \"zombie\""},
      {"{" + ok + R"(,"status":"running","pid":-1})", p + "field \"pid\" must be an integer from 0 to 2147483647"},
      {"{" + ok + R"(,"status":"running","pid":1.5})", p + "field \"pid\" must be an integer from 0 to 2147483647"},
      {"{" + ok + R"(,"status":"running","pid":"1"})", p + "field \"pid\" must be an integer from 0 to 2147483647"},
      {"{" + ok + R"(,"status":"running","pid":1,"owner":4294967295})",
       p + "field \"owner\" must be an integer from 0 to 4294967294"},
      {"{" + ok + R"(,"status":"running","pid":1,"annotations":{"a":1}})",
       p + "field \"annotations\" must be an object of strings"},
      {"{" + ok + R"(,"status":"running","pid":1,"cgroupPath":null})", p + "field \"cgroupPath\" must be a string"},
      {"{" + ok + R"(,"status":"paused","pid":1,"pausedBeforeStart":1})",
       p + "field \"pausedBeforeStart\" must be true or false"},
      {R"({"ociVersion":"1.3.0","id":"../x","bundle":"/b","status":"running","pid":1})",
       p + "field \"id\" is not a valid container id"},
  };
  for (const auto& c : cases) {
    const std::string& text = c.first;  // not a structured binding: clang 14 cannot capture one
    SCOPED_TRACE(text);
    EXPECT_EQ(error_of([&] { from_state_file_json(text, f); }), c.second);
  }
}

TEST(StateJson, StateFileRefusesInvalidUtf8RatherThanRewritingIt) {
  ContainerState s = sample_state("web");
  s.bundle = "/srv/\xff";
  EXPECT_EQ(error_of([&] { to_state_file_json(s); }),
            "cannot record the state of container \"web\": its bundle \"/srv/\\xff\" is not valid UTF-8 (state.json "
            "records it as it is)");
  s = sample_state("web");
  s.rootfs = "/srv/r\xc3";
  EXPECT_EQ(error_of([&] { to_state_file_json(s); }),
            "cannot record the state of container \"web\": its rootfs \"/srv/r\\xc3\" is not valid UTF-8 (state.json "
            "records it as it is)");
}

TEST(StateJson, SpecStateIsWhatRuncStatePrints) {
  ContainerState s = sample_state("web");
  s.owner = 0;
  s.annotations = {{"org.example/key", "value"}};
  EXPECT_EQ(to_spec_state_json(s),
            "{\n"
            "  \"ociVersion\": \"1.3.0\",\n"
            "  \"id\": \"web\",\n"
            "  \"pid\": 4242,\n"
            "  \"status\": \"running\",\n"
            "  \"bundle\": \"/srv/bundles/web\",\n"
            "  \"rootfs\": \"/srv/bundles/web/rootfs\",\n"
            "  \"created\": \"2026-11-22T09:30:00.123456789Z\",\n"
            "  \"annotations\": {\n"
            "    \"org.example/key\": \"value\"\n"
            "  },\n"
            "  \"owner\": \"\"\n"
            "}");
}

// Hooks get it on one line, as runc marshals it (Go's json.Marshal): a
// shell hook reads it with `read -r`.
TEST(StateJson, HooksGetTheSpecStateOnOneLine) {
  ContainerState s = sample_state("web");
  s.owner = 0;
  s.annotations = {{"org.example/key", "value"}};
  EXPECT_EQ(to_hook_state_json(s),
            R"({"ociVersion":"1.3.0","id":"web","pid":4242,"status":"running","bundle":"/srv/bundles/web",)"
            R"("rootfs":"/srv/bundles/web/rootfs","created":"2026-11-22T09:30:00.123456789Z",)"
            R"("annotations":{"org.example/key":"value"},"owner":""})");
  s.status = Status::Stopped;
  EXPECT_EQ(to_restore_hook_state_json(s, 77).find('\n'), std::string::npos);
  EXPECT_NE(to_hook_state_json(s).find(R"("pid":0,)"), std::string::npos);
}

TEST(StateJson, SpecStateOfStoppedContainerHasPidZeroAndNoEmptyAnnotations) {
  ContainerState s = sample_state("web");
  s.status = Status::Stopped;
  s.annotations.clear();
  s.owner = 3999999;  // no passwd entry: the number
  EXPECT_EQ(to_spec_state_json(s),
            "{\n"
            "  \"ociVersion\": \"1.3.0\",\n"
            "  \"id\": \"web\",\n"
            "  \"pid\": 0,\n"
            "  \"status\": \"stopped\",\n"
            "  \"bundle\": \"/srv/bundles/web\",\n"
            "  \"rootfs\": \"/srv/bundles/web/rootfs\",\n"
            "  \"created\": \"2026-11-22T09:30:00.123456789Z\",\n"
            "  \"owner\": \"3999999\"\n"
            "}");
}

// ---- create / open / list / remove ----------------------------------------

TEST_F(StateStoreTest, CreateMakesPrivateDirectoriesAndStateRoundTrips) {
  StateStore store(root_ + "/");  // a trailing slash is not part of paths
  EXPECT_EQ(store.root(), root_);
  {
    ContainerDir d = store.create("web");
    EXPECT_EQ(d.id(), "web");
    EXPECT_EQ(d.path(), root_ + "/web");
    d.write_state(sample_state("web"));
    expect_same(d.read_state(), sample_state("web"));
  }
  EXPECT_EQ(mode_of(tmp_ + "/run"), 0755u);  // a parent made on the way, as mkdir -p
  EXPECT_EQ(mode_of(root_), 01700u);         // sticky, as XDG_RUNTIME_DIR asks
  EXPECT_EQ(mode_of(root_ + "/web"), 0700u);
  EXPECT_EQ(mode_of(root_ + "/web/state.json"), 0600u);
  EXPECT_EQ(root_entries(), std::set<std::string>{"web"});  // no temp directory left behind
  ContainerDir again = store.open("web");
  expect_same(again.read_state(), sample_state("web"));
}

// A state no command could read back (kMaxStateFileSize) is not written:
// the one before stays, and the container can still be deleted.
TEST_F(StateStoreTest, AStateTooLargeToReadBackIsRefusedAndTheOldOneKept) {
  StateStore store(root_);
  ContainerDir d = store.create("web");
  d.write_state(sample_state("web"));
  const std::string before = read_file(root_ + "/web/state.json");
  ContainerState huge = sample_state("web");
  huge.annotations["org.example/big"] = std::string(kMaxStateFileSize, 'x');
  try {
    d.write_state(huge);
    ADD_FAILURE() << "a state over the cap was written";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EFBIG);
    EXPECT_NE(std::string(e.what()).find("the state of container \"web\" would be 16777"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read_file(root_ + "/web/state.json"), before);
}

TEST_F(StateStoreTest, CreatingTwiceFailsAndLeavesTheFirstUntouched) {
  StateStore store(root_);
  ContainerDir first = store.create("web");
  first.write_state(sample_state("web"));
  std::string before = read_file(root_ + "/web/state.json");

  EXPECT_EQ(error_of([&] { store.create("web"); }), "container \"web\" already exists");

  EXPECT_EQ(read_file(root_ + "/web/state.json"), before);
  expect_same(first.read_state(), sample_state("web"));
  // The first creator still holds its lock.
  UniqueFd probe = open_fd(root_ + "/web", O_RDONLY | O_DIRECTORY);
  EXPECT_EQ(::flock(probe.get(), LOCK_EX | LOCK_NB), -1);
  EXPECT_EQ(errno, EWOULDBLOCK);
  EXPECT_EQ(root_entries(), std::set<std::string>{"web"});

  // Also after release: a container with state is never cleared.
  first = ContainerDir();
  EXPECT_EQ(error_of([&] { store.create("web"); }), "container \"web\" already exists");
  EXPECT_EQ(read_file(root_ + "/web/state.json"), before);
}

TEST_F(StateStoreTest, CreateRefusesANonDirectoryHoldingTheName) {
  StateStore store(root_);
  fs::create_directories(root_);
  std::ofstream(root_ + "/web") << "not a container";
  // Said, not "already exists": no container of that id is there to delete.
  EXPECT_EQ(error_of([&] { store.create("web"); }),
            "create state directory for container \"web\": " + root_ +
                "/web is not a container's directory (another file holds its name): remove it");
  EXPECT_EQ(read_file(root_ + "/web"), "not a container");
  EXPECT_NE(error_of([&] { store.clear_debris("web"); }).find("is not a container's directory"), std::string::npos);
  fs::remove(root_ + "/web");
  fs::create_symlink(root_ + "/nowhere", root_ + "/web");
  EXPECT_NE(error_of([&] { store.create("web"); }).find("is not a container's directory"), std::string::npos);
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1) << "only the link, no temporary";
}

TEST_F(StateStoreTest, OpenUnknownContainerFails) {
  StateStore store(root_);
  EXPECT_EQ(error_of([&] { store.open("web"); }), "container \"web\" does not exist");  // no root yet
  make_container(store, "other");
  EXPECT_EQ(error_of([&] { store.open("web"); }), "container \"web\" does not exist");
  std::ofstream(root_ + "/file") << "x";
  EXPECT_EQ(error_of([&] { store.open("file"); }), "container \"file\" does not exist");
  fs::create_symlink(root_ + "/other", root_ + "/link");
  EXPECT_EQ(error_of([&] { store.open("link"); }), "container \"link\" does not exist");
}

TEST_F(StateStoreTest, DirectoryOfACreateThatDiedBeforeWritingStateIsReclaimed) {
  StateStore store(root_);
  { ContainerDir half = store.create("web"); }  // "crashed": lock dropped, no state.json
  EXPECT_EQ(error_of([&] { store.open("web"); }), "container \"web\" does not exist");
  ContainerDir d = store.create("web");
  d.write_state(sample_state("web"));
  EXPECT_EQ(d.read_state().id, "web");
}

TEST_F(StateStoreTest, DirectoryWithoutStateButLockedIsNotReclaimed) {
  StateStore store(root_);
  ContainerDir creating = store.create("web");  // a live creator, not yet written state
  EXPECT_EQ(error_of([&] { store.create("web"); }), "container \"web\" already exists");
  creating.write_state(sample_state("web"));
  EXPECT_EQ(creating.read_state().id, "web");
}

// What a create or delete SIGKILLed half-way leaves (found by the lifecycle
// model test): a state-less directory, a create's temporary directory.
TEST_F(StateStoreTest, ClearDebrisRemovesWhatDeadCommandsLeftOfOneId) {
  StateStore store(root_);
  make_container(store, "other");
  fs::create_directories(root_ + "/web");
  std::ofstream(root_ + "/web/config.json") << "{}";  // a delete killed after removing state.json
  fs::create_directory(root_ + "/~creating-web");     // a create killed before its rename
  fs::create_directory(root_ + "/~creating-webby");   // another id's
  store.clear_debris("web");
  EXPECT_EQ(root_entries(), (std::set<std::string>{"other", "~creating-webby"}));
}

TEST_F(StateStoreTest, ClearDebrisLeavesTheTemporaryDirectoryOfALiveCreate) {
  StateStore store(root_);
  fs::create_directories(root_ + "/~creating-web");
  UniqueFd live = open_fd(root_ + "/~creating-web", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(live.get(), LOCK_EX), 0);  // a create still running
  store.clear_debris("web");
  EXPECT_EQ(root_entries(), (std::set<std::string>{"~creating-web"}));
}

// The temporary directory is named after the id, so the next create of the
// id (or delete --force) finds a dead one's by name; a live one's makes the
// create lose the race, as a rename of it would have.
TEST_F(StateStoreTest, CreateClearsADeadCreatesTemporaryDirectoryAndLosesToALiveOne) {
  StateStore store(root_);
  fs::create_directories(root_ + "/~creating-web");
  ContainerDir web = store.create("web");
  EXPECT_EQ(root_entries(), (std::set<std::string>{"web"}));
  fs::create_directory(root_ + "/~creating-db");
  UniqueFd live = open_fd(root_ + "/~creating-db", O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(live.get(), LOCK_EX), 0);
  EXPECT_EQ(error_of([&] { store.create("db"); }), "container \"db\" already exists");
  EXPECT_EQ(root_entries(), (std::set<std::string>{"web", "~creating-db"}));
}

// A create of an id whose container has its state is refused before it
// makes anything: a file in the way of the temporary name (which a create
// reaching it would fail to open as a directory) is not even looked at.
TEST_F(StateStoreTest, ACreateOfAnExistingContainerMakesNothing) {
  StateStore store(root_);
  make_container(store, "web");
  std::ofstream(root_ + "/~creating-web") << "x";
  EXPECT_EQ(error_of([&] { store.create("web"); }), "container \"web\" already exists");
  EXPECT_EQ(root_entries(), (std::set<std::string>{"web", "~creating-web"}));
}

TEST(StateStoreTempName, OneNamePerIdAndAFileNameForTheLongestId) {
  EXPECT_EQ(temp_name_for("web"), "~creating-web");
  std::string a(1024, 'a'), b = a;
  b.back() = 'b';
  EXPECT_NE(temp_name_for(a), temp_name_for(b));
  EXPECT_LE(temp_name_for(a).size(), 255U);
  EXPECT_EQ(temp_name_for(a).find('/'), std::string::npos);
  // A short id cannot take a long one's name: '~' is not allowed in ids.
  EXPECT_EQ(temp_name_for(a).substr(0, 190), "~creating-" + a.substr(0, 180));
  EXPECT_EQ(temp_name_for(a)[190], '~');
}

TEST_F(StateStoreTest, ClearDebrisLeavesAContainerAndALockedDirectory) {
  StateStore store(root_);
  make_container(store, "web");
  ContainerDir creating = store.create("db");  // locked, no state.json yet
  store.clear_debris("web");
  store.clear_debris("db");
  EXPECT_EQ(root_entries(), (std::set<std::string>{"db", "web"}));
  EXPECT_EQ(store.open("web").read_state().id, "web");
}

TEST_F(StateStoreTest, ForceDeleteOfAMissingContainerClearsItsDebris) {
  fs::create_directories(root_ + "/web");
  std::ofstream(root_ + "/web/config.json") << "{}";
  fs::create_directory(root_ + "/~creating-web");
  GlobalOptions g;
  g.root = root_;
  delete_container(g, "web", true);
  EXPECT_TRUE(root_entries().empty());
  // A plain delete clears the same, as runc's removes the directory, and
  // still says there is nothing to delete.
  fs::create_directories(root_ + "/web");
  fs::create_directory(root_ + "/~creating-web");
  EXPECT_EQ(error_of([&] { delete_container(g, "web", false); }), "container \"web\" does not exist");
  EXPECT_TRUE(root_entries().empty());
}

TEST_F(StateStoreTest, PeekReadsStateWithoutWaitingForTheLock) {
  StateStore store(root_);
  EXPECT_EQ(error_of([&] { store.peek("web"); }), "container \"web\" does not exist");
  ContainerDir held = store.create("web");
  EXPECT_EQ(error_of([&] { store.peek("web"); }), "container \"web\" does not exist");  // no state yet
  held.write_state(sample_state("web"));
  expect_same(store.peek("web"), sample_state("web"));  // returns while `held` keeps the lock
  EXPECT_THROW(store.peek("../web"), Error);
}

TEST_F(StateStoreTest, PeekNamesACorruptFile) {
  StateStore store(root_);
  make_container(store, "web");
  std::ofstream(root_ + "/web/state.json", std::ios::trunc) << "{garbage";
  EXPECT_EQ(error_of([&] { store.peek("web"); }),
            "corrupt state file " + root_ + "/web/state.json: it is not valid JSON");
  EXPECT_EQ(error_of([&] { store.open("web").read_state(); }),
            "corrupt state file " + root_ + "/web/state.json: it is not valid JSON");
}

TEST_F(StateStoreTest, StateOfAnotherContainerIsRefused) {
  StateStore store(root_);
  ContainerDir d = store.create("web");
  EXPECT_EQ(error_of([&] { d.write_state(sample_state("db")); }),
            "state of container \"db\" written into the directory of \"web\"");
  // A state.json copied in from another container's directory.
  std::ofstream(root_ + "/web/state.json") << to_state_file_json(sample_state("db"));
  EXPECT_EQ(error_of([&] { d.read_state(); }),
            "corrupt state file " + root_ + "/web/state.json: it belongs to container \"db\"");
}

TEST_F(StateStoreTest, WriteStateReplacesTheFileWholeAndLeavesNoTempFile) {
  StateStore store(root_);
  ContainerDir d = store.create("web");
  ContainerState s = sample_state("web");
  d.write_state(s);
  s.status = Status::Stopped;
  s.pid = 0;
  d.write_state(s);
  expect_same(d.read_state(), s);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(d.path())) names.insert(e.path().filename());
  EXPECT_EQ(names, std::set<std::string>{"state.json"});
}

TEST(StateStoreRoot, EmptyRootIsRefused) {
  EXPECT_EQ(error_of([] { StateStore store(""); }), "the state root must not be empty");
}

TEST_F(StateStoreTest, ListIdsIsSortedAndSkipsNonContainers) {
  StateStore store(root_);
  EXPECT_TRUE(store.list_ids().empty());  // root does not exist yet
  for (const char* id : {"c", "a", "b-2", ".dotted"}) make_container(store, id);
  std::ofstream(root_ + "/plainfile") << "x";
  fs::create_directory(root_ + "/~creating-abc123");  // temp directory of a create
  fs::create_directory(root_ + "/not valid");
  fs::create_symlink(root_ + "/a", root_ + "/symlink");
  EXPECT_EQ(store.list_ids(), (std::vector<std::string>{".dotted", "a", "b-2", "c"}));
}

TEST_F(StateStoreTest, RemoveDeletesTheTreeWithoutFollowingSymlinks) {
  StateStore store(root_);
  std::string outside = tmp_ + "/outside";
  fs::create_directory(outside);
  std::ofstream(outside + "/precious") << "keep";
  {
    ContainerDir d = store.create("web");
    d.write_state(sample_state("web"));
    fs::create_directories(d.path() + "/sub/deeper");
    std::ofstream(d.path() + "/sub/deeper/file") << "x";
    std::ofstream(d.path() + "/exec.fifo") << "x";
    fs::create_directory_symlink(outside, d.path() + "/sub/link-to-outside");
    d.remove();
  }
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ + "/web")));
  EXPECT_EQ(read_file(outside + "/precious"), "keep");
  EXPECT_EQ(error_of([&] { store.open("web"); }), "container \"web\" does not exist");
  EXPECT_TRUE(store.list_ids().empty());
  ContainerDir fresh = store.create("web");  // the id is free again
}

TEST_F(StateStoreTest, RemoveRefusesToDescendIntoAMountPoint) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount";
  StateStore store(root_);
  make_container(store, "web");
  std::string mnt = root_ + "/web/mnt";
  fs::create_directory(mnt);
  // In a child with a private mount namespace, so nothing leaks to the host.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(77);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") < 0) _exit(77);
    { std::ofstream(mnt + "/on-the-mount") << "keep"; }
    // A read-only root (a bind of a 0555 rootfs) keeps its mode: it is not
    // the tree's to give the owner's bits.
    if (::chmod(mnt.c_str(), 0555) < 0) _exit(77);
    std::string err = error_of([&] { store.open("web").remove(); });
    bool refused = err == "remove container \"web\": refusing to remove " + mnt + ": it is a mount point";
    bool kept = ::access((mnt + "/on-the-mount").c_str(), F_OK) == 0;
    struct stat st {};
    bool mode_kept = ::stat(mnt.c_str(), &st) == 0 && (st.st_mode & 07777) == 0555;
    _exit(refused && kept && mode_kept ? 0 : 1);
  }
  int code = exit_code_of(child);
  if (code == 77) GTEST_SKIP() << "cannot make a private mount namespace here";
  EXPECT_EQ(code, 0);
}

// A tree as deep as a container may make its overlay's upper dir. Removed
// with one directory open at a time: an fd a level ran out at the open
// files limit, and the id could never be deleted or reused.
TEST_F(StateStoreTest, RemoveTakesATreeDeeperThanTheOpenFilesLimit) {
  StateStore store(root_);
  make_container(store, "deep");
  const std::string top = root_ + "/deep/overlay";
  fs::create_directory(top);
  {
    UniqueFd level(::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int i = 0; i < 2000 && level; ++i) {
      UniqueFd file(::openat(level.get(), "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
      ASSERT_TRUE(file) << i;
      ASSERT_EQ(::mkdirat(level.get(), "t", 0700), 0) << i;
      level = UniqueFd(::openat(level.get(), "t", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    ASSERT_TRUE(level);
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const rlimit few{64, 64};
    if (::setrlimit(RLIMIT_NOFILE, &few) < 0) _exit(3);
    try {
      store.open("deep").remove();
    } catch (...) {
      _exit(1);
    }
    _exit(::access((root_ + "/deep").c_str(), F_OK) == 0 ? 2 : 0);
  }
  EXPECT_EQ(exit_code_of(child), 0) << "1: remove failed, 2: the directory is left";
}

// A rootless caller empties directories of its own that a container left
// unsearchable (400) or unwritable (555) in its overlay's upper dir: it
// failed there, every retry of delete the same, until a chmod by hand.
TEST_F(StateStoreTest, ACallerEmptiesItsOwnUnsearchableAndUnwritableDirectories) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to hand the tree to another user";
  char tmpl[] = "/tmp/hull-unit-own-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string top = tmpl, tree = top + "/tree";
  fs::create_directories(tree + "/unsearchable/x");
  fs::create_directories(tree + "/unwritable/y");
  std::ofstream(tree + "/unsearchable/x/f") << "x";
  std::ofstream(tree + "/unwritable/y/f") << "y";
  constexpr uid_t kUser = 65534;
  for (const auto& e : fs::recursive_directory_iterator(top)) ASSERT_EQ(::lchown(e.path().c_str(), kUser, kUser), 0);
  ASSERT_EQ(::chown(top.c_str(), kUser, kUser), 0);
  ASSERT_EQ(::chmod((tree + "/unsearchable").c_str(), 0400), 0);
  ASSERT_EQ(::chmod((tree + "/unwritable/y").c_str(), 0555), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgroups(0, nullptr) < 0 || ::setresgid(kUser, kUser, kUser) < 0 || ::setresuid(kUser, kUser, kUser) < 0)
      _exit(3);
    try {
      remove_directory_tree(tree);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      _exit(1);
    }
    _exit(::access(tree.c_str(), F_OK) == 0 ? 2 : 0);
  }
  EXPECT_EQ(exit_code_of(child), 0) << "1: remove failed, 2: the tree is left";
  fs::remove_all(top);
}

// The same caller, where a mount point in the tree is one of its own
// directories and mode 0: refused as a mount point, its mode left as it was
// (it was given the owner's bits before the mount check).
TEST_F(StateStoreTest, ACallersOwnMountPointKeepsItsModeWhenRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount and hand the tree to another user";
  char tmpl[] = "/tmp/hull-unit-own-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string top = tmpl, tree = top + "/tree", mnt = tree + "/sub/mnt";
  fs::create_directories(mnt);
  constexpr uid_t kUser = 65534;
  for (const auto& e : fs::recursive_directory_iterator(top)) ASSERT_EQ(::lchown(e.path().c_str(), kUser, kUser), 0);
  ASSERT_EQ(::chown(top.c_str(), kUser, kUser), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(77);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k,mode=0,uid=65534,gid=65534") < 0) _exit(77);
    if (::setgroups(0, nullptr) < 0 || ::setresgid(kUser, kUser, kUser) < 0 || ::setresuid(kUser, kUser, kUser) < 0)
      _exit(3);
    std::string err = error_of([&] { remove_directory_tree(tree); });
    struct stat st {};
    bool mode_kept = ::stat(mnt.c_str(), &st) == 0 && (st.st_mode & 07777) == 0;
    if (err.find("refusing to remove " + mnt + ": it is a mount point") == std::string::npos) {
      std::fprintf(stderr, "%s\n", err.c_str());
      _exit(1);
    }
    _exit(mode_kept ? 0 : 2);
  }
  int code = exit_code_of(child);
  fs::remove_all(top);
  if (code == 77) GTEST_SKIP() << "cannot make a private mount namespace here";
  EXPECT_EQ(code, 0) << "1: not refused as a mount point, 2: its mode was changed";
}

// A path deep in such a tree is spelled whole while it is short enough to
// act on (a mount point to unmount), shortened in the middle past 1024 bytes.
TEST_F(StateStoreTest, ALongPathIsShortenedInTheMessage) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount";
  StateStore store(root_);
  make_container(store, "web");
  std::string shallow = root_ + "/web";
  for (int i = 0; i < 30; ++i) shallow += "/d";
  fs::create_directories(shallow);
  pid_t first = ::fork();
  ASSERT_GE(first, 0);
  if (first == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(77);
    if (::mount("tmpfs", shallow.c_str(), "tmpfs", 0, "size=64k") < 0) _exit(77);
    std::string err = error_of([&] { store.open("web").remove(); });
    _exit(err == "remove container \"web\": refusing to remove " + shallow + ": it is a mount point" ? 0 : 1);
  }
  int shallow_code = exit_code_of(first);
  if (shallow_code == 77) GTEST_SKIP() << "cannot make a private mount namespace here";
  EXPECT_EQ(shallow_code, 0) << "a short path was not spelled whole";
  // The first remove took the state files: another container for the second.
  make_container(store, "web2");
  std::string mnt = root_ + "/web2";
  for (int i = 0; i < 120; ++i) mnt += "/dddddddd";
  fs::create_directories(mnt);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(77);
    if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") < 0) _exit(77);
    std::string err = error_of([&] { store.open("web2").remove(); });
    std::string shown = root_ + "/web2";
    for (int i = 0; i < 7; ++i) shown += "/dddddddd";
    shown += "/...(104 more levels)...";
    for (int i = 0; i < 9; ++i) shown += "/dddddddd";
    _exit(err == "remove container \"web2\": refusing to remove " + shown + ": it is a mount point" ? 0 : 1);
  }
  int code = exit_code_of(child);
  if (code == 77) GTEST_SKIP() << "cannot make a private mount namespace here";
  EXPECT_EQ(code, 0);
}

// What a restore killed before it unmounted its bind of the rootfs for CRIU
// leaves: that mount is hull's own, so removing the directory unmounts it
// (the id could never be deleted or reused: "it is a mount point"), and
// the rootfs it showed is left as it was.
TEST_F(StateStoreTest, RemoveUnmountsTheRootfsARestoreBoundForCriu) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount";
  StateStore store(root_);
  make_container(store, "web");
  const std::string rootfs = root_ + "-rootfs";
  fs::create_directory(rootfs);
  std::ofstream(rootfs + "/image-file") << "keep";
  const std::string criu_root = root_ + "/web/" + kCriuRootName;
  fs::create_directory(criu_root);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(77);
    if (::mount(rootfs.c_str(), criu_root.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) _exit(77);
    if (::chmod(rootfs.c_str(), 0555) < 0) _exit(77);  // a Fedora-style rootfs
    try {
      store.open("web").remove();
    } catch (const Error&) {
      _exit(2);
    }
    bool removed = ::access((root_ + "/web").c_str(), F_OK) < 0;
    bool kept = ::access((rootfs + "/image-file").c_str(), F_OK) == 0;
    struct stat st {};
    bool mode_kept = ::stat(rootfs.c_str(), &st) == 0 && (st.st_mode & 07777) == 0555;
    _exit(removed && kept && mode_kept ? 0 : 1);
  }
  int code = exit_code_of(child);
  fs::remove_all(rootfs);
  if (code == 77) GTEST_SKIP() << "cannot make a private mount namespace here";
  EXPECT_EQ(code, 0);
}

size_t open_fd_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_F(StateStoreTest, NoFileDescriptorOutlivesItsOwner) {
  {
    StateStore warmup(root_);
    make_container(warmup, "warmup");  // first use may open lazily-loaded libraries (nss)
    warmup.peek("warmup");
  }
  size_t before = open_fd_count();
  {
    StateStore store(root_);
    for (int i = 0; i < 3; ++i) {
      make_container(store, "web");
      store.peek("web");
      store.list_ids();
      EXPECT_THROW(store.create("web"), Error);
      EXPECT_THROW(store.open("nope"), Error);
      EXPECT_THROW(store.peek("nope"), Error);
      { ContainerDir half = store.create("half"); }            // debris ...
      store.create("half").write_state(sample_state("half"));  // ... reclaimed
      store.open("half").remove();
      ContainerDir d = store.open("web");
      d.read_state();
      d.remove();
    }
    // The root list_ids keeps open for the peeks after it, once.
    EXPECT_EQ(open_fd_count(), before + 1);
  }
  EXPECT_EQ(open_fd_count(), before);
}

// ---- the lock across processes --------------------------------------------

// Waits until /proc/locks shows `pid` blocked on a flock of inode `ino`: proof
// that it is inside flock(), not merely not yet there. Polls kernel state; no
// timing assumption (the deadline only turns a hang into a failure).
bool wait_until_blocked_on(pid_t pid, ino_t ino) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const std::string ino_tag = ":" + std::to_string(ino) + " ";
  const std::string pid_tag = " " + std::to_string(pid) + " ";
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream locks(read_file("/proc/locks"));
    for (std::string line; std::getline(locks, line);) {
      if (line.find("-> FLOCK") != std::string::npos && line.find(ino_tag) != std::string::npos &&
          line.find(pid_tag) != std::string::npos)
        return true;
    }
    ::sched_yield();
  }
  return false;
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) throw_errno("stat " + path);
  return st.st_ino;
}

// Forks a child that opens `id`, writes 'L', waits for a byte on go_r, runs
// `then` on the still-locked directory and exits (releasing the lock).
pid_t fork_holder(const StateStore& store, const std::string& id, int ready_w, int go_r,
                  const std::function<void(ContainerDir&)>& then) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  try {
    ContainerDir d = store.open(id);
    send(ready_w, "L");
    receive_byte(go_r);
    then(d);
  } catch (...) {
    _exit(1);
  }
  _exit(0);
}

// Forks a child that opens `id` and writes "opened" or the error text.
pid_t fork_opener(const StateStore& store, const std::string& id, int result_w) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  std::string result = error_of([&] { store.open(id); });
  send(result_w, result == test::kNoError ? "opened" : result);
  _exit(0);
}

struct LockScenario {
  std::string opener_result;
  bool opener_blocked = false;
  bool opener_done_before_release = false;
  int holder_exit = -1;
};

// Holder takes the lock; opener starts and must block; then the holder runs
// `then` and exits; returns what the opener saw.
LockScenario run_lock_scenario(const StateStore& store, const std::string& id,
                               const std::function<void(ContainerDir&)>& then) {
  LockScenario out;
  Pipe ready, go, result;
  ino_t ino = inode_of(store.root() + "/" + id);
  pid_t holder = fork_holder(store, id, ready.w.get(), go.r.get(), then);
  if (holder < 0) throw_errno("fork");
  ready.w.reset();
  if (receive_byte(ready.r.get()) != 'L') throw Error("holder did not take the lock");

  pid_t opener = fork_opener(store, id, result.w.get());
  if (opener < 0) throw_errno("fork");
  result.w.reset();
  out.opener_blocked = wait_until_blocked_on(opener, ino);
  // Still blocked: nothing written to its result pipe yet.
  int flags = ::fcntl(result.r.get(), F_GETFL);
  ::fcntl(result.r.get(), F_SETFL, flags | O_NONBLOCK);
  char c;
  out.opener_done_before_release = ::read(result.r.get(), &c, 1) >= 0 || errno != EAGAIN;
  ::fcntl(result.r.get(), F_SETFL, flags);

  send(go.w.get(), "g");
  out.holder_exit = exit_code_of(holder);
  out.opener_result = read_fd(result.r.get(), "result pipe");
  exit_code_of(opener);
  return out;
}

TEST_F(StateStoreTest, OpenBlocksUntilTheHolderReleasesTheLock) {
  StateStore store(root_);
  make_container(store, "web");
  LockScenario s = run_lock_scenario(store, "web", [](ContainerDir&) {});
  EXPECT_TRUE(s.opener_blocked);
  EXPECT_FALSE(s.opener_done_before_release);
  EXPECT_EQ(s.holder_exit, 0);
  EXPECT_EQ(s.opener_result, "opened");
}

TEST_F(StateStoreTest, OpenWaitingOnADeleteReportsTheContainerGone) {
  StateStore store(root_);
  make_container(store, "web");
  LockScenario s = run_lock_scenario(store, "web", [](ContainerDir& d) { d.remove(); });
  EXPECT_TRUE(s.opener_blocked);
  EXPECT_FALSE(s.opener_done_before_release);
  EXPECT_EQ(s.holder_exit, 0);
  EXPECT_EQ(s.opener_result, "container \"web\" does not exist");
}

TEST_F(StateStoreTest, OpenWaitingOnADeleteFindsTheContainerCreatedAgain) {
  StateStore store(root_);
  make_container(store, "web");
  // The holder moves its directory aside and creates a new "web" while it
  // still holds the old lock: the waiter wakes holding a lock on a directory
  // that no longer has the name, and must retry on the new one.
  LockScenario s = run_lock_scenario(store, "web", [&](ContainerDir& d) {
    fs::rename(d.path(), root_ + "/moved-aside");
    ContainerState st = sample_state("web");
    st.pid = 777;
    store.create("web").write_state(st);
  });
  EXPECT_TRUE(s.opener_blocked);
  EXPECT_EQ(s.holder_exit, 0);
  EXPECT_EQ(s.opener_result, "opened");
  EXPECT_EQ(store.open("web").read_state().pid, 777);
}

// Whether `pid` is asleep in flock(2), or has ended: read from
// /proc/<pid>/syscall and /proc/<pid>/stat, for at most five seconds (the
// test's own wait).
bool blocks_in_flock_or_ends(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string flock_nr = std::to_string(SYS_flock) + " ";
  for (int i = 0; i < 5000; ++i) {
    std::string syscall_line, stat_line;
    std::getline(std::ifstream(proc + "/syscall"), syscall_line);
    if (syscall_line.rfind(flock_nr, 0) == 0) return true;
    std::getline(std::ifstream(proc + "/stat"), stat_line);
    const size_t end = stat_line.rfind(") ");
    if (end == std::string::npos || stat_line[end + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

// A create between the mkdir of its temporary directory and its lock on it
// holds the state root's lock, so another create of the id that finds the
// directory unlocked waits for that lock instead of taking the directory
// for a dead create's. Before, two creates could sweep each other's new
// directory in turn until both gave up with "already exists" (CI, seed
// 3782368475 of the lifecycle model): this test's create swept and won.
TEST_F(StateStoreTest, ACreateWaitsForOneThatHasNotLockedItsTemporaryDirectoryYet) {
  StateStore store(root_);
  fs::create_directories(root_);
  UniqueFd root = open_fd(root_, O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(root.get(), LOCK_EX), 0);  // the other create, right after its mkdir
  const std::string temp = root_ + "/" + temp_name_for("web");
  fs::create_directory(temp);
  Pipe results;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    results.r.reset();
    root.reset();
    send(results.w.get(), error_of([&] { store.create("web"); }));
    _exit(0);
  }
  results.w.reset();
  ASSERT_TRUE(blocks_in_flock_or_ends(pid));
  UniqueFd live = open_fd(temp, O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(live.get(), LOCK_EX), 0);  // the other create locks its directory
  root.reset();                                // and lets go of the root
  EXPECT_EQ(exit_code_of(pid), 0);
  EXPECT_EQ(read_fd(results.r.get(), "results"), "container \"web\" already exists");
  EXPECT_EQ(root_entries(), std::set<std::string>{temp_name_for("web")});
}

TEST_F(StateStoreTest, ConcurrentCreatesOfOneIdHaveExactlyOneWinner) {
  StateStore store(root_);
  constexpr int kRacers = 8;
  Pipe start, results;
  pid_t pids[kRacers];
  for (pid_t& pid : pids) {
    pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      start.w.reset();
      receive_byte(start.r.get());  // EOF when the parent closes: all start together
      std::string err = error_of([&] { store.create("web").write_state(sample_state("web")); });
      send(results.w.get(), err == test::kNoError ? "W" : err == "container \"web\" already exists" ? "E" : "?");
      _exit(0);
    }
  }
  start.w.reset();
  results.w.reset();
  for (pid_t pid : pids) EXPECT_EQ(exit_code_of(pid), 0);
  std::string outcome = read_fd(results.r.get(), "results");
  EXPECT_EQ(std::count(outcome.begin(), outcome.end(), 'W'), 1) << outcome;
  EXPECT_EQ(std::count(outcome.begin(), outcome.end(), 'E'), kRacers - 1) << outcome;
  EXPECT_EQ(root_entries(), std::set<std::string>{"web"});  // no temp directories left
}

// ---- /proc/<pid>/stat and the live status ---------------------------------

uint64_t boottime_ticks() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  long hz = ::sysconf(_SC_CLK_TCK);
  return static_cast<uint64_t>(ts.tv_sec) * hz + static_cast<uint64_t>(ts.tv_nsec) / (1000000000 / hz);
}

TEST(ProcStat, ParsesCommandNamesWithSpacesAndParentheses) {
  std::string tail = " 1 1 0 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 33127 3133440 393 18446744073709551615 0";
  ProcStat st = parse_proc_stat("4945 (a) Z 1 (b) R" + tail, "stat");
  EXPECT_EQ(st.state, 'R');
  EXPECT_EQ(st.start_time, 33127u);
  EXPECT_EQ(st.flags, 4194304u);  // field 9
  st = parse_proc_stat("4945 (cat) S" + tail + "\n", "stat");
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.start_time, 33127u);
  // starttime as the last field, with the newline.
  st = parse_proc_stat("1 (x) D 1 1 0 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 42\n", "stat");
  EXPECT_EQ(st.start_time, 42u);
}

TEST(ProcStat, SigkillPendingIsBitNineOfSigPndOrShdPnd) {
  const std::string head = "Name:\tsleep\nState:\tS (sleeping)\nSigQ:\t0/7823\n";
  EXPECT_FALSE(sigkill_pending_in_status(head + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"));
  EXPECT_TRUE(sigkill_pending_in_status(head + "SigPnd:\t0000000000000100\nShdPnd:\t0000000000000000\n"));
  EXPECT_TRUE(sigkill_pending_in_status(head + "SigPnd:\t0000000000000000\nShdPnd:\t0000000000004100\n"));
  // SIGTERM (bit 15) and SIGUSR1 (bit 10) pending are not a kill.
  EXPECT_FALSE(sigkill_pending_in_status(head + "SigPnd:\t0000000000004200\nShdPnd:\t0000000000000000\n"));
  // Only at the start of a line: a command name cannot fake the field.
  EXPECT_FALSE(sigkill_pending_in_status("Name:\tx SigPnd: 100\nSigPnd:\t0000000000000000\n"));
  EXPECT_TRUE(sigkill_pending_in_status("Name:\tx SigPnd: 0\nSigPnd:\t0000000000000100\n"));
  EXPECT_FALSE(sigkill_pending_in_status(""));
  EXPECT_FALSE(sigkill_pending(0));
}

TEST(ProcStat, LeadsItsPidNamespaceWhenTheLastNSpidIsOne) {
  const std::string head = "Name:\tsleep\nState:\tS (sleeping)\nPid:\t4242\n";
  EXPECT_TRUE(leads_its_pid_namespace_in_status(head + "NSpid:\t4242\t1\nNSpgid:\t4242\t1\n"));
  EXPECT_FALSE(leads_its_pid_namespace_in_status(head + "NSpid:\t4242\t7\nNSpgid:\t4242\t1\n"));
  EXPECT_FALSE(leads_its_pid_namespace_in_status(head + "NSpid:\t4241\n"));  // the runtime's pid namespace
  EXPECT_TRUE(leads_its_pid_namespace_in_status("Name:\tinit\nNSpid:\t1\n"));
  // Only at the start of a line: a command name cannot fake the field.
  EXPECT_FALSE(leads_its_pid_namespace_in_status("Name:\tx NSpid:\t1\nNSpid:\t4242\t9\n"));
  EXPECT_TRUE(leads_its_pid_namespace_in_status("Name:\tx\n"));  // no NSpid: nothing to tell apart
  EXPECT_TRUE(leads_its_pid_namespace(0));
}

TEST(ProcStat, RefusesMalformedText) {
  EXPECT_EQ(error_of([] { parse_proc_stat("4945 cat R 1", "/proc/4945/stat"); }),
            "parse /proc/4945/stat: no ')' after the command name");
  EXPECT_EQ(error_of([] { parse_proc_stat("4945 (cat) R 1 1 0", "/proc/4945/stat"); }),
            "parse /proc/4945/stat: fewer than 22 fields");
  EXPECT_EQ(error_of([] { parse_proc_stat("4945 (cat) RR 1", "/proc/4945/stat"); }),
            "parse /proc/4945/stat: bad state field \"RR\"");
  EXPECT_EQ(error_of([] { parse_proc_stat("1 (x) D 1 1 0 0 -1 4 1 0 0 0 0 0 0 0 20 0 1 0 4x2 5", "/proc/1/stat"); }),
            "parse /proc/1/stat: bad start time \"4x2\"");
}

TEST(ProcStat, ReadsSelf) {
  std::optional<ProcStat> st = read_proc_stat(::getpid());
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->state, 'R');
  EXPECT_GT(st->start_time, 0u);
  EXPECT_LE(st->start_time, boottime_ticks());
}

TEST(ProcStat, AbsentProcessIsNullopt) {
  EXPECT_EQ(read_proc_stat(0), std::nullopt);
  EXPECT_EQ(read_proc_stat(-5), std::nullopt);
  long pid_max = std::stol(read_file("/proc/sys/kernel/pid_max"));
  EXPECT_EQ(read_proc_stat(static_cast<pid_t>(pid_max) + 1), std::nullopt);  // no pid can be this large
}

TEST(ProcStat, ChildWithHostileNameThenZombieThenReaped) {
  Pipe named, go;
  uint64_t before = boottime_ticks();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A name that fakes the fields a naive parser would read.
    ::prctl(PR_SET_NAME, "x) Z 1 (y) Z 9");
    send(named.w.get(), "n");
    receive_byte(go.r.get());
    _exit(3);
  }
  ASSERT_EQ(receive_byte(named.r.get()), 'n');
  uint64_t after = boottime_ticks();
  EXPECT_EQ(read_file("/proc/" + std::to_string(child) + "/comm"), "x) Z 1 (y) Z 9\n");

  std::optional<ProcStat> alive = read_proc_stat(child);
  ASSERT_TRUE(alive.has_value());
  EXPECT_TRUE(alive->state == 'S' || alive->state == 'R') << alive->state;  // alive, maybe not yet in read
  // Field 22 is the start time: it lies between the clock before and after fork.
  EXPECT_GE(alive->start_time + 2, before);
  EXPECT_LE(alive->start_time, after + 2);

  ContainerState s = sample_state("web");
  s.pid = child;
  s.initStartTime = alive->start_time;
  EXPECT_EQ(live_status(s), Status::Running);

  // Let it exit but do not reap it (WNOWAIT): a zombie.
  send(go.w.get(), "g");
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  std::optional<ProcStat> zombie = read_proc_stat(child);
  ASSERT_TRUE(zombie.has_value());
  EXPECT_EQ(zombie->state, 'Z');
  EXPECT_EQ(zombie->start_time, alive->start_time);
  EXPECT_EQ(live_status(s), Status::Stopped);

  EXPECT_EQ(exit_code_of(child), 3);
  EXPECT_EQ(read_proc_stat(child), std::nullopt);
  EXPECT_EQ(live_status(s), Status::Stopped);
}

TEST(LiveStatus, FollowsTheRecordedInitOnly) {
  std::optional<ProcStat> self = read_proc_stat(::getpid());
  ASSERT_TRUE(self.has_value());
  ContainerState s = sample_state("web");
  s.pid = ::getpid();
  s.initStartTime = self->start_time;
  for (Status st : {Status::Creating, Status::Created, Status::Running, Status::Paused, Status::PausedBeforeStart}) {
    s.status = st;
    EXPECT_EQ(live_status(s), st) << to_string(st);
  }
  s.status = Status::Stopped;  // recorded stopped stays stopped even if the pid lives
  EXPECT_EQ(live_status(s), Status::Stopped);

  // A reused pid: a live process with that number but another start time.
  s.status = Status::Running;
  s.initStartTime = self->start_time + 1;
  EXPECT_EQ(live_status(s), Status::Stopped);

  s.pid = 0;
  s.status = Status::Creating;
  EXPECT_EQ(live_status(s), Status::Creating);  // init not forked yet
  for (Status st : {Status::Created, Status::Running, Status::Paused, Status::PausedBeforeStart}) {
    s.status = st;
    EXPECT_EQ(live_status(s), Status::Stopped) << to_string(st);
  }
}

}  // namespace
}  // namespace hull
