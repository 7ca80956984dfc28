#pragma once
// The parent/init synchronisation protocol over a SOCK_SEQPACKET socketpair.
// One message per packet (a payload over 64 KiB in several); errors from the
// init cross with their errno, so the
// user sees them once, with context, from the runtime process.
//
//   runtime (hull create / run)               init (clone3 child)
//   ---------------------------               -------------------
//   plan (runtime/launch_plan.hpp)
//   join pid/time namespaces given by path
//   clone3 (CLONE_PIDFD, CLONE_INTO_CGROUP)
//                                               close the runtime's fds,
//                                               non-dumpable, parent-death signal
//   (InitPlan::runtime_makes_sealed_view: cgroups after the clone, new pid
//   and network namespaces)
//   SealedView{how, layout}, fd ------------->  switch to the sealed view of the binary
//   (InitPlan::cgroups_after_clone)             network and ipc namespaces
//   make the v1 cgroups, limits (v1 and v2)
//   CgroupsMade ----------------------------->
//                                               move itself into its v1 cgroups (if any)
//   write it into v2 if the clone could not
//     place it there; systemd: start the scope
//   write uid_map/gid_map (new user namespace)
//   Continue -------------------------------->  (only if the plan says wait_for_placement:
//                                               systemd or a new user namespace)
//                                               unshare the cgroup namespace (if deferred)
//   State{json} ----------------------------->  (only if createContainer/startContainer hooks
//                                               or a seccomp agent need it)
//                                               join namespaces, become userns root,
//                                               time namespace, keyring, hostname, mounts
//                          <------------------ BindSource{index}[, rootfs fd]  (a bind
//                                               source the init may not reach: EACCES)
//   open it below /proc/<init>/root
//   Continue, its O_PATH fd ----------------->  clone it (locked as the init's own)
//                          <------------------ IdmapTree{index}, fd  (an id-mapped bind the
//                                               init clones: below the rootfs; in a user
//                                               namespace, any)
//   id-map the init's detached tree
//   Continue -------------------------------->  attach it
//   (hull run: a Start sent ahead may arrive while the init awaits either
//   answer; the init keeps it for the barrier)
//                          <------------------ RuntimeStep    (only if prestart/createRuntime hooks
//                                               or linux.netDevices exist)
//   move the netDevices in, run prestart + createRuntime hooks
//   Continue -------------------------------->  createContainer hooks, pivot_root,
//                                               process attributes
//                          <------------------ Ready          (init waits for `hull start` now,
//                                               runtime/start_barrier.hpp)
//   write pid file + state.json, exit
//
//   hull run keeps the channel instead of exiting: it records "running" and
//   sends Start, and the init goes on to execve without a start.sock (no
//   socket file in the state dir, no connect/accept). The runtime then waits
//   for EOF (execve closed the CLOEXEC socket) or an Error from a step after
//   the barrier; a runtime that dies before Start leaves the init EOF, and it
//   exits.
//
//   hull exec uses the same channel, shorter: the runtime setns()es into the
//   init's namespaces, clones, places the child and sends Continue (v1
//   cgroups only); the child applies the process and execs, and the runtime
//   waits for EOF (the CLOEXEC socket closed by execve) or an Error. Under a
//   seccomp notify profile the child first sends SeccompListener carrying its
//   listener fd (after loading the filter, as runc's procSeccomp): the runtime
//   hands it to the agent with the process's pid, which only it knows.
//
//   Any step may instead send Error{errno, message} and exit; the runtime then
//   kills and reaps what it made and reports the message.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/fd_passing.hpp"
#include "base/unique_fd.hpp"

