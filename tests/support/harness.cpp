#include "harness.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/host.hpp"
#include "proc_files.hpp"
#include "rootfs_template.hpp"
#include "runtime/state_store.hpp"

#ifndef HULL_BINARY
#error "HULL_BINARY must name the hull binary under test"
#endif

namespace hull::itest {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string cmdline_of(pid_t pid) {
  std::string c = read_text_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(c.begin(), c.end(), '\0', ' ');
  return c;
}

void reap_if_child(pid_t pid) {
  int status;
  while (::waitpid(pid, &status, WNOHANG) < 0 && errno == EINTR) {}
}

}  // namespace

std::string write_pid_to(const std::string& pid, const fs::path& mark) {
  return "echo " + pid + " > " + mark.string() + ".new; mv " + mark.string() + ".new " + mark.string();
}

pid_t pid_written_to(const fs::path& mark) {
  pid_t pid = 0;
  for (int i = 0; i < 400 && pid == 0; ++i) {
    std::ifstream in(mark);
    if (!(in >> pid)) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return pid;
}

std::vector<pid_t> children_of_self() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    pid_t pid = std::stoi(name);
    auto st = read_pid_stat(pid);
    if (st && st->ppid == self) out.push_back(pid);
  }
  return out;
}

std::vector<fs::path> existing_cgroup_dirs(const std::string& cgroup_path) {
  std::vector<fs::path> found;
  if (cgroup_path.empty()) return found;
  std::error_code ec;
  // hull stores its cgroup manager's state: {"mode":..,"v2":"<dir>","v1":{"<ctrl>":"<dir>"}}.
  json j = json::parse(cgroup_path, nullptr, false);
  if (j.is_object()) {
    std::vector<std::string> dirs;
    if (j.contains("v2") && j["v2"].is_string()) dirs.push_back(j["v2"]);
    if (j.contains("v1") && j["v1"].is_object())
      for (const auto& [ctrl, dir] : j["v1"].items())
        if (dir.is_string()) dirs.push_back(dir);
    for (const auto& d : dirs)
      if (!d.empty() && fs::is_directory(d, ec)) found.emplace_back(d);
    return found;
  }
  if (cgroup_path.starts_with("/sys/fs/cgroup/")) {
    if (fs::is_directory(cgroup_path, ec)) found.emplace_back(cgroup_path);
    return found;
  }
  auto add = [&](const fs::path& dir) {
    if (fs::is_directory(dir, ec) && std::find(found.begin(), found.end(), dir) == found.end()) found.push_back(dir);
  };
  // Where hull puts it: on a pure v2 host beside our own cgroup, at any
  // depth (the guesses below found it only two levels down, as in the VM,
  // and a check for leftovers passed with nothing checked).
  try {
    const cgroups::Paths paths = cgroups::resolve_paths(cgroup_path, "", cgroups::Host::current());
    if (!paths.v2.empty()) add(paths.v2);
    for (const auto& [hierarchy, dir] : paths.v1) add(dir);
  } catch (const Error&) {
    // A value hull refuses: only the guesses below.
  }
  const fs::path rel = fs::path(cgroup_path).relative_path();
  // Our own cgroup per hierarchy: the last field of each /proc/self/cgroup line.
  std::vector<fs::path> own{""};
  std::istringstream lines(read_text_file("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    auto colon = line.find(':', line.find(':') + 1);
    if (colon != std::string::npos) own.push_back(fs::path(line.substr(colon + 1)).relative_path());
  }
  for (const auto& mount : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    for (const auto& o : own) add(mount.path() / o / rel);
  }
  return found;
}

std::map<std::string, fs::path> cgroup_dirs_of_pid(pid_t pid) {
  std::map<std::string, fs::path> out;
  const cgroups::Host& host = cgroups::Host::current();
  std::istringstream lines(read_text_file("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string name = line.substr(first + 1, second - first - 1);
    const fs::path rel = fs::path(line.substr(second + 1)).relative_path();
    auto under = [&](const std::string& mount) { return rel.empty() ? fs::path(mount) : fs::path(mount) / rel; };
    if (name.empty()) {
      if (!host.v2_mount.empty()) out[name] = under(host.v2_mount);
    } else if (auto it = host.v1.find(name); it != host.v1.end()) {
      out[name] = under(it->second.mount);
    }
  }
  return out;
}

std::string host_ns(const std::string& name) { return fs::read_symlink("/proc/self/ns/" + name).string(); }

::testing::AssertionResult failed_with(const ProcResult& r, const std::vector<std::string>& fragments, int exit_code) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  if (r.exit_code != exit_code)
    return ::testing::AssertionFailure() << "exit code " << r.exit_code << ", want " << exit_code
                                         << "; stderr: " << r.err;
  const std::string err = lower(r.err);
  for (const auto& f : fragments)
    if (err.find(lower(f)) == std::string::npos)
      return ::testing::AssertionFailure() << "stderr lacks \"" << f << "\": " << r.err;
  return ::testing::AssertionSuccess();
}

void HullTest::SetUp() {
  if (::geteuid() != 0) GTEST_SKIP() << "integration tests need root (namespaces, mounts, cgroups)";
  if (auto why = rootfs_unavailable_reason()) GTEST_SKIP() << *why;
  // Orphaned container inits must come to us, not to a PID 1 that reaps late.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0) << "prctl(PR_SET_CHILD_SUBREAPER)";
  char tmpl[] = "/tmp/hull-itest.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr) << "mkdtemp";
  temp_ = tmpl;
  // 0755: a container user other than root (user namespaces) must reach the bundle.
  fs::permissions(temp_, fs::perms(0755));
}

void HullTest::TearDown() {
  if (temp_.empty()) return;  // skipped before SetUp made anything
  bundles_.clear();
  remove_containers();
  check_no_leftover_processes();
  check_no_leftover_mounts();
  if (mounts_of_temp_dir().empty()) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
    if (ec) ADD_FAILURE() << "cleanup: remove " << temp_ << ": " << ec.message();
  }
}

