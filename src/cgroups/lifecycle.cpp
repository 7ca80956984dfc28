// Manager operations on a live cgroup: freeze/thaw, signalling, listing and
// removal. Waiting is event driven where the kernel offers events (v2
// cgroup.events, pidfds); the v1 freezer has none and is polled with backoff.
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>
#include <thread>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/signal_mask.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/events.hpp"
#include "cgroups/routing.hpp"
#include "cgroups/subtree.hpp"

namespace hull::cgroups {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFreezeTimeout = std::chrono::seconds(10);
constexpr auto kExitTimeout = std::chrono::seconds(10);

// Appends the pids a cgroup.procs lists to out; true once `wanted` is among them.
bool append_pids(const std::string& text, std::vector<pid_t>& out, pid_t wanted) {
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) {
      out.push_back(static_cast<pid_t>(std::stol(text.substr(i, j - i))));
      if (wanted > 0 && out.back() == wanted) return true;
    }
    i = j + 1;
  }
  return false;
}

// Appends the pids in dir and (unless not with_subs) its sub-cgroups to
// out. With `wanted`, stops as soon as it is read and returns true: most
// often it is in dir itself, and the sub-cgroups are not listed.
bool read_procs(const std::string& dir, std::vector<pid_t>& out, pid_t wanted = 0, bool with_subs = true) {
  std::string text;
  try {
    text = read_value(dir, "cgroup.procs");
  } catch (const Error& e) {
    // Removed meanwhile (ENODEV once the directory is gone under an open
    // file): no processes. systemd removes an emptied scope's cgroup on its
    // own, at any moment after its last process exits.
    if (cgroup_gone(e.code())) return false;
    throw;
  }
  if (append_pids(text, out, wanted)) return true;
  if (!with_subs || !has_sub_cgroups(dir)) return false;
  bool found = false;
  walk_below(dir, [&](int fd, const SubCgroup& sub) {
    try {
      found = append_pids(read_value_at(fd, "cgroup.procs", sub.text()), out, wanted);
    } catch (const Error& e) {
      // A threaded cgroup refuses the read (EOPNOTSUPP): its threaded
      // domain, above it, lists its processes.
      if (!cgroup_gone(e.code()) && e.code() != EOPNOTSUPP) throw;
    }
    return !found;
  });
  return found;
}

// Waits until every pid has exited (pidfd readable). Processes already gone are skipped.
bool wait_exited(const std::vector<pid_t>& pids, Clock::time_point deadline) {
  std::vector<pollfd> fds;
  std::vector<UniqueFd> owners;
  for (pid_t p : pids) {
    long fd = ::syscall(SYS_pidfd_open, p, 0);
    if (fd < 0) continue;  // ESRCH: already gone
    owners.emplace_back(static_cast<int>(fd));
    fds.push_back({static_cast<int>(fd), POLLIN, 0});
  }
  while (!fds.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0 && errno != EINTR) throw_errno("poll pidfds");
    std::erase_if(fds, [](const pollfd& p) { return p.revents != 0; });
  }
  return true;
}

}  // namespace

std::string Manager::freezer_dir(bool& v2) const {
  std::string dir = v1_dir(paths_, "freezer");
  v2 = dir.empty() && !paths_.v2.empty();
  return v2 ? paths_.v2 : dir;
}

