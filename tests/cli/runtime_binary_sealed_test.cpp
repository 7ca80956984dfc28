// CVE-2019-5736 from containers that non-dumpable does not stop: one that
// holds CAP_SYS_PTRACE (with CAP_SYS_ADMIN: `--cap-add SYS_ADMIN --cap-add
// SYS_PTRACE`, or --privileged), and one that shares the host's pid namespace.
// Such a container can open /proc/<pid>/exe of a hull process (the created
// init waiting in its pid namespace, a `hull exec` process before its
// execve), keep the O_PATH fd and reopen it for writing once no hull process
// runs any more. hull runs every such process from a sealed view of its
// binary (src/process/sealed_binary.hpp): the reopen fails.
//
// The target is a canary copy of the binary with a name of its own, run for
// every hull command of the test; the attacker aims only at processes with
// that name (in the host's pid namespace it sees everything else too) and the
// copy's SHA-256 must be unchanged afterwards.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "attack_report.hpp"
#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

// busybox sh, $1 the canary's process name; with $2 "nested" only those in a
// pid namespace below the attacker's (the hull processes in containers'
// reach by design; see ContainerInTheHostPidNamespace). For each new one: a direct `>> /proc/<p>/exe`, then an
// O_PATH-like fd (fd 9, read-only) on its exe kept by a background subshell that retries writing through
// /proc/self/fd/9 until /tmp/stop appears, and once more then (no runtime
// process left, so ETXTBSY cannot save the binary). One line per attempt:
// "denied|opened|WROTE|WROTE-direct|refused <pid> <name>".
constexpr const char* kAttacker = R"SH(
target=$1
nested=$2
seen=" "
first=1
while true; do
  stop=0
  [ -e /tmp/stop ] && stop=1
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    read c 2>/dev/null <$d/comm || continue
    [ "$c" = "$target" ] || continue
    if [ "$nested" = nested ]; then
      levels=$(sed -n 's/^NSpid://p' $d/status 2>/dev/null | wc -w)
      [ "$levels" -ge 2 ] || continue
    fi
    case "$seen" in *" $p "*) continue;; esac
    seen="$seen$p "
    if echo x 2>/dev/null >>$d/exe; then echo "WROTE-direct $p $c"; fi
    if ! (exec 9<$d/exe) 2>/dev/null; then echo "denied $p $c"; continue; fi
    echo "opened $p $c"
    (exec 9<$d/exe || exit 0
     until [ -e /tmp/stop ]; do
       if echo x 2>/dev/null >>/proc/self/fd/9; then echo "WROTE $p $c"; exit 0; fi
       usleep 20000
     done
     if echo x 2>/dev/null >>/proc/self/fd/9; then echo "WROTE $p $c"; else echo "refused $p $c"; fi) &
  done
  if [ $stop = 1 ]; then wait; echo done; exit 0; fi
  if [ $first = 1 ]; then echo ready; first=0; fi
done
)SH";

