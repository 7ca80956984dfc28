#pragma once
// The parent/init synchronisation protocol over a SOCK_SEQPACKET socketpair.
// One message per packet; errors from the init cross with their errno, so the
// user sees them once, with context, from the runtime process.
//
//   runtime (hull create)                     init (clone3 child)
//   ---------------------                     -------------------
//   clone3
//   State{json} ----------------------------->  (only if hooks or a seccomp agent need it)
//                                               join namespaces, hostname, mounts
//                          <------------------ RuntimeHooks   (only if prestart/createRuntime hooks exist)
//   run prestart + createRuntime hooks
//   Continue -------------------------------->  createContainer hooks, pivot_root,
//                                               process attributes
//                          <------------------ Ready          (init waits for `hull start` now)
//   write pid file + state.json, exit
//
//   Any step may instead send Error{errno, message} and exit; the runtime then
//   kills and reaps what it made and reports the message.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace hull {

enum class SyncMsg : uint32_t {
  RuntimeHooks = 1,
  Continue = 2,
  Ready = 3,
  Error = 4,
  State = 5,     // payload: the container state JSON as the runtime sees it
};

const char* to_string(SyncMsg m);

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  // A connected pair: first for the runtime, second for the init.
  static std::pair<SyncChannel, SyncChannel> make_pair();

  void send(SyncMsg m, std::string_view payload = {}) const;
  void send_error(int err, const std::string& message) const;
  // Receives one message. An Error message is rethrown as hull::Error with the
  // init's errno; EOF (the init died) is an error too.
  SyncMsg receive(std::string* payload = nullptr) const;
  // receive() that insists on `expected`.
  void expect(SyncMsg expected, std::string* payload = nullptr) const;
  // Waits for the peer to close its end (its execve closes the CLOEXEC
  // socket), rethrowing an Error message it sent instead.
  void expect_eof() const;

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace hull
