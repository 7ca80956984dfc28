// start, kill, delete, state and list: each opens the container under its
// lock, derives the live status from the kernel, and asks the state machine.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <mutex>
#include <optional>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/parallel.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/resctrl.hpp"
#include "namespaces/namespaces.hpp"
#include "process/hooks.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/operations.hpp"
#include "runtime/owned_cgroup.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/state_store.hpp"

namespace hull {

namespace {

constexpr std::chrono::seconds kKillTimeout{10};
// A container costs list about 10 us (open, read and close of state.json, a
// null signal); a thread about 50 us to start and join.
constexpr size_t kListItemsPerThread = 64;

// A pidfd for the recorded init when it is still the container's: the pid and
// start time come from state.json, so a damaged one could name another
// container's init; the process must also be in the container's own cgroup.
UniqueFd open_verified_init(const ContainerDir& dir, const ContainerState& st, ContainerCgroup& cgroup) {
  UniqueFd pidfd = open_init_pidfd(st);
  if (!pidfd || cgroup.holds(st.pid)) return pidfd;
  // Not in the cgroup: exited since (a zombie leaves its cgroup, and so does
  // a process in exit before it is one: found by the load test, a kill
  // racing the init's exit), or not ours.
  std::optional<ProcStat> now = read_proc_stat(st.pid);
  if (!now || now->state == 'Z' || now->state == 'X' || (now->flags & kProcessExiting)) return UniqueFd();
  // Dying, with a SIGKILL not yet acted on: an init whose runtime was killed
  // after recording it but before the init had moved into its cgroups gets
  // its parent-death signal in the middle of a system call (making its
  // network namespace, writing a `tasks` file behind cgroup_mutex), and acts
  // on it only when that returns (the fault test run-after-running-state
  // failed so under load, with an init that placed itself earlier). It is
  // the recorded process by its start time, and no signal can change its
  // fate: the caller may wait for its exit.
  if (sigkill_pending(st.pid)) return pidfd;
  // Moved by hand, out of the recorded cgroup in some hierarchies, or with
  // the cgroup renamed: runc signals it by pid and start time alone.
  if (cgroup.init_moved_within_its_marks()) {
    log::warn("container " + quote(st.id) + ": its init (pid " + std::to_string(st.pid) + ") runs outside the cgroup " +
              st.cgroupPath + " that state.json records (moved by hand?): signalled all the same");
    return pidfd;
  }
  const std::string pid = std::to_string(st.pid);
  throw Error("pid " + pid + " recorded in " + dir.path() +
                  "/state.json is not in the container's cgroup: refusing to signal it (is state.json damaged? " +
                  forget_by_hand(dir) + "; or, if it is the container's init moved out of its cgroups by hand, `kill " +
                  "-KILL " + pid + "` ends it and `delete` then removes the container)",
              EPERM);
}

// Whether the killed init has left the container for good: in exit (never
// to run again; what live_status calls stopped) with no process left in
// its cgroup. An init leading a pid namespace stays in exit until every
// zombie of it is reaped, and one whose parent is outside (a detached
// exec's, under a caller that has not reaped it yet) may keep it there
// long after the container's processes have gone.
bool init_has_left(const ContainerState& st, ContainerCgroup& cgroup) {
  std::optional<ProcStat> now = read_proc_stat(st.pid);
  const bool in_exit = !now || now->state == 'Z' || now->state == 'X' || (now->flags & kProcessExiting);
  return in_exit && cgroup.processes().empty();
}

// SIGKILL the init (if still ours) and wait until it has exited, or has
// left the container (init_has_left): its cgroup's "populated 0" wakes the
// wait where there is a v2 one, else the check comes at the timeout.
void kill_and_wait(const ContainerDir& dir, const ContainerState& st, Status status, ContainerCgroup& cgroup) {
  UniqueFd pidfd = open_verified_init(dir, st, cgroup);
  if (!pidfd) return;
  cgroups::Manager* frozen = cgroup_to_thaw_after_kill(cgroup, status, SIGKILL);
  send_signal(pidfd.get(), SIGKILL, "container " + quote(st.id));
  if (frozen) frozen->thaw_v1_freezer();
  const auto deadline = std::chrono::steady_clock::now() + kKillTimeout;
  if (cgroup.wait_emptied(deadline, pidfd.get()) && init_has_left(st, cgroup)) return;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  const std::string what = "wait for the container init to exit";
  bool exited = false;
  try {
    exited = wait_for_exit(pidfd.get(), std::max(left, std::chrono::milliseconds(0)), what);
  } catch (const Error&) {
    if (!init_has_left(st, cgroup)) throw;
  }
  if (exited) return;
  // The timeout, named whole: what was left of it after the wait for the
  // cgroup to empty may be nothing ("within 0 ms").
  if (!init_has_left(st, cgroup)) {
    // A v1 freezer above the container's holds its SIGKILL back.
    const std::string above = frozen ? frozen->frozen_ancestor() : "";
    throw Error(what + ": the process did not exit within " +
                std::to_string(std::chrono::milliseconds(kKillTimeout).count()) + " ms" +
                (above.empty() ? ""
                               : ": " + above +
                                     " above the container is frozen, from outside hull, and holds the "
                                     "SIGKILL back until it is thawed: thaw it there"));
  }
  log::debug("container " + quote(st.id) + ": its init, killed, waits in exit for processes of its pid namespace " +
             "to be reaped by their parents outside it");
}

// A container whose create died half-way may have no saved config yet. One
// that cannot be read (truncated, damaged) fails delete, but not --force:
// every retry would fail the same, and the container could never go.
spec::Hooks saved_hooks_or_none(const ContainerDir& dir, const ContainerState& state, bool force) {
  if (recorded_without_hooks(state) || ::faccessat(dir.fd(), kSavedConfigName, F_OK, 0) < 0) return {};
  try {
    return load_saved_hooks(dir, state);
  } catch (const Error& e) {
    if (!force) throw;
    log::warn("delete container " + quote(state.id) + ": " + e.what() + ": its poststop hooks are not run");
    return {};
  }
}

template <class F>
void in_start_context(StartContext context, const ContainerState& state, F&& f) {
  if (context == StartContext::WithinRun) {
    f();
    return;
  }
  with_context("start container " + quote(state.id), std::forward<F>(f));
}

// Where the hooks of a started container run: its bundle, or the current
// directory once the bundle is gone (moved or removed after create: a hook
// that needs nothing of it still runs, and a poststart's failure would kill
// the container).
std::string hook_directory(const std::string& bundle, const char* kind) {
  if (::access(bundle.c_str(), F_OK) == 0 || errno != ENOENT) return bundle;
  log::debug(std::string(kind) + " hooks run in the current directory: the bundle " + bundle + " is gone");
  return "";
}

}  // namespace

void run_poststart_hooks(const ContainerDir& dir, const ContainerState& state, const spec::Hooks& hooks,
                         StartContext context, const std::function<void()>& stop) {
  if (hooks.poststart.empty()) return;
  dir.unlock();
  try {
    in_start_context(context, state, [&] {
      process::run_hooks(hooks.poststart, "poststart", to_hook_state_json(state), process::HookFailure::Fail,
                         hook_directory(state.bundle, "poststart"));
    });
  } catch (const Error&) {
    if (dir.relock()) stop();
    throw;
  }
  // Removed meanwhile (a hook's `hull delete --force`): nothing is left to
  // keep the lock of, and what follows finds the container gone.
  (void)dir.relock();
}

OpenedContainer open_container(const GlobalOptions& g, const std::string& id) {
  validate_container_id(id);
  StateStore store(g.root);
  OpenedContainer o{store.open(id), {}, Status::Removed};
  o.state = o.dir.read_state();
  o.status = observed_status(o.state, o.dir.fd(), &o.init_state);
  return o;
}

// Refusals from the state machine already name the container and the
// operation; the context is added only to what fails after it said yes.
void start_locked(ContainerDir& dir, ContainerState& state, Status status, const SyncChannel* init_channel,
                  char init_state) {
  fault_point("start-after-open");
  // `run` has held the lock since it made the init, so the container is
  // created. An init that died since the status was observed (once, under
  // the lock) shows at the release (InitNotWaiting).
  require_transition(state.id, status, Operation::Start);
  bool init_gone = false;
  const StartContext context = init_channel ? StartContext::WithinRun : StartContext::Start;
  in_start_context(context, state, [&] {
    // A frozen init would never answer the release. run's own cannot be: no
    // other command has had the lock since it was made.
    if (!init_channel && !state.cgroupPath.empty())
      refuse_frozen_cgroup(cgroups::Manager::load(state.cgroupPath), status);
    // Nor a stopped one (`hull kill ID STOP`, a debugger), until let go: a
    // caller that gave up on the wait would leave "running" recorded, and
    // the program would start on its own then.
    if (init_state == 'T' || init_state == 't') {
      const std::string init = "its init (pid " + std::to_string(state.pid) + ")";
      if (const pid_t tracer = tracer_of(state.pid))
        throw Error(init + " is stopped by its tracer (pid " + std::to_string(tracer) +
                    ") and would take the start only once it lets go: detach the tracer, then start it");
      throw Error(init + " is stopped (a SIGSTOP) and would take the start only once continued: `hull kill " +
                  state.id + " CONT`, then start it");
    }
    // Recorded before the release: on a full --root disk start fails while
    // the process still waits, rather than leaving a "created" container
    // whose program runs. If the release fails, the init is gone or going,
    // which live_status reports as stopped whatever the file says; if this
    // start is killed before the release, observed_status finds the init
    // still waiting and reports it created.
    state.status = Status::Running;
    dir.write_state(state);
    fault_point("start-after-running-state");
    try {
      if (init_channel)
        release_init(*init_channel);
      else
        release_init(dir.fd());
    } catch (const InitNotWaiting&) {
      // Alive, the init has lost its socket (removed from the state
      // directory) or its wait (a failed accept): no start can reach it.
      if (live_status(state) != Status::Running) {
        init_gone = true;
        return;
      }
      state.status = Status::Created;
      dir.write_state(state);
      throw Error("its init (pid " + std::to_string(state.pid) + ") lives but does not wait at " + dir.path() + "/" +
                  kStartSocketName + ", so no start can reach it: delete it (delete --force) and create it again");
    }
    fault_point("start-after-release");
  });
  // Killed between the check above and the release (found by the load
  // test's concurrent operations): by now the container is stopped.
  if (init_gone) require_transition(state.id, Status::Stopped, Operation::Start);
}

void destroy_container(ContainerDir& dir, const ContainerState& state, const spec::Hooks& hooks) {
  ContainerCgroup cgroup(dir, state);
  destroy_container(dir, state, hooks, cgroup);
}

void destroy_container(ContainerDir& dir, const ContainerState& state, const spec::Hooks& hooks,
                       ContainerCgroup& cgroup) {
  if (cgroup.named()) {
    // destroy() also kills what is left: without a private pid namespace,
    // processes may outlive the init.
    cgroup.destroy();
  }
  // As with a cgroup that is not the container's: the state goes anyway,
  // or no delete would ever remove this container.
  if (state.extra.count(resctrl::kStateKey) > 0) {
    try {
      resctrl::remove(resctrl::Groups::recorded(state.extra, state.id));
    } catch (const Error& e) {
      log::warn("delete container " + quote(dir.id()) + ": linux.intelRdt: " + e.what() + ": left as it is");
    }
  }
  fault_point("delete-after-cgroup-destroy");
  // A created container's start socket too: by name, as create's guard.
  dir.remove({kSavedConfigName, kStartSocketName});
  // A user-named overlay dir holds <dir>/<id>/{upper,work}: the container's
  // writes, removed with it.
  // One that cannot be removed (a mount inside it) fails the delete after
  // the poststop hooks: the state is gone, and no later command would run
  // them or remove it.
  if (auto ovl = state.extra.find(kOverlayDirKey); ovl != state.extra.end()) {
    try {
      with_context("remove the overlay directory " + ovl->second, [&] { remove_directory_tree(ovl->second); });
    } catch (const Error& e) {
      run_poststop_hooks(hooks.poststop, state);
      const bool mounted = e.message().ends_with("it is a mount point");
      throw Error(std::string(e.what()) + " (the container is deleted: remove " + ovl->second + " by hand" +
                  (mounted ? " once nothing is mounted in it)" : ")"));
    }
  }
  run_poststop_hooks(hooks.poststop, state);
}

void run_poststop_hooks(const std::vector<spec::Hook>& poststop, const ContainerState& state) {
  if (poststop.empty()) return;
  ContainerState stopped = state;
  stopped.status = Status::Stopped;
  stopped.pid = 0;
  process::run_hooks(poststop, "poststop", to_hook_state_json(stopped), process::HookFailure::Warn,
                     hook_directory(stopped.bundle, "poststop"));
}

void start_container(const GlobalOptions& g, const std::string& id) {
  OpenedContainer c = open_container(g, id);
  const spec::Hooks hooks = load_saved_hooks(c.dir, c.state);
  // A failed startContainer or poststart hook stops the container and
  // destroys it, poststop hooks included (runtime.md, lifecycle steps 7
  // and 9: "continue the lifecycle at step 12"); `start` fails with the
  // hook's error, and what the destroy could not undo is warned of.
  const auto destroy = [&] {
    try {
      ContainerCgroup cgroup(c.dir, c.state);
      kill_and_wait(c.dir, c.state, Status::Running, cgroup);
      destroy_container(c.dir, c.state, hooks, cgroup);
    } catch (const Error& e) {
      log::warn("destroy container " + quote(id) + " after its failed hook: " + e.what());
    }
  };
  try {
    start_locked(c.dir, c.state, c.status, nullptr, c.init_state);
  } catch (const StartHookFailed&) {
    destroy();
    throw;
  }
  run_poststart_hooks(c.dir, c.state, hooks, StartContext::Start, destroy);
}

namespace {
// Its processes share a pid namespace that its init did not lead (the
// host's, or one joined by path), so the init's death ended none of them.
// A create that died before it saved the config made no process to leave.
bool shares_a_pid_namespace(const ContainerDir& dir) {
  if (::faccessat(dir.fd(), kSavedConfigName, F_OK, 0) < 0) return false;
  const spec::Spec spec = load_saved_config(dir);
  return !spec.linux_ || !ns::is_private(spec.linux_->namespaces, spec::NamespaceType::Pid);
}
}  // namespace

void kill_container(const GlobalOptions& g, const std::string& id, int sig, bool all) {
  OpenedContainer c = open_container(g, id);
  // SIGKILL of a stopped container whose init shared its pid namespace ends
  // what its init left running, as runc >= 1.2 does: without it, only
  // delete would.
  if (sig == SIGKILL && !all && c.status == Status::Stopped) {
    bool done = with_context("kill container " + quote(id), [&] {
      ContainerCgroup cgroup(c.dir, c.state);
      if (!cgroup.named() || !shares_a_pid_namespace(c.dir) || cgroup.taken_by_another()) return false;
      cgroup.owned().kill_all(SIGKILL);
      return true;
    });
    if (done) return;
  }
  require_transition(id, c.status, all ? Operation::KillAll : Operation::Kill);
  with_context("kill container " + quote(id), [&] {
    ContainerCgroup cgroup(c.dir, c.state);
    if (all) {
      if (c.status == Status::Stopped && cgroup.taken_by_another()) return;  // nothing of it left to signal
      // Only the init could be signalled: not what --all asks (runc fails too).
      if (!cgroup.named())
        throw Error(
            "--all: it has no cgroup to find its processes in (a rootless container without a cgroup the user may "
            "write): only its init can be signalled, without --all");
      cgroup.owned().kill_all(sig);
      return;
    }
    UniqueFd pidfd = open_verified_init(c.dir, c.state, cgroup);
    // SIGKILL of an init that does not lead its pid namespace ends every
    // process of the container, as runc >= 1.2 ends them, not the init alone
    // (whose other processes would run on until delete).
    if (sig == SIGKILL && pidfd && cgroup.named() && !leads_its_pid_namespace(c.state.pid)) {
      cgroup.owned().kill_all(SIGKILL);
      return;
    }
    cgroups::Manager* frozen = cgroup_to_thaw_after_kill(cgroup, c.status, sig);
    if (pidfd) send_signal(pidfd.get(), sig, "container " + quote(id));
    if (frozen) frozen->thaw_v1_freezer();
  });
}

namespace {

// Nothing a damaged state names can be trusted for a kill: the directory
// goes, and whatever the container left running is reported, not guessed at.
void remove_corrupt_state(const GlobalOptions& g, const std::string& id, const CorruptState& e) {
  log::warn(std::string(e.what()) +
            "; removing the container's state only: its processes and cgroup, if any, are left as they are");
  StateStore(g.root).remove_unreadable(id);
}

// delete's open step: the container, or nothing when --force finds nothing
// it may act on.
std::optional<OpenedContainer> open_for_delete(const GlobalOptions& g, const std::string& id, bool force) {
  try {
    return open_container(g, id);
  } catch (const ContainerMissing&) {
    // A create or delete killed half-way may have left an empty or
    // state-less directory. Nothing to delete is what --force asked for;
    // a plain delete clears it too, as runc's does, and says why it could
    // not (a mount point inside): otherwise only "does not exist" is said
    // while the directory keeps the id.
    if (force) {
      StateStore(g.root).clear_debris(id);
      return std::nullopt;
    }
    try {
      StateStore(g.root).clear_debris(id);
    } catch (const Error& e) {
      log::warn(e.what());
    }
    throw;
  } catch (const CorruptState& e) {
    if (!force) throw;
    remove_corrupt_state(g, id, e);
  }
  return std::nullopt;
}

// hooks: the container's, when the caller holds them; null: read from the
// saved config.
void delete_opened(const GlobalOptions& g, OpenedContainer& c, bool force, const spec::Hooks* hooks) {
  const std::string& id = c.state.id;
  fault_point("delete-after-open");
  require_transition(id, c.status, force ? Operation::ForceDelete : Operation::Delete);
  with_context("delete container " + quote(id), [&] {
    // Checked before anything is killed, so a refusal leaves all as it was.
    // A stopped container has nothing to kill: ContainerCgroup::destroy
    // makes the same check before it touches anything.
    ContainerCgroup cgroup(c.dir, c.state);
    if (c.status != Status::Stopped) {
      cgroup.refuse_foreign();
      kill_and_wait(c.dir, c.state, c.status, cgroup);
    }
    fault_point("delete-after-kill");
    destroy_container(c.dir, c.state, hooks ? *hooks : saved_hooks_or_none(c.dir, c.state, force), cgroup);
  });
  // A create of this id refused while the container existed, killed between
  // making its temporary directory and removing it, left that directory;
  // --force is what clients run to leave nothing (found by the lifecycle
  // model, seeds 501409 and 701073).
  if (force) StateStore(g.root).clear_debris(id);
}

}  // namespace

void delete_container(const GlobalOptions& g, const std::string& id, bool force) {
  std::optional<OpenedContainer> c = open_for_delete(g, id, force);
  if (!c) return;
  try {
    delete_opened(g, *c, force, nullptr);
  } catch (const CorruptState& e) {
    // Found only once read further (its cgroup record). The removal takes
    // the container's lock: ours goes first.
    if (!force) throw;
    c.reset();
    remove_corrupt_state(g, id, e);
  }
}

void delete_own_container(const GlobalOptions& g, const ContainerState& own, const spec::Hooks* hooks) {
  std::optional<OpenedContainer> c = open_for_delete(g, own.id, true);
  if (!c) return;
  // Deleted by another command while it ran, and the id taken by a new
  // container since: that one is not ours to remove.
  if (c->state.pid != own.pid || c->state.initStartTime != own.initStartTime) return;
  delete_opened(g, *c, true, hooks);
}

std::string container_state_json(const GlobalOptions& g, const std::string& id) {
  // No lock: state.json is only ever replaced whole (StateStore::peek), and
  // `state` must not wait behind a long create or exec.
  validate_container_id(id);
  return to_spec_state_json(peek_created(StateStore(g.root), id, StateFields::Status));
}

std::vector<ContainerSummary> list_containers(const GlobalOptions& g) {
  StateStore store(g.root);
  const std::vector<std::string> ids = store.list_ids();
  std::vector<ContainerSummary> out(ids.size());
  std::mutex unreadable_lock;
  std::vector<std::string> unreadable;
  // Each container is read on its own (peek and the status check hold no
  // shared state), so many of them are read on several threads.
  for_each_index_parallel(ids.size(), kListItemsPerThread, [&](size_t i) {
    ContainerState st;
    try {
      st = store.peek(ids[i], StateFields::Status);
    } catch (const CorruptState& e) {
      // Said, as runc says it: left out silently, it would be found only by
      // the next create of its id.
      const std::lock_guard<std::mutex> hold(unreadable_lock);
      unreadable.push_back("container " + quote(ids[i]) + " is not listed: " + e.what() +
                           " (hull delete --force removes it)");
      return;
    } catch (const ContainerMissing&) {
      return;  // deleted meanwhile: simply not listed
    } catch (const Error& e) {
      // Unreadable (EACCES, EIO, ...): said, as runc says "load container".
      const std::lock_guard<std::mutex> hold(unreadable_lock);
      unreadable.push_back("container " + quote(ids[i]) + " is not listed: " + e.what());
      return;
    }
    out[i].state = with_live_status(store, std::move(st));
    // Not listed until created, as with runc (see container_state_json).
    if (out[i].state.status == Status::Creating) out[i].state.id.clear();
  });
  std::sort(unreadable.begin(), unreadable.end());
  for (const std::string& why : unreadable) log::warn(why);
  // Those deleted meanwhile were never filled in (a read state always has
  // an id), those being created were emptied: the gaps close in place, with
  // no second copy of the states.
  std::erase_if(out, [](const ContainerSummary& c) { return c.state.id.empty(); });
  return out;
}

}  // namespace hull