class RuntimeBinaryAttackSealed : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    // A name no other process on the host has (comm keeps 15 characters).
    std::mt19937 rng(std::random_device{}());
    const char* alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    name_ = "hullc-";
    for (int i = 0; i < 8; ++i) name_ += alnum[rng() % 36];
    copy_ = temp_dir() / name_;
    fs::copy_file(HULL_BINARY, copy_);
    fs::permissions(copy_, fs::perms(0755));
    if (const char* prev = std::getenv("HULL_ITEST_RUNTIME")) saved_runtime_ = prev;
    ::setenv("HULL_ITEST_RUNTIME", copy_.c_str(), 1);
    before_ = sha256(copy_);
  }
  void TearDown() override {
    if (!copy_.empty()) {
      EXPECT_EQ(sha256(copy_), before_) << "the runtime binary was modified";
    }
    HullTest::TearDown();
    if (saved_runtime_)
      ::setenv("HULL_ITEST_RUNTIME", saved_runtime_->c_str(), 1);
    else
      ::unsetenv("HULL_ITEST_RUNTIME");
  }

  // CAP_SYS_ADMIN and CAP_SYS_PTRACE in every set but inheritable.
  static void grant_admin_and_ptrace(Bundle& b) {
    for (const char* set : {"bounding", "effective", "permitted"})
      for (const char* cap : {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"})
        b.config["process"]["capabilities"][set].push_back(cap);
  }

  // Creates and starts the attacker with its stdout on the fifo; its init pid.
  pid_t start_attacker(Bundle& a, const fs::path& fifo, const std::string& id, const std::string& mode = "") {
    a.args({"sh", "-c", kAttacker, "attacker", name_, mode});
    std::string cmd = "exec '" + copy_.string() + "' --root '" + state_root().string() + "' create --bundle '" +
                      a.dir().string() + "' " + id + " >'" + fifo.string() + "'";
    ProcResult r = run_process({"/bin/sh", "-c", cmd});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    start_container(id);
    return state(id).value("pid", 0);
  }

  // `hull exec` into the attacker until it has seen one more runtime process.
  void exec_until_seen(Report& report, const std::string& id) {
    const size_t before = report.count(" " + name_);
    for (int i = 0; i < 100 && report.count(" " + name_) == before; ++i) {
      ProcResult e = hull({"exec", id, "true"});
      ASSERT_EQ(e.exit_code, 0) << e.err;
      report.drain();
    }
    EXPECT_GT(report.count(" " + name_), before) << "no exec process seen in 100 tries:\n" << report.text();
  }

  // Ends the patient attacks once no runtime process is left, and checks
  // that the attacker got its fd (the attack had its chance) and wrote nothing.
  void finish(Report& report, Bundle& a) {
    std::ofstream(a.rootfs() / "tmp/stop");  // NOLINT(bugprone-unused-raii): creating the file is the signal
    ASSERT_TRUE(report.wait_for("done", milliseconds(30000))) << report.text();
    EXPECT_GT(report.count("opened "), 0u) << "the attacker never opened a runtime process's exe:\n" << report.text();
    EXPECT_EQ(report.count("WROTE"), 0u) << report.text();
    // A patient attacker whose fd survived its target (one whose process
    // was gone before the subshell reopened it says nothing) was refused.
    EXPECT_GT(report.count("refused "), 0u) << report.text();
  }

  std::string name_;
  fs::path copy_;
  std::string before_;
  std::optional<std::string> saved_runtime_;
};

// The attacker holds CAP_SYS_ADMIN and CAP_SYS_PTRACE in its own pid
// namespace: a created init joins that namespace and waits there as the
// runtime, and `hull exec` processes appear in it.
TEST_F(RuntimeBinaryAttackSealed, ContainerWithSysAdminAndPtrace) {
  fs::path fifo = temp_dir() / "report";
  Report report(fifo);
  Bundle& a = bundle("attacker");
  grant_admin_and_ptrace(a);
  pid_t attacker_init = start_attacker(a, fifo, "attacker");
  ASSERT_GT(attacker_init, 0);
  ASSERT_TRUE(report.wait_for("ready", milliseconds(20000))) << report.text();

  Bundle& b = bundle("victim");
  b.args({"sleep", "1000"});
  for (auto& ns : b.config["linux"]["namespaces"])
    if (ns["type"] == "pid") ns["path"] = "/proc/" + std::to_string(attacker_init) + "/ns/pid";
  b.write();
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "victim"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(report.wait_for(" " + name_, milliseconds(20000))) << "the attacker never saw the created init:\n"
                                                                 << report.text();
  start_container("victim");
  exec_until_seen(report, "attacker");

  // The victim's init is our child and in the attacker's pid namespace: reaped first.
  pid_t victim = state("victim").value("pid", 0);
  EXPECT_EQ(hull({"delete", "--force", "victim"}).exit_code, 0);
  if (victim > 0) {
    EXPECT_TRUE(wait_exit_and_reap(victim));
  }
  finish(report, a);
}

// The attacker shares the host's pid namespace (with CAP_SYS_ADMIN and
// CAP_SYS_PTRACE): it sees the init of another container waiting as the
// runtime until start (`hull exec` processes too, but too briefly for a
// loop over every host process to catch them reliably: the test in the
// attacker's own pid namespace covers those). It aims at processes in
// containers' pid namespaces only: with CAP_SYS_PTRACE in the host's pid namespace it may ptrace every
// host process, `hull create` and `hull exec` in the window before they
// seal themselves included, and no runtime can defend its binary against
// that (runc's parent runs from the host binary too).
TEST_F(RuntimeBinaryAttackSealed, ContainerInTheHostPidNamespace) {
  fs::path fifo = temp_dir() / "report";
  Report report(fifo);
  Bundle& a = bundle("attacker");
  grant_admin_and_ptrace(a);
  auto& nss = a.config["linux"]["namespaces"];
  for (auto it = nss.begin(); it != nss.end(); ++it)
    if ((*it)["type"] == "pid") {
      nss.erase(it);
      break;
    }
  ASSERT_GT(start_attacker(a, fifo, "attacker", "nested"), 0);
  ASSERT_TRUE(report.wait_for("ready", milliseconds(20000))) << report.text();

  // A created container's init waits as the runtime until start.
  create_container("victim");
  ASSERT_TRUE(report.wait_for(" " + name_, milliseconds(20000))) << "the attacker never saw the created init:\n"
                                                                 << report.text();
  start_container("victim");
  EXPECT_EQ(hull({"delete", "--force", "victim"}).exit_code, 0);
  finish(report, a);
}

}  // namespace
}  // namespace hull::itest
