#pragma once
// How `hull start` releases an init that `hull create` left waiting, with fds
// only (no polling): the init holds a listening unix socket bound in the
// container's state dir and blocks in accept(). A connection says one byte:
//  - kGo (`start`): the init goes on to execve, and `start` reads the
//    connection: EOF (the accepted socket was CLOEXEC, so the init reached
//    execve) or bytes (the init failed after the barrier: the error text);
//  - kProbe (`state` and the others, see init_waits_for_start): the init
//    answers kWaiting and waits for the next connection;
//  - nothing (the peer closed, e.g. a `start` killed before it said kGo): the
//    init waits for the next connection, so a later `start` still works.
// ECONNREFUSED / ENOENT on connect: no init is waiting (it died, or exec'd:
// the listening socket is CLOEXEC too).
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "runtime/state_store.hpp"
#include "runtime/sync_channel.hpp"
#include "spec/spec.hpp"

namespace hull {

inline constexpr const char* kStartSocketName = "start.sock";

// Binds and listens on <state_dir_fd>/start.sock (mode 0600). Runtime side,
// before the clone; the init inherits it.
UniqueFd listen_start_socket(int state_dir_fd);

// Init side, at its entry (before the container's seccomp filter, which may
// refuse rt_sigaction, and before it says Ready): from now on SIGHUP, SIGINT, SIGTERM and
// SIGQUIT end the init (exit status 128 + the signal), as they end runc's:
// as the first process of its own pid namespace it would otherwise ignore
// them (the kernel drops a signal an init has no handler for), and an
// engine stopping a created container would wait out its timeout for
// SIGKILL. execve resets the handlers to the defaults.
void end_on_stop_signals();
// The init or exec's process, from its set-up done: it outlives the hull
// that made it (clears the parent-death signal). Throws where the filter
// refuses it, before the process is reported ready: refused, the process
// would die with the hull that returned 0 for it. under_profile: the
// container's filter is loaded (process::filter_loaded_before_start), and
// the error names it.
void keep_living_after_the_runtime(bool under_profile);
// The error for a call the init or exec's process makes under the
// container's seccomp filter, refused with err: names linux.seccomp and the
// way out.
Error refused_under_filter(const std::string& calls, int err);
// A rehearsal of the wait for an init that waits under the container's
// seccomp filter: create queues one connection with a byte on it before the
// clone (runtime side); the init, under the filter and before it says Ready,
// accepts and reads it as it will accept and read `start`'s (init side). A
// profile that leaves the init no way to wait then fails the create, whose
// channel still carries the error (or whose init's SIGSYS it sees), not the
// start, after create has returned. Queued for an init that does not
// rehearse, the connection is one more peer that said nothing: skipped.
void queue_start_wait_rehearsal(int state_dir_fd);
void rehearse_start_wait(int listen_fd);
// Init side, before Ready: the wait for start accepts a connection, one fd
// more than the init holds. An open-files limit of process.rlimits (set by
// then) that leaves none fails create, naming it; found only in the wait,
// the error came after Ready, where nothing reads it (runc fails create too).
void check_an_fd_is_left_for_start(int listen_fd, const std::vector<spec::Rlimit>& rlimits, int preserve_fds);
// Init side: blocks until `start` connects and says kGo; returns the
// accepted connection (CLOEXEC) on which a late error can be reported with
// report_start_error. Probes are answered on the way.
UniqueFd wait_for_start(int listen_fd);
// destroys: the failure ends the container's lifecycle (a startContainer
// hook's), and `start` destroys it (StartHookFailed).
void report_start_error(int conn_fd, const std::string& message, bool destroys = false);

// `hull start` side: releases the init and waits until it has exec'd (or
// failed, which throws with the init's message). The socket file is removed
// only once the init was told to go, so a `start` killed half-way leaves an
// init that a probe finds waiting and a later `start` can release.
void release_init(int state_dir_fd);
// The same for an init that `run` made and waits on its sync channel
// (runtime/sync_channel.hpp): sends Start, waits for execve's EOF.
void release_init(const SyncChannel& init);

// Thrown by release_init when no init waits any more: it died (a racing
// kill) after the state check found it created, so `start` refuses as the
// state machine does for a stopped container.
class InitNotWaiting : public Error {
 public:
  using Error::Error;
};

// Thrown by release_init where the init reported a failed startContainer
// hook: the container is to be destroyed, poststop hooks included.
class StartHookFailed : public Error {
 public:
  using Error::Error;
};

// Whether the init still waits at the barrier, asked without releasing it.
// For a container recorded "running" whose start.sock is still there: a
// `start` killed after recording "running" but before the init was told to
// go. Bounded: an init that does not answer within a second (frozen from
// outside) counts as not waiting.
bool init_waits_for_start(int state_dir_fd);

// live_status, and "created" for a container recorded "running" whose init
// still waits at the barrier (see init_waits_for_start), and "stopped" for
// one recorded "creating" by a create that died (its lock is free): start,
// kill, delete and state then treat it as what it is. The caller holds the
// state directory's lock; state_dir_fd may be an O_PATH fd. `init_state`
// as live_status's.
Status observed_status(const ContainerState& s, int state_dir_fd, char* init_state = nullptr);
// The same for a state read without the lock (state, list) from the state
// directory `dir` (relative to base_fd, as StateStore::dir_lookup gives),
// which is opened only when its start socket is there, or to try the lock
// of a "creating" one: list pays one faccessat per running container, not
// an open.
Status peeked_status(const ContainerState& s, int base_fd, const std::string& dir);

// A state.json read without the lock (state, list), with the status
// peeked_status finds; a stopped container has no pid.
ContainerState with_live_status(const StateStore& store, ContainerState st);
// The state of `id` read so, for the commands that only look at a container
// (state, ps, events). Throws ContainerMissing while its create still runs,
// as runc and crun answer until it is created: an engine that asks while
// its own create runs reads "not yet", not a status it has no mapping for
// (CRI-O's would be "unknown"). A create that died is seen, as stopped.
ContainerState peek_created(const StateStore& store, const std::string& id, StateFields fields = StateFields::All);

}  // namespace hull
