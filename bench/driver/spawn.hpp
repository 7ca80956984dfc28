#pragma once
// Process spawning and reaping for the benchmark driver.
// The driver is a child subreaper, so detached container inits (whose runtime
// parent exited) are re-parented to it; every wait goes through one Reaper so
// those inits are reaped too and their exit is known (a zombie init would make
// a runtime think the container still runs).
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace bench {

int64_t now_ns();  // CLOCK_MONOTONIC

struct Outcome {
  int64_t ns = 0;      // posix_spawn .. wait4 returned, in the driver
  int status = -1;     // raw wait status
  long maxrss_kb = 0;  // ru_maxrss of the runtime (and its reaped helpers)
  // user+sys CPU of the runtime and its reaped helpers: unlike wall time it
  // hardly moves when other work loads the machine.
  int64_t cpu_ns = 0;
  // Page faults (minor and major) of the runtime and its reaped children:
  // each one the kernel's work, and on a VM a trap that may reach the host.
  long faults = 0;
  bool timed_out = false;
  bool ok() const;  // exited 0 and not timed out
};

struct Exit {
  pid_t pid;
  int status;
  struct rusage ru;
  int64_t at_ns;
};

class Reaper {
 public:
  Reaper();  // becomes child subreaper, installs the SIGALRM timeout handler

  // Starts argv with stdin=/dev/null, stdout=out_path (or /dev/null),
  // stderr appended to err_path. Returns the pid; start time in *t0.
  pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path, int64_t* t0);
  // Spawns and waits for one process, reaping anything else meanwhile.
  Outcome run(const std::vector<std::string>& argv, int timeout_ms, const std::string& out_path = "");
  // Blocks until one child exits (or the deadline passes: returns pid 0).
  Exit reap_one(int64_t deadline_ns);
  // Waits for an already known pid (a detached init) to be reaped.
  bool wait_pid(pid_t pid, int timeout_ms, int* status = nullptr);
  // Exit status of a pid reaped earlier; removes it from the table.
  bool take_exited(pid_t pid, int* status);
  void reap_nonblocking();
  // A pid read from a pid file is new: drop any stale entry of a reused pid.
  void forget(pid_t pid) { exited_.erase(pid); }

  std::string err_path = "/dev/null";
  long orphans_reaped = 0;

 private:
  void record(const Exit& e);
  std::unordered_map<pid_t, int> exited_;  // reaped pids nobody asked for yet
};

std::string read_file(const std::string& path);
bool write_file(const std::string& path, const std::string& data);

}  // namespace bench
