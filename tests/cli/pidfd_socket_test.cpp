// --pidfd-socket (runc 1.2 and later): create, run and exec send a pidfd of
// the process they made to a caller's AF_UNIX socket. The tests are the
// receiver: they check the pidfd names that process (its fdinfo), then kill
// the process through it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/fd_passing.hpp"
#include "exec_fixture.hpp"
#include "harness.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

// The pid a pidfd refers to, from its fdinfo ("Pid:\t123"); -1 without one
// (the fd is no pidfd).
pid_t pid_of_pidfd(int fd) {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
  for (std::string line; std::getline(info, line);)
    if (line.starts_with("Pid:")) return std::stoi(line.substr(4));
  return -1;
}

// The one message a runtime sends on the socket (its bytes and the
// pidfd), and the connection it came on.
struct Received {
  ReceivedMessage message;
  UniqueFd conn;
};
Received receive_pidfd(int listener) {
  Received r;
  r.conn = accept_within(listener, milliseconds(20000));
  if (r.conn) r.message = receive_with_fd(r.conn.get(), 64, "the pidfd message");
  return r;
}

// Whether the peer closed the connection (end of file within 10 s).
bool hung_up(int conn) {
  pollfd ended{conn, POLLIN, 0};
  char byte;
  return ::poll(&ended, 1, 10000) == 1 && ::recv(conn, &byte, 1, 0) == 0;
}

// Kills the process through the pidfd; whether its exit shows on the pidfd.
bool killed_through(int pidfd) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) != 0) return false;
  pollfd exited{pidfd, POLLIN, 0};
  return ::poll(&exited, 1, 10000) == 1;
}

// create and run -d: the pidfd names the init that state reports, and a
// SIGKILL through it stops the container. create's relative path is the
// bundle's, as with runc (which has changed into the bundle when it
// connects): the socket is in the bundle, the harness's working directory
// elsewhere.
TEST_F(HullTest, CreateAndADetachedRunSendAPidfdOfTheInit) {
  for (const char* verb : {"create", "run"}) {
    SCOPED_TRACE(verb);
    const bool run = std::string(verb) == "run";
    Bundle& b = bundle(verb);
    b.args({"sleep", "1000"});
    ASSERT_NE(fs::current_path(), b.dir());
    const fs::path sock = run ? temp_dir() / "run-pidfd.sock" : b.dir() / "pidfd.sock";
    const std::string given = run ? sock.string() : "pidfd.sock";
    const std::string id = std::string("pidfd-") + verb;
    UniqueFd listener = listen_unix(sock);
    std::vector<std::string> args{verb, "--bundle", b.dir().string(), "--pidfd-socket", given, id};
    if (run) args.insert(args.begin() + 1, "-d");
    ProcResult r = hull(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Received got = receive_pidfd(listener.get());
    ReceivedMessage& m = got.message;
    ASSERT_TRUE(m.fd) << "no pidfd came on the socket";
    EXPECT_EQ(m.data, "standard");
    // Nobody holds the connection once the runtime has gone: not the init
    // that waits for start either.
    EXPECT_TRUE(hung_up(got.conn.get()));
    EXPECT_EQ(status(id), run ? "running" : "created");
    EXPECT_EQ(pid_of_pidfd(m.fd.get()), state(id)["pid"].get<pid_t>());
    EXPECT_TRUE(killed_through(m.fd.get()));
    EXPECT_EQ(status(id), "stopped");
  }
}

// What the caller is handed is opened before what the init is: a create
// that fails on its pidfd socket leaves a console socket's listener no
// connection, empty (it has nothing to wait for).
TEST_F(HullTest, ACreateThatFailsOnItsPidfdSocketConnectsNoConsoleSocket) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sleep", "1000"});
  const fs::path console = temp_dir() / "console.sock";
  UniqueFd listener = listen_unix(console);
  const std::string missing = (temp_dir() / "no-such.sock").string();
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "--console-socket", console.string(), "--pidfd-socket",
                       missing, "pidfd-console"});
  EXPECT_TRUE(failed_with(r, {"connect to pidfd socket " + missing})) << r.err;
  EXPECT_FALSE(accept_within(listener.get(), milliseconds(200))) << "the console socket was connected";
  expect_nothing_left("pidfd-console");
}

