// hull checkpoint / restore with the real CRIU. Where `criu check` passes
// (the v2vm lane's Debian 6.1 kernel: ctest -R v2vm_criu) containers are
// checkpointed and restored and checked from inside; where it fails (this
// project's 6.18 hosts, which Debian's CRIU 3.17 cannot probe) only the
// refusal is tested: the verbs fail with CRIU's own reason and change nothing,
// and a recording `criu` first in PATH shows every runc flag reaching CRIU
// (EveryRuncFlagReachesCriusCommandLine, both places). Nothing here fakes a
// checkpoint.
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "at_scope_exit.hpp"
#include "harness.hpp"
#include "proc_files.hpp"
#include "process/terminal_proxy.hpp"
#include "test_pty.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A counter that keeps its value only in the shell's memory and writes it to
// /count every 0.1 s: a restarted container would count from 1 again. Its
// stdio is the container's own /dev/null, so nothing outside is attached.
const std::vector<std::string> kCounter = {
    "sh", "-c", "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i > /count; sleep 0.1; done"};

// The same counter on the container's terminal: it prints "count N" there
// too, and a reader in the background (on fd 3, a non-interactive sh gives
// an async list /dev/null as stdin) writes each line typed on the terminal
// to /typed.
const std::vector<std::string> kTerminalCounter = {
    "sh", "-c",
    "exec 3<&0; (while read l <&3; do echo \"$l\" > /typed; done) & "
    "i=0; while :; do i=$((i+1)); echo $i > /count; echo count $i; sleep 0.1; done"};

// The highest "count N" a terminal counter printed in `out`, -1 if none.
long max_printed_count(const std::string& out) {
  static const std::regex count_re("count ([0-9]+)");
  long best = -1;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), count_re); it != std::sregex_iterator(); ++it)
    best = std::max(best, std::stol((*it)[1]));
  return best;
}

// Reads a pty master until done(all read so far) holds, it hangs up or the
// (bounded) timeout passes; what was read.
std::string read_pty_until(int fd, const std::function<bool(const std::string&)>& done,
                           milliseconds timeout = milliseconds(60000)) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(out)) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    struct pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Through sh: run_process does no PATH lookup.
bool criu_installed() { return run_process({"/bin/sh", "-c", "command -v criu"}).exit_code == 0; }

ProcResult criu_check() {
  return run_process({"/bin/sh", "-c", "criu check"}, {std::nullopt, milliseconds(60000), "", {}});
}

long read_count(const fs::path& file) {
  std::ifstream in(file);
  long v = -1;
  if (!(in >> v)) return -1;
  return v;
}