void Manager::freeze() const {
  bool v2 = false;
  std::string dir = freezer_dir(v2);
  if (dir.empty()) throw Error("freeze: no freezer on this host: " + host().describe());
  if (v2) {
    write_value(dir, "cgroup.freeze", "1");
    if (!wait_event(dir, "frozen", "1", Clock::now() + kFreezeTimeout)) {
      try_write_value(dir, "cgroup.freeze", "0");
      throw Error("freeze " + dir + ": timed out waiting for \"frozen 1\" in cgroup.events");
    }
    return;
  }
  // The v1 freezer reports FREEZING until every task stopped and has no
  // notification; re-writing FROZEN catches tasks forked meanwhile (as runc does).
  auto deadline = Clock::now() + kFreezeTimeout;
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    write_value(dir, "freezer.state", "FROZEN");
    if (read_value(dir, "freezer.state") == "FROZEN") return;
    if (Clock::now() > deadline) {
      try_write_value(dir, "freezer.state", "THAWED");
      throw Error("freeze " + dir + ": freezer.state did not reach FROZEN");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
}

namespace {

// The nearest directory above `dir` whose `self_frozen` file reads "1".
std::string frozen_above(std::string dir, const char* self_frozen) {
  constexpr std::string_view kMounts = "/sys/fs/cgroup";
  for (size_t slash; (slash = dir.rfind('/')) != std::string::npos && slash > kMounts.size();) {
    dir.resize(slash);
    try {
      if (read_value(dir, self_frozen) == "1") return dir;
    } catch (const Error&) {
      // A hierarchy's root has no freezer files: nothing above it freezes.
    }
  }
  return "";
}

[[noreturn]] void throw_frozen_above(const std::string& dir, const std::string& ancestor, bool v2) {
  throw FrozenAbove("thaw " + dir + ": " + ancestor +
              " above it is frozen, from outside hull, and holds it frozen: thaw it " +
              (v2 ? "there (echo 0 > " + ancestor + "/cgroup.freeze)"
                  : "there (echo THAWED > " + ancestor + "/freezer.state)"));
}

}  // namespace

std::string Manager::frozen_ancestor() const {
  bool v2 = false;
  const std::string dir = freezer_dir(v2);
  if (dir.empty()) return "";
  if (v2) return frozen_above(dir, "cgroup.freeze");
  std::string above = frozen_above(dir, "freezer.self_freezing");
  if (above.empty() && !paths_.v2.empty()) above = frozen_above(paths_.v2, "cgroup.freeze");
  return above;
}

void Manager::thaw() const {
  bool v2 = false;
  std::string dir = freezer_dir(v2);
  if (dir.empty()) throw Error("thaw: no freezer on this host: " + host().describe());
  if (v2) {
    try {
      write_value(dir, "cgroup.freeze", "0");
      // Frozen still: a cgroup above may hold it so, which no wait ends.
      if (event_value(dir, "frozen") != "0")
        if (const std::string above = frozen_above(dir, "cgroup.freeze"); !above.empty())
          throw_frozen_above(dir, above, true);
      if (!wait_event(dir, "frozen", "0", Clock::now() + kFreezeTimeout))
        throw Error("thaw " + dir + ": timed out waiting for \"frozen 0\" in cgroup.events");
    } catch (const Error& e) {
      // Removed meanwhile: nothing in it is frozen. systemd removes a scope's
      // cgroup once a SIGKILL emptied it, before `kill` thaws it (containerd
      // with SystemdCgroup in the e2e test: kill failed with ENOENT here).
      if (cgroup_gone(e.code())) return;
      throw;
    }
    return;
  }
  write_value(dir, "freezer.state", "THAWED");
  if (read_value(dir, "freezer.state") != "THAWED")
    if (const std::string above = frozen_above(dir, "freezer.self_freezing"); !above.empty())
      throw_frozen_above(dir, above, false);
  // A hybrid host's unified cgroup above, frozen, holds it once the v1
  // freezer lets go; while that held the tasks, its own reads "frozen 0".
  if (!paths_.v2.empty())
    if (const std::string above = frozen_above(paths_.v2, "cgroup.freeze"); !above.empty())
      throw_frozen_above(paths_.v2, above, true);
  // What a resume promises, as on a v2 host, where the freeze the container
  // made of its own cgroup is the one resume clears.
  if (unified_frozen_beside_v1(false)) {
    write_value(paths_.v2, "cgroup.freeze", "0");
    if (!wait_event(paths_.v2, "frozen", "0", Clock::now() + kFreezeTimeout))
      throw Error("thaw " + paths_.v2 + ": timed out waiting for \"frozen 0\" in cgroup.events");
  }
}

bool Manager::sigkill_waits_for_thaw() const { return !v1_dir(paths_, "freezer").empty(); }

bool Manager::frozen() const { return frozen_reading(false); }

// A leaf create's own mkdir just made has cgroup.freeze 0 unless something
// wrote it since: only a freeze above holds it, and its event tells of that
// at once (a new cgroup is empty, frozen as soon as made). One read less on
// every create; later, the write by hand counts (frozen()).
bool Manager::frozen_when_made() const { return frozen_reading(true); }

bool Manager::frozen_reading(bool just_made) const {
  bool v2 = false;
  std::string dir = freezer_dir(v2);
  if (dir.empty()) return false;
  if (v2) return v2_frozen(dir, just_made);
  return read_value(dir, "freezer.state") != "THAWED" || unified_frozen_beside_v1(just_made);
}

bool Manager::v2_frozen(const std::string& dir, bool just_made) const {
  return just_made && v2_made_here_ ? event_value(dir, "frozen") == "1" : frozen_or_freezing(dir);
}

// A hybrid host's v2 cgroup freezes too (cgroup.freeze, Linux 5.2): not by
// hull's pause, which uses the v1 freezer, but from outside, or by the
// container itself through a writable cgroup mount. A process cloned into
// it is frozen at birth all the same.
bool Manager::unified_frozen_beside_v1(bool just_made) const {
  if (paths_.v2.empty()) return false;
  try {
    return v2_frozen(paths_.v2, just_made);
  } catch (const Error& e) {
    if (cgroup_gone(e.code())) return false;
    throw;
  }
}

std::string Manager::procs_dir() const {
  // Unified: the v2 cgroup. Otherwise a v1 hierarchy every container process joins.
  std::string dir;
  if (paths_.mode == Mode::Unified) return paths_.v2;
  for (const char* c : {"pids", "freezer", "memory", "cpu"})
    if (dir = v1_dir(paths_, c); !dir.empty()) return dir;
  return paths_.v1.empty() ? paths_.v2 : paths_.v1.begin()->second;
}

bool Manager::wait_emptied(std::chrono::steady_clock::time_point deadline, int also) const {
  if (paths_.v2.empty()) return false;
  try {
    return wait_event(paths_.v2, "populated", "0", deadline, also);
  } catch (const Error& e) {
    if (cgroup_gone(e.code())) return false;
    throw;
  }
}

// A cgroup already removed (delete retried after a partial failure) holds
// nothing: read_procs finds no cgroup.procs.
std::vector<pid_t> Manager::pids() const {
  std::vector<pid_t> out;
  if (std::string dir = procs_dir(); !dir.empty()) read_procs(dir, out);
  return out;
}

bool Manager::holds(pid_t pid) const {
  std::vector<pid_t> seen;
  std::string dir = procs_dir();
  return pid > 0 && !dir.empty() && read_procs(dir, seen, pid);
}

void Manager::kill_all(int sig) const {
  if (sig == SIGKILL && !paths_.v2.empty() && has_file(paths_.v2, "cgroup.kill")) {
    // Linux 5.14: kills the whole subtree atomically, forks included. On a
    // hybrid host a paused container is frozen by the v1 freezer, where the
    // SIGKILL acts only once thawed.
    write_value(paths_.v2, "cgroup.kill", "1");
    thaw_v1_freezer();
    return;
  }
  // Removed already (systemd removes a scope's cgroup once it is empty, as
  // the container stopped): nothing is left to signal, as runc says.
  if (const std::string dir = procs_dir(); dir.empty() || !has_file(dir, "cgroup.procs")) return;
  bool v2 = false;
  bool can_freeze = !freezer_dir(v2).empty();
  bool was_frozen = can_freeze && frozen();
  // From the freeze to the thaw: hull ended in between (an engine's
  // timeout) would leave a running container frozen. They act after.
  const SignalsHeldBack held(can_freeze && !was_frozen ? kEndingSignals : 0);
  // Frozen, nobody can fork a child we would miss between listing and
  // signalling. A freeze that does not take (a task stuck in the kernel)
  // is undone by freeze() itself: the signals go all the same, as runc's.
  bool froze = false;
  if (can_freeze && !was_frozen) {
    try {
      freeze();
      froze = true;
      fault_point("kill-all-frozen");
    } catch (const Error& e) {
      log::warn(std::string(e.what()) + "; signalling its processes unfrozen");
    }
  }
  // Every process is signalled and the cgroup thawed whatever one kill(2)
  // says, so that no error leaves a running container frozen; the first
  // error is the one told.
  std::optional<Error> first;
  try {
    for (pid_t p : pids())
      if (::kill(p, sig) != 0 && errno != ESRCH && !first)
        first.emplace("kill " + std::to_string(p) + " with signal " + std::to_string(sig), errno);
  } catch (const Error& e) {
    first = e;
  }
  // A paused container stays paused, except that on v1 SIGKILL only acts once
  // thawed: then the sub-cgroups the container froze itself thaw too.
  // A cgroup above holding the freeze holds the signals back too: they are
  // sent, and act once it is thawed (as runc's kill --all says nothing).
  try {
    if (froze || (was_frozen && sig == SIGKILL && sigkill_waits_for_thaw())) thaw();
  } catch (const FrozenAbove& e) {
    log::warn(std::string(e.what()) + "; the signals act once it is thawed");
  }
  if (sig == SIGKILL) thaw_v1_freezer();
  if (first) throw *first;
}

// SIGKILL for what destroy() found: cgroup.kill when there is one; else each
// pid (a fork racing this is caught by destroy's next round), and a frozen
// v1 cgroup thawed, as frozen tasks only die once thawed.
void Manager::kill_leftovers(const std::vector<pid_t>& left) const {
  if (!paths_.v2.empty() && has_file(paths_.v2, "cgroup.kill")) {
    write_value(paths_.v2, "cgroup.kill", "1");
  } else {
    for (pid_t p : left) ::kill(p, SIGKILL);
  }
  thaw_v1_freezer();
}

void Manager::thaw_v1_freezer() const {
  if (!sigkill_waits_for_thaw()) return;
  std::string dir = v1_dir(paths_, "freezer");
  if (!has_file(dir, "freezer.state")) return;
  if (read_value(dir, "freezer.state") != "THAWED") write_value(dir, "freezer.state", "THAWED");
  // A sub-cgroup the container froze itself (through a writable cgroup
  // mount) keeps its tasks frozen whatever its parent's state, and with
  // them the SIGKILL pending: the thaw of ours does not reach it.
  if (!has_sub_cgroups(dir)) return;
  walk_below(dir, [](int fd, const SubCgroup& sub) {
    try {
      if (read_value_at(fd, "freezer.state", sub.text()) == "THAWED") return true;
    } catch (const Error& e) {
      if (!cgroup_gone(e.code())) throw;
      return true;
    }
    if (int err = try_write_value_at(fd, "freezer.state", "THAWED", sub.text()); err != 0 && !cgroup_gone(err))
      throw_errno(err, "write THAWED to " + sub.text("freezer.state"));
    return true;
  });
}

// Processes in any of the container's directories that still exist (destroy
// may have removed some hierarchies' directories already).
std::vector<pid_t> Manager::remaining_pids() const { return pids_in(all_dirs()); }

std::vector<pid_t> Manager::pids_in(const std::vector<std::string>& dirs, bool with_subs) {
  std::vector<pid_t> out;
  for (const auto& dir : dirs)
    if (has_file(dir, "cgroup.procs")) read_procs(dir, out, 0, with_subs);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Undo of a create() that is not handed over: the directories create() made,
// innermost first. A process in its own leaves (an init placed, that failed
// later) is killed and waited for, by its pid: never through cgroup.kill or
// a thaw of a directory create did not make, which may be another's. A
// parent it made, or a sub-cgroup of its leaf, may hold another container's
// cgroup by now, made there since: neither is looked into, and what holds
// one stays. Before its claim (claim_leaf) no init of this create's is in
// any of them, and a leaf it made may hold that of the create which claimed
// it first: nothing is killed.
void Manager::remove_dirs() noexcept {
  auto remove_made = [this] {
    bool busy = false;
    for (auto it = made_.rbegin(); it != made_.rend(); ++it)
      if (remove_dir(*it) != 0 && errno == EBUSY) busy = true;
    return busy;
  };
  try {
    if (remove_made() && claimed_) {
      std::vector<std::string> leaves;
      for (const std::string& dir : all_dirs())
        if (std::find(made_.begin(), made_.end(), dir) != made_.end()) leaves.push_back(dir);
      std::vector<pid_t> left = pids_in(leaves, /*with_subs=*/false);
      if (!left.empty()) {
        for (pid_t p : left) ::kill(p, SIGKILL);
        if (const std::string freezer = v1_dir(paths_, "freezer");
            std::find(made_.begin(), made_.end(), freezer) != made_.end())
          thaw_v1_freezer();
        wait_exited(left, Clock::now() + std::chrono::seconds(2));
        remove_made();
      }
    }
  } catch (...) {
    // Best effort: this runs on error paths and in the destructor.
  }
  made_.clear();
}

void Manager::stop_unit() {
  // Emptied, and the processes gone, first: a scope stopped with processes in
  // it (or still exiting) gets SIGTERM, which a container's PID 1 ignores, and
  // systemd waits up to TimeoutStopSec (90 s) before SIGKILL.
  if (std::vector<pid_t> left = remaining_pids(); !left.empty()) {
    kill_leftovers(left);
    wait_exited(left, Clock::now() + kExitTimeout);
  }
  // An empty scope needs no wait for its stop job: systemd stops it on its
  // own once empty, and a StopUnit racing that sometimes never reports its
  // JobRemoved (seen under Debian 12's systemd in the VM: runc then waits out
  // its 30 s timeout). The cgroup, empty, is removed below either way. With
  // processes left the job is what kills them: wait for it.
  const bool emptied = remaining_pids().empty();
  std::optional<SystemdBus> bus;
  try {
    bus.emplace(connect_to_manager());
  } catch (const Error& e) {
    // A user's manager that has gone (the user logged out, no linger) took
    // its units and their cgroups with it: nothing is left to stop.
    const bool manager_gone = e.code() == ENOENT || e.code() == ECONNREFUSED;
    if (unit_->bus.empty() || !manager_gone || !emptied) throw;
    return;
  }
  bus->stop_unit(unit_->name, /*wait_for_removal=*/!emptied);
}

void Manager::destroy(const std::function<void()>& before_kill) {
  auto deadline = Clock::now() + kExitTimeout;
  if (unit_) {
    // systemd removes the unit's cgroup when it stops it; the loop below then
    // finds it gone (or removes what systemd left).
    with_context("remove cgroup", [&] { stop_unit(); });
  }
  bool asked = false;  // before_kill
  for (int round = 0; round < 3; ++round) {
    bool busy = false;
    for (const auto& dir : all_dirs())
      if (!remove_tree(dir)) busy = true;
    if (!busy) {
      // Innermost first; one still holding another container's cgroup stays.
      std::vector<std::string> parents = made_parents();
      for (auto it = parents.rbegin(); it != parents.rend(); ++it) remove_dir(*it);
      owned_ = false;
      made_.clear();
      return;
    }
    // Populated: what is left is killed and waited for (by pidfd, or by the
    // v2 "populated 0" event for tasks already exiting), then rmdir again.
    std::vector<pid_t> left = remaining_pids();
    if (!left.empty()) {
      if (before_kill && !asked) {
        before_kill();
        asked = true;
      }
      kill_leftovers(left);
      wait_exited(left, deadline);
    } else if (!paths_.v2.empty()) {
      // An exiting task is no longer listed but still populates its cgroups
      // until it leaves its css_set, which spans every hierarchy at once. A
      // v2 dir this round could already remove (ENOENT here) means it has
      // left: the v1 dirs it kept busy go in the next round (seen on a
      // hybrid host: `delete --force` after a killed create failed here).
      try {
        wait_event(paths_.v2, "populated", "0", deadline);
      } catch (const Error& e) {
        if (!cgroup_gone(e.code())) throw;
      }
    }
  }
  std::string msg = "remove cgroup " + (paths_.v2.empty() ? all_dirs().front() : paths_.v2) + ": still populated";
  std::vector<pid_t> left = remaining_pids();
  if (!left.empty()) {
    msg += " by pids";
    for (pid_t p : left) msg += " " + std::to_string(p);
  }
  throw Error(msg, EBUSY);
}

}  // namespace hull::cgroups
