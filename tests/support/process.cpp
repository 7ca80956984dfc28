#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime/state_store.hpp"

namespace hull::itest {

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++; call the syscall directly.
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Only PATH plus the sanitizer settings of the Debug lane: what the runtime sees
// must not depend on the developer's shell.
std::vector<std::string> child_environment() {
  std::vector<std::string> env{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    if (v.starts_with("ASAN_") || v.starts_with("UBSAN_") || v.starts_with("LSAN_")) env.emplace_back(v);
  }
  return env;
}

UniqueFd stdin_fd(const std::optional<std::string>& data) {
  if (!data) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open /dev/null");
    return UniqueFd(fd);
  }
  // A memfd holds any amount of input without a writer that could block.
  UniqueFd fd(::memfd_create("itest-stdin", MFD_CLOEXEC));
  if (!fd) fail("memfd_create");
  const char* p = data->data();
  size_t left = data->size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write stdin memfd");
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) fail("lseek stdin memfd");
  return fd;
}

// Returns {read end (non-blocking, ours), write end (blocking, the child's)}.
std::pair<UniqueFd, UniqueFd> output_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) fail("pipe2");
  UniqueFd r(fds[0]), w(fds[1]);
  if (::fcntl(r.get(), F_SETFL, O_NONBLOCK) < 0) fail("fcntl O_NONBLOCK");
  return {std::move(r), std::move(w)};
}

// In the forked child: only async-signal-safe calls until execve.
[[noreturn]] void exec_child(char* const argv[], char* const envp[], int in, int out, int err, const char* cwd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  // A script's background job (a CI runner's) ignores these, and hull
  // leaves a signal its caller ignores alone: the tests that send them
  // start it as a terminal's job would be.
  signal(SIGINT, SIG_DFL);
  signal(SIGQUIT, SIG_DFL);
  // Lift the three fds above 2 first, so dup2 never sees source == target
  // (which would keep O_CLOEXEC set) whatever numbers they had.
  in = fcntl(in, F_DUPFD, 10);
  out = fcntl(out, F_DUPFD, 10);
  err = fcntl(err, F_DUPFD, 10);
  if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
  close_range(3, ~0U, 0);
  if (*cwd && chdir(cwd) < 0) _exit(126);
  execve(argv[0], argv, envp);
  const char msg[] = "itest: execve failed\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  _exit(127);
}

// Reads what is available now; resets fd at EOF.
void read_available(UniqueFd& fd, std::string& into) {
  char buf[16384];
  while (fd) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      fd.reset();  // EOF or a real error: nothing more will come
    }
  }
}

}  // namespace

Child Child::spawn(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
  // execve, no PATH search: a bare name failed in the child (127), and a
  // test that took the zombie for a live process checked nothing.
  if (!argv[0].starts_with('/')) throw std::invalid_argument("spawn: argv[0] is not an absolute path: " + argv[0]);
  std::vector<std::string> env = child_environment();
  env.insert(env.end(), opts.extra_env.begin(), opts.extra_env.end());
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  UniqueFd in = stdin_fd(opts.stdin_data);
  auto [out_r, out_w] = output_pipe();
  auto [err_r, err_w] = output_pipe();

  pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) exec_child(cargv.data(), cenv.data(), in.get(), out_w.get(), err_w.get(), opts.cwd.c_str());

  Child c;
  c.pid_ = pid;
  c.timeout_ = opts.timeout;
  c.out_ = std::move(out_r);
  c.err_ = std::move(err_r);
  c.pidfd_ = UniqueFd(pidfd_open(pid));
  if (!c.pidfd_) fail("pidfd_open");
  return c;
}

Child::Child(Child&& o) noexcept
    : pid_(o.pid_),
      pidfd_(std::move(o.pidfd_)),
      out_(std::move(o.out_)),
      err_(std::move(o.err_)),
      timeout_(o.timeout_),
      exited_(o.exited_),
      result_(std::move(o.result_)) {
  o.pid_ = -1;
}

Child::~Child() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    int st;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {}
  }
}

bool Child::pump(Clock::time_point deadline) {
  pollfd fds[3];
  int n = 0;
  if (out_) fds[n++] = {out_.get(), POLLIN, 0};
  if (err_) fds[n++] = {err_.get(), POLLIN, 0};
  if (!exited_) fds[n++] = {pidfd_.get(), POLLIN, 0};
  if (n == 0) return false;
  int r = ::poll(fds, static_cast<nfds_t>(n), remaining_ms(deadline));
  if (r < 0 && errno == EINTR) return true;
  if (r < 0) fail("poll");
  if (r == 0) return false;
  read_available(out_, result_.out);
  read_available(err_, result_.err);
  if (!exited_ && fds[n - 1].revents != 0) reap(false);
  return true;
}

void Child::drain() {
  // After exit, whatever is in the pipes is complete unless a process the child
  // left behind (a detached container inherits our pipes) still writes; we do
  // not wait for that one.
  read_available(out_, result_.out);
  read_available(err_, result_.err);
  out_.reset();
  err_.reset();
}

void Child::reap(bool killed_for_timeout) {
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0) {
    if (errno != EINTR) fail("waitpid");
  }
  exited_ = true;
  result_.timed_out = killed_for_timeout;
  if (killed_for_timeout) {
    result_.exit_code = -1;
  } else if (WIFEXITED(st)) {
    result_.exit_code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    result_.signal = WTERMSIG(st);
    result_.exit_code = 128 + result_.signal;
  }
}

bool Child::wait_for_output(std::string_view needle, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (result_.out.find(needle) == std::string::npos) {
    if (exited_) {
      drain();
      return result_.out.find(needle) != std::string::npos;
    }
    if (!pump(deadline)) return false;
  }
  return true;
}

ProcResult Child::finish() {
  auto deadline = Clock::now() + timeout_;
  while (!exited_) {
    if (!pump(deadline) && Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      reap(true);
    }
  }
  drain();
  return result_;
}

bool wait_pid_exit(pid_t pid, milliseconds timeout) {
  UniqueFd fd(pidfd_open(pid));
  if (!fd) {
    if (errno == ESRCH) return true;
    fail("pidfd_open " + std::to_string(pid));
  }
  auto deadline = Clock::now() + timeout;
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) fail("poll pidfd");
  }
}

std::optional<PidStat> read_pid_stat(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!f || !std::getline(f, line)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  PidStat s;
  rest >> s.state >> s.ppid;
  std::string skip;
  for (int field = 5; field < 9; ++field) rest >> skip;  // fields 5..8
  rest >> s.flags;
  for (int field = 10; field < 22; ++field) rest >> skip;  // fields 10..21
  rest >> s.start_time;
  if (!rest) return std::nullopt;
  return s;
}

bool pid_alive(pid_t pid) {
  auto s = read_pid_stat(pid);
  return s && s->state != 'Z' && s->state != 'X';
}

bool alive_and_not_being_killed(pid_t pid) { return pid_alive(pid) && !sigkill_pending(pid); }

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  for (pid_t child; in >> child;) out.push_back(child);
  return out;
}

}  // namespace hull::itest
