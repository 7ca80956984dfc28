#include "runtime/start_barrier.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/filtered_socket_io.hpp"
#include "base/fs.hpp"
#include "runtime/unix_socket.hpp"

namespace hull {

namespace {

constexpr char kGo = 'g';
// Leads an error reply whose failure ends the container's lifecycle; no
// message starts with it (an older init's reply never does).
constexpr char kDestroysMark = '\x01';
constexpr char kProbe = '?';
constexpr char kWaiting = 'w';
constexpr char kRehearsal = 'r';  // queued by create, taken before Ready

// Short whatever the length of --root and the container id.
sockaddr_un socket_address(int state_dir_fd) { return unix_address_in(state_dir_fd, kStartSocketName); }

// A connection to the waiting init; empty when none waits (refused: nobody
// listens any more; missing: the socket file is gone).
UniqueFd connect_to_init(int state_dir_fd, const timeval* timeout) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw_errno("create socket");
  if (timeout) {
    // A unix connect waits while the listener's backlog is full: bounded too.
    if (::setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, timeout, sizeof *timeout) < 0 ||
        ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, timeout, sizeof *timeout) < 0)
      throw_errno("set a timeout on the start socket");
  }
  sockaddr_un addr = socket_address(state_dir_fd);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    if (errno == ECONNREFUSED || errno == ENOENT) return {};
    if (timeout && errno == EAGAIN) return {};
    throw_errno("connect to the container init");
  }
  return s;
}

// The init's side, under the container's filter: each call has a fallback.
bool init_sends_byte(int fd, char c) { return send_or_write(fd, &c, 1) == 1; }

// The one byte a peer says; 0 when it closed (or failed) before saying one.
char init_receives_byte(int fd) {
  char c = 0;
  return read_or_recv(fd, &c, 1) == 1 ? c : 0;
}

// The runtime's side, unfiltered: one call each, so that a probe's timeout
// bounds the whole wait (a fallback would wait it out a second time).
bool send_byte(int fd, char c) {
  ssize_t n;
  do n = ::send(fd, &c, 1, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

char receive_byte(int fd) {
  char c = 0;
  ssize_t n;
  do n = ::recv(fd, &c, 1, 0);
  while (n < 0 && errno == EINTR);
  return n == 1 ? c : 0;
}

}  // namespace

UniqueFd listen_start_socket(int state_dir_fd) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw_errno("create start socket");
  sockaddr_un addr = socket_address(state_dir_fd);
  ::unlinkat(state_dir_fd, kStartSocketName, 0);
  auto path = [&] { return in_dir(state_dir_fd, kStartSocketName); };  // for the messages
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    throw_errno("bind the start socket " + path());
  if (::fchmodat(state_dir_fd, kStartSocketName, 0600, 0) < 0) throw_errno("chmod the start socket " + path());
  // Room for a start and a few probes queued while the init answers one.
  if (::listen(s.get(), 8) < 0) throw_errno("listen on the start socket " + path());
  return s;
}

Error refused_under_filter(const std::string& calls, int err) {
  // The errno once, in the text: Error's own would add a kernel-version
  // hint for ENOSYS (SCMP_ACT_TRACE without a tracer answers it), wrong here.
  return Error("linux.seccomp: the profile refuses " + calls + " (" + errno_text(err) +
               "), which hull calls under it before the container's program runs (without "
               "process.noNewPrivileges the filter is loaded before the wait for start, as runc loads it before its "
               "own): allow it, or set process.noNewPrivileges to true");
}

void end_on_stop_signals() {
  struct sigaction ends {};
  ends.sa_handler = [](int sig) { ::_exit(128 + sig); };
  // Valid signals and a valid action: sigaction cannot fail (no filter yet).
  for (int sig : {SIGHUP, SIGINT, SIGTERM, SIGQUIT}) ::sigaction(sig, &ends, nullptr);
}

void keep_living_after_the_runtime(bool under_profile) {
  if (::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) == 0) return;
  if (under_profile) throw refused_under_filter("prctl(PR_SET_PDEATHSIG)", errno);
  // Not the config's filter (none loaded yet): a seccomp filter hull itself
  // runs under, an engine's it is nested in.
  throw_errno("clear the parent-death signal (prctl(PR_SET_PDEATHSIG)), which a process that outlives hull needs");
}

void queue_start_wait_rehearsal(int state_dir_fd) {
  UniqueFd s = connect_to_init(state_dir_fd, nullptr);
  if (!s || !send_byte(s.get(), kRehearsal)) throw_errno("queue a connection on the start socket");
}

void rehearse_start_wait(int listen_fd) {
  // The calls, fds and arguments of the real wait: a rule on any of them
  // (an errno, a kill, a condition on an argument) meets this one first.
  UniqueFd conn = accept_cloexec(listen_fd);
  if (!conn) throw refused_under_filter("accept4 and accept", errno);
  char said = 0;
  errno = ENODATA;  // the byte queued, missing: not the filter's doing, but named as well
  if (read_or_recv(conn.get(), &said, 1) != 1) throw refused_under_filter("read and recvfrom", errno);
}

void check_an_fd_is_left_for_start(int listen_fd, const std::vector<spec::Rlimit>& rlimits, int preserve_fds) {
  // Stdio, the preserved fds and at most four of its own (this socket, the
  // channel to the runtime, the seccomp agent's, one to spare): a limit
  // above their count leaves a number below it free, which no call needs
  // to show (the default 1024 costs nothing).
  const uint64_t held = 3 + static_cast<uint64_t>(preserve_fds) + 4;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    if (rlimits[i].type != "RLIMIT_NOFILE" || rlimits[i].soft > held) continue;
    if (UniqueFd spare(::fcntl(listen_fd, F_DUPFD_CLOEXEC, 0)); spare || errno != EMFILE) return;
    throw Error("process.rlimits[" + std::to_string(i) + "]: RLIMIT_NOFILE soft=" + std::to_string(rlimits[i].soft) +
                    " leaves the container's init no file descriptor to wait for `start` with (its stdio and the "
                    "fds passed to it use every one): raise it",
                EMFILE);
  }
}