ProcResult HullTest::hull(const std::vector<std::string>& args, const SpawnOptions& opts) {
  return hull_background(args, opts).finish();
}

std::string runtime_binary() {
  // HULL_ITEST_RUNTIME=/usr/sbin/runc runs the same tests against another
  // runtime: a check that a test asserts runc's behaviour, not hull's quirks.
  // A relative path (./hull) is the test's cwd's: spawn takes absolute ones.
  const char* runtime = std::getenv("HULL_ITEST_RUNTIME");
  return runtime && *runtime ? fs::absolute(runtime).string() : HULL_BINARY;
}

Child HullTest::hull_background(const std::vector<std::string>& args, const SpawnOptions& opts) {
  std::vector<std::string> argv{runtime_binary(), "--root", state_root().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Child::spawn(argv, opts);
}

Bundle& HullTest::bundle(const std::string& name) {
  bundles_.push_back(std::make_unique<Bundle>(temp_ / name));
  return *bundles_.back();
}

ProcResult HullTest::run_sh(Bundle& b, const std::string& script, const std::string& id) {
  b.args({"sh", "-c", script});
  return hull({"run", "--bundle", b.dir().string(), id});
}

pid_t HullTest::create_user_namespace_owner(const std::string& id, unsigned host_uid, unsigned host_gid) {
  Bundle& b = bundle("bundle-" + id);
  b.add_user_namespace(host_uid, host_gid);
  return create_from(b, id, {"sleep", "1000"});
}

pid_t HullTest::create_container(const std::string& id, const std::vector<std::string>& args) {
  return create_from(bundle("bundle-" + id), id, args);
}

pid_t HullTest::create_from(Bundle& b, const std::string& id, const std::vector<std::string>& args) {
  b.args(args);
  ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "hull create " << id << " exited " << r.exit_code << ": " << r.err;
    return 0;
  }
  json s = state(id);
  return s.is_object() ? s.value("pid", 0) : 0;
}

