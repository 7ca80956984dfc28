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

#include <fstream>
#include <random>
#include <sstream>

#include "runtime_binary_canary.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class RuntimeBinaryAttackSealed : public RuntimeBinaryCanaryTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    // A name no other process on the host has: the attacker in the host's
    // pid namespace aims only at it.
    std::mt19937 rng(std::random_device{}());
    const char* alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    name_ = "hullc-";
    for (int i = 0; i < 8; ++i) name_ += alnum[rng() % 36];
    use_canary(name_);
  }

  // CAP_SYS_ADMIN and CAP_SYS_PTRACE in every set but inheritable.
  static void grant_admin_and_ptrace(Bundle& b) {
    for (const char* set : {"bounding", "effective", "permitted"})
      for (const char* cap : {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE"})
        b.config["process"]["capabilities"][set].push_back(cap);
  }

  void expect_init_runs_from_the_view(pid_t init);

  // `hull --debug create` of bundle b as `id`: the init's pid (0 on
  // failure), after checking that the init's debug lines say the view's
  // overlay left with the old root (rootfs::PassengerMount): attached
  // beneath it, not dissolved on its own by a close.
  pid_t create_expecting_the_view_to_leave_with_the_old_root(Bundle& b, const std::string& id) {
    const std::string log = (temp_dir() / (id + ".log")).string();
    ProcResult r = hull({"--log", log, "--debug", "create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return 0;
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("a detached mount leaves with the old root, attached beneath it at \\\"sys/fs\\\""),
              std::string::npos)
        << text.str();
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
};

// The attacker holds CAP_SYS_ADMIN and CAP_SYS_PTRACE in its own pid
// namespace: a created init joins that namespace and waits there as the
// runtime, and `hull exec` processes appear in it.
TEST_F(RuntimeBinaryAttackSealed, ContainerWithSysAdminAndPtrace) {
  fs::path fifo = temp_dir() / "report";
  Report report(fifo);
  Bundle& a = bundle("attacker");
  grant_admin_and_ptrace(a);
  pid_t attacker_init = start_attacker(a, fifo, "attacker", name_);
  ASSERT_GT(attacker_init, 0);
  ASSERT_TRUE(report.wait_for("ready", milliseconds(20000))) << report.text();

  ASSERT_NO_FATAL_FAILURE(create_in_pid_namespace_of(attacker_init, "victim"));
  ASSERT_TRUE(report.wait_for(" " + name_, milliseconds(20000))) << "the attacker never saw the created init:\n"
                                                                 << report.text();
  // The patient fd on the waiting init's exe is held before the init goes
  // on: under load, start and delete came first once, and nothing was left
  // to refuse.
  ASSERT_TRUE(report.wait_for("holding:", milliseconds(20000))) << report.text();
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

// The sealed view from outside: a created init (hull code waiting for
// start in the container's namespaces) maps no byte of the file it was
// started from, its exe link names another file, its code comes from the
// sealed view, and its writable segment is anonymous memory: nothing of the
// view is mapped writable.
void RuntimeBinaryAttackSealed::expect_init_runs_from_the_view(pid_t init) {
  const std::string proc = "/proc/" + std::to_string(init);
  const std::string host = fs::canonical(copy_).string();
  EXPECT_NE(fs::read_symlink(proc + "/exe").string(), host);
  std::ifstream maps(proc + "/maps");
  std::string line, all;
  bool code_from_view = false;
  while (std::getline(maps, line)) {
    all += line + "\n";
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode;
    std::getline(in >> std::ws, path);
    EXPECT_NE(path, host) << line;
    // The overlay mounted nowhere shows the file at its root; the memfd
    // copy by its name.
    bool view = path == "/" + name_ || path.find("hull-sealed") != std::string::npos;
    if (!view) continue;
    code_from_view = code_from_view || perms[2] == 'x';
    EXPECT_EQ(perms[1], '-') << "writable mapping of the sealed view: " << line;
  }
  EXPECT_TRUE(code_from_view) << all;
}

// With a network namespace to make (the default config) the runtime makes
// the view while the init starts, and the init switches to it and takes
// the overlay's mount fd along to drop with its old root.
TEST_F(RuntimeBinaryAttackSealed, ACreatedInitMapsNothingOfTheFileItWasStartedFrom) {
  Bundle& b = bundle("bundle-sealmaps");
  b.args({"sleep", "1000"});
  const pid_t init = create_expecting_the_view_to_leave_with_the_old_root(b, "sealmaps");
  ASSERT_GT(init, 0);
  expect_init_runs_from_the_view(init);
}

// Without one (InitPlan::runtime_makes_sealed_view false) the init makes
// the view itself, and drops it with its old root the same way.
TEST_F(RuntimeBinaryAttackSealed, ACreatedInitWithoutANetworkNamespaceMapsNothingOfItEither) {
  Bundle& b = bundle("bundle-sealnonet");
  b.args({"sleep", "1000"});
  auto& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "network" ? namespaces.erase(it) : it + 1;
  const pid_t init = create_expecting_the_view_to_leave_with_the_old_root(b, "sealnonet");
  ASSERT_GT(init, 0);
  expect_init_runs_from_the_view(init);
}

// The attacker shares the host's pid namespace (with CAP_SYS_ADMIN and
// CAP_SYS_PTRACE): it sees the init of another container waiting as the
// runtime until start (`hull exec` processes too, but too briefly for a
// loop over every host process to catch them reliably: the test in the
// attacker's own pid namespace covers those). It aims at processes in
// containers' pid namespaces only, once `hull create` returned: with
// CAP_SYS_PTRACE in the host's pid namespace it may ptrace every host
// process, `hull create` and `hull exec` in the window before they seal
// themselves included, and no runtime can defend its binary against that
// (runc's parent runs from the host binary too, and so does `runc init`
// until it re-executes itself from a copy). The init in the moment between
// its clone and its switch to the sealed view (a new pid namespace, which
// no container process can enter yet) is that same window: under load the
// loop caught it there once, an unsealed copy of `hull create` seen from
// the host, not the waiting init this test is about.
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
  ASSERT_GT(start_attacker(a, fifo, "attacker", name_, "nested"), 0);
  ASSERT_TRUE(report.wait_for("ready", milliseconds(20000))) << report.text();

  // A created container's init waits as the runtime until start.
  create_container("victim");
  std::ofstream(a.rootfs() / "tmp/go");  // NOLINT(bugprone-unused-raii): creating the file is the signal
  ASSERT_TRUE(report.wait_for(" " + name_, milliseconds(20000))) << "the attacker never saw the created init:\n"
                                                                 << report.text();
  // The patient fd on the waiting init's exe is held before the init goes
  // on: under load, start and delete came first once, and nothing was left
  // to refuse.
  ASSERT_TRUE(report.wait_for("holding:", milliseconds(20000))) << report.text();
  start_container("victim");
  EXPECT_EQ(hull({"delete", "--force", "victim"}).exit_code, 0);
  finish(report, a);
}

}  // namespace
}  // namespace hull::itest