UniqueFd wait_for_start(int listen_fd) {
  for (;;) {
    UniqueFd conn = accept_cloexec(listen_fd);
    if (!conn) throw_errno("wait for start");
    char said = init_receives_byte(conn.get());
    if (said == kGo) return conn;
    if (said == kProbe) (void)init_sends_byte(conn.get(), kWaiting);
    // Else a peer that went away before saying go (a `start` killed half-way):
    // still created, the next `start` releases us.
  }
}

void report_start_error(int conn_fd, const std::string& message, bool destroys) {
  // Under the filter: the error came after it was loaded (its execve, denied).
  const std::string reply = destroys ? kDestroysMark + message : message;
  (void)send_or_write(conn_fd, reply.data(), reply.size());
}

void release_init(int state_dir_fd) {
  UniqueFd s = connect_to_init(state_dir_fd, nullptr);
  fault_point("start-after-connect");
  // EPIPE / ECONNRESET: the init exited between our connect and now.
  if (!s || !send_byte(s.get(), kGo))
    throw InitNotWaiting("the container init is not waiting to start (it has exited)");
  // Only once the init was told to go: a start killed before that leaves the
  // socket for the next start. Starts hold the container lock, so no second
  // one connects meanwhile; probes find the init gone once it exec'd.
  ::unlinkat(state_dir_fd, kStartSocketName, 0);
  std::string reply;
  try {
    reply = read_fd(s.get(), "start reply from the container init");
  } catch (const Error& e) {
    // Reset: the init died (killed) after the go, before it exec'd.
    if (e.code() == ECONNRESET) throw InitNotWaiting("the container init exited before it started the program");
    throw;
  }
  if (reply.starts_with(kDestroysMark)) throw StartHookFailed(reply.substr(1));
  if (!reply.empty()) throw Error(reply);
}

void release_init(const SyncChannel& init) {
  try {
    init.send(SyncMsg::Start);
  } catch (const Error& e) {
    // The init exited (killed) since it said Ready: the peer end is closed.
    if (e.code() == EPIPE || e.code() == ECONNRESET)
      throw InitNotWaiting("the container init is not waiting to start (it has exited)");
    throw;
  }
  // EOF: the init reached execve (or was killed after Start, which the
  // caller's wait for its exit reports); an Error: a step after the barrier failed.
  init.expect_eof();
}

bool init_waits_for_start(int state_dir_fd) {
  if (::faccessat(state_dir_fd, kStartSocketName, F_OK, AT_SYMLINK_NOFOLLOW) < 0) return false;
  const timeval timeout{1, 0};
  UniqueFd s = connect_to_init(state_dir_fd, &timeout);
  // A refused send or no answer: the init went on (or died) meanwhile, and
  // the listening socket closed with the connection still queued.
  return s && send_byte(s.get(), kProbe) && receive_byte(s.get()) == kWaiting;
}

namespace {
// "running" is recorded before the init is released (so a full disk fails
// the start before the program runs): a start killed in between leaves an
// init that still waits, which is a created container.
Status unless_still_waiting(Status live, int state_dir_fd) {
  return live == Status::Running && init_waits_for_start(state_dir_fd) ? Status::Created : live;
}

// A create holds the state directory's lock from the moment it is made
// until the container is created: a "creating" record whose lock is free
// was left by a create that died (killed, SIGTERM), and nothing is being
// made any more. It is stopped: `delete` clears what it left.
Status unless_create_died(Status live, bool lock_free) {
  return live == Status::Creating && lock_free ? Status::Stopped : live;
}
}  // namespace

// The caller holds the lock (StateStore::open), so no create is alive.
Status observed_status(const ContainerState& s, int state_dir_fd, char* init_state) {
  return unless_still_waiting(unless_create_died(live_status(s, init_state), true), state_dir_fd);
}

Status peeked_status(const ContainerState& s, int base_fd, const std::string& dir) {
  Status status = live_status(s);
  if (status == Status::Creating) {
    // Read without the lock (state, list): asked of the lock itself, shared
    // and not waited for, only for a container in this rare state.
    UniqueFd dir_fd(::openat(base_fd, dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    return unless_create_died(status, dir_fd && ::flock(dir_fd.get(), LOCK_SH | LOCK_NB) == 0);
  }
  if (status != Status::Running) return status;
  // No socket, or deleted meanwhile: what was read is all there is.
  const std::string socket = dir + "/" + kStartSocketName;
  if (::faccessat(base_fd, socket.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) < 0) return status;
  UniqueFd dir_fd(::openat(base_fd, dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd) return status;
  return unless_still_waiting(status, dir_fd.get());
}

ContainerState with_live_status(const StateStore& store, ContainerState st) {
  auto [base, dir] = store.dir_lookup(st.id);
  st.status = peeked_status(st, base, dir);
  if (st.status == Status::Stopped) st.pid = 0;
  return st;
}

ContainerState peek_created(const StateStore& store, const std::string& id, StateFields fields) {
  ContainerState st = with_live_status(store, store.peek(id, fields));
  if (st.status == Status::Creating)
    throw ContainerMissing("container " + quote(id) + " does not exist yet: its create or restore is still running");
  return st;
}

}  // namespace hull
