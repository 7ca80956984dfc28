#pragma once
// Running the criu binary for checkpoint and restore, and turning its
// failures into errors that say what CRIU said.
#include <sys/types.h>

#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"

#include "cgroups/cgroup_manager.hpp"

namespace hull {

// CRIU's notifications to hull while it runs, through the criu CLI's
// --action-script (runc gets the same notifications over its RPC socket).
// CRIU runs the script with CRTOOLS_SCRIPT_ACTION (e.g. "setup-namespaces")
// and CRTOOLS_INIT_PID (the restored init's pid as the host sees it) in its
// environment and waits for it; the script hands the action and the pid to
// hull over one FIFO (made in `dir`) and waits for hull's answer on another.
// The script itself is a memfd of hull's, named /proc/<hull's pid>/fd/<n>,
// not a file in `dir`: a state root on a noexec mount (Debian's and
// Ubuntu's /run, mounted noexec by initramfs-tools) would refuse CRIU its
// exec. So so the handler runs in hull itself while CRIU waits. Only the
// actions named are reported; the script answers the others at once. A
// handler that throws fails the script (CRIU then gives up) and run_criu
// throws the handler's error. Removes what it made when destroyed.
class CriuActions {
 public:
  using Handler = std::function<void(const std::string& action, pid_t init)>;
  CriuActions(const std::string& dir, const std::vector<std::string>& actions, Handler handler);
  CriuActions(const CriuActions&) = delete;
  CriuActions& operator=(const CriuActions&) = delete;
  ~CriuActions();

  // The --action-script argument.
  const std::string& script() const { return script_; }
  // Readable when an action is waiting for serve().
  int fd() const { return requests_.get(); }
  // Handles every action waiting and answers each.
  void serve();
  // The first handler error, if any.
  std::exception_ptr failure() const { return failure_; }

 private:
  UniqueFd script_fd_;
  std::string script_, requests_path_, answers_path_;
  UniqueFd requests_, answers_;
  Handler handler_;
  std::string pending_;
  std::exception_ptr failure_;
};

// Runs `BINARY ARGS...` (BINARY: "criu", or --criu's path) with hull's stdio (a --shell-job restore takes its
// terminal, --inherit-fd names fds it inherits) and waits for it. With
// `enter_cgroups`, which CRIU's process runs before its exec, CRIU runs
// inside the container's cgroups, so what it restores lands there (as runc
// does). On failure throws
//   criu dump failed (exit status 1; log /img/dump.log): <CRIU's Error lines>
// adding what `criu check` says when the kernel lacks what CRIU needs, and
//   criu not found: install CRIU ...
// when there is no criu in PATH (or at --criu's path). With `stdin_fd` >= 0 CRIU gets that fd as
// its stdin instead (a restored console's pty slave, which --shell-job gives
// the restored process). With `actions`, their handler runs while CRIU
// waits on the script (args must name actions->script()). CRIU inherits
// `inherited_fds` (close-on-exec here, as every fd of hull's), and
// `handed_over_fd`, which hull closes once CRIU has its copy: a caller's fd
// that only CRIU writes (checkpoint --status-fd, whose reader waits for its
// EOF). A log left by an earlier run is removed first: an error quoted
// from `log_path` is this run's.
void run_criu(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path,
              const std::function<void()>& enter_cgroups = {}, int stdin_fd = -1, CriuActions* actions = nullptr,
              const std::vector<int>& inherited_fds = {}, int handed_over_fd = -1);

// The last lines of a CRIU log that report errors (at most `max`), joined
// with "; "; "" when there are none.
std::string criu_log_errors(const std::string& log_text, size_t max = 4);

// The cgroup yard a restore's CRIU made in its work directory, as its log
// names it at -v4 ("Opening .criu.cgyard.Ab12Cd as cg yard"); "" where the
// log names none, or names a yard of the user's (--cgroup-yard, a path).
std::string criu_cgroup_yard(const std::string& log_text);

// After a failed restore: the cgroup yard CRIU's log (`log_path`) names in
// `work_dir`, a tmpfs with the host's cgroup hierarchies mounted below it,
// detached and removed. CRIU removes its own when it fails by itself, not
// when it is killed (hull ended while it ran, or CRIU killed by someone):
// left, it shows the host's cgroups in the user's directory and keeps an
// `rm -r` of it out. Warns where it cannot.
void remove_criu_cgroup_yard(const std::string& work_dir, const std::string& log_path);

}  // namespace hull
