// A container process with CAP_SYS_PTRACE in the host's user namespace (a
// container without a user namespace of its own, given SYS_PTRACE to debug
// with) passes the kernel's ptrace check on every process of its pid
// namespace, non-dumpable or not: it may open /proc/<pid>/fd/N of hull's
// exec process while that sets up. A directory there (the host's procfs,
// the state dir, a cgroup directory) walks to the host's files with "..";
// a host file is the host's. So the exec process is born holding neither
// (runtime/exec.cpp, docs/security.md). Stopped at its first step
// (hull_fault, `exec-process-started`), it is looked at from inside the
// container by a process given CAP_SYS_PTRACE, as an attacker would.
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kId = "setup-fds";

// A child of `parent` stopped by a signal, waited for (bounded): the exec
// process, our `hull exec`'s child, stopped at its fault point.
pid_t stopped_child_of(pid_t parent) {
  const std::string children = "/proc/" + std::to_string(parent) + "/task/" + std::to_string(parent) + "/children";
  for (int i = 0; i < 400; ++i) {
    std::ifstream in(children);
    for (pid_t pid; in >> pid;)
      if (auto st = read_pid_stat(pid); st && st->state == 'T') return pid;
    std::this_thread::sleep_for(milliseconds(25));
  }
  return 0;
}

// Its pid in the innermost pid namespace (the container's), "" outside one.
std::string pid_in_its_namespace(pid_t pid) {
  std::istringstream fields(status_field(read_text_file("/proc/" + std::to_string(pid) + "/status"), "NSpid"));
  std::vector<std::string> pids;
  for (std::string p; fields >> p;) pids.push_back(p);
  return pids.size() >= 2 ? pids.back() : "";
}

TEST_F(HullTest, TheExecProcessHoldsNoHostDirectoryOrFileWhileItSetsUp) {
  Bundle& b = bundle();
  // The attacker is the init, given CAP_SYS_PTRACE: once told the exec
  // process's pid (through a fifo, as `hull exec` holds the container's
  // lock until its process has exec'd), it follows every fd of it: a
  // directory or a regular file is the host's (the container's own are its
  // stdio, pipes and sockets).
  for (auto& [set, names] : b.config["process"]["capabilities"].items()) names.push_back("CAP_SYS_PTRACE");
  b.args({"sh", "-c",
          "read P < /trigger; cd /proc/$P/fd || { echo refused > /report; exec sleep 1000; }; "
          "for f in *; do if [ -d $f ]; then echo dir $f $(readlink $f); elif [ -f $f ]; then echo file $f "
          "$(readlink $f); else echo other $f $(readlink $f); fi; done > /report.part; mv /report.part /report; "
          "exec sleep 1000"});
  ASSERT_EQ(::mkfifo((b.rootfs() / "trigger").c_str(), 0600), 0);
  ProcResult c = hull({"create", "--bundle", b.dir().string(), kId});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container(kId);
  SpawnOptions bounded;
  bounded.timeout = milliseconds(20000);
  // With --log: the log file is a host file the process must not hold either.
  Child exec =
      Child::spawn({"/usr/bin/env", "HULL_FAULT=exec-process-started", "HULL_FAULT_ACTION=stop", HULL_FAULT_BINARY,
                    "--root", state_root().string(), "--log", (temp_dir() / "exec.log").string(), "exec", kId, "true"},
                   bounded);
  const pid_t victim = stopped_child_of(exec.pid());
  ASSERT_GT(victim, 0) << "the exec process did not stop at exec-process-started";
  const std::string inner = pid_in_its_namespace(victim);
  EXPECT_FALSE(inner.empty()) << "the exec process is not in the container's pid namespace";
  std::ofstream(b.rootfs() / "trigger") << inner << "\n";
  const fs::path report = b.rootfs() / "report";
  for (int i = 0; i < 400 && !fs::exists(report); ++i) std::this_thread::sleep_for(milliseconds(25));
  const std::string look = fs::exists(report) ? read_text_file(report) : "(no report)";
  ::kill(victim, SIGCONT);
  ProcResult done = finish_reaping_orphans(std::move(exec));
  EXPECT_EQ(done.exit_code, 0) << done.err;
  // The kernel let the ptracer in (so this looks where an attacker would):
  // it listed the process's fds, its channel to hull exec at least.
  EXPECT_NE(look.find("socket:"), std::string::npos) << look;
  EXPECT_EQ(look.find("dir "), std::string::npos) << "a directory reachable from the container:\n" << look;
  EXPECT_EQ(look.find("file "), std::string::npos) << "a file reachable from the container:\n" << look;
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// The exec process does not hold the --log file, yet its warnings reach
// it: it writes them into a pipe that `hull exec` copies into the file.
TEST_F(HullTest, TheExecProcessesWarningsReachTheLogFile) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), kId});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container(kId);
  nlohmann::json process = {{"args", {"true"}},
                            {"cwd", "/"},
                            {"user", {{"uid", 0}, {"gid", 0}}},
                            {"capabilities", {{"bounding", {"CAP_CHOWN", "CAP_NOT_REAL"}}}}};
  const fs::path file = temp_dir() / "process.json";
  std::ofstream(file) << process.dump();
  const fs::path log = temp_dir() / "exec.log";
  ProcResult r = hull({"--log", log.string(), "--log-format", "json", "exec", "--process", file.string(), kId});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_text_file(log);
  EXPECT_NE(
      text.find(
          R"({"level":"warning","msg":"process.capabilities.bounding: unknown capability \"CAP_NOT_REAL\" ignored")"),
      std::string::npos)
      << text;
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest
#endif
