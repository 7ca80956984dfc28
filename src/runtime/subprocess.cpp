#include "runtime/subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/pids_limit.hpp"

namespace hull {

CommandOutput run_capturing(const std::vector<std::string>& argv) {
  // Built before the fork: the child only makes system calls (no malloc,
  // whose lock another thread may have held at the fork).
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for " + argv[0]);
  UniqueFd read_end(p[0]), write_end(p[1]);
  // Closed by a successful execvp; else it carries the execvp error.
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for " + argv[0]);
  UniqueFd exec_error_read(p[0]), exec_error_write(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) cgroups::throw_process_errno("fork for " + argv[0]);
  if (pid == 0) {
    if (::dup2(write_end.get(), STDOUT_FILENO) < 0 || ::dup2(write_end.get(), STDERR_FILENO) < 0) ::_exit(127);
    ::execvp(args[0], args.data());
    const int err = errno;
    [[maybe_unused]] auto n = ::write(exec_error_write.get(), &err, sizeof err);
    ::_exit(127);
  }
  write_end.reset();
  exec_error_write.reset();
  CommandOutput r;
  int status = 0;
  try {
    r.output = read_fd(read_end.get(), "the output of " + argv[0]);
  } catch (...) {
    // Not left running or a zombie.
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    throw;
  }
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int err = 0;
  if (::read(exec_error_read.get(), &err, sizeof err) == sizeof err) {
    r.exec_errno = err;
    r.output = err == ENOENT && argv[0].find('/') == std::string::npos
                   ? quote(argv[0]) + ": executable file not found in $PATH"
                   : "run " + quote(argv[0]) + ": " + errno_text(err);
  }
  return r;
}

std::string run_and_capture(const std::vector<std::string>& argv) {
  CommandOutput r = run_capturing(argv);
  if (r.exec_errno) throw Error(r.output);  // it names the error already
  if (r.status != 0) {
    std::string how = r.status > 128 ? "was killed by signal " + std::to_string(r.status - 128)
                                     : "exited with status " + std::to_string(r.status);
    // Its first line says what went wrong; what follows is mostly a usage
    // text, which the one-line message would show as a run of "\n"s.
    const size_t start = r.output.find_first_not_of(" \t\n");
    std::string first = start == std::string::npos ? "" : r.output.substr(start, r.output.find('\n', start) - start);
    throw Error(argv[0] + " " + how + (first.empty() ? "" : ": " + first));
  }
  return r.output;
}

}  // namespace hull