// Connected before anything is made: a path with no socket fails the create
// and leaves no container.
TEST_F(HullTest, APidfdSocketThatCannotBeReachedFailsTheCreateBeforeAnythingIsMade) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  const std::string missing = (temp_dir() / "no-such.sock").string();
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "--pidfd-socket", missing, "pidfd-missing"});
  EXPECT_TRUE(failed_with(r, {"connect to pidfd socket " + missing, "No such file or directory"})) << r.err;
  EXPECT_TRUE(state_dirs().empty());
  expect_nothing_left("pidfd-missing");
}

// The connection is broken after create connected it (a createRuntime hook
// has the test close its listener, which resets the connection not yet
// accepted): the send fails the create, which kills its init and leaves no
// container and no pid file naming the killed init.
TEST_F(HullTest, APidfdThatCannotBeSentFailsTheCreateAndLeavesNoPidFile) {
  Bundle& b = bundle();
  const fs::path sock = temp_dir() / "broken.sock", asked = temp_dir() / "asked", done = temp_dir() / "done";
  for (const fs::path& fifo : {asked, done}) ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  b.config["hooks"]["createRuntime"] = nlohmann::json::array(
      {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo x > " + asked.string() + " && read y < " + done.string()}}}});
  b.args({"sleep", "1000"});
  std::optional<UniqueFd> listener(listen_unix(sock));
  // Both ends opened here, neither blocking: a hook that never runs fails
  // the wait below instead of hanging the test.
  UniqueFd asked_end(::open(asked.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  UniqueFd done_end(::open(done.c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(asked_end && done_end);
  std::thread closer([&] {
    pollfd hook{asked_end.get(), POLLIN, 0};
    if (::poll(&hook, 1, 30000) != 1) return;
    listener.reset();
    (void)!::write(done_end.get(), "y\n", 2);
  });
  const fs::path pid_file = temp_dir() / "init.pid";
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "--pidfd-socket", sock.string(), "--pid-file",
                       pid_file.string(), "pidfd-broken"});
  closer.join();
  EXPECT_FALSE(listener.has_value()) << "the createRuntime hook never ran";
  EXPECT_TRUE(failed_with(r, {"send the pidfd to --pidfd-socket " + sock.string()})) << r.err;
  EXPECT_FALSE(fs::exists(pid_file));
  EXPECT_TRUE(state_dirs().empty());
  expect_nothing_left("pidfd-broken");
}

TEST_F(ExecTest, ADetachedExecSendsAPidfdOfItsProcess) {
  ASSERT_GT(start_sleeping("pidfd-exec"), 0);
  fs::path sock = temp_dir() / "exec-pidfd.sock";
  fs::path pid_file = temp_dir() / "exec.pid";
  UniqueFd listener = listen_unix(sock);
  ProcResult r =
      exec({"-d", "--pidfd-socket", sock.string(), "--pid-file", pid_file.string(), "pidfd-exec", "sleep", "1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Received got = receive_pidfd(listener.get());
  ReceivedMessage& m = got.message;
  ASSERT_TRUE(m.fd) << "no pidfd came on the socket";
  EXPECT_EQ(m.data, "setns");
  std::ifstream pf(pid_file);
  pid_t pid = 0;
  pf >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_EQ(pid_of_pidfd(m.fd.get()), pid);
  EXPECT_NE(pid, state("pidfd-exec")["pid"].get<pid_t>());
  EXPECT_TRUE(killed_through(m.fd.get()));
  EXPECT_EQ(status("pidfd-exec"), "running");
  // hull exited: the process was re-parented to us (a subreaper).
  EXPECT_TRUE(wait_exit_and_reap(pid));
}

}  // namespace
}  // namespace hull::itest
