#include "runtime/criu.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <sstream>

#include "base/error.hpp"
#include "base/executable_memfd.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/signal_mask.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/pids_limit.hpp"
#include "runtime/subprocess.hpp"

namespace hull {

namespace {

// The child: into the cgroups, then exec; an errno that stops it is sent
// back over the close-on-exec pipe (nothing arrives when exec succeeds),
// negated where it stopped before the exec (so an ENOENT there is no
// missing criu).
[[noreturn]] void exec_criu(const std::string& binary, const std::vector<std::string>& args,
                            const std::function<void()>& enter_cgroups, int stdin_fd,
                            const std::vector<int>& inherited_fds, int report, pid_t runtime) {
  int err = 0;
  try {
    // CRIU dies with hull: left alone it would hold the container's
    // processes seized or frozen, with no one to report to.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) throw_errno("criu dies with hull: PR_SET_PDEATHSIG");
    if (::getppid() != runtime) ::_exit(127);  // hull died before it was set
    // dup2 clears close-on-exec on the copy: CRIU keeps the pty as fd 0.
    if (stdin_fd >= 0 && stdin_fd != STDIN_FILENO && ::dup2(stdin_fd, STDIN_FILENO) < 0)
      throw_errno("dup the pty onto fd 0");
    for (int fd : inherited_fds)
      if (::fcntl(fd, F_SETFD, 0) < 0) throw_errno("keep fd " + std::to_string(fd) + " open for CRIU");
    if (enter_cgroups) enter_cgroups();
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(binary.c_str(), argv.data());
    err = errno;
  } catch (const Error& e) {
    err = -(e.code() ? e.code() : EPERM);
  } catch (...) {
    err = -EPERM;
  }
  (void)!::write(report, &err, sizeof err);
  ::_exit(127);
}

// A word for sh in single quotes.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

UniqueFd open_fifo(const std::string& path) {
  if (::mkfifo(path.c_str(), 0600) < 0) throw_errno("create the FIFO " + path + " for CRIU's action script");
  // Read and write: never a hang-up between two writers, never a blocking open.
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw_errno("open the FIFO " + path + " for CRIU's action script");
  return UniqueFd(fd);
}

// What `criu check` says is missing, "" when it is content.
std::string criu_check_verdict(const std::string& binary) {
  CommandOutput r = run_capturing({binary, "check"});
  if (r.status == 0) return "";
  std::string errors = criu_log_errors(r.output);
  return errors.empty() ? r.output : errors;
}

}  // namespace

CriuActions::CriuActions(const std::string& dir, const std::vector<std::string>& actions, Handler handler)
    : requests_path_(dir + "/criu-actions"), answers_path_(dir + "/criu-answers"), handler_(std::move(handler)) {
  try {
    requests_ = open_fifo(requests_path_);
    answers_ = open_fifo(answers_path_);
    std::string cases;
    for (const std::string& a : actions) cases += (cases.empty() ? "" : "|") + sh_quote(a);
    std::string text =
        "#!/bin/sh\n"
        "# hull: hands CRIU's action and the restored init's pid to the hull that runs CRIU,\n"
        "# then waits for its answer (\"ok\": go on).\n"
        "case \"$CRTOOLS_SCRIPT_ACTION\" in\n"
        "  " +
        cases +
        ") ;;\n"
        "  *) exit 0 ;;\n"
        "esac\n"
        "printf '%s %s\\n' \"$CRTOOLS_SCRIPT_ACTION\" \"${CRTOOLS_INIT_PID:-0}\" > " +
        sh_quote(requests_path_) +
        " || exit 1\n"
        "IFS= read -r answer < " +
        sh_quote(answers_path_) +
        " || exit 1\n"
        "test \"$answer\" = ok\n";
    script_fd_ = executable_memfd("hull-criu-action-script");
    if (!script_fd_) throw_errno("create CRIU's action script (memfd_create)");
    if (::fchmod(script_fd_.get(), 0700) < 0) throw_errno("chmod CRIU's action script");
    script_ = "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(script_fd_.get());
    write_all(script_fd_.get(), text, "CRIU's action script");
  } catch (...) {
    ::unlink(requests_path_.c_str());
    ::unlink(answers_path_.c_str());
    throw;
  }
}

CriuActions::~CriuActions() {
  ::unlink(requests_path_.c_str());
  ::unlink(answers_path_.c_str());
}

void CriuActions::serve() {
  char buf[512];
  ssize_t n;
  while ((n = ::read(requests_.get(), buf, sizeof buf)) > 0) pending_.append(buf, static_cast<size_t>(n));
  for (size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
    std::string line = pending_.substr(0, nl);
    pending_.erase(0, nl + 1);
    size_t space = line.rfind(' ');
    std::string action = line.substr(0, space);
    long pid = space == std::string::npos ? 0 : std::strtol(line.c_str() + space + 1, nullptr, 10);
    bool ok = true;
    if (!failure_) {
      try {
        if (pid <= 0 || pid > INT_MAX) throw Error("CRIU's " + action + " action named no restored init");
        handler_(action, static_cast<pid_t>(pid));
      } catch (...) {
        failure_ = std::current_exception();
        ok = false;
      }
    } else {
      ok = false;
    }
    const char* answer = ok ? "ok\n" : "fail\n";
    if (::write(answers_.get(), answer, std::char_traits<char>::length(answer)) < 0)
      throw_errno("answer CRIU's action script on " + answers_path_);
  }
}

std::string criu_log_errors(const std::string& log_text, size_t max) {
  std::deque<std::string> last;
  std::istringstream in(log_text);
  for (std::string line; std::getline(in, line);) {
    if (line.find("Error") == std::string::npos) continue;
    last.push_back(line);
    if (last.size() > max) last.pop_front();
  }
  std::string out;
  for (const std::string& l : last) out += (out.empty() ? "" : "; ") + l;
  return out;
}

std::string criu_cgroup_yard(const std::string& log_text) {
  constexpr std::string_view kOpening = "Opening ", kAsYard = " as cg yard", kYardPrefix = ".criu.cgyard.";
  const size_t end = log_text.find(kAsYard);
  if (end == std::string::npos) return "";
  size_t start = log_text.rfind(kOpening, end);
  if (start == std::string::npos) return "";
  start += kOpening.size();
  std::string name = log_text.substr(start, end - start);
  if (!name.starts_with(kYardPrefix) || name.size() == kYardPrefix.size() ||
      name.find_first_of("/\n") != std::string::npos)
    return "";
  return name;
}

void remove_criu_cgroup_yard(const std::string& work_dir, const std::string& log_path) {
  std::string name;
  try {
    name = criu_cgroup_yard(read_file(log_path));
  } catch (const Error&) {
    return;
  }
  if (name.empty()) return;
  const std::string yard = work_dir + "/" + name;
  // A lazy unmount takes the hierarchies below with it; a path that is no
  // mount's root is refused (EINVAL), never its parent unmounted.
  while (::umount2(yard.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {}
  if (errno != EINVAL && errno != ENOENT) {
    log::warn("unmount the cgroup yard CRIU left, " + yard + ": " + std::strerror(errno) + "; `umount -l " + yard +
              "` removes it");
    return;
  }
  if (::rmdir(yard.c_str()) < 0 && errno != ENOENT)
    log::warn("remove the cgroup yard CRIU left, " + yard + ": " + std::strerror(errno));
}

namespace {

// Waits until CRIU (running) exits, serving its action script if any. An
// ending signal (^C, a supervisor's SIGTERM; `ending` may be null) kills
// it: a dump waiting for lazy pages or a page server would otherwise hold
// the container's processes seized after hull was gone. Where it throws,
// CRIU was killed and reaped.
void wait_for_criu(pid_t pid, const std::string& action, CriuActions* actions, const SignalFdWhileBlocked* ending) {
  UniqueFd criu(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  try {
    if (!criu) throw_errno("pidfd_open criu " + action);
    for (;;) {
      struct pollfd p[3] = {
          {criu.get(), POLLIN, 0}, {actions ? actions->fd() : -1, POLLIN, 0}, {ending ? ending->get() : -1, POLLIN, 0}};
      if (::poll(p, 3, -1) < 0) {
        if (errno == EINTR) continue;
        throw_errno("wait for criu " + action);
      }
      if (p[2].revents)
        if (const int sig = ending->take())
          throw Error("criu " + action + " interrupted by " + signal_name(sig) + ": CRIU was killed");
      if (p[1].revents & POLLIN) actions->serve();
      if (p[0].revents) break;
    }
    if (actions) actions->serve();
  } catch (...) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    throw;
  }
}

}  // namespace

void run_criu(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path,
              const std::function<void()>& enter_cgroups, int stdin_fd, CriuActions* actions,
              const std::vector<int>& inherited_fds, int handed_over_fd) {
  const std::string& action = args.at(0);
  if (::unlink(log_path.c_str()) < 0 && errno != ENOENT) throw_errno("remove the earlier CRIU log " + log_path);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for criu " + action);
  UniqueFd read_end(p[0]), write_end(p[1]);
  const pid_t runtime = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) cgroups::throw_process_errno("fork for criu " + action);
  if (pid == 0) exec_criu(binary, args, enter_cgroups, stdin_fd, inherited_fds, write_end.get(), runtime);
  // Blocked after the fork, so CRIU starts with the caller's mask; one that
  // came before ends hull, and CRIU with it (PR_SET_PDEATHSIG).
  std::optional<SignalFdWhileBlocked> ending;
  watch_ending_signals(ending, "the ending signals while CRIU runs");
  if (handed_over_fd >= 0) ::close(handed_over_fd);
  write_end.reset();
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(read_end.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == 0) wait_for_criu(pid, action, actions, ending ? &*ending : nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    if (child_errno == ENOENT && binary == "criu")
      throw Error("criu not found: install CRIU (Debian: apt-get install criu) to checkpoint and restore containers",
                  ENOENT);
    if (child_errno == ENOENT) throw Error("criu not found: --criu " + quote(binary) + " does not exist", ENOENT);
    if (child_errno < 0)
      throw Error("criu " + action + ": set up CRIU's process (its inherited fds" +
                      (enter_cgroups ? ", the container's cgroups)" : ")"),
                  -child_errno);
    throw Error("run criu " + action, child_errno);
  }
  // The handler's own error says more than CRIU's "script exited with 1".
  if (actions && actions->failure()) std::rethrow_exception(actions->failure());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  std::string said;
  try {
    said = criu_log_errors(read_file(log_path));
  } catch (const Error&) {
    said = "no log written";
  }
  std::string check = criu_check_verdict(binary);
  throw Error("criu " + action + " failed (" + how + "; log " + log_path + ")" + (said.empty() ? "" : ": " + said) +
              (check.empty() ? "" : "; criu check fails too, the kernel lacks what this CRIU needs: " + check));
}

}  // namespace hull
