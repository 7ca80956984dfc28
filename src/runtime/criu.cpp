#include "runtime/criu.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <sstream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "runtime/subprocess.hpp"

namespace hull {

namespace {

constexpr const char* kCriu = "criu";

// The child: into the cgroups, then exec; an errno that stops it is sent
// back over the close-on-exec pipe (nothing arrives when exec succeeds).
[[noreturn]] void exec_criu(const std::vector<std::string>& args, cgroups::Manager* cgroup, int stdin_fd, int report) {
  int err = 0;
  try {
    // dup2 clears close-on-exec on the copy: CRIU keeps the pty as fd 0.
    if (stdin_fd >= 0 && stdin_fd != STDIN_FILENO && ::dup2(stdin_fd, STDIN_FILENO) < 0)
      throw_errno("dup the pty onto fd 0");
    if (cgroup) cgroup->add_process(::getpid());
    std::vector<char*> argv{const_cast<char*>(kCriu)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(kCriu, argv.data());
    err = errno;
  } catch (const Error& e) {
    err = e.code() ? e.code() : EPERM;
  } catch (...) {
    err = EPERM;
  }
  (void)!::write(report, &err, sizeof err);
  ::_exit(127);
}

// What `criu check` says is missing, "" when it is content.
std::string criu_check_verdict() {
  CommandOutput r = run_capturing({kCriu, "check"});
  if (r.status == 0) return "";
  std::string errors = criu_log_errors(r.output);
  return errors.empty() ? r.output : errors;
}

}  // namespace

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

void run_criu(const std::vector<std::string>& args, const std::string& log_path, cgroups::Manager* cgroup,
              int stdin_fd) {
  const std::string& action = args.at(0);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for criu " + action);
  UniqueFd read_end(p[0]), write_end(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork for criu " + action);
  if (pid == 0) exec_criu(args, cgroup, stdin_fd, write_end.get());
  write_end.reset();
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(read_end.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    if (child_errno == ENOENT)
      throw Error("criu not found: install CRIU (Debian: apt-get install criu) to checkpoint and restore containers",
                  ENOENT);
    if (cgroup) throw Error("criu " + action + ": place CRIU in the container's cgroup", child_errno);
    throw Error("run criu " + action, child_errno);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  std::string said;
  try {
    said = criu_log_errors(read_file(log_path));
  } catch (const Error&) {
    said = "no log written";
  }
  std::string check = criu_check_verdict();
  throw Error("criu " + action + " failed (" + how + "; log " + log_path + ")" + (said.empty() ? "" : ": " + said) +
              (check.empty() ? "" : "; criu check fails too, the kernel lacks what this CRIU needs: " + check));
}

}  // namespace hull