namespace {
// What became of a created container's init, for a start that failed:
// whether it lives (and in what state), how it ended if it is a zombie of
// ours (the test process is a subreaper), and whether its start socket is
// there. A start that reads "it is stopped" may mean either.
std::string describe_init(const fs::path& state_dir) {
  std::ifstream state_file(state_dir / "state.json");
  std::stringstream text;
  text << state_file.rdbuf();
  json st = json::parse(text.str(), nullptr, false);
  const pid_t pid = st.is_object() ? st.value("pid", 0) : 0;
  std::ostringstream out;
  out << "recorded status " << (st.is_object() ? st.value("status", "?") : "(no state.json)") << ", init " << pid;
  if (pid > 0) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const size_t paren = line.rfind(')');
    out << (paren == std::string::npos ? " gone" : " in state " + line.substr(paren + 2, 1));
    siginfo_t si{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
      out << (si.si_code == CLD_EXITED ? ", exited " : ", killed by signal ") << si.si_status;
  }
  out << ", start.sock " << (fs::exists(state_dir / "start.sock") ? "there" : "absent");
  return out.str();
}
}  // namespace

void HullTest::start_container(const std::string& id) {
  ProcResult r = hull({"start", id});
  if (r.exit_code != 0)
    ADD_FAILURE() << "hull start " << id << " exited " << r.exit_code << ": " << r.err << " ("
                  << describe_init(state_dir(id)) << ")";
}

json HullTest::state(const std::string& id) {
  ProcResult r = hull({"state", id});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "hull state " << id << " exited " << r.exit_code << ": " << r.err;
    return nullptr;
  }
  try {
    return json::parse(r.out);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "hull state " << id << " printed no JSON (" << e.what() << "): " << r.out;
    return nullptr;
  }
}

std::string HullTest::status(const std::string& id) {
  json s = state(id);
  return s.is_object() ? s.value("status", "") : "";
}