// Polls the counter file (bounded) until pred(value) holds; the value, or -1.
template <typename Pred>
long wait_count(const fs::path& file, Pred pred, milliseconds timeout = milliseconds(60000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    long v = read_count(file);
    if (v >= 0 && pred(v)) return v;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return -1;
}

// Waits until `file` exists (an attached restore writes its pid file last).
bool wait_exists(const fs::path& file, milliseconds timeout = milliseconds(60000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!fs::exists(file)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

class CriuTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    if (!criu_installed()) GTEST_SKIP() << "criu is not installed (scripts/setup.sh --e2e installs it)";
  }

  // Whether CRIU works on this kernel (`criu check` passes).
  static bool need_working_criu() { return criu_check().exit_code == 0; }

  fs::path images(const std::string& name) const { return temp_dir() / name; }

  // A bundle in the VM's network namespace: Debian's CRIU 3.17 cannot dump a
  // network namespace's links on Debian's 6.1.192 kernel ("Dumping netns
  // links": netlink EINVAL, runc's checkpoint fails the same way there), so
  // these containers keep the host's; every other namespace is their own.
  Bundle& criu_bundle(const std::string& name = "bundle") {
    Bundle& b = bundle(name);
    json& namespaces = b.config["linux"]["namespaces"];
    for (auto it = namespaces.begin(); it != namespaces.end();)
      it = (*it)["type"] == "network" ? namespaces.erase(it) : it + 1;
    return b;
  }

  // A detached counter container from bundle b; its init pid (0 on failure).
  pid_t run_counter(Bundle& b, const std::string& id) {
    b.args(kCounter);
    ProcResult r = hull({"run", "-d", "--bundle", b.dir().string(), id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return 0;
    EXPECT_GT(wait_count(b.rootfs() / "count", [](long v) { return v >= 5; }), 0) << "the counter never counted";
    return state(id).value("pid", 0);
  }

  // A detached terminal counter container from bundle b, run with
  // --console-socket; its pty master in `master`, its init pid (0 on failure).
  pid_t run_terminal_counter(Bundle& b, const std::string& id, UniqueFd& master) {
    b.config["process"]["terminal"] = true;
    b.args(kTerminalCounter);
    std::string sock = (temp_dir() / (id + "-run.sock")).string();
    UniqueFd listener = listen_unix(sock);
    Child run = hull_background({"run", "-d", "--console-socket", sock, "--bundle", b.dir().string(), id});
    UniqueFd conn = accept_within(listener.get(), milliseconds(60000));
    ProcResult r = run.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(conn) << "no connection on the console socket";
    if (r.exit_code != 0 || !conn) return 0;
    master = process::receive_pty_master(conn.get()).master;
    std::string out = read_pty_until(master.get(), [](const std::string& o) { return max_printed_count(o) >= 5; });
    EXPECT_GE(max_printed_count(out), 5) << "the counter never counted on its terminal: " << out;
    return state(id).value("pid", 0);
  }

  // After a terminal counter's restore onto the pty whose master is
  // `master`: it prints on it from where it was, and a line typed there
  // reaches the reader inside.
  void expect_terminal_counting_on(Bundle& b, int master, long dumped) {
    std::string out = read_pty_until(master, [&](const std::string& o) { return max_printed_count(o) > dumped; });
    EXPECT_GT(max_printed_count(out), dumped) << "no count past " << dumped << " on the new terminal: " << out;
    const std::string line = "typed after the restore\n";
    EXPECT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    auto deadline = std::chrono::steady_clock::now() + milliseconds(30000);
    while (read_text_file(b.rootfs() / "typed") != line && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(read_text_file(b.rootfs() / "typed"), line) << "the line typed on the new terminal did not arrive";
  }

  ProcResult checkpoint(const std::string& id, const std::vector<std::string>& flags) {
    std::vector<std::string> args{"checkpoint"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(id);
    return hull(args, {std::nullopt, milliseconds(120000), "", {}});
  }

  ProcResult restore(const std::string& id, Bundle& b, const fs::path& image,
                     const std::vector<std::string>& flags = {}) {
    std::vector<std::string> args{"restore", "-d", "--image-path", image.string(), "--bundle", b.dir().string()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(id);
    return hull(args, {std::nullopt, milliseconds(120000), "", {}});
  }

  // A terminal counter container "c1" run, then checkpointed into `img`
  // with `flags`, its first terminal closed (the restore must bring its
  // own): the value it was dumped at, or -1 (and a test failure).
  long checkpoint_terminal_counter(Bundle& b, const fs::path& img, const std::vector<std::string>& flags = {}) {
    UniqueFd first;
    pid_t init = run_terminal_counter(b, "c1", first);
    if (init <= 0) return -1;
    std::vector<std::string> args = flags;
    args.insert(args.end(), {"--image-path", img.string()});
    ProcResult r = checkpoint("c1", args);
    EXPECT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
    if (r.exit_code != 0) return -1;
    EXPECT_TRUE(wait_exit_and_reap(init));
    long dumped = stopped_value(b);
    EXPECT_GE(dumped, 5);
    return dumped;
  }

  // After a restore: the counter goes on from where the dump left it. The
  // file is reset to 0 first, so the first value written after the restore
  // tells a continued counter (> dumped) from a restarted one (1).
  void expect_counting_on(Bundle& b, const std::string& id, long dumped) {
    long first = wait_count(b.rootfs() / "count", [](long v) { return v != 0; });
    EXPECT_GT(first, dumped) << "the restored counter started over";
    EXPECT_GT(count_inside(id), dumped) << "the value read inside";
  }

  // Counter container `id` (init `init`) checkpointed into `img`, gone,
  // restored from there, and counting on from where it was dumped.
  void checkpoint_and_restore(Bundle& b, const std::string& id, pid_t init, const fs::path& img) {
    ProcResult r = checkpoint(id, {"--image-path", img.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
    EXPECT_TRUE(wait_exit_and_reap(init));
    long dumped = stopped_value(b);
    ProcResult rr = restore(id, b, img);
    ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
    expect_counting_on(b, id, dumped);
  }

  // The counter's value read inside the container with `hull exec`; -1,
  // with a failure, when that fails. The counter rewrites /count with
  // `echo $i > /count` every 0.1 s: a read between the truncation and the
  // write sees it empty (one did in the VM lane), so an empty read is taken
  // again, a bounded number of times.
  long count_inside(const std::string& id) {
    ProcResult in;
    for (int tries = 0; tries < 20; ++tries) {
      in = hull({"exec", id, "cat", "/count"});
      if (in.exit_code != 0 || !in.out.empty()) break;
    }
    if (in.exit_code != 0 || in.out.empty()) {
      ADD_FAILURE() << "hull exec " << id << " cat /count: exit " << in.exit_code << ", out \"" << in.out
                    << "\": " << in.err;
      return -1;
    }
    return std::stol(in.out);
  }

  // `hull ARGS` with `dir` first in PATH (a criu of the test's own there).
  Child hull_with_path(const std::string& dir, const std::vector<std::string>& args,
                       const std::string& shell_prefix = "") {
    std::vector<std::string> argv{"/bin/sh",
                                  "-c",
                                  shell_prefix + "exec env PATH=\"$0:$PATH\" \"$@\"",
                                  dir,
                                  runtime_binary(),
                                  "--root",
                                  state_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Child::spawn(argv, {std::nullopt, milliseconds(120000), "", {}});
  }

  // A `criu` for the PATH that records each call's arguments (one per line,
  // then "--") in `calls`, then runs the real criu with them: what hull
  // handed CRIU, with CRIU doing the real work.
  fs::path recording_criu(const fs::path& calls) {
    ProcResult real = run_process({"/bin/sh", "-c", "command -v criu"});
    std::string criu = real.out.substr(0, real.out.find('\n'));
    fs::path dir = temp_dir() / "recording-criu";
    fs::create_directories(dir);
    std::ofstream(dir / "criu") << "#!/bin/sh\n{ printf '%s\\n' \"$@\"; echo --; } >> '" << calls.string()
                                << "'\nexec '" << criu << "' \"$@\"\n";
    fs::permissions(dir / "criu", fs::perms::owner_all);
    return dir;
  }

  // The recorded calls whose first argument is `verb`.
  static std::vector<std::vector<std::string>> calls_of(const fs::path& calls, const std::string& verb) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(read_text_file(calls));
    std::vector<std::string> call;
    for (std::string line; std::getline(in, line);) {
      if (line != "--") {
        call.push_back(line);
        continue;
      }
      if (!call.empty() && call[0] == verb) out.push_back(call);
      call.clear();
    }
    return out;
  }

  // b's counter run as "c1" and checkpointed into img (it stops and is
  // removed, as runc's checkpoint does): the value it stopped at, the count
  // file reset for the restore (stopped_value); -1, with a failure, when the
  // run or the checkpoint failed.
  long checkpointed_counter(Bundle& b, const fs::path& img) {
    pid_t init = run_counter(b, "c1");
    if (init <= 0) {
      ADD_FAILURE() << "the counter container did not run";
      return -1;
    }
    ProcResult r = checkpoint("c1", {"--image-path", img.string()});
    if (r.exit_code != 0) {
      ADD_FAILURE() << "checkpoint: " << r.err << read_text_file(img / "dump.log");
      return -1;
    }
    EXPECT_TRUE(wait_exit_and_reap(init));
    return stopped_value(b);
  }

  // The counter's value once it stopped (the dump killed it): stable file.
  // Reset to zeros of the same size: CRIU checks that the size of a file
  // the dump caught open (the shell's `> /count`) has not changed.
  // The dump can catch the shell between that truncation and its write:
  // the file is then empty and stays so, and the value the restored shell
  // writes first is above the 5 that run_counter and run_terminal_counter
  // waited for, so 5 stands in for it.
  long stopped_value(Bundle& b) {
    std::string text = read_text_file(b.rootfs() / "count");
    if (text.empty()) return 5;
    long v = read_count(b.rootfs() / "count");
    zero_count(b, text.size());
    return v;
  }

  // /count as `size` bytes of a zero counter ("00\n"), or empty for 0.
  static void zero_count(Bundle& b, size_t size) {
    std::ofstream(b.rootfs() / "count") << (size == 0 ? "" : std::string(size - 1, '0') + "\n");
  }
};

TEST_F(CriuTest, OnAKernelCriuCannotProbeTheVerbsFailWithCriusOwnReason) {
  ProcResult check = criu_check();
  if (check.exit_code == 0) GTEST_SKIP() << "CRIU works on this kernel: the other tests run";
  pid_t init = create_container("c1", {"sleep", "1000"});
  ASSERT_GT(init, 0);
  start_container("c1");
  fs::path img = images("img");
  ProcResult r = checkpoint("c1", {"--image-path", img.string()});
  EXPECT_TRUE(failed_with(r, {"checkpoint container \"c1\": criu dump failed", "log " + (img / "dump.log").string(),
                              "Error (criu/", "criu check"}));
  // CRIU's own words, as `criu check` prints them.
  std::string reason = check.err.empty() ? check.out : check.err;
  size_t at = reason.rfind("): ");
  ASSERT_NE(at, std::string::npos) << reason;
  std::string last = reason.substr(at + 3, reason.find('\n', at) - at - 3);
  EXPECT_NE(r.err.find(last), std::string::npos) << "no \"" << last << "\" in: " << r.err;
  // Nothing was faked: the container still runs, as it was.
  EXPECT_EQ(status("c1"), "running");
  EXPECT_EQ(state("c1").value("pid", 0), init);

  Bundle& b = criu_bundle("restored");
  b.args({"sleep", "1000"});
  ProcResult rr = restore("c2", b, img);
  EXPECT_TRUE(failed_with(rr, {"restore container \"c2\": criu restore failed", "restore.log", "criu check"}));
  EXPECT_FALSE(fs::exists(state_dir("c2"))) << "a failed restore left its state dir";
}

TEST_F(CriuTest, ACheckpointedCounterRestoredKeepsCounting) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  fs::path img = images("img");
  ProcResult r = checkpoint("c1", {"--image-path", img.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
  // As runc: the checkpointed container is gone, its processes with it.
  EXPECT_TRUE(wait_exit_and_reap(init));
  EXPECT_FALSE(fs::exists(state_dir("c1")));
  long dumped = stopped_value(b);
  ASSERT_GE(dumped, 5);

  ProcResult rr = restore("c1", b, img, {"--manage-cgroups-mode", "soft"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  EXPECT_NE(read_text_file(img / "restore.log").find("cgroups restore mode 0x4"), std::string::npos);  // CG_MODE_SOFT
  EXPECT_EQ(status("c1"), "running");
  pid_t restored = state("c1").value("pid", 0);
  EXPECT_GT(restored, 0);
  std::optional<InitRecord> rec = recorded_init("c1");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->pid, restored);
  expect_counting_on(b, "c1", dumped);
  // Every later verb works on the restored container. An exec joins each
  // namespace of the restored init: the time namespace too, which CRIU made
  // for the restore (its monotonic clocks go on from the dump's) though the
  // config has none.
  for (const char* ns : {"time", "pid", "mnt", "ipc", "uts", "cgroup"}) {
    ProcResult in = hull({"exec", "c1", "readlink", std::string("/proc/self/ns/") + ns});
    EXPECT_EQ(in.out, ns_link(restored, ns) + "\n") << ns << in.err;
  }
  // That recorded time namespace is checkpointed and restored again.
  ASSERT_NO_FATAL_FAILURE(checkpoint_and_restore(b, "c1", restored, images("again")));
  restored = state("c1").value("pid", 0);
  ProcResult in = hull({"exec", "c1", "readlink", "/proc/self/ns/time"});
  EXPECT_EQ(in.out, ns_link(restored, "time") + "\n") << in.err;
  EXPECT_EQ(hull({"pause", "c1"}).exit_code, 0);
  EXPECT_EQ(status("c1"), "paused");
  EXPECT_EQ(hull({"resume", "c1"}).exit_code, 0);
  EXPECT_EQ(hull({"kill", "c1", "KILL"}).exit_code, 0);
  EXPECT_TRUE(wait_exit_and_reap(restored));
  EXPECT_EQ(status("c1"), "stopped");
  EXPECT_EQ(hull({"delete", "c1"}).exit_code, 0);
}

#ifdef HULL_FAULT_BINARY
// Restored into a cgroupsPath whose parent does not exist yet, and killed
// right after the restore's mkdir of it: state.json named the parent before
// (as create's does), so delete --force removes it; a restore run whole
// then makes it again, and its delete removes it too.
TEST_F(CriuTest, ARestoreKilledWhileItMakesANewCgroupParentLeavesItToDeleteForce) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path img = images("img");
  long dumped = checkpointed_counter(b, img);
  ASSERT_GE(dumped, 5);

  const std::string parent = b.config["linux"]["cgroupsPath"].get<std::string>() + "-new";
  b.config["linux"]["cgroupsPath"] = parent + "/c";
  b.write();
  ProcResult killed =
      run_process(fault_argv("create-cgroup-parent-made",
                             {"restore", "-d", "--image-path", img.string(), "--bundle", b.dir().string(), "c1"}));
  ASSERT_EQ(killed.signal, SIGKILL) << "hull restore did not die after making the parent: " << killed.err;
  ASSERT_FALSE(existing_cgroup_dirs(parent).empty()) << "the killed restore made no parent";
  ProcResult del = hull({"delete", "--force", "c1"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  for (const auto& dir : existing_cgroup_dirs(parent)) ADD_FAILURE() << "left behind: " << dir;

  ProcResult rr = restore("c1", b, img);
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  expect_counting_on(b, "c1", dumped);
  EXPECT_FALSE(existing_cgroup_dirs(parent).empty());
  del = hull({"delete", "--force", "c1"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  for (const auto& dir : existing_cgroup_dirs(parent)) ADD_FAILURE() << "left behind: " << dir;
}
#endif  // HULL_FAULT_BINARY

// The annotation org.criu.config names a CRIU configuration file for the
// container's dump and restore, as with runc; CRIU's own default files are
// not read (runc's RPC never reads them).
TEST_F(CriuTest, TheConfigFileTheAnnotationNamesReachesCriu) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  const fs::path conf = temp_dir() / "criu.conf";
  std::ofstream(conf) << "tcp-established\n";
  Bundle& b = criu_bundle();
  b.config["annotations"] = {{"org.criu.config", conf.string()}};
  b.write();
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  fs::path img = images("img");
  ASSERT_NO_FATAL_FAILURE(checkpoint_and_restore(b, "c1", init, img));
  for (const char* log : {"dump.log", "restore.log"})
    EXPECT_NE(read_text_file(img / log).find("Will dump/restore TCP connections"), std::string::npos) << log;
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

// A container with a user namespace gets its devices as binds of the
// host's nodes (mknod is refused there): each is named to CRIU as an
// external mount, as runc names every device, or CRIU refuses the dump.
TEST_F(CriuTest, AUserNamespacedContainerWithTheHostsDeviceNodesIsCheckpointedAndRestored) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  b.add_user_namespace();
  // No sysfs: CRIU cannot mount one in a user namespace that does not own
  // the network namespace (the host's here, see criu_bundle).
  b.drop_mounts({"/sys"});
  // The counter's file, writable by the container's root (host uid 100000).
  std::ofstream(b.rootfs() / "count").flush();
  ASSERT_EQ(::chown((b.rootfs() / "count").c_str(), 100000, 100000), 0);
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  // CRIU reads some images from inside the restored user namespace, whose
  // root is not the host's: the directory must let it in.
  fs::path img = images("img");
  fs::create_directory(img);
  fs::permissions(img, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                           fs::perms::others_exec);
  ASSERT_NO_FATAL_FAILURE(checkpoint_and_restore(b, "c1", init, img));
  // The restored container's /dev/null is the host's node again, writable.
  ProcResult dev = hull({"exec", "c1", "sh", "-c", "echo x > /dev/null && stat -c %t:%T /dev/null"});
  EXPECT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_EQ(dev.out, "1:3\n");
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

TEST_F(CriuTest, LeaveRunningKeepsTheContainerAndTheImagesRestoreIntoANewIdInTheCgroupCriuMakes) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  // A memory limit, and /dev/kmsg as a node that runc's default device
  // rules keep closed: CRIU 3.17 restores neither a v2 limit nor the eBPF device
  // filter, so in the cgroup CRIU makes both are hull's doing.
  b.config["linux"]["resources"] = {{"memory", {{"limit", 64 << 20}}}};
  b.config["linux"]["devices"] = {
      {{"path", "/dev/kmsg"}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"fileMode", 0666}, {"uid", 0}, {"gid", 0}}};
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  fs::path img = images("img");
  // Dumped paused: CRIU checks at restore that /count has the size the dump
  // saw, and a running counter goes on rewriting it (from empty, when the
  // dump caught its `echo > /count`) before the size could be read.
  ASSERT_EQ(hull({"pause", "c1"}).exit_code, 0);
  ProcResult r = checkpoint("c1", {"--leave-running", "--image-path", img.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
  EXPECT_EQ(status("c1"), "paused");  // left as it was
  EXPECT_EQ(state("c1").value("pid", 0), init);
  const size_t dumped_size = fs::file_size(b.rootfs() / "count");
  ASSERT_EQ(hull({"resume", "c1"}).exit_code, 0);
  EXPECT_EQ(status("c1"), "running");
  long now = wait_count(b.rootfs() / "count", [](long v) { return v >= 0; });
  EXPECT_GT(wait_count(b.rootfs() / "count", [&](long v) { return v > now; }), now) << "it stopped counting";
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
  EXPECT_TRUE(wait_exit_and_reap(init));

  // The same images as another container, with strict cgroups: CRIU makes
  // the container's cgroup itself (it aborts on one that exists), hull only
  // its parent, then takes the new cgroup before the tree resumes.
  zero_count(b, dumped_size);
  // A limit the kernel refuses (CPU 1023) fails at CRIU's post-restore,
  // before the tree resumes: CRIU aborts, and hull removes what CRIU made
  // (the strict restore below, which refuses an existing cgroup, shows it).
  b.config["linux"]["resources"]["cpu"] = {{"cpus", "1023"}};
  b.write();
  ProcResult bad = restore("other", b, img, {"--manage-cgroups-mode", "strict"});
  EXPECT_TRUE(
      failed_with(bad, {"restore container \"other\": apply the limits to the cgroup CRIU made: ", "cpuset.cpus"}));
  EXPECT_FALSE(fs::exists(state_dir("other")));
  b.config["linux"]["resources"].erase("cpu");
  b.write();
  ProcResult rr = restore("other", b, img, {"--manage-cgroups-mode", "strict"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  std::string log = read_text_file(img / "restore.log");
  EXPECT_NE(log.find("cgroups restore mode 0x10"), std::string::npos);  // CG_MODE_STRICT
  EXPECT_NE(log.find("Created cgroup dir"), std::string::npos) << log;
  EXPECT_EQ(status("other"), "running");
  long first = wait_count(b.rootfs() / "count", [](long v) { return v != 0; });
  EXPECT_GE(first, 5) << "the restored counter started over";
  EXPECT_GE(count_inside("other"), first) << "the value read inside";

  // In the container's own cgroup, as recorded, with the config's limit.
  pid_t restored = state("other").value("pid", 0);
  std::optional<InitRecord> rec = recorded_init("other");
  ASSERT_TRUE(rec);
  std::vector<fs::path> dirs = existing_cgroup_dirs(rec->cgroup_path);
  ASSERT_EQ(dirs.size(), 1u) << rec->cgroup_path;  // pure v2: one directory
  EXPECT_EQ(cgroup_dirs_of_pid(restored)[""], dirs[0]);
  EXPECT_EQ(read_text_file(dirs[0] / "memory.max"), std::to_string(64 << 20) + "\n");
  ProcResult dev =
      hull({"exec", "other", "sh", "-c", "echo x >/dev/null && echo null; echo hull-itest >/dev/kmsg && echo kmsg"});
  EXPECT_EQ(dev.out, "null\n") << dev.err;
  EXPECT_NE(dev.err.find("Operation not permitted"), std::string::npos) << "no device filter: " << dev.err;
  // hull's mark is on it: pause (which checks it) works.
  EXPECT_EQ(hull({"pause", "other"}).exit_code, 0);
  EXPECT_EQ(status("other"), "paused");
  EXPECT_EQ(hull({"resume", "other"}).exit_code, 0);
  EXPECT_EQ(hull({"delete", "--force", "other"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(dirs[0])) << "delete left the cgroup CRIU made";
}

// Strict cgroups: CRIU restores only into cgroups it makes, so hull refuses
// a container cgroup that exists before running CRIU (any kernel), and
// leaves it (here a running container's) alone.
TEST_F(HullTest, StrictRestoreRefusesAnExistingCgroupAndLeavesItAlone) {
  Bundle& b = bundle("b");
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "c1"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::optional<InitRecord> rec = recorded_init("c1");
  ASSERT_TRUE(rec);
  std::vector<std::filesystem::path> dirs = existing_cgroup_dirs(rec->cgroup_path);
  ASSERT_FALSE(dirs.empty()) << rec->cgroup_path;
  std::filesystem::path img = temp_dir() / "img";
  std::filesystem::create_directories(img);
  ProcResult r = hull({"restore", "-d", "--image-path", img.string(), "--bundle", b.dir().string(),
                       "--manage-cgroups-mode", "strict", "c2"});
  EXPECT_TRUE(failed_with(
      r, {"restore container \"c2\": restore with --manage-cgroups-mode strict: the cgroup ", " already exists"}));
  EXPECT_FALSE(std::filesystem::exists(state_dir("c2")));
  EXPECT_EQ(status("c1"), "created");
  for (const auto& d : dirs) EXPECT_TRUE(std::filesystem::exists(d)) << d;
  EXPECT_NE(read_text_file(dirs.front() / "cgroup.procs"), "") << "c1's init left its cgroup";
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

TEST_F(CriuTest, PreDumpThenDumpOnItsParentRestores) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  fs::path pre = images("pre"), final_img = images("final");
  ProcResult p = checkpoint("c1", {"--pre-dump", "--image-path", pre.string()});
  ASSERT_EQ(p.exit_code, 0) << p.err << read_text_file(pre / "pre-dump.log");
  EXPECT_EQ(status("c1"), "running");
  ProcResult d = checkpoint("c1", {"--parent-path", "../pre", "--image-path", final_img.string()});
  ASSERT_EQ(d.exit_code, 0) << d.err << read_text_file(final_img / "dump.log");
  // CRIU linked the final images to the pre-dump's.
  EXPECT_TRUE(fs::is_symlink(final_img / "parent"));
  EXPECT_TRUE(wait_exit_and_reap(init));
  long dumped = stopped_value(b);
  ProcResult rr = restore("c1", b, final_img, {"--manage-cgroups-mode", "full"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(final_img / "restore.log");
  // CRIU restored the cgroups in the mode asked (CG_MODE_FULL).
  EXPECT_NE(read_text_file(final_img / "restore.log").find("cgroups restore mode 0x8"), std::string::npos);
  expect_counting_on(b, "c1", dumped);
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

// --link-remap (runc 1.3's flag): the init holds /a open, whose name was
// unlinked while a second hard link, /b, remains. CRIU refuses such a file
// without the flag (the container runs on) and, with it, links the file
// back under a temporary name; the restored init holds the same file again.
TEST_F(CriuTest, LinkRemapDumpsAFileOpenUnderANameUnlinkedWhileAnotherLinkRemains) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  b.args({"sh", "-c", "echo kept > /a && ln /a /b && exec 3</a && rm /a && touch /ready && exec sleep 1000"});
  ASSERT_EQ(hull({"run", "-d", "--bundle", b.dir().string(), "c1"}).exit_code, 0);
  ASSERT_TRUE(wait_exists(b.rootfs() / "ready"));
  const pid_t init = state("c1").value("pid", 0);
  fs::path refused = images("refused"), img = images("img");
  ProcResult r = checkpoint("c1", {"--image-path", refused.string()});
  EXPECT_TRUE(failed_with(r, {"criu dump failed"})) << r.err;
  EXPECT_NE(read_text_file(refused / "dump.log").find("Can't create link remap for /a"), std::string::npos)
      << read_text_file(refused / "dump.log");
  EXPECT_EQ(status("c1"), "running");
  r = checkpoint("c1", {"--link-remap", "--image-path", img.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
  EXPECT_TRUE(wait_exit_and_reap(init));
  ProcResult rr = restore("c1", b, img);
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  ProcResult in = hull({"exec", "c1", "sh", "-c", "cat /proc/1/fd/3 && stat -L -c %i /proc/1/fd/3 /b"});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  std::istringstream lines(in.out);
  std::string text, fd_inode, b_inode;
  lines >> text >> fd_inode >> b_inode;
  EXPECT_EQ(text, "kept") << in.out;
  EXPECT_EQ(fd_inode, b_inode) << "fd 3 is no longer the file /b names: " << in.out;
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

TEST_F(CriuTest, BindMountMaskedPathAndMemoryLimitComeBack) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path data = temp_dir() / "data";
  fs::create_directory(data);
  std::ofstream(data / "hello") << "from the host\n";
  // Written runc's legacy way, the rootfs path in front: checkpoint (the
  // saved config) and restore (the bundle's) both read it as /data.
  b.config["mounts"].push_back({{"destination", (fs::canonical(b.rootfs()) / "data").string()},
                                {"type", "bind"},
                                {"source", data.string()},
                                {"options", {"rbind", "rw"}}});
  b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                {"type", "cgroup"},
                                {"source", "cgroup"},
                                {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
  // Two masked directories: binds of one empty directory of the /dev tmpfs,
  // beneath its /dev/pts mount, which CRIU must bring back from there.
  b.config["linux"]["maskedPaths"] = {"/proc/kcore", "/proc/acpi", "/sys/firmware", "/sys/kernel/mm"};
  b.config["linux"]["resources"] = {{"memory", {{"limit", 64 << 20}}}};
  fs::path img = images("img");
  long dumped = checkpointed_counter(b, img);
  ASSERT_GE(dumped, 0);
  ProcResult rr = restore("c1", b, img, {"--no-pivot"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  expect_counting_on(b, "c1", dumped);

  auto inside = [&](const std::string& script) {
    ProcResult e = hull({"exec", "c1", "sh", "-c", script});
    EXPECT_EQ(e.exit_code, 0) << script << ": " << e.err;
    return e.out;
  };
  EXPECT_EQ(inside("cat /data/hello"), "from the host\n");
  // The same host directory, not a copy: a file made now shows inside.
  std::ofstream(data / "later") << "after the restore\n";
  EXPECT_EQ(inside("cat /data/later"), "after the restore\n");
  EXPECT_EQ(inside("wc -c < /proc/kcore"), "0\n");
  EXPECT_EQ(inside("grep -c ' /proc/kcore ' /proc/self/mountinfo"), "1\n");
  EXPECT_EQ(inside("stat -c %d /sys/firmware /sys/kernel/mm /dev | uniq | wc -l"), "1\n");
  EXPECT_EQ(inside("stat -c %h /sys/firmware /sys/kernel/mm"), "2\n2\n");
  EXPECT_EQ(inside("ls -A /dev/pts | grep -c hull-masked || true"), "0\n");
  EXPECT_EQ(inside("for d in /sys/firmware /sys/kernel/mm; do touch $d/x 2>/dev/null || echo ro; ls $d; done"),
            "ro\nro\n");
  EXPECT_EQ(inside("cat /sys/fs/cgroup/memory.max"), std::to_string(64 << 20) + "\n");
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

TEST_F(CriuTest, AttachedRestoreWaitsForTheInitAndExitsWithItsStatus) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path img = images("img");
  long dumped = checkpointed_counter(b, img);
  ASSERT_GE(dumped, 0);
  // Without -d, hull restore stays the restored init's parent, like hull
  // run. The init is CRIU's sibling, hull's own child: it is waited for
  // without hull being a subreaper (--no-subreaper).
  fs::path pid_file = temp_dir() / "init.pid";
  Child attached = hull_background({"restore", "--no-subreaper", "--pid-file", pid_file.string(), "--image-path",
                                    img.string(), "--bundle", b.dir().string(), "c1"},
                                   {std::nullopt, milliseconds(120000), "", {}});
  long first = wait_count(b.rootfs() / "count", [](long v) { return v != 0; });
  EXPECT_GT(first, dumped) << "the restored counter started over";
  // The restored init runs before hull has recorded it: the pid file,
  // written after the state, says the restore is complete.
  ASSERT_TRUE(wait_exists(pid_file)) << "no pid file from the attached restore";
  EXPECT_EQ(status("c1"), "running");
  EXPECT_EQ(read_text_file(pid_file), std::to_string(state("c1").value("pid", 0)));
  EXPECT_EQ(hull({"kill", "c1", "KILL"}).exit_code, 0);
  ProcResult done = attached.finish();
  EXPECT_EQ(done.exit_code, 128 + SIGKILL) << done.err;
  // It deleted the container once the init was gone, as run does.
  EXPECT_FALSE(fs::exists(state_dir("c1")));
}

// Needs no CRIU: the init's stdio that is the caller's /dev/null (here the
// harness's, as conmon gives a container's stdin) is the container's own
// /dev/null inside, as runc's init reopens it; CRIU could not dump a file on
// the host's /dev mount (podman checkpoint failed on it).
TEST_F(HullTest, InitStdioOnTheCallersDevNullIsTheContainersOwn) {
  Bundle& b = bundle();
  ProcResult r = run_sh(b,
                        "[ \"$(stat -L -c %d:%i /proc/self/fd/0)\" = \"$(stat -c %d:%i /dev/null)\" ] && echo own;"
                        " stat -L -c %t:%T /proc/self/fd/0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "own\n1:3\n");
}

// Needs no working CRIU: refused before CRIU runs, so the host runs it too.
TEST_F(CriuTest, ATerminalRestoreNeedsAConsoleSocketOrATerminalForTheShellJob) {
  Bundle& b = criu_bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sleep", "1000"});
  fs::path img = images("img");
  fs::create_directory(img);
  ProcResult r = restore("c1", b, img);
  EXPECT_TRUE(failed_with(r, {"restore container \"c1\": restore a terminal container: give --console-socket"}));
  // Here stdin is /dev/null (the harness's): no terminal to hand on.
  ProcResult s =
      hull({"restore", "-d", "--shell-job", "--image-path", img.string(), "--bundle", b.dir().string(), "c1"});
  EXPECT_TRUE(failed_with(s, {"restore a terminal container: --shell-job hands on stdin, which is not a terminal open "
                              "for reading and writing"}));
  ProcResult c = hull({"restore", "-d", "--console-socket", (temp_dir() / "nobody.sock").string(), "--image-path",
                       img.string(), "--bundle", b.dir().string(), "c1"});
  EXPECT_TRUE(failed_with(c, {"console socket"}));
  EXPECT_FALSE(fs::exists(state_dir("c1"))) << "a refused restore left its state dir";
}

TEST_F(CriuTest, ATerminalContainerRestoredWithANewConsoleSocketGetsANewPty) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path img = images("img");
  // No --shell-job: hull knows the pty's master is outside (runc asks none either).
  const long dumped = checkpoint_terminal_counter(b, img);
  ASSERT_GE(dumped, 5);

  // Named relative to the bundle, as runc (and hull's create) resolve it.
  std::string sock = (b.dir() / "restore.sock").string();
  UniqueFd listener = listen_unix(sock);
  Child restoring = hull_background({"restore", "-d", "--console-socket", "restore.sock", "--image-path", img.string(),
                                     "--bundle", b.dir().string(), "c1"},
                                    {std::nullopt, milliseconds(120000), "", {}});
  UniqueFd conn = accept_within(listener.get(), milliseconds(120000));
  ProcResult rr = restoring.finish();
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  ASSERT_TRUE(conn) << "restore never connected to the new console socket";
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  ASSERT_TRUE(pty.master);
  EXPECT_EQ(status("c1"), "running");
  expect_counting_on(b, "c1", dumped);
  expect_terminal_counting_on(b, pty.master.get(), dumped);
  // The container's /dev/console is the new pty, as create makes it.
  struct stat host {};
  ASSERT_EQ(::stat(pty.name.c_str(), &host), 0) << pty.name;
  ProcResult dev = hull({"exec", "c1", "stat", "-c", "%t:%T", "/dev/console"});
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  std::ostringstream want;
  want << std::hex << major(host.st_rdev) << ":" << minor(host.st_rdev) << "\n";
  EXPECT_EQ(dev.out, want.str());
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

TEST_F(CriuTest, AShellJobIsRestoredOnTheCallersTerminal) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path img = images("img");
  const long dumped = checkpoint_terminal_counter(b, img, {"--shell-job"});
  ASSERT_GE(dumped, 5);

  // hull restore --shell-job with a terminal on its stdin (a user's shell:
  // here a pty of the test's own, open for reading and writing, as a
  // terminal gives it) hands that terminal to the restored job.
  TestPty term = open_test_pty();
  ASSERT_TRUE(term.master);
  Child restoring = Child::spawn(
      {"/bin/sh", "-c", "exec \"$@\" <> \"$0\"", term.slave_path, runtime_binary(), "--root", state_root().string(),
       "restore", "-d", "--shell-job", "--image-path", img.string(), "--bundle", b.dir().string(), "c1"},
      {std::nullopt, milliseconds(120000), "", {}});
  ProcResult rr = restoring.finish();
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  EXPECT_EQ(status("c1"), "running");
  expect_counting_on(b, "c1", dumped);
  expect_terminal_counting_on(b, term.master.get(), dumped);
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

// `hull restore` attached, of a terminal container, with neither
// --console-socket nor --shell-job: a new pty, relayed to hull's own stdio
// until the container exits, as runc relays the one it gets from CRIU.
TEST_F(CriuTest, AnAttachedTerminalRestoreRelaysItsNewPty) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path img = images("img");
  const long dumped = checkpoint_terminal_counter(b, img);
  ASSERT_GE(dumped, 5);

  TestPty term = open_test_pty();
  ASSERT_TRUE(term.master);
  Child restoring =
      Child::spawn({"/bin/sh", "-c", "exec \"$@\" <> \"$0\" >&0 2>&0", term.slave_path, runtime_binary(), "--root",
                    state_root().string(), "restore", "--image-path", img.string(), "--bundle", b.dir().string(), "c1"},
                   {std::nullopt, milliseconds(120000), "", {}});
  expect_terminal_counting_on(b, term.master.get(), dumped);
  EXPECT_EQ(status("c1"), "running");
  EXPECT_EQ(hull({"kill", "c1", "KILL"}).exit_code, 0);
  ProcResult rr = restoring.finish();
  EXPECT_EQ(rr.exit_code, 137) << rr.err << read_text_file(img / "restore.log");
  EXPECT_FALSE(fs::exists(state_dir("c1")));  // an attached restore deletes its container, as run
}

// Whether `call` holds `seq` as consecutive arguments.
bool has_args(const std::vector<std::string>& call, const std::vector<std::string>& seq) {
  return std::search(call.begin(), call.end(), seq.begin(), seq.end()) != call.end();
}

std::string joined(const std::vector<std::string>& call) {
  std::string out;
  for (const std::string& a : call) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Sum of the allocated blocks of CRIU's page images in `dir`.
long long page_image_blocks(const fs::path& dir) {
  long long blocks = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    struct stat st {};
    if (name.starts_with("pages-") && ::stat(e.path().c_str(), &st) == 0) blocks += st.st_blocks;
  }
  return blocks;
}

// Runs where CRIU works and where it does not: what reaches CRIU is the same.
// Where it works (the VM lane) the checkpoint and restore are real, and what
// CRIU did with the flags is checked too.
TEST_F(CriuTest, EveryRuncFlagReachesCriusCommandLine) {
  bool works = need_working_criu();
  fs::path calls = temp_dir() / "criu-calls";
  fs::path path_dir = recording_criu(calls);
  Bundle& b = criu_bundle();
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  fs::path img = images("img"), work = images("work"), rwork = images("restore-work");
  ProcResult r = hull_with_path(path_dir.string(), {"checkpoint", "--image-path", img.string(), "--work-path",
                                                    work.string(), "--tcp-established", "--tcp-skip-in-flight",
                                                    "--ext-unix-sk", "--file-locks", "--auto-dedup", "--link-remap",
                                                    "--empty-ns", "network", "--manage-cgroups-mode", "full", "c1"})
                     .finish();
  auto dumps = calls_of(calls, "dump");
  ASSERT_EQ(dumps.size(), 1u) << read_text_file(calls);
  const std::vector<std::string>& d = dumps[0];
  for (const char* f : {"--tcp-established", "--skip-in-flight", "--ext-unix-sk", "--file-locks", "--auto-dedup",
                        "--link-remap", "--manage-cgroups=full"})
    EXPECT_TRUE(has_args(d, {f})) << f << " not in: " << joined(d);
  EXPECT_TRUE(has_args(d, {"--empty-ns", "net"})) << joined(d);
  EXPECT_TRUE(has_args(d, {"--work-dir", work.string()})) << joined(d);
  EXPECT_TRUE(has_args(d, {"--tree", std::to_string(init)})) << joined(d);
  if (!works) {
    // CRIU's own refusal, its log in the work path.
    EXPECT_TRUE(failed_with(r, {"criu dump failed", "log " + (work / "dump.log").string()}));
    EXPECT_EQ(status("c1"), "running");
    EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);  // its cgroup is the restore's
    EXPECT_TRUE(wait_exit_and_reap(init));
  } else {
    ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(work / "dump.log");
    EXPECT_TRUE(wait_exit_and_reap(init));
    EXPECT_NE(read_text_file(work / "dump.log").find("Will dump/restore TCP connections"), std::string::npos);
  }
  long dumped = works ? stopped_value(b) : 0;
  long long blocks = works ? page_image_blocks(img) : 0;

  fs::path pid_file = temp_dir() / "restored.pid";
  fs::create_directories(img);
  ProcResult rr =
      hull_with_path(path_dir.string(),
                     {"restore",      "-d",           "--image-path",   img.string(),        "--work-path",
                      rwork.string(), "--bundle",     b.dir().string(), "--tcp-established", "--ext-unix-sk",
                      "--file-locks", "--auto-dedup", "--empty-ns",     "network",           "--manage-cgroups-mode",
                      "ignore",       "--no-pivot",   "--pid-file",     pid_file.string(),   "c1"})
          .finish();
  auto restores = calls_of(calls, "restore");
  ASSERT_EQ(restores.size(), 1u) << rr.err << read_text_file(calls);
  const std::vector<std::string>& rs = restores[0];
  for (const char* f : {"--tcp-established", "--ext-unix-sk", "--file-locks", "--auto-dedup", "--manage-cgroups=ignore",
                        "--restore-detached"})
    EXPECT_TRUE(has_args(rs, {f})) << f << " not in: " << joined(rs);
  EXPECT_TRUE(has_args(rs, {"--empty-ns", "net"})) << joined(rs);
  EXPECT_TRUE(has_args(rs, {"--work-dir", rwork.string()})) << joined(rs);
  if (!works) {
    EXPECT_TRUE(failed_with(rr, {"criu restore failed", "log " + (rwork / "restore.log").string()}));
    EXPECT_FALSE(fs::exists(pid_file));
    EXPECT_FALSE(fs::exists(state_dir("c1")));
  } else {
    ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(rwork / "restore.log");
    expect_counting_on(b, "c1", dumped);
    // --pid-file: the restored init, as the state says.
    EXPECT_EQ(read_text_file(pid_file), std::to_string(state("c1").value("pid", 0)));
    std::string log = read_text_file(rwork / "restore.log");
    EXPECT_NE(log.find("Will dump/restore TCP connections"), std::string::npos);
    // ignore: CRIU left the cgroups to hull (no cgroup yard).
    EXPECT_EQ(log.find("Preparing cgroups yard"), std::string::npos);
    // --auto-dedup: the restore punched the pages it read out of the images.
    EXPECT_GT(blocks, 0);
    EXPECT_LT(page_image_blocks(img), blocks);
    EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
  }

  // The other --manage-cgroups-mode values as CRIU spells them (full and
  // ignore are above); images it cannot restore (none), so CRIU fails here
  // too, and hull says where its log is.
  fs::path none = images("none");
  fs::create_directories(none);
  for (const char* mode : {"soft", "strict"}) {
    ProcResult m = hull_with_path(path_dir.string(), {"restore", "-d", "--image-path", none.string(), "--bundle",
                                                      b.dir().string(), "--manage-cgroups-mode", mode, "m"})
                       .finish();
    // The failing step, CRIU's log and CRIU's own error line.
    EXPECT_TRUE(failed_with(m, {"restore container \"m\": criu restore failed (exit status 1; log " +
                                    (none / "restore.log").string() + "): ",
                                "Error (criu/"}))
        << mode;
    auto all = calls_of(calls, "restore");
    ASSERT_FALSE(all.empty());
    EXPECT_TRUE(has_args(all.back(), {std::string("--manage-cgroups=") + mode})) << joined(all.back());
    EXPECT_FALSE(fs::exists(state_dir("m")));
  }
}

// A checkpoint interrupted while CRIU runs (a dump waiting for lazy pages
// or a page server that never comes, ended by an engine's timeout): CRIU is
// killed with it, SIGTERM or SIGKILL, and a running container is left
// running, thawed. CRIU went on holding the processes seized and the cgroup
// frozen, under a state that said running. The stand-in CRIU freezes the
// cgroup it is given, as CRIU does first, then waits.
TEST_F(CriuTest, AnInterruptedCheckpointKillsCriuAndLeavesTheContainerRunning) {
  const fs::path dir = temp_dir() / "waiting-criu";
  fs::create_directories(dir);
  const fs::path mark = temp_dir() / "criu.pid";
  std::ofstream(dir / "criu") << "#!/bin/sh\n"
                                 "while [ $# -gt 0 ]; do [ \"$1\" = --freeze-cgroup ] && d=$2; shift; done\n"
                                 "if [ -e \"$d/freezer.state\" ]; then echo FROZEN > \"$d/freezer.state\";"
                                 " else echo 1 > \"$d/cgroup.freeze\"; fi\n"
                              << write_pid_to("$$", mark) << "\nexec sleep 1000\n";
  fs::permissions(dir / "criu", fs::perms::owner_all);
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  ASSERT_GT(create_container("ckint"), 0);
  start_container("ckint");
  for (int sig : {SIGTERM, SIGKILL}) {
    SCOPED_TRACE(sig);
    fs::remove(mark);
    Child checkpoint = hull_with_path(dir.string(), {"checkpoint", "--image-path", images("img").string(), "ckint"});
    const pid_t criu = pid_written_to(mark);
    ASSERT_GT(criu, 0) << "the stand-in CRIU never ran";
    ::kill(checkpoint.pid(), sig);
    ProcResult r = checkpoint.finish();
    if (sig == SIGTERM) {
      EXPECT_TRUE(failed_with(r, {"criu dump interrupted by SIGTERM: CRIU was killed\n"})) << r.err;
    } else {
      EXPECT_EQ(r.signal, SIGKILL);
    }
    const bool gone = wait_exit_and_reap(criu, milliseconds(5000));
    EXPECT_TRUE(gone) << "CRIU " << criu << " outlived the checkpoint";
    if (!gone) {
      ::kill(criu, SIGKILL);
      wait_exit_and_reap(criu);
    }
    EXPECT_EQ(status("ckint"), "running");
    if (sig == SIGTERM) {
      ProcResult e = hull({"exec", "ckint", "true"});
      EXPECT_EQ(e.exit_code, 0) << "left frozen: " << e.err;
    }
  }
}

// A restore's CRIU killed while it ran (hull ended by a signal, or CRIU
// killed by someone) leaves the cgroup yard it made in its work directory:
// a tmpfs with the host's cgroup hierarchies mounted below it, which showed
// the host's cgroups there and kept an `rm -r` of the images out. hull
// detaches and removes the one CRIU's log names. The stand-in CRIU makes
// one as CRIU does, names it in its log, then waits.
TEST_F(CriuTest, AnInterruptedRestoreLeavesNoCgroupYardInItsWorkDirectory) {
  const fs::path dir = temp_dir() / "yard-criu", mark = temp_dir() / "criu.pid";
  fs::create_directories(dir);
  std::ofstream(dir / "criu") << "#!/bin/sh\n"
                                 "while [ $# -gt 0 ]; do case $1 in --images-dir) d=$2;; --work-dir) w=$2;;"
                                 " --log-file) l=$2;; esac; shift; done\n"
                                 "cd \"${w:-$d}\" || exit 1\n"
                                 "y=.criu.cgyard.Test01\n"
                                 "mkdir $y && mount -t tmpfs none $y && mkdir $y/unified &&"
                                 " mount -t tmpfs none $y/unified || exit 1\n"
                                 "echo \"(00.011) cg: Opening $y as cg yard\" >> \"$l\"\n"
                              << write_pid_to("$$", mark) << "\nexec sleep 1000\n";
  fs::permissions(dir / "criu", fs::perms::owner_all);
  Bundle& b = criu_bundle("restored");
  b.args({"sleep", "1000"});
  const fs::path img = images("img"), work = images("work"), yard = work / ".criu.cgyard.Test01";
  fs::create_directories(img);
  AtScopeExit unmount([&] {
    while (::umount2(yard.c_str(), MNT_DETACH) == 0) {}
  });
  Child restore = hull_with_path(dir.string(), {"restore", "-d", "--image-path", img.string(), "--work-path",
                                                work.string(), "--bundle", b.dir().string(), "yard"});
  const pid_t criu = pid_written_to(mark);
  ASSERT_GT(criu, 0) << "the stand-in CRIU never ran";
  ASSERT_NE(read_text_file("/proc/self/mountinfo").find(yard.string() + "/unified "), std::string::npos);
  ::kill(restore.pid(), SIGTERM);
  ProcResult r = restore.finish();
  EXPECT_TRUE(failed_with(r, {"criu restore interrupted by SIGTERM: CRIU was killed\n"})) << r.err;
  EXPECT_EQ(read_text_file("/proc/self/mountinfo").find(yard.string()), std::string::npos) << "the yard is mounted";
  EXPECT_FALSE(fs::exists(yard));
  EXPECT_FALSE(fs::exists(state_dir("yard")));
}

TEST_F(CriuTest, WithoutCriuInPathTheVerbsSaySoAndChangeNothing) {
  pid_t init = create_container("c1", {"sleep", "1000"});
  ASSERT_GT(init, 0);
  start_container("c1");
  fs::path empty = temp_dir() / "no-criu";
  fs::create_directories(empty);
  fs::path img = images("img");
  auto without_criu = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/env", "PATH=" + empty.string(), runtime_binary(), "--root",
                                  state_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {std::nullopt, milliseconds(60000), "", {}});
  };
  ProcResult r = without_criu({"checkpoint", "--image-path", img.string(), "c1"});
  EXPECT_TRUE(failed_with(r, {"checkpoint container \"c1\": criu not found: install CRIU"}));
  EXPECT_EQ(status("c1"), "running");
  EXPECT_EQ(state("c1").value("pid", 0), init);
  Bundle& b = criu_bundle("restored");
  b.args({"sleep", "1000"});
  ProcResult rr = without_criu({"restore", "-d", "--image-path", img.string(), "--bundle", b.dir().string(), "c2"});
  EXPECT_TRUE(failed_with(rr, {"restore container \"c2\": criu not found: install CRIU"}));
  EXPECT_FALSE(fs::exists(state_dir("c2")));
}

TEST_F(CriuTest, RestoreRunsPrestartAndCreateRuntimeHooksOnTheRestoredInitAndPoststopOnDelete) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = criu_bundle();
  fs::path img = images("img");
  long dumped = checkpointed_counter(b, img);
  ASSERT_GE(dumped, 0);

  // Hooks only in the restore's config: each records the state it got and
  // the pid namespace of the pid in it, as it saw it then (its mount
  // namespace is not yet the container's final one: CRIU restores the
  // mounts later).
  fs::path seen = temp_dir() / "hooks";
  fs::create_directories(seen);
  auto hook = [&](const std::string& name) {
    std::string f = (seen / name).string();
    return json{{"path", "/bin/sh"},
                {"args", json::array({"sh", "-c",
                                      "cat > " + f + ".json; pid=$(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p' " + f +
                                          ".json); readlink /proc/$pid/ns/pid > " + f +
                                          ".pidns; readlink /proc/$pid/ns/mnt > " + f + ".mntns"})},
                {"env", json::array({"PATH=/usr/sbin:/usr/bin:/sbin:/bin"})}};
  };
  // First a createRuntime hook that fails: so does the restore, with the
  // hook's error, and nothing restored is left running.
  json failing = {{"path", "/bin/sh"}, {"args", json::array({"sh", "-c", "echo no network; exit 3"})}};
  b.config["hooks"] = json::object();
  b.config["hooks"]["createRuntime"] = json::array({failing});
  b.write();
  // The file as the restore finds it: zeros, or empty when the dump caught
  // the shell between its truncation and its write (stopped_value).
  std::string reset = read_text_file(b.rootfs() / "count");
  ProcResult bad = restore("c1", b, img);
  EXPECT_TRUE(
      failed_with(bad, {"restore container \"c1\": hook createRuntime[0]", "exited with status 3", "no network"}));
  EXPECT_FALSE(fs::exists(state_dir("c1"))) << "a failed restore left its state dir";
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(read_text_file(b.rootfs() / "count"), reset) << "a process of the failed restore counts";

  // The same images again, with hooks that record what they saw.
  b.config["hooks"] = json::object();
  for (const char* name : {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"})
    b.config["hooks"][name] = json::array({hook(name)});
  b.write();
  ProcResult rr = restore("c1", b, img);
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  pid_t restored = state("c1").value("pid", 0);
  ASSERT_GT(restored, 0);
  std::string pidns = fs::read_symlink("/proc/" + std::to_string(restored) + "/ns/pid").string() + "\n";
  EXPECT_NE(pidns, fs::read_symlink("/proc/self/ns/pid").string() + "\n");
  for (const char* name : {"prestart", "createRuntime"}) {
    json st = json::parse(read_text_file(seen / (std::string(name) + ".json")), nullptr, false);
    ASSERT_TRUE(st.is_object()) << name << " hook saw no state";
    EXPECT_EQ(st.value("id", ""), "c1") << name;
    EXPECT_EQ(st.value("pid", 0), restored) << name;
    // runc 1.1.5's state there too (measured with HULL_ITEST_RUNTIME=runc).
    EXPECT_EQ(st.value("status", ""), "stopped") << name;
    // The restored init, already in the container's own pid namespace.
    EXPECT_EQ(read_text_file(seen / (std::string(name) + ".pidns")), pidns) << name;
  }
  // As runc 1.1: none of the hooks of a create or a start.
  for (const char* name : {"createContainer", "startContainer", "poststart"})
    EXPECT_FALSE(fs::exists(seen / (std::string(name) + ".json"))) << name << " ran on restore";
  expect_counting_on(b, "c1", dumped);
  EXPECT_FALSE(fs::exists(seen / "poststop.json"));
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
  json post = json::parse(read_text_file(seen / "poststop.json"), nullptr, false);
  ASSERT_TRUE(post.is_object()) << "no poststop hook on delete";
  EXPECT_EQ(post.value("id", ""), "c1");
  EXPECT_EQ(post.value("status", ""), "stopped");
}

// runc's lazy migration on one host: the dump serves the pages it left out
// on a page server, `criu lazy-pages` (the caller's, as with runc) fetches
// them for the restore, which runs before all its memory is there.
TEST_F(CriuTest, LazyPagesRestoreTakesItsMemoryFromTheDumpsPageServer) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  if (run_process({"/bin/sh", "-c", "criu check --feature uffd-noncoop"}, {std::nullopt, milliseconds(60000), "", {}})
          .exit_code != 0)
    GTEST_SKIP() << "this kernel has no non-cooperative userfaultfd: CRIU cannot restore lazily";
  Bundle& b = criu_bundle();
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  fs::path img = images("img");
  // A FIFO, as an engine reads --status-fd: \0, then EOF once CRIU closes
  // it (hull keeps no copy), while the dump goes on serving pages.
  fs::path status_file = temp_dir() / "status";
  ASSERT_EQ(::mkfifo(status_file.c_str(), 0600), 0);
  std::string port = std::to_string(20000 + ::getpid() % 20000);
  Child dump = Child::spawn({"/bin/sh", "-c", "exec \"$@\" 5>\"$0\"", status_file.string(), runtime_binary(), "--root",
                             state_root().string(), "checkpoint", "--lazy-pages", "--page-server", "127.0.0.1:" + port,
                             "--status-fd", "5", "--image-path", img.string(), "c1"},
                            {std::nullopt, milliseconds(180000), "", {}});
  // A failure below must not leave the dump's CRIU (the checkpointing
  // hull's child) serving pages for ever: killed before hull is.
  struct KillChildren {
    pid_t parent;
    ~KillChildren() {
      if (parent <= 0) return;
      for (pid_t child : children_of(parent)) ::kill(child, SIGKILL);
    }
  } kill_criu{dump.pid()};
  // CRIU writes \0 to --status-fd once its page server listens.
  UniqueFd status_fd(::open(status_file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(status_fd);
  auto read_status = [&](int timeout_ms) -> std::string {
    pollfd p{status_fd.get(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return "(nothing in " + std::to_string(timeout_ms) + " ms)";
    char c = 0;
    ssize_t n = ::read(status_fd.get(), &c, 1);
    return n == 1 ? std::string(1, c) : n == 0 ? "EOF" : "read error";
  };
  ASSERT_EQ(read_status(120000), std::string(1, '\0')) << "no \\0 on --status-fd: " << read_text_file(img / "dump.log");
  EXPECT_EQ(read_status(10000), "EOF") << "a copy of --status-fd stays open while the dump runs";
  long dumped = stopped_value(b);
  ASSERT_GE(dumped, 5);

  const std::string lazy_pages_daemon =
      "exec criu lazy-pages --page-server --address 127.0.0.1 --port \"$0\" --images-dir \"$1\" "
      "--log-file lazy-pages.log -v4";
  Child lazy = Child::spawn({"/bin/sh", "-c", lazy_pages_daemon, port, img.string()},
                            {std::nullopt, milliseconds(180000), "", {}});
  auto deadline = std::chrono::steady_clock::now() + milliseconds(60000);
  while (!fs::exists(img / "lazy-pages.socket") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(fs::exists(img / "lazy-pages.socket")) << read_text_file(img / "lazy-pages.log");
  // The dumped container waits in its dump meanwhile: a new id, a cgroup of its own.
  b.config["linux"]["cgroupsPath"] = b.config["linux"]["cgroupsPath"].get<std::string>() + "-restored";
  b.write();
  ProcResult rr = restore("c2", b, img, {"--lazy-pages"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log") << read_text_file(img / "lazy-pages.log");
  expect_counting_on(b, "c2", dumped);
  // Every page fetched, the dump ends and removes the dumped container.
  ProcResult done = dump.finish();
  kill_criu.parent = 0;
  EXPECT_EQ(done.exit_code, 0) << done.err << read_text_file(img / "dump.log");
  EXPECT_TRUE(wait_exit_and_reap(init));
  EXPECT_FALSE(fs::exists(state_dir("c1")));
  ProcResult lp = lazy.finish();
  EXPECT_EQ(lp.exit_code, 0) << lp.err << read_text_file(img / "lazy-pages.log");
  EXPECT_NE(read_text_file(img / "dump.log").find("Lazy pages transfer finished successfully"), std::string::npos);
  EXPECT_NE(read_text_file(img / "restore.log").find("lazy"), std::string::npos);
  expect_counting_on(b, "c2", dumped);
  EXPECT_EQ(hull({"delete", "--force", "c2"}).exit_code, 0);
}

// A container with its own network namespace: CRIU dumps it whole (its
// connections through conntrack's netlink, which the VM loads), or with
// --empty-ns network (runc's flag) leaves its contents out, and the restore
// gets a new, empty one.
TEST_F(CriuTest, EmptyNsNetworkRestoresANewEmptyNetworkNamespace) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  Bundle& b = bundle();  // its own network namespace
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  ProcResult before = hull({"exec", "c1", "readlink", "/proc/self/ns/net"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  // Held to the end: a namespace that is gone lends its inode number to the
  // next one made (seen in the v2 VM), and the restored one must not pass
  // for the container's old one by that.
  UniqueFd old_net(::open(("/proc/" + std::to_string(init) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(old_net) << "open the container's network namespace: " << std::strerror(errno);
  fs::path whole = images("whole");
  ProcResult w = checkpoint("c1", {"--leave-running", "--image-path", whole.string()});
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(status("c1"), "running");

  fs::path img = images("img");
  ProcResult r = checkpoint("c1", {"--empty-ns", "network", "--image-path", img.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
  EXPECT_TRUE(wait_exit_and_reap(init));
  long dumped = stopped_value(b);
  ProcResult rr = restore("c1", b, img, {"--empty-ns", "network"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  expect_counting_on(b, "c1", dumped);
  ProcResult ns = hull({"exec", "c1", "readlink", "/proc/self/ns/net"});
  ASSERT_EQ(ns.exit_code, 0) << ns.err;
  EXPECT_NE(ns.out, fs::read_symlink("/proc/self/ns/net").string() + "\n") << "restored into the host's network";
  EXPECT_NE(ns.out, before.out) << "not a new network namespace";
  // Empty: only a loopback device.
  ProcResult dev = hull({"exec", "c1", "sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"});
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_EQ(dev.out, "lo\n");
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

// The cgroup mounts of pid's mount table (type cgroup or cgroup2): mount
// point inside -> the cgroup it shows (mountinfo's root field).
std::map<std::string, std::string> cgroup_mounts_of(pid_t pid) {
  std::map<std::string, std::string> out;
  std::istringstream lines(read_text_file("/proc/" + std::to_string(pid) + "/mountinfo"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, word;
    f >> id >> parent >> dev >> root >> point;
    while (f >> word && word != "-") {}
    std::string type;
    f >> type;
    if (type == "cgroup" || type == "cgroup2") out[point] = root;
  }
  return out;
}

// runc's default config has a cgroup mount and no cgroup namespace: the
// mount is then binds of the container's own cgroups, which CRIU cannot
// dump as mounts ("doesn't have a proper root mount"). hull tells CRIU of
// each as an external mount and gives the restore the new container's
// cgroups there. What reaches CRIU is checked on any host (a v1 or hybrid
// one has a bind per hierarchy); where CRIU works the round trip too.
TEST_F(CriuTest, ACgroupMountWithoutACgroupNamespaceIsCheckpointedAndRestoredOverTheNewCgroup) {
  bool works = need_working_criu();
  fs::path calls = temp_dir() / "criu-calls";
  fs::path path_dir = recording_criu(calls);
  Bundle& b = criu_bundle();
  json& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "cgroup" ? namespaces.erase(it) : it + 1;
  b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                {"type", "cgroup"},
                                {"source", "cgroup"},
                                {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
  b.config["linux"]["resources"] = {{"pids", {{"limit", 77}}}};
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  std::map<std::string, std::string> binds = cgroup_mounts_of(init);
  ASSERT_FALSE(binds.empty());
  fs::path img = images("img");
  ProcResult r = hull_with_path(path_dir.string(), {"checkpoint", "--image-path", img.string(), "c1"}).finish();
  auto dumps = calls_of(calls, "dump");
  ASSERT_EQ(dumps.size(), 1u) << r.err << read_text_file(calls);
  for (const auto& [point, root] : binds)
    EXPECT_TRUE(has_args(dumps[0], {"--external", "mnt[" + point + "]:" + point})) << joined(dumps[0]);
  long dumped = 0;
  if (works) {
    ASSERT_EQ(r.exit_code, 0) << r.err << read_text_file(img / "dump.log");
    EXPECT_TRUE(wait_exit_and_reap(init));
    dumped = stopped_value(b);
  } else {
    EXPECT_TRUE(failed_with(r, {"criu dump failed"}));
    EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
    EXPECT_TRUE(wait_exit_and_reap(init));
    fs::create_directories(img);
  }

  // Restored under another id (the same cgroupsPath): each bind shows the
  // restored container's cgroup, the one its create would have bound.
  ProcResult rr = hull_with_path(path_dir.string(),
                                 {"restore", "-d", "--image-path", img.string(), "--bundle", b.dir().string(), "c2"})
                      .finish();
  auto restores = calls_of(calls, "restore");
  ASSERT_EQ(restores.size(), 1u) << rr.err << read_text_file(calls);
  const std::vector<std::string>& rs = restores[0];
  for (const auto& [point, root] : binds) {
    std::string prefix = "mnt[" + point + "]:";
    auto it = std::find_if(rs.begin(), rs.end(), [&](const std::string& a) { return a.starts_with(prefix); });
    ASSERT_NE(it, rs.end()) << point << " not in: " << joined(rs);
    std::string dir = it->substr(prefix.size());
    EXPECT_TRUE(dir.starts_with("/sys/fs/cgroup/") && dir.ends_with(root == "/" ? "" : root)) << dir << " for " << root;
  }
  if (!works) {
    EXPECT_TRUE(failed_with(rr, {"criu restore failed"}));
    EXPECT_FALSE(fs::exists(state_dir("c2")));
    return;
  }
  ASSERT_EQ(rr.exit_code, 0) << rr.err << read_text_file(img / "restore.log");
  expect_counting_on(b, "c2", dumped);
  ProcResult max = hull({"exec", "c2", "cat", "/sys/fs/cgroup/pids.max"});
  EXPECT_EQ(max.out, "77\n") << max.err;
  EXPECT_EQ(cgroup_mounts_of(state("c2").value("pid", 0)), binds);
  EXPECT_EQ(hull({"delete", "--force", "c2"}).exit_code, 0);
}

// Namespaces joined by path (a pod's sandbox, podman's --net ns:PATH) are
// the sandbox's again after a restore, as runc does it: network and pid are
// external to the dump and handed back to CRIU open; ipc and uts are joined.
TEST_F(CriuTest, NamespacesJoinedByPathAreTheSandboxsAgainAfterARestore) {
  if (!need_working_criu()) GTEST_SKIP() << "criu check fails on this kernel (the v2vm lane runs this)";
  // The sandbox: every namespace its own, network too; a shell as its init,
  // which reaps what the dump kills in its pid namespace (a restore needs
  // those pids free again).
  pid_t sandbox_pid = create_container("sandbox", {"sh", "-c", "while :; do sleep 1; done"});
  ASSERT_GT(sandbox_pid, 0);
  start_container("sandbox");
  const std::vector<std::string> joined_types = {"net", "ipc", "uts", "pid"};
  Bundle& b = criu_bundle();
  for (json& ns : b.config["linux"]["namespaces"]) {
    std::string type = ns["type"];
    if (type == "ipc" || type == "uts" || type == "pid")
      ns["path"] = "/proc/" + std::to_string(sandbox_pid) + "/ns/" + type;
  }
  b.config["linux"]["namespaces"].push_back(
      {{"type", "network"}, {"path", "/proc/" + std::to_string(sandbox_pid) + "/ns/net"}});
  b.config.erase("hostname");
  pid_t init = run_counter(b, "c1");
  ASSERT_GT(init, 0);
  for (const std::string& type : joined_types) ASSERT_EQ(ns_link(init, type), ns_link(sandbox_pid, type)) << type;
  fs::path img = images("img");
  ASSERT_NO_FATAL_FAILURE(checkpoint_and_restore(b, "c1", init, img));
  pid_t restored = state("c1").value("pid", 0);
  for (const std::string& type : joined_types)
    EXPECT_EQ(ns_link(restored, type), ns_link(sandbox_pid, type)) << type << ": not the sandbox's";
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
  // Reaped here (the restored init is this subreaper's now): the sandbox's
  // pid namespace ends only once every process of it is gone.
  EXPECT_TRUE(wait_exit_and_reap(restored));
}

// runc's checks of --parent-path, before CRIU runs (any kernel): relative
// to the image path, and there.
// Also a file there (said "not a directory" twice), and a bad --page-server
// before the image directory is made (it was left behind).
TEST_F(HullTest, CheckpointRefusesAParentPathThatIsAbsoluteOrMissing) {
  pid_t init = create_container("c1", {"sleep", "1000"});
  ASSERT_GT(init, 0);
  ASSERT_EQ(hull({"start", "c1"}).exit_code, 0);
  fs::path img = temp_dir() / "img";
  ProcResult abs = hull({"checkpoint", "--image-path", img.string(), "--parent-path", temp_dir().string(), "c1"});
  EXPECT_TRUE(failed_with(abs, {"checkpoint container \"c1\": invalid --parent-path", "must be relative"}));
  ProcResult missing = hull({"checkpoint", "--image-path", img.string(), "--parent-path", "../nothing", "c1"});
  EXPECT_TRUE(failed_with(missing, {"checkpoint container \"c1\": invalid --parent-path: " + img.string() +
                                    "/../nothing: No such file or directory"}));
  std::ofstream(temp_dir() / "afile") << "x";
  ProcResult file = hull({"checkpoint", "--image-path", img.string(), "--parent-path", "../afile", "c1"});
  EXPECT_TRUE(failed_with(file, {"checkpoint container \"c1\": invalid --parent-path: " + img.string() +
                                 "/../afile: Not a directory"}));
  EXPECT_EQ(file.err.find("directory: not a directory"), std::string::npos) << file.err;
  const fs::path unmade = temp_dir() / "unmade" / "img";
  ProcResult server = hull({"checkpoint", "--image-path", unmade.string(), "--page-server", "nonsense", "c1"});
  EXPECT_EQ(server.exit_code, 1) << server.err;
  EXPECT_FALSE(fs::exists(unmade.parent_path())) << server.err;
  EXPECT_EQ(status("c1"), "running");
  EXPECT_EQ(hull({"delete", "--force", "c1"}).exit_code, 0);
}

// A namespace CRIU cannot join by path fails the restore before anything is
// made (runc refuses a cgroup namespace the same way).
TEST_F(HullTest, RestoreRefusesACgroupNamespaceJoinedByPath) {
  Bundle& b = bundle("b");
  b.config["linux"]["namespaces"].push_back({{"type", "cgroup"}, {"path", "/proc/self/ns/cgroup"}});
  json& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "cgroup" && !it->contains("path") ? namespaces.erase(it) : it + 1;
  b.write();
  fs::path img = temp_dir() / "img";
  fs::create_directories(img);
  ProcResult r = hull({"restore", "-d", "--image-path", img.string(), "--bundle", b.dir().string(), "c1"});
  EXPECT_TRUE(failed_with(r, {"restore container \"c1\": ", ".linux.namespaces[",
                              "].path \"/proc/self/ns/cgroup\": CRIU cannot restore a process into a cgroup namespace "
                              "joined by path"}));
  EXPECT_FALSE(fs::exists(state_dir("c1")));
}

// An image path that is a file is "not a directory" (it read "permission
// denied", from access() on a file without the execute bit).
TEST_F(HullTest, RestoreFromAFileSaysItIsNotADirectory) {
  Bundle& b = bundle("b");
  b.write();
  const fs::path file = temp_dir() / "img-file";
  std::ofstream(file) << "x";
  ProcResult r = hull({"restore", "-d", "--image-path", file.string(), "--bundle", b.dir().string(), "c1"});
  EXPECT_TRUE(failed_with(r, {"restore container \"c1\": the image path " + file.string() + ": Not a directory"}));
  EXPECT_FALSE(fs::exists(state_dir("c1")));
}

}  // namespace
}  // namespace hull::itest