namespace hull {

enum class SyncMsg : uint32_t {
  RuntimeStep = 1,  // the init waits before pivot_root for the runtime: hooks, netDevices
  Continue = 2,
  Ready = 3,
  Error = 4,
  State = 5,            // payload: the container state JSON as the runtime sees it
  SeccompListener = 6,  // exec: no payload, the seccomp notify listener fd attached
  Start = 7,            // run: the init may go on to execve (instead of start.sock)
  CgroupsMade = 8,      // the cgroup the init moves itself into exists (InitPlan::cgroups_after_clone)
  SealedView =
      9,  // payload and fd: the runtime binary's sealed view for the init (InitPlan::runtime_makes_sealed_view)
  MemoryCgroupMade = 10,  // fd: the v1 memory hierarchy's tasks file, joined first (InitPlan::memory_cgroup_first)
  // init to runtime, payload the mount's index and fd its detached tree: an
  // id-mapped bind the init clones (below the rootfs; in a user namespace,
  // any) for the runtime to map (InitPlan::runtime_serves_mounts); the
  // runtime answers Continue once it is mapped.
  IdmapTree = 11,
  // create to a created init, once the state records it: the init may
  // outlive create from here. Without it (create killed between the init's
  // Ready and the record) the init exits rather than wait for a start that
  // no record points to.
  Recorded = 12,
  // init to runtime, payload a mount's index (and fd the init's rootfs mount,
  // for a source below it): a bind source the init could not reach (EACCES),
  // for the runtime to open in the init's mount namespace
  // (InitPlan::runtime_serves_mounts); the runtime answers Continue with the
  // source's O_PATH fd.
  BindSource = 13,
};

const char* to_string(SyncMsg m);

// The peer closed the channel without a word: the init (or exec process)
// exited, or was killed, during set-up.
class PeerExitedError : public Error {
 public:
  using Error::Error;
};

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  // A connected pair: first for the runtime, second for the init.
  static std::pair<SyncChannel, SyncChannel> make_pair();

  void send(SyncMsg m, std::string_view payload = {}) const;
  // False when it could not be sent: the peer is gone, or the process's
  // seccomp filter refuses sendmsg, writev and write alike.
  bool send_error(int err, const std::string& message) const;
  // send() to a peer that may have failed meanwhile: if it is gone, what it
  // said before it exited (its Error) is thrown, not the broken pipe. `fds`
  // (at most kMaxPassedFds) ride along (SCM_RIGHTS).
  void send_to_waiting_peer(SyncMsg m, std::string_view payload = {}, std::span<const int> fds = {}) const;
  static constexpr size_t kMaxPassedFds = 16;
  // A message with no payload and `fd` attached (SCM_RIGHTS), carried by `call`.
  void send_fd(SyncMsg m, int fd, SendCall call = SendCall::Sendmsg) const;
  // Receives one message. An Error message is rethrown as hull::Error with the
  // init's errno; EOF (the init died) is a PeerExitedError. With `fds`, the fds
  // the message carries land there in order (close-on-exec); without, the
  // kernel drops them.
  SyncMsg receive(std::string* payload = nullptr, std::vector<UniqueFd>* fds = nullptr) const;
  // receive() that insists on `expected`.
  void expect(SyncMsg expected, std::string* payload = nullptr, std::vector<UniqueFd>* fds = nullptr) const;
  // expect() for a message sent by send_fd: returns the fd (close-on-exec).
  UniqueFd expect_fd(SyncMsg expected) const;
  // Waits for the peer to close its end (its execve closes the CLOEXEC
  // socket), rethrowing an Error message it sent instead.
  void expect_eof() const;
  // From now on expect_eof also ends at a SIGTERM, SIGINT, SIGHUP or SIGQUIT
  // for the caller, which blocks them (an attached run's forwarder): `peer`
  // is SIGKILLed and an error says so. An init stuck before its execve (at
  // its memory limit with disableOOMKiller) held the run, and with it the
  // container's lock that kill and delete --force wait for, until the
  // runtime itself was SIGKILLed.
  void end_wait_on_termination(pid_t peer) { termination_peer_ = peer; }

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  void send_with(SyncMsg m, std::string_view payload, std::span<const int> fds,
                 SendCall call = SendCall::Sendmsg) const;

  // Until the peer's end is readable; throws at a termination signal.
  void wait_unless_terminated() const;

  UniqueFd fd_;
  pid_t termination_peer_ = 0;
};

}  // namespace hull