std::optional<InitRecord> HullTest::recorded_init(const std::string& id) const {
  try {
    json j = json::parse(read_text_file(state_dir(id) / "state.json"));
    return InitRecord{j.value("pid", 0), j.value("initStartTime", 0ULL), j.value("cgroupPath", "")};
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

#ifdef HULL_FAULT_BINARY
std::vector<std::string> HullTest::fault_argv(const std::string& point, const std::vector<std::string>& args,
                                              bool stop) const {
  std::vector<std::string> argv{"/usr/bin/env", "HULL_FAULT=" + point, HULL_FAULT_BINARY, "--root",
                                state_root().string()};
  if (stop) argv.insert(argv.begin() + 1, "HULL_FAULT_ACTION=stop");
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}
#endif

bool HullTest::wait_stopped(pid_t pid) {
  for (int i = 0; i < 400; ++i) {
    auto st = read_pid_stat(pid);
    if (!st) return false;
    if (st->state == 'T') return true;
    std::this_thread::sleep_for(milliseconds(25));
  }
  return false;
}

bool HullTest::wait_exit_and_reap(pid_t pid, milliseconds timeout) {
  bool exited = wait_pid_exit(pid, timeout);
  if (exited) reap_if_child(pid);
  return exited;
}

void HullTest::reap_container_orphans() {
  for (pid_t pid : children_of_self()) {
    auto st = read_pid_stat(pid);
    if (!st || st->state != 'Z') continue;
    // "NSpid: <ours> <in the container>": a process of a nested pid namespace.
    std::string nspid = status_field(read_text_file("/proc/" + std::to_string(pid) + "/status"), "NSpid");
    if (nspid.find_first_of(" \t") != std::string::npos) reap_if_child(pid);
  }
}

bool HullTest::wait_exit_reaping_orphans(pid_t pid, milliseconds timeout) {
  constexpr milliseconds kSlice(50);
  for (auto left = timeout; left > milliseconds(0); left -= kSlice) {
    if (wait_pid_exit(pid, std::min(kSlice, left))) return true;
    reap_container_orphans();
  }
  return false;
}

ProcResult HullTest::finish_reaping_orphans(Child c) {
  (void)wait_exit_reaping_orphans(c.pid(), milliseconds(60000));
  return c.finish();
}

bool is_state_root_cache(const std::string& name) {
  return name == kSeccompCacheName || name == kDeviceFilterCacheName;
}

std::vector<std::string> HullTest::state_dirs() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_root(), ec))
    if (e.is_directory() && !is_state_root_cache(e.path().filename())) ids.push_back(e.path().filename());
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> HullTest::mounts_of_temp_dir() const {
  std::vector<std::string> hits;
  std::istringstream lines(read_text_file("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);)
    if (unescape_mountinfo(line).find(temp_.string()) != std::string::npos) hits.push_back(line);
  return hits;
}

std::vector<pid_t> HullTest::live_children() {
  std::vector<pid_t> alive;
  for (pid_t pid : children_of_self()) {
    // A container process dies asynchronously after the kill that ended it,
    // and a killed init leading a pid namespace stays in exit until the
    // zombies of that namespace re-parented to us are reaped (delete
    // --force returns once the container's cgroup is empty).
    if (wait_exit_reaping_orphans(pid, milliseconds(5000)))
      reap_if_child(pid);
    else
      alive.push_back(pid);
  }
  return alive;
}

void HullTest::expect_nothing_left(const std::string& id) {
  EXPECT_FALSE(fs::exists(state_dir(id))) << "state dir of " << id << " was left behind";
  EXPECT_FALSE(fs::exists(state_root() / temp_name_for(id))) << "the directory a create of " << id << " made was left";
  for (const auto& line : mounts_of_temp_dir()) ADD_FAILURE() << "mount left behind: " << line;
  for (pid_t pid : live_children()) ADD_FAILURE() << "process left behind: " << pid << " (" << cmdline_of(pid) << ")";
}

void HullTest::remove_containers() {
  for (const std::string& id : state_dirs()) {
    std::optional<InitRecord> init = recorded_init(id);
    ProcResult r = hull({"delete", "--force", id});
    if (r.exit_code != 0)
      ADD_FAILURE() << "cleanup: hull delete --force " << id << " exited " << r.exit_code << ": " << r.err;
    if (init && init->pid > 0) {
      auto st = read_pid_stat(init->pid);
      // Same start time (or our own child when none was recorded): really the init, not a reused pid.
      bool same = st && (init->start_time ? st->start_time == init->start_time : st->ppid == ::getpid());
      // A killed pid namespace's init stays in exit (PF_EXITING) until the
      // rest of its namespace is reaped; delete --force returns then, by
      // design (runtime/lifecycle.cpp, init_has_left), and the wait below
      // reaps it. Only one not in exit survived.
      if (same && st->state != 'Z' && !(st->flags & 0x4)) {
        ADD_FAILURE() << "cleanup: init " << init->pid << " of " << id << " survived hull delete --force";
        ::kill(init->pid, SIGKILL);
      }
      // A detached exec's process, killed with the namespace, is our zombie
      // (we are the subreaper): the init finishes once it is reaped.
      if (same && wait_exit_reaping_orphans(init->pid, milliseconds(10000))) reap_if_child(init->pid);
    }
    if (init) {
      for (const auto& dir : existing_cgroup_dirs(init->cgroup_path)) {
        ADD_FAILURE() << "cleanup: cgroup " << dir << " of " << id << " remains after hull delete --force";
        ::rmdir(dir.c_str());  // only succeeds when empty: never takes a live process's cgroup away
      }
    }
    if (fs::exists(state_dir(id))) {
      ADD_FAILURE() << "cleanup: state dir " << state_dir(id) << " remains after hull delete --force";
      std::error_code ec;
      fs::remove_all(state_dir(id), ec);
    }
  }
}

void HullTest::check_no_leftover_processes() {
  for (pid_t pid : live_children()) {
    ADD_FAILURE() << "cleanup: process " << pid << " (" << cmdline_of(pid) << ") outlived the test";
    ::kill(pid, SIGKILL);
    wait_exit_and_reap(pid);
  }
}

void HullTest::check_no_leftover_mounts() {
  std::vector<std::string> lines = mounts_of_temp_dir();
  if (lines.empty()) return;
  std::string all;
  for (const auto& l : lines) all += "\n  " + l;
  ADD_FAILURE() << "cleanup: mounts mention " << temp_ << ":" << all;
  // Innermost first (mountinfo lists parents before children).
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::istringstream fields(*it);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    ::umount2(unescape_mountinfo(point).c_str(), MNT_DETACH);
  }
}

}  // namespace hull::itest
