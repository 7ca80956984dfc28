// hull with a non-blocking stdout: a Node (libuv) parent or a CI runner may
// hand down a pipe whose open file is O_NONBLOCK, a flag hull shares and must
// not clear. A full pipe is waited on, as runc (Go's poller) waits: the
// container's output was dropped, `events` ended and a command's answer was
// cut (found by review 2026-12-05).
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

class NonBlockingStdout : public HullTest {
 protected:
  static constexpr size_t kHead = 65536;
  struct Outcome {
    int status = -1;  // waitpid's
    size_t bytes = 0;
    std::string head;  // the first 64 KiB read
    std::string err;
  };
  // `hull --root <ours> args...` with stdout a non-blocking pipe of one page
  // that nobody reads for `unread` (or until hull exits), then read to its
  // end; `stop_after` bytes read, hull is sent SIGTERM (a stream).
  Outcome run_unread(const std::vector<std::string>& args, int unread_ms, size_t stop_after = SIZE_MAX) {
    Outcome o;
    int out[2];
    if (::pipe2(out, O_CLOEXEC) < 0) return o;
    UniqueFd out_r(out[0]), out_w(out[1]);
    ::fcntl(out_w.get(), F_SETPIPE_SZ, 4096);
    ::fcntl(out_w.get(), F_SETFL, ::fcntl(out_w.get(), F_GETFL) | O_NONBLOCK);
    const auto err_path = temp_dir() / "stderr";
    std::vector<std::string> argv{runtime_binary(), "--root", state_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int null = ::open("/dev/null", O_RDONLY);
      if (err < 0 || null < 0 || ::dup2(null, 0) < 0 || ::dup2(out_w.get(), 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    out_w.reset();
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    pollfd exited{pidfd.get(), POLLIN, 0};
    ::poll(&exited, 1, unread_ms);
    char buf[65536];
    for (ssize_t n; (n = ::read(out_r.get(), buf, sizeof buf)) > 0;) {
      if (o.head.size() < kHead) o.head.append(buf, std::min<size_t>(static_cast<size_t>(n), kHead - o.head.size()));
      o.bytes += static_cast<size_t>(n);
      if (o.bytes >= stop_after) {
        ::kill(pid, SIGTERM);
        stop_after = SIZE_MAX;
      }
    }
    ::waitpid(pid, &o.status, 0);
    o.err = read_text_file(err_path);
    return o;
  }
};

// The container's output through hull's own pipes (a user other than
// root gets them: runtime/stdio), 1 MB of it.
TEST_F(NonBlockingStdout, TheContainersOutputIsWaitedOnNotDropped) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.args({"sh", "-c", "head -c 1000000 /dev/zero; exit 3"});
  Outcome o = run_unread({"run", "--bundle", b.dir().string(), "nb-run"}, 300);
  EXPECT_EQ(o.bytes, 1000000u) << o.err;
  EXPECT_TRUE(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 3) << o.status << " " << o.err;
  EXPECT_EQ(o.err, "");
}

// A command's answer bigger than the pipe (features: 6 KiB) comes whole.
TEST_F(NonBlockingStdout, ACommandsAnswerComesWhole) {
  Outcome o = run_unread({"features"}, 300);
  EXPECT_TRUE(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0) << o.status << " " << o.err;
  ASSERT_LT(o.bytes, kHead);
  EXPECT_EQ(o.head, hull({"features"}).out) << o.err;
  EXPECT_TRUE(nlohmann::json::parse(o.head, nullptr, false).is_object());
}

// events goes on streaming once the reader comes back.
TEST_F(NonBlockingStdout, EventsGoOnOnceTheReaderReads) {
  ASSERT_GT(create_container("nb-events"), 0);
  start_container("nb-events");
  Outcome o = run_unread({"events", "--interval", "10ms", "nb-events"}, 500, 16384);
  EXPECT_GE(o.bytes, 16384u) << o.err;
  EXPECT_TRUE(o.head.starts_with("{\"type\":\"stats\",\"id\":\"nb-events\"")) << o.head;
  EXPECT_TRUE(WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGTERM) << o.status << " " << o.err;
  EXPECT_EQ(hull({"delete", "--force", "nb-events"}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest
